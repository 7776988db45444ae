"""Reads of the monitored world, always narrowed to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from monitoring.models import (
    MonitoringPeriod,
    Municipality,
    RosterEntry,
    School,
    SchoolSubmission,
    StaffingRow,
    SubmissionStatus,
)

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
