"""Populations: what an indicator counts, where each row is placed, and its relations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from deficits.models import CampaignStatus, Diagnostic, DiagnosticStatus, Response
from deficits.questionnaire.results import merge_small
from indicators.declarative.vocabulary.entities import ENTITIES
from indicators.declarative.vocabulary.terms import Field
from iom.models import (
    CourseRun,
    Enrollment,
    Program,
    Provider,
    Route,
    RouteActivity,
)
from monitoring.models import (
    AssociationEvent,
    AssociationMember,
    Attestation,
    CompetitionEntry,
    DigitalEnvironmentScore,
    ExpertRole,
    MentoringPair,
    MentoringProgram,
    MethodicalActivist,
    MethodicalAssociation,
    RosterEntry,
    School,
    StaffingRow,
    SupportProject,
    SupportProjectParticipant,
)


@dataclass(frozen=True)
class Relation:
    """«has a … such that …»: rows of another population linked to this row (a semi-join)."""

    name: str
    label: str
    target: str  # the population whose fields the inner conditions use
    outer: str  # path on this population's rows to the key
    inner: str  # path on the target's rows to the same key


@dataclass(frozen=True)
class Population:
    name: str
    label: str
    model: type
    # (entity, prefix): the row's own fields and those of rows it points to.
    entities: tuple[tuple[str, str], ...]
    relations: tuple[Relation, ...] = ()
    # Where a row is placed: its school (path to a school id), else its municipality;
    # a row with neither counts at the region only. Teacher-owned rows are placed at the
    # school of the teacher's roster row of the period (``teacher``: the path to Teacher).
    school: str | None = None
    municipality: str | None = None
    teacher: str | None = None
    # Per-period records: the path to their period.
    period: str | None = None
    # The population exists only region-wide (the catalog of programs).
    region_only: bool = False
    # Extra filter every row of the population passes (e.g. submitted diagnostics only).
    base: Callable[[QuerySet], QuerySet] | None = None
    extra: tuple[str, ...] = field(default=())

    def field_map(self) -> dict[str, tuple[Field, str, str]]:
        """``name`` or ``entity.name`` → (field, ORM prefix, the entity's label)."""
        out: dict[str, tuple[Field, str, str]] = {}
        for i, (entity, prefix) in enumerate(self.entities):
            label, fields = ENTITIES[entity]
            for f in fields:
                out[f.name if i == 0 else f"{entity}.{f.name}"] = (f, prefix, label)
        return out


def _teacher_relations(outer: str) -> tuple[Relation, ...]:
    return (
        Relation("enrollments", "запись на курс", "enrollments", outer, "teacher_id"),
        Relation("diagnostics", "диагностика", "diagnostics", outer, "teacher_id"),
        Relation("routes", "маршрут", "routes", outer, "teacher_id"),
        Relation("route_activities", "мероприятие маршрута", "route_activities", outer, "route__teacher_id"),
        Relation("expert_roles", "экспертная роль", "expert_roles", outer, "teacher_id"),
        Relation("activist_roles", "роль в методическом активе", "activists", outer, "teacher_id"),
        Relation("mentor_pairs", "наставническая пара (наставник)", "mentoring_pairs", outer, "mentor_id"),
        Relation("mentee_pairs", "наставническая пара (наставляемый)", "mentoring_pairs", outer, "mentee_id"),
        Relation("competition_entries", "участие в конкурсе", "competition_entries", outer, "teacher_id"),
        Relation("attestations", "аттестация в периоде", "attestations", outer, "teacher_id"),
        Relation("associations", "членство в методическом объединении", "association_members", outer, "teacher_id"),
        Relation(
            "support_projects",
            "участие в проекте поддержки молодых педагогов",
            "project_participants",
            outer,
            "teacher_id",
        ),
    )


def _submitted(qs: QuerySet) -> QuerySet:
    return qs.filter(status=DiagnosticStatus.SUBMITTED)


def _groups_of_five(qs: QuerySet) -> QuerySet:
    """Named responses, and anonymous ones only where the campaign's results show them too.

    The results pages' rule (deficits.questionnaire.results), so that no figure here can be
    set against one there to leave a group of fewer than five: an anonymous campaign counts
    once it is closed (while answers arrive, two computations differ by one person), and
    only in the municipalities its cross-tabulation shows as groups of their own
    (``merge_small``: under five, and the next smallest while the merged ones are under
    five, are merged). The merged ones are not counted at all, not even in the region's
    total, which then differs from the results page's by the merged group: five or more.
    """
    sizes: dict[int, dict[int, int]] = defaultdict(dict)
    for campaign_id, municipality_id, n in (
        Response.objects.filter(anonymous=True, campaign__status=CampaignStatus.CLOSED)
        .values_list("campaign_id", "municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        sizes[campaign_id][municipality_id] = n
    allowed = Q(anonymous=False)
    for campaign_id in sorted(sizes):
        shown, _ = merge_small(sizes[campaign_id])
        if shown:
            allowed |= Q(campaign_id=campaign_id, municipality_id__in=sorted(shown))
    return qs.filter(allowed)


POPULATIONS: dict[str, Population] = {
    p.name: p
    for p in (
        Population(
            "teachers",
            "педагоги списка периода",
            RosterEntry,
            (("roster", ""), ("teacher", "teacher__"), ("school", "school__")),
            _teacher_relations("teacher_id"),
            school="school_id",
            period="period",
        ),
        Population(
            "schools",
            "образовательные организации",
            School,
            (("school", ""),),
            (
                Relation("roster", "педагог в списке периода", "teachers", "pk", "school_id"),
                Relation("staffing_rows", "строка штатного расписания", "staffing_rows", "pk", "school_id"),
                Relation("mentoring_programs", "программа наставничества", "mentoring_programs", "pk", "school_id"),
                Relation("associations", "методическое объединение", "associations", "pk", "school_id"),
            ),
            school="pk",
        ),
        Population(
            "programs",
            "дополнительные профессиональные программы",
            Program,
            (("program", ""),),
            (
                Relation("runs", "курс", "course_runs", "pk", "program_id"),
                Relation("route_activities", "мероприятие маршрута", "route_activities", "pk", "program_id"),
            ),
            region_only=True,
        ),
        Population(
            "course_runs",
            "курсы (потоки программ)",
            CourseRun,
            (("course", ""), ("program", "program__")),
            (Relation("enrollments", "запись на курс", "enrollments", "pk", "course_id"),),
            region_only=True,
        ),
        Population(
            "enrollments",
            "записи на курсы",
            Enrollment,
            (("enrollment", ""), ("course", "course__"), ("program", "course__program__"), ("teacher", "teacher__")),
            teacher="teacher",
        ),
        Population(
            "routes",
            "индивидуальные образовательные маршруты",
            Route,
            (("route", ""), ("teacher", "teacher__")),
            (Relation("activities", "мероприятие маршрута", "route_activities", "pk", "route_id"),),
            teacher="teacher",
        ),
        Population(
            "route_activities",
            "мероприятия маршрутов",
            RouteActivity,
            (("activity", ""), ("route", "route__"), ("program", "program__"), ("teacher", "route__teacher__")),
            teacher="route__teacher",
        ),
        Population(
            "expert_roles",
            "экспертные роли",
            ExpertRole,
            (("expert", ""), ("teacher", "teacher__")),
            teacher="teacher",
            period="period",
        ),
        Population(
            "activists",
            "методический актив",
            MethodicalActivist,
            (("activist", ""),),
            municipality="municipality_id",
            period="period",
        ),
        Population(
            "mentoring_programs",
            "программы наставничества",
            MentoringProgram,
            (("mentoring_program", ""),),
            (Relation("pairs", "наставническая пара", "mentoring_pairs", "pk", "program_id"),),
            school="school_id",
            municipality="municipality_id",
            period="period",
        ),
        Population(
            "mentoring_pairs",
            "наставнические пары (по наставляемому)",
            MentoringPair,
            (("pair", ""), ("teacher", "mentee__")),
            teacher="mentee",
            period="program__period",
        ),
        Population(
            "competition_entries",
            "участие в конкурсах",
            CompetitionEntry,
            (("competition", ""), ("teacher", "teacher__")),
            teacher="teacher",
            period="period",
        ),
        Population(
            "attestations",
            "аттестация педагогов (реестр аттестуемых периода)",
            Attestation,
            (("attestation", ""), ("teacher", "teacher__")),
            teacher="teacher",
            period="period",
        ),
        Population(
            "associations",
            "методические объединения",
            MethodicalAssociation,
            (("association", ""),),
            (
                Relation("events", "мероприятие", "association_events", "pk", "association_id"),
                Relation("members", "член объединения", "association_members", "pk", "association_id"),
            ),
            school="school_id",
            municipality="municipality_id",
            period="period",
        ),
        Population(
            "association_events",
            "мероприятия методических объединений",
            AssociationEvent,
            (("event", ""), ("association", "association__")),
            school="association__school_id",
            municipality="association__municipality_id",
            period="association__period",
        ),
        Population(
            "association_members",
            "члены методических объединений",
            AssociationMember,
            (("association", "association__"),),
            teacher="teacher",
            period="association__period",
        ),
        Population(
            "project_participants",
            "участники проектов поддержки молодых педагогов",
            SupportProjectParticipant,
            (("teacher", "teacher__"),),
            teacher="teacher",
            period="project__period",
        ),
        Population(
            "staffing_rows",
            "строки штатного расписания",
            StaffingRow,
            (("staffing", ""), ("school", "school__")),
            school="school_id",
            period="period",
        ),
        Population(
            "digital_scores",
            "оценки цифровой среды школ",
            DigitalEnvironmentScore,
            (("digital", ""), ("school", "school__")),
            school="school_id",
            period="period",
        ),
        Population(
            "providers",
            "организации ДПО",
            Provider,
            (("provider", ""),),
            (Relation("programs", "программа", "programs", "pk", "provider_id"),),
            region_only=True,
        ),
        Population(
            "support_projects",
            "проекты поддержки молодых педагогов",
            SupportProject,
            (("support_project", ""),),
            (Relation("participants", "участник", "project_participants", "pk", "project_id"),),
            period="period",
            region_only=True,
        ),
        Population(
            "diagnostics",
            "диагностики профессиональных дефицитов (завершенные)",
            Diagnostic,
            (("diagnostic", ""), ("teacher", "teacher__")),
            teacher="teacher",
            base=_submitted,
        ),
        Population(
            "survey_responses",
            "ответы на анкеты",
            Response,
            (("response", ""),),
            school="school_id",
            municipality="municipality_id",
            period="campaign__period",
            base=_groups_of_five,
        ),
    )
}

# The populations a builder offers to count (the others are reached through relations).
COUNTABLE = tuple(name for name in POPULATIONS if name not in ("association_members", "project_participants"))
