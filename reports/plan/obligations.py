"""Who owes what to a plan item: the units it concerns, whether each is done, and whom to remind.

A *unit* is what one reminder is about: a school (its data), a teacher (their diagnostic or a
questionnaire) or a route waiting for its head's approval. Each unit has its own deadline
(the item's, the campaign's closing date, or a week after a route was submitted) so that the
reminder steps (``reports.plan.reminders``) read the same for every kind.

Every function reads a fixed number of queries whatever the number of schools, teachers or
routes: the units are built from a few bulk reads and grouped in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse

from deficits.models import Campaign, CampaignStatus, Diagnostic, Invitation, RespondentRole
from deficits.questionnaire.links import invitation_token
from iom.models import Route, RouteStatus
from monitoring.models import (
    MonitoringPlanItem,
    PlanObligation,
    Role,
    RosterEntry,
    School,
    SchoolSubmission,
    SubmissionStatus,
)

# A route waits for its head's approval at most this long before the head is reminded.
ROUTE_WAIT_DAYS = 7


@dataclass
class Unit:
    """One thing owed: by whom, by when, whether it is done, and who is reminded of it."""

    key: str  # part of the notice key: "school12", "teacher7", "route3", "invitation9"
    label: str
    deadline: dt.date
    done: bool
    school_id: int | None
    school_name: str
    municipality_id: int | None
    recipients: list = field(default_factory=list)
    # How the recipient is addressed in the reason («руководитель МКОУ …», «педагог …»).
    role_text: str = ""
    # What is missing, said in the reason and the notice («данные не представлены»).
    missing: str = ""
    # Where the reminder leads, when the unit has its own page (a questionnaire's personal link).
    url: str = ""

    def is_late(self, today: dt.date) -> bool:
        return not self.done and today > self.deadline


def concerned_schools(*, item: MonitoringPlanItem, schools: QuerySet | None = None) -> QuerySet:
    """The schools the item concerns: of its municipalities, or every school; narrowed to ``schools``."""
    qs = School.objects.all() if schools is None else schools
    municipality_ids = [m.pk for m in item.municipalities.all()]
    if municipality_ids:
        qs = qs.filter(municipality_id__in=municipality_ids)
    return qs


def _active_users():
    return get_user_model().objects.filter(is_active=True)


def _heads_by_school(school_ids) -> dict[int, list]:
    heads = defaultdict(list)
    for u in _active_users().filter(role=Role.SCHOOL_HEAD, school_id__in=school_ids).order_by("pk"):
        heads[u.school_id].append(u)
    return heads


def units_for_item(*, item: MonitoringPlanItem, schools: QuerySet | None = None, today: dt.date) -> list[Unit]:
    """The units of one plan item (in ``schools`` when given: a reader's scope)."""
    builder = {
        PlanObligation.SCHOOL_DATA: _school_data_units,
        PlanObligation.DIAGNOSTIC: _diagnostic_units,
        PlanObligation.ROUTES: _route_units,
    }.get(item.obligation)
    if builder is None:  # the institute's own work: nobody outside is asked for anything
        return []
    return builder(item=item, schools=concerned_schools(item=item, schools=schools), today=today)


def _school_data_units(*, item, schools, today) -> list[Unit]:
    rows = list(schools.select_related("municipality").order_by("municipality__name", "name", "code"))
    ids = schools.values("pk")
    handed_in = set(
        SchoolSubmission.objects.filter(
            period_id=item.period_id,
            school_id__in=ids,
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED],
        ).values_list("school_id", flat=True)
    )
    heads = _heads_by_school(ids)
    return [
        Unit(
            key=f"school{s.pk}",
            label=s.name,
            deadline=item.deadline,
            done=s.pk in handed_in,
            school_id=s.pk,
            school_name=s.name,
            municipality_id=s.municipality_id,
            recipients=heads.get(s.pk, []),
            role_text=f"руководитель {s.name}",
            missing="данные не представлены",
        )
        for s in rows
    ]


def _diagnostic_units(*, item, schools, today) -> list[Unit]:
    period = item.period
    roster = RosterEntry.objects.filter(period=period, school__in=schools)
    entries = list(roster.select_related("teacher", "school").order_by("school__name", "teacher__full_name", "pk"))
    # Subqueries rather than lists of ids: a region's roster is longer than a query's parameters allow.
    teacher_ids = roster.values("teacher_id")
    taken = set(
        Diagnostic.objects.in_period(period).filter(teacher_id__in=teacher_ids).values_list("teacher_id", flat=True)
    )
    accounts = defaultdict(list)
    for u in _active_users().filter(teacher_id__in=teacher_ids).order_by("pk"):
        accounts[u.teacher_id].append(u)
    return [
        Unit(
            key=f"teacher{e.teacher_id}",
            label=f"{e.teacher.full_name} ({e.school.name})",
            deadline=item.deadline,
            done=e.teacher_id in taken,
            school_id=e.school_id,
            school_name=e.school.name,
            municipality_id=e.school.municipality_id,
            recipients=accounts.get(e.teacher_id, []),
            role_text=f"педагог {e.school.name}",
            missing="диагностика профессиональных дефицитов не пройдена",
        )
        for e in entries
    ]


def _route_units(*, item, schools, today) -> list[Unit]:
    """Routes sent for approval since the period began, each owed by the head of the teacher's school on
    the period's roster: done once reviewed (approved or returned), late a week after it was (last) sent.
    """
    period = item.period
    roster = RosterEntry.objects.filter(period=period, school__in=schools)
    school_of = {e.teacher_id: e.school for e in roster.select_related("school")}
    # A route sent for approval: its last «submitted» event; a route recorded as sent or reviewed without
    # events (a package's «ИОМ» sheet) counts from its start. Either since the period began.
    routes = list(
        Route.objects.filter(
            teacher_id__in=roster.values("teacher_id"),
            status__in=(RouteStatus.SUBMITTED, RouteStatus.APPROVED, RouteStatus.RETURNED),
        )
        .annotate(
            sent=Coalesce(
                TruncDate(Max("events__at", filter=Q(events__status=RouteStatus.SUBMITTED))), F("start")
            )
        )
        .filter(sent__gte=period.start)
        .select_related("teacher")
        .order_by("pk")
    )
    heads = _heads_by_school(schools.values("pk"))
    units = []
    for r in routes:
        school = school_of[r.teacher_id]
        sent = r.sent
        waiting = r.status == RouteStatus.SUBMITTED
        units.append(
            Unit(
                key=f"route{r.pk}",
                label=f"ИОМ: {r.teacher.full_name} ({school.name}), "
                + (f"на согласовании с {sent:%d.%m.%Y}" if waiting else f"отправлен {sent:%d.%m.%Y}, рассмотрен"),
                deadline=sent + dt.timedelta(days=ROUTE_WAIT_DAYS),
                done=not waiting,
                school_id=school.pk,
                school_name=school.name,
                municipality_id=school.municipality_id,
                recipients=heads.get(school.pk, []),
                role_text=f"руководитель {school.name}",
                missing="индивидуальный образовательный маршрут педагога ждет согласования больше недели",
            )
        )
    return units


def open_campaigns(*, today: dt.date) -> QuerySet:
    return Campaign.objects.filter(status=CampaignStatus.OPEN, opens__lte=today).select_related(
        "edition__questionnaire"
    )


def questionnaire_units(*, campaign: Campaign, schools: QuerySet | None = None) -> list[Unit]:
    """Teachers (and heads) of an open campaign with an unanswered invitation and an account to remind."""
    invitations = Invitation.objects.filter(campaign=campaign).select_related("school", "teacher")
    if schools is not None:
        invitations = invitations.filter(school__in=schools)
    rows = list(invitations.order_by("pk"))
    by_teacher = defaultdict(list)
    for u in _active_users().filter(teacher_id__in=invitations.values("teacher_id")).order_by("pk"):
        by_teacher[u.teacher_id].append(u)
    direct = {u.pk: u for u in _active_users().filter(pk__in=invitations.values("user_id"))}
    title = campaign.edition.questionnaire.title
    units = []
    for inv in rows:
        people = [direct[inv.user_id]] if inv.user_id in direct else by_teacher.get(inv.teacher_id, [])
        who = inv.teacher.full_name if inv.teacher_id else ", ".join(u.get_full_name() or u.username for u in people)
        units.append(
            Unit(
                key=f"invitation{inv.pk}",
                label=f"{who} ({inv.school.name})",
                deadline=campaign.closes,
                done=inv.answered,
                school_id=inv.school_id,
                school_name=inv.school.name,
                municipality_id=inv.municipality_id,
                recipients=people,
                role_text=(
                    f"руководитель {inv.school.name}"
                    if inv.role == RespondentRole.HEAD
                    else f"педагог {inv.school.name}"
                ),
                missing=f"анкета «{title}» не заполнена",
                url=reverse("survey-answer", args=[invitation_token(invitation=inv)]),
            )
        )
    return units
