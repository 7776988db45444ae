"""Reads behind the staff pages of routes and programs; grouped queries, scoped by the roster.

"With deficits" follows indicator 1.9: the teacher's latest diagnostic in the period
has a deficit in at least one group. "Has a route" means a route whose dates overlap
the period (indicator 2.1's "active"), whatever its approval state: a route being
agreed on is a route developed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from deficits.models import Diagnostic
from iom.models import CourseRun, Enrollment, EnrollmentStatus, Route, RouteStatus
from monitoring.models import MonitoringPeriod, RosterEntry, School


@dataclass
class SchoolRoutes:
    code: str
    name: str
    municipality: str
    teachers: int
    with_deficits: int
    with_route: int
    deficits_without_route: int
    # Teachers with deficits who have a route: with_deficits = deficits_with_route + deficits_without_route.
    deficits_with_route: int = 0

    @property
    def no_routes_at_all(self) -> bool:
        """Teachers with deficits, and not one route in the school (the letters' "ИОМ не разработаны")."""
        return self.with_deficits > 0 and self.with_route == 0


def teachers_with_deficits(period: MonitoringPeriod, *, teachers=None):
    """Teachers whose latest diagnostic in the period has a deficit; ``teachers`` narrows the search to them."""
    return (
        Diagnostic.objects.latest_in_period(period, teachers=teachers)
        .with_any_deficit()
        .order_by()
        .values("teacher_id")
    )


def teachers_with_route(period: MonitoringPeriod):
    return Route.objects.active_in(period).order_by().values("teacher_id")


def school_routes(*, period: MonitoringPeriod, user, roster=None) -> list[SchoolRoutes]:
    """Per school in the user's scope: teachers, with deficits, with a route, with deficits and no route.

    The two sets of teachers are read once each and the roster counted here: in one grouped
    query PostgreSQL evaluated the deficit set once per count that used it (and again in each
    parallel worker), 1.4 s for the region demo's 30,000 teachers; this way, four queries
    whatever the number of schools, a few tens of milliseconds.
    """
    roster = roster if roster is not None else RosterEntry.objects.visible_to(user).filter(period=period)
    roster = roster.order_by()
    teachers = roster.values("teacher_id")
    # Narrowed to the roster shown: a municipality's page looks at its own teachers' diagnostics only.
    deficits = set(teachers_with_deficits(period, teachers=teachers).values_list("teacher_id", flat=True))
    routes = set(teachers_with_route(period).filter(teacher_id__in=teachers).values_list("teacher_id", flat=True))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for school_id, teacher_id in roster.values_list("school_id", "teacher_id"):
        row = counts[school_id]
        row[0] += 1
        if teacher_id in deficits:
            row[1] += 1
            row[4 if teacher_id in routes else 3] += 1
        if teacher_id in routes:
            row[2] += 1
    schools = (
        School.objects.filter(pk__in=list(counts))
        .order_by("name", "code")
        .values_list("pk", "code", "name", "municipality__name")
    )
    return [SchoolRoutes(code, name, municipality, *counts[pk]) for pk, code, name, municipality in schools]


@dataclass
class Coverage:
    """The region's (or the scope's) totals, told so that they add up on screen.

    Of the teachers with deficits, some have a route and the rest have none; the routes of
    teachers without deficits (built on an earlier diagnostic, or by choice) are counted apart.
    """

    teachers: int
    with_deficits: int
    deficits_with_route: int
    deficits_without_route: int
    with_route: int

    @property
    def routes_without_deficits(self) -> int:
        return self.with_route - self.deficits_with_route


def coverage(schools: list[SchoolRoutes]) -> Coverage:
    return Coverage(
        teachers=sum(s.teachers for s in schools),
        with_deficits=sum(s.with_deficits for s in schools),
        deficits_with_route=sum(s.deficits_with_route for s in schools),
        deficits_without_route=sum(s.deficits_without_route for s in schools),
        with_route=sum(s.with_route for s in schools),
    )


def school_teachers(*, period: MonitoringPeriod, user, school):
    """One school's roster with, per teacher, whether they have deficits and their route active in the period."""
    on_roster = RosterEntry.objects.filter(period=period, school=school).order_by().values("teacher_id")
    # The school's teachers' diagnostics only, not the region's latest sorted to pick forty of them.
    deficits = set(teachers_with_deficits(period, teachers=on_roster).values_list("teacher_id", flat=True))
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


def next_pending_route(*, user, after: Route | None = None) -> tuple[Route | None, int]:
    """The next route waiting for this head's approval (other than ``after``) and how many wait."""
    if not user.school_id:
        return None, 0
    waiting = pending_routes(period=MonitoringPeriod.objects.current(), user=user, school=user.school)
    if after is not None:
        waiting = waiting.exclude(pk=after.pk)
    waiting = list(waiting)
    return (waiting[0] if waiting else None), len(waiting)


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
