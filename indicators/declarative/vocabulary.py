"""The closed vocabulary declarative indicators are written in: populations, their fields and relations.

Nothing outside this module (and ``computed``, its fields that are not a column) names
a model field: a definition says ``"field": "program.topic"`` and this vocabulary says
what that is (a tag of the course run's program), which operators it takes and which
values it knows. A definition can only reach what is listed here, so it cannot read a
table the vocabulary does not name (users, tokens, letters) nor write anything.

A *population* is what an indicator counts (roster teachers, enrollments, schools…):
its base queryset for a period and a chunk of municipalities, where each row is placed
(its school, else its municipality, else the region: ``anchors``), the groups of
fields a row has (its own and those of the rows it points to, as *entities* mounted
under a prefix) and its relations ("has an enrollment …", as a semi-join subquery).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from deficits.models import Diagnostic, DiagnosticStatus
from indicators.declarative import computed
from iom.models import (
    PROGRAM_FLAGS,
    ActivityKind,
    CourseRun,
    Enrollment,
    EnrollmentStatus,
    Program,
    ProgramKind,
    Provider,
    Route,
    RouteActivity,
    RouteStatus,
    TagKind,
    Topic,
)
from monitoring.models import (
    ASSOCIATION_CRITERIA,
    ActivistRole,
    AssociationEvent,
    AssociationLevel,
    AssociationMember,
    Category,
    CompetitionEntry,
    CompetitionLevel,
    CompetitionResult,
    DigitalEnvironmentScore,
    EducationLevel,
    ExpertKind,
    ExpertRole,
    MentoringPair,
    MentoringProgram,
    MethodicalActivist,
    MethodicalAssociation,
    RosterEntry,
    School,
    SchoolKind,
    Sex,
    StaffingRow,
    SupportProject,
    SupportProjectParticipant,
)


class Kind:
    BOOL = "bool"
    CHOICE = "choice"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    TAG = "tag"


# Operators each kind of field takes, with the words the builder shows.
OPERATORS: dict[str, dict[str, str]] = {
    Kind.BOOL: {"is": "равно"},
    Kind.CHOICE: {"in": "одно из", "not_in": "ни одно из"},
    Kind.TAG: {"in": "одна из", "not_in": "ни одна из"},
    Kind.NUMBER: {
        "eq": "=",
        "gte": "≥",
        "gt": ">",
        "lte": "≤",
        "lt": "<",
        "empty": "не указано",
        "filled": "указано",
    },
    Kind.TEXT: {"eq": "равно", "contains": "содержит", "in": "одно из", "filled": "указано", "empty": "не указано"},
    Kind.DATE: {
        "in_period": "в году периода",
        "until_period_end": "не позже конца года периода",
        "before_period": "до начала года периода",
        "within_years": "за N лет до конца периода",
        "within_years_of_reference": "за N лет до отчетной даты",
        "filled": "указана",
        "empty": "не указана",
    },
}
# Operators that take no value, and those whose value is a whole number of years.
NO_VALUE = {"empty", "filled", "in_period", "until_period_end", "before_period"}
YEARS = {"within_years", "within_years_of_reference"}


@dataclass(frozen=True)
class Field:
    """A field of an entity: its name in definitions, the label users read, where it is in the ORM."""

    name: str
    label: str
    kind: str
    path: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    # Fields that are not a column (a teacher's age, a program's topic tag): build the filter.
    build: Callable[..., Q] | None = None
    # Whether the field can break an indicator down (choices, flags and short texts can).
    breakdown: bool = True

    @property
    def measurable(self) -> bool:
        return self.kind == Kind.NUMBER and self.build is None


def _choices(text_choices) -> tuple[tuple[str, str], ...]:
    return tuple(text_choices.choices)


GROUP_CODES = (
    ("МЕТ", "методическая"),
    ("ТЕХ", "технологическая"),
    ("ИССЛ", "исследовательская"),
    ("ПРОЕКТ", "проектная"),
    ("ИКТ", "ИКТ"),
    ("КОРР", "коррекционная"),
)

# Entities: groups of fields a row has, mounted in populations under a prefix.
ENTITIES: dict[str, tuple[str, tuple[Field, ...]]] = {
    "school": (
        "организация",
        (
            Field("kind", "тип", Kind.CHOICE, "kind", _choices(SchoolKind)),
            Field("low_results", "ШНОР", Kind.BOOL, "low_results"),
            Field("adverse_conditions", "неблагоприятные условия", Kind.BOOL, "adverse_conditions"),
        ),
    ),
    "teacher": (
        "педагог",
        (
            Field("sex", "пол", Kind.CHOICE, "sex", _choices(Sex)),
            Field("age", "возраст на отчетную дату", Kind.NUMBER, build=computed.age, breakdown=False),
            Field("young", "молодой педагог (моложе возраста периода)", Kind.BOOL, build=computed.young),
            Field("pension_age", "пенсионного возраста", Kind.BOOL, build=computed.pension_age),
            Field("on_roster", "в списке педагогов периода", Kind.BOOL, build=computed.on_roster),
        ),
    ),
    "roster": (
        "педагог в списке периода",
        (
            Field("position", "должность", Kind.TEXT, "position"),
            Field("education_level", "уровень образования", Kind.CHOICE, "education_level", _choices(EducationLevel)),
            Field("pedagogical_education", "педагогическое образование", Kind.BOOL, "pedagogical_education"),
            Field("education_matches_profile", "образование по профилю", Kind.BOOL, "education_matches_profile"),
            Field("category", "квалификационная категория", Kind.CHOICE, "category", _choices(Category)),
            Field("category_date", "дата присвоения категории", Kind.DATE, "category_date", breakdown=False),
            Field(
                "valid_category", "действующая первая или высшая категория", Kind.BOOL, build=computed.valid_category
            ),
            Field("experience_years", "педагогический стаж, лет", Kind.NUMBER, "experience_years", breakdown=False),
            Field("part_time", "совместитель", Kind.BOOL, "part_time"),
            Field("workload", "ставка", Kind.NUMBER, "workload", breakdown=False),
        ),
    ),
    "program": (
        "программа",
        (
            Field("kind", "вид", Kind.CHOICE, "kind", _choices(ProgramKind)),
            Field(
                "topic",
                "тематика",
                Kind.TAG,
                choices=_choices(Topic),
                build=computed.tagged(TagKind.TOPIC),
                breakdown=False,
            ),
            Field(
                "position_tag", "целевая должность", Kind.TAG, build=computed.tagged(TagKind.POSITION), breakdown=False
            ),
            Field(
                "competence_tag",
                "группа компетенций",
                Kind.TAG,
                choices=GROUP_CODES,
                build=computed.tagged(TagKind.COMPETENCE),
                breakdown=False,
            ),
            *(Field(name, title, Kind.BOOL, name) for name, title in PROGRAM_FLAGS.items()),
            Field("provider", "организация ДПО", Kind.TEXT, "provider__name"),
        ),
    ),
    "course": (
        "курс",
        (
            Field("start", "начало", Kind.DATE, "start", breakdown=False),
            Field("end", "окончание", Kind.DATE, "end", breakdown=False),
            Field("by_school_request", "по заявке ОО", Kind.BOOL, "by_school_request"),
        ),
    ),
    "enrollment": (
        "запись на курс",
        (
            Field("status", "статус обучения", Kind.CHOICE, "status", _choices(EnrollmentStatus)),
            Field("final_attestation", "итоговая аттестация пройдена", Kind.BOOL, "final_attestation"),
            Field("satisfaction", "удовлетворенность (1–5)", Kind.NUMBER, "satisfaction", breakdown=False),
        ),
    ),
    "route": (
        "маршрут",
        (
            Field("status", "состояние", Kind.CHOICE, "status", _choices(RouteStatus)),
            Field("active", "действует в году периода", Kind.BOOL, build=computed.active),
            Field("based_on_diagnostic", "на основе диагностики", Kind.BOOL, "based_on_diagnostic"),
            Field("corrected", "скорректирован", Kind.BOOL, "corrected"),
            Field("start", "начало", Kind.DATE, "start", breakdown=False),
            Field("end", "окончание", Kind.DATE, "end", breakdown=False),
        ),
    ),
    "activity": (
        "мероприятие маршрута",
        (
            Field("kind", "вид", Kind.CHOICE, "kind", _choices(ActivityKind)),
            Field("done", "выполнено", Kind.BOOL, "done"),
            Field("due", "срок", Kind.DATE, "due", breakdown=False),
        ),
    ),
    "expert": (
        "экспертная роль",
        (
            Field("kind", "вид", Kind.CHOICE, "kind", _choices(ExpertKind)),
            Field("subject", "предмет", Kind.TEXT, "subject"),
        ),
    ),
    "activist": (
        "участник методического актива",
        (Field("role", "роль", Kind.CHOICE, "role", _choices(ActivistRole)),),
    ),
    "mentoring_program": ("программа наставничества", (Field("name", "наименование", Kind.TEXT, "name"),)),
    "pair": ("наставническая пара", (Field("form", "форма", Kind.TEXT, "form"),)),
    "competition": (
        "участие в конкурсе",
        (
            Field("competition", "конкурс", Kind.TEXT, "competition"),
            Field("level", "уровень", Kind.CHOICE, "level", _choices(CompetitionLevel)),
            Field("result", "результат", Kind.CHOICE, "result", _choices(CompetitionResult)),
            Field("date", "дата", Kind.DATE, "date", breakdown=False),
        ),
    ),
    "association": (
        "методическое объединение",
        (
            Field("level", "уровень", Kind.CHOICE, "level", _choices(AssociationLevel)),
            Field("subject", "предмет", Kind.TEXT, "subject"),
            *(Field(name, title, Kind.BOOL, name) for name, title in ASSOCIATION_CRITERIA.items()),
        ),
    ),
    "event": (
        "мероприятие объединения",
        (
            Field("date", "дата", Kind.DATE, "date", breakdown=False),
            Field("networked", "сетевая форма", Kind.BOOL, "networked"),
        ),
    ),
    "staffing": (
        "строка штатного расписания",
        (
            Field("position", "должность", Kind.TEXT, "position"),
            Field("positions_by_schedule", "ставок по штату", Kind.NUMBER, "positions_by_schedule", breakdown=False),
            Field("actual_need", "фактическая потребность в ставках", Kind.NUMBER, "actual_need", breakdown=False),
            Field("vacant_positions", "вакантных ставок", Kind.NUMBER, "vacant_positions", breakdown=False),
            Field("vacant_posts", "вакантных должностей", Kind.NUMBER, "vacant_posts", breakdown=False),
        ),
    ),
    "digital": (
        "оценка цифровой среды",
        tuple(
            Field(name, f"{label} (0–4)", Kind.NUMBER, name, breakdown=False)
            for name, label in (
                ("infrastructure", "инфраструктура"),
                ("tools", "инструменты и сервисы"),
                ("usage", "использование в обучении"),
                ("professional_development", "профессиональное развитие"),
            )
        ),
    ),
    "provider": ("организация ДПО", (Field("name", "наименование", Kind.TEXT, "name"),)),
    "support_project": ("проект поддержки молодых педагогов", (Field("name", "наименование", Kind.TEXT, "name"),)),
    "diagnostic": (
        "диагностика",
        (
            Field("date", "дата", Kind.DATE, "date", breakdown=False),
            Field("latest", "последняя диагностика педагога в году периода", Kind.BOOL, build=computed.latest),
            Field("any_deficit", "выявлен хотя бы один дефицит", Kind.BOOL, build=computed.any_deficit),
            Field(
                "deficit_in",
                "дефицит в группе компетенций",
                Kind.TAG,
                choices=GROUP_CODES,
                build=computed.deficit_in,
                breakdown=False,
            ),
        ),
    ),
}


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
    )
}

# The populations a builder offers to count (the others are reached through relations).
COUNTABLE = tuple(name for name in POPULATIONS if name not in ("association_members", "project_participants"))

# Seed 002 counts programs taken «в сторонних организациях»: a provider that is none of a list.
OPERATORS[Kind.TEXT]["not_in"] = "ни одно из"
LIST_OPS = frozenset({"in", "not_in"})  # operators whose value is a list, on text fields too
