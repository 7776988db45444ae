"""Reads of the monitored world, always narrowed to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import ngettext

from monitoring.models import (
    Attestation,
    AttestationResult,
    MonitoringPeriod,
    MonitoringPlanItem,
    Municipality,
    Role,
    RosterEntry,
    School,
    SchoolSubmission,
    StaffingRow,
    SubmissionStatus,
)
from monitoring.shared.todo import Todo

SUBMITTED = [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]


@dataclass(frozen=True)
class Completeness:
    """How many schools of a unit have handed in their data for a period."""

    code: str
    name: str
    schools: int
    submitted: int
    accepted: int

    @property
    def percent(self) -> float | None:
        return None if self.schools == 0 else round(100 * self.submitted / self.schools, 1)


def municipality_completeness(*, period: MonitoringPeriod, user) -> list[Completeness]:
    """Per municipality the user may see: schools, submitted and accepted (one grouped query)."""
    rows = (
        Municipality.objects.visible_to(user)
        .annotate(
            n_schools=Count("schools", distinct=True),
            n_submitted=Count(
                "schools__submissions",
                filter=Q(schools__submissions__period=period, schools__submissions__status__in=SUBMITTED),
                distinct=True,
            ),
            n_accepted=Count(
                "schools__submissions",
                filter=Q(
                    schools__submissions__period=period,
                    schools__submissions__status=SubmissionStatus.ACCEPTED,
                ),
                distinct=True,
            ),
        )
        .order_by("name", "code")
        .values_list("code", "name", "n_schools", "n_submitted", "n_accepted")
    )
    return [Completeness(*row) for row in rows]


def school_statuses(*, period: MonitoringPeriod, schools) -> list[tuple[School, str | None, str]]:
    """Each school of ``schools`` (already scoped, e.g. one page) with its submission status.

    One query for all statuses of the given schools, whatever their number.
    """
    schools = list(schools)
    statuses = dict(
        SchoolSubmission.objects.filter(period=period, school__in=[s.pk for s in schools]).values_list(
            "school_id", "status"
        )
    )
    labels = dict(SubmissionStatus.choices)
    return [
        (school, statuses.get(school.pk), labels.get(statuses.get(school.pk), "Не представлено")) for school in schools
    ]


def region_summary(*, period: MonitoringPeriod, user) -> dict[str, int]:
    """Headline counts for the home page, within the user's scope."""
    roster = RosterEntry.objects.visible_to(user).filter(period=period)
    return {
        "municipalities": Municipality.objects.visible_to(user).count(),
        "schools": School.objects.visible_to(user).count(),
        "teachers": roster.count(),
        "young": roster.young(period=period).count(),
        "pension": roster.pension_age(period=period).count(),
        "submitted": SchoolSubmission.objects.visible_to(user).filter(period=period, status__in=SUBMITTED).count(),
        "staffing_rows": StaffingRow.objects.visible_to(user).filter(period=period).count(),
    }


# ---------------------------------------------------------------------------
# The home page's own lines (the higher apps add theirs: monitoring.shared.todo)
# ---------------------------------------------------------------------------

# Schools named on a municipal official's home page; the rest are counted and one click away.
NAMED_SCHOOLS = 10


def data_deadline(*, period: MonitoringPeriod, today: dt.date) -> MonitoringPlanItem | None:
    """The monitoring plan's next deadline from ``today`` (else its last one): one query (a plan has <= 9 rows)."""
    items = sorted(MonitoringPlanItem.objects.filter(period=period), key=lambda item: (item.deadline, item.direction))
    upcoming = [item for item in items if item.deadline >= today]
    return upcoming[0] if upcoming else (items[-1] if items else None)


def _deadline_text(item: MonitoringPlanItem | None, today: dt.date) -> str:
    if item is None:
        return ""
    when = date_format(item.deadline, "d.m.Y")
    if item.deadline < today:
        return f"Сроки плана мониторинга истекли {when}."
    return f"Срок по плану мониторинга: до {when} («{item.get_direction_display()}»)."


def _school_status_todo(*, user, period: MonitoringPeriod, deadline: str) -> Todo:
    """A head's line: their school's data for the period, its status and the deadline."""
    submissions = SchoolSubmission.objects.filter(period=period, school_id=user.school_id)
    status = submissions.values_list("status", flat=True).first()
    label = dict(SubmissionStatus.choices).get(status, "не представлены")
    waiting = status in (None, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
    return Todo(
        text=f"Данные организации за {period.year} год: {label.lower()}",
        url=reverse("school-detail", args=[user.school.code]),
        detail=deadline if waiting else "",
        tone="warning" if waiting else "",
    )


def _not_submitted_todo(*, user, period: MonitoringPeriod, deadline: str) -> Todo:
    """A municipal official's line: their schools that have not submitted the period's data (two queries)."""
    missing = (
        School.objects.visible_to(user)
        .exclude(pk__in=SchoolSubmission.objects.filter(period=period, status__in=SUBMITTED).values("school_id"))
        .order_by("name")
    )
    count = missing.count()
    url = reverse("school-list") + f"?period={period.year}&status=none"
    if count == 0:
        return Todo(text=f"Все организации представили данные за {period.year} год", url=url)
    first = missing.only("name", "code")[:NAMED_SCHOOLS]
    named = tuple((s.name, reverse("school-detail", args=[s.code])) for s in first)
    return Todo(
        text=ngettext(
            "%(n)d организация не представила данные за %(year)d год",
            "%(n)d организаций не представили данные за %(year)d год",
            count,
        )
        % {"n": count, "year": period.year},
        url=url,
        count=count,
        detail=deadline,
        items=named,
        more=count - len(named),
        tone="warning",
    )


def _to_review_todo(*, user, period: MonitoringPeriod) -> Todo:
    """The institute's line: submissions waiting for a review (one query)."""
    count = SchoolSubmission.objects.visible_to(user).filter(period=period, status=SubmissionStatus.SUBMITTED).count()
    return Todo(
        text=ngettext("%(n)d представление данных ждет проверки", "%(n)d представлений данных ждут проверки", count)
        % {"n": count},
        url=reverse("school-list") + f"?period={period.year}&status={SubmissionStatus.SUBMITTED}",
        count=count,
        tone="warning" if count else "",
    )


def home_todos(*, user, period: MonitoringPeriod, today: dt.date) -> list[Todo]:
    """The core's lines of ``user``'s home page; the number of queries does not depend on the data."""
    if user.role == Role.SCHOOL_HEAD and user.school_id and not user.is_superuser:
        deadline = _deadline_text(data_deadline(period=period, today=today), today)
        return [_school_status_todo(user=user, period=period, deadline=deadline)]
    if user.role == Role.MUNICIPAL and user.municipality_id and not user.is_superuser:
        deadline = _deadline_text(data_deadline(period=period, today=today), today)
        return [_not_submitted_todo(user=user, period=period, deadline=deadline)]
    if user.is_superuser or user.role == Role.ANALYST:
        return [_to_review_todo(user=user, period=period)]
    return []


def attestation_register(*, period: MonitoringPeriod, user) -> QuerySet:
    """The period's attestations the user may see, with the teacher's school and municipality of the period's roster."""
    roster = RosterEntry.objects.filter(period=OuterRef("period"), teacher=OuterRef("teacher")).order_by("pk")
    return (
        Attestation.objects.visible_to(user)
        .filter(period=period)
        .select_related("teacher")
        .annotate(
            school_code=Subquery(roster.values("school__code")[:1]),
            school_name=Subquery(roster.values("school__name")[:1]),
            municipality_name=Subquery(roster.values("school__municipality__name")[:1]),
        )
        .order_by("teacher__full_name", "teacher__code", "applied_on")
    )


@dataclass(frozen=True)
class ResultCount:
    result: str
    label: str
    count: int


def attestation_counts(*, register: QuerySet) -> list[ResultCount]:
    """How many rows of ``register`` have each result (every result listed, zeros too), in one grouped query."""
    counts = dict(register.order_by().values_list("result").annotate(n=Count("pk")))
    return [ResultCount(value, label, counts.get(value, 0)) for value, label in AttestationResult.choices]
