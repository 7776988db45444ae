"""Reads behind the staff pages of routes and programs; grouped queries, scoped by the roster.

"With deficits" follows indicator 1.9: the teacher's latest diagnostic in the period
has a deficit in at least one group. "Has a route" means a route whose dates overlap
the period (indicator 2.1's "active"), whatever its approval state: a route being
agreed on is a route developed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from deficits.models import Diagnostic
from iom.models import CourseRun, Enrollment, EnrollmentStatus, Route, RouteStatus
from monitoring.models import MonitoringPeriod, RosterEntry


@dataclass
class SchoolRoutes:
    code: str
    name: str
    municipality: str
    teachers: int
    with_deficits: int
    with_route: int
    deficits_without_route: int

    @property
    def no_routes_at_all(self) -> bool:
        """Teachers with deficits, and not one route in the school (the letters' "ИОМ не разработаны")."""
        return self.with_deficits > 0 and self.with_route == 0


def teachers_with_deficits(period: MonitoringPeriod):
    return Diagnostic.objects.latest_in_period(period).with_any_deficit().values("teacher_id")


def teachers_with_route(period: MonitoringPeriod):
    return Route.objects.active_in(period).values("teacher_id")


def school_routes(*, period: MonitoringPeriod, user, roster=None) -> list[SchoolRoutes]:
    """Per school in the user's scope: teachers, with deficits, with a route, with deficits and no route."""
    deficits, routes = teachers_with_deficits(period), teachers_with_route(period)
    roster = roster if roster is not None else RosterEntry.objects.visible_to(user).filter(period=period)
    rows = (
        roster.values("school__code", "school__name", "school__municipality__name")
        .annotate(
            teachers=Count("pk"),
            with_deficits=Count("pk", filter=Q(teacher_id__in=deficits)),
            with_route=Count("pk", filter=Q(teacher_id__in=routes)),
            deficits_without_route=Count("pk", filter=Q(teacher_id__in=deficits) & ~Q(teacher_id__in=routes)),
        )
        .order_by("school__code")
    )
    return [
        SchoolRoutes(
            r["school__code"],
            r["school__name"],
            r["school__municipality__name"],
            r["teachers"],
            r["with_deficits"],
            r["with_route"],
            r["deficits_without_route"],
        )
        for r in rows
    ]


def school_teachers(*, period: MonitoringPeriod, user, school):
    """One school's roster with, per teacher, whether they have deficits and their route active in the period."""
    deficits = set(
        RosterEntry.objects.filter(
            period=period, school=school, teacher_id__in=teachers_with_deficits(period)
        ).values_list("teacher_id", flat=True)
    )
    on_roster = RosterEntry.objects.filter(period=period, school=school).values("teacher_id")
    routes = {
        r.teacher_id: r
        for r in Route.objects.visible_to(user).active_in(period).filter(teacher_id__in=on_roster).order_by("start")
    }
    roster = (
        RosterEntry.objects.visible_to(user)
        .filter(period=period, school=school)
        .select_related("teacher")
        .order_by("teacher__full_name", "teacher__code")
    )
    return [(entry, entry.teacher_id in deficits, routes.get(entry.teacher_id)) for entry in roster]


def pending_routes(*, period: MonitoringPeriod, user, school):
    """Routes of the school's teachers waiting for the head's approval, whatever their dates."""
    on_roster = RosterEntry.objects.filter(period=period, school=school).values("teacher_id")
    return (
        Route.objects.visible_to(user)
        .filter(status=RouteStatus.SUBMITTED, teacher_id__in=on_roster)
        .select_related("teacher")
        .order_by("teacher__full_name", "start")
    )


@dataclass
class ProgramStats:
    code: str
    name: str
    provider: str
    runs: int
    enrolled: int
    completed: int
    rated: int
    satisfied: int
    mean_satisfaction: float | None

    @property
    def completion(self) -> float | None:
        return round(100 * self.completed / self.enrolled, 1) if self.enrolled else None

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


def _enrollments(*, period: MonitoringPeriod, user):
    """Enrollments the user may see, on runs ending in the period (how 3.14 and 3.15 count)."""
    return Enrollment.objects.visible_to(user).filter(course__in=CourseRun.objects.ending_in(period))


def program_stats(*, period: MonitoringPeriod, user) -> list[ProgramStats]:
    """Completion with final attestation (3.15) and satisfaction 4–5 (3.14) per program."""
    completed = Q(status=EnrollmentStatus.COMPLETED, final_attestation=True)
    rows = (
        _enrollments(period=period, user=user)
        .values("course__program__code", "course__program__name", "course__program__provider__name")
        .annotate(
            runs=Count("course", distinct=True),
            enrolled=Count("pk"),
            completed=Count("pk", filter=completed),
            rated=Count("pk", filter=Q(satisfaction__isnull=False)),
            satisfied=Count("pk", filter=Q(satisfaction__gte=4)),
            mean=Avg("satisfaction"),
        )
        .order_by("course__program__code")
    )
    return [
        ProgramStats(
            r["course__program__code"],
            r["course__program__name"],
            r["course__program__provider__name"],
            r["runs"],
            r["enrolled"],
            r["completed"],
            r["rated"],
            r["satisfied"],
            round(r["mean"], 2) if r["mean"] is not None else None,
        )
        for r in rows
    ]


def provider_stats(*, period: MonitoringPeriod, user) -> list[dict]:
    """Enrollments by provider (1.5): enrollments, distinct teachers, completed."""
    return list(
        _enrollments(period=period, user=user)
        .values("course__program__provider__name")
        .annotate(
            enrollments=Count("pk"),
            teachers=Count("teacher", distinct=True),
            completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
        )
        .order_by("-enrollments", "course__program__provider__name")
    )
