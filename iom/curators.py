"""ЦНППМ curators on routes: the institute assigns curators to teachers; a curator follows their routes.

Assignments are the institute's (an analyst): by teacher code, one or several pasted at once,
all or nothing. A curator reads their teachers' routes and progress (monitoring.models.scoping
gives them what each assigned teacher sees of themselves) and the routes that lag:

- an activity of the teacher's current route is past its due date and not marked done, or
- the teacher's latest submitted diagnostic is ``LAG_MONTHS`` months old or older and no route
  of theirs lasts to its date or begins after it (none at all, or only routes that ended before).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count

from deficits.models import Diagnostic, DiagnosticStatus
from iom.models import Route, RouteActivity
from monitoring.models import CuratorAssignment, MonitoringPeriod, Role, RosterEntry, Teacher, User
from monitoring.models.scoping import can_write_region

# A submitted diagnostic this many months old without a route makes the teacher's route "lagging".
LAG_MONTHS = 2
# How many codes one paste may hold: a curator follows tens of teachers, not thousands.
MAX_CODES = 500

NOT_INSTITUTE = "Закреплять педагогов за кураторами может только специалист института."


def _require_institute(user) -> None:
    if not can_write_region(user):
        raise PermissionDenied(NOT_INSTITUTE)


def curator_accounts(*, user):
    """The curator accounts with the number of their teachers (the institute's page)."""
    _require_institute(user)
    return (
        User.objects.filter(role=Role.CURATOR)
        .annotate(n_teachers=Count("curated"))
        .order_by("last_name", "first_name", "username")
    )


def curator_of(*, user, pk: int) -> User:
    """One account for the institute's assignment page: refused unless it is a curator's."""
    _require_institute(user)
    curator = User.objects.filter(pk=pk).first()
    if curator is None:
        raise ValidationError("Такой учетной записи нет.")
    if curator.role != Role.CURATOR:
        raise ValidationError(f"Учетная запись «{curator.username}» — не куратор: педагогов закрепляют за кураторами.")
    return curator


def parse_codes(text: str) -> list[str]:
    """Teacher codes pasted in any way (lines, commas, spaces, a column of a table), in order, once each."""
    seen: dict[str, None] = {}
    for code in re.split(r"[\s,;]+", text or ""):
        if code:
            seen.setdefault(code, None)
    return list(seen)


@transaction.atomic
def curator_assign(*, curator: User, codes: list[str], user) -> list[CuratorAssignment]:
    """Assign the teachers with ``codes`` to ``curator``; every problem is reported and nothing is saved then."""
    _require_institute(user)
    if curator.role != Role.CURATOR:
        raise ValidationError(f"Учетная запись «{curator.username}» — не куратор: педагогов закрепляют за кураторами.")
    if not codes:
        raise ValidationError("Укажите код педагога (или несколько кодов через пробел или с новой строки).")
    if len(codes) > MAX_CODES:
        raise ValidationError(f"За один раз можно закрепить не более {MAX_CODES} педагогов; указано {len(codes)}.")
    teachers = {t.code: t for t in Teacher.objects.filter(code__in=codes)}
    problems = []
    unknown = [c for c in codes if c not in teachers]
    if unknown:
        problems.append("Нет педагогов с кодами: " + ", ".join(unknown) + ".")
    assigned = set(
        CuratorAssignment.objects.filter(curator=curator, teacher__in=teachers.values()).values_list(
            "teacher__code", flat=True
        )
    )
    if assigned:
        problems.append("Уже закреплены за этим куратором: " + ", ".join(sorted(assigned)) + ".")
    if problems:
        raise ValidationError(problems)
    return [CuratorAssignment.objects.create(curator=curator, teacher=teachers[c], assigned_by=user) for c in codes]


@transaction.atomic
def curator_unassign(*, curator: User, code: str, user) -> Teacher:
    """Take the teacher with ``code`` off the curator's list."""
    _require_institute(user)
    link = CuratorAssignment.objects.filter(curator=curator, teacher__code=code).select_related("teacher").first()
    if link is None:
        raise ValidationError(f"Педагог с кодом «{code}» не закреплен за этим куратором.")
    link.delete()
    return link.teacher


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day where it has fewer days)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class TeacherRoute:
    """One row of the curator's page: a teacher, their current route and its progress."""

    teacher: Teacher
    route: Route | None = None
    done: int = 0
    total: int = 0
    overdue: list[RouteActivity] = field(default_factory=list)
    diagnostic: Diagnostic | None = None
    # The teacher's school in the current period ("" when they are not on its roster).
    school: str = ""
    # Why the route lags ("" when it does not).
    lag: str = ""

    @property
    def lagging(self) -> bool:
        return bool(self.lag)


def curator_routes(*, user, today: dt.date) -> list[TeacherRoute]:
    """The curator's teachers, each with their current route (the latest begun), progress and lag.

    Six queries whatever the number of teachers: the teachers, their schools of the current period
    (two), their routes, the activities of the current routes, the latest submitted diagnostics.
    """
    if user.role != Role.CURATOR or user.is_superuser:
        return []
    teachers = list(Teacher.objects.visible_to(user).filter(curator_links__curator=user).order_by("full_name", "code"))
    ids = [t.pk for t in teachers]
    current: dict[int, Route] = {}
    for route in Route.objects.visible_to(user).filter(teacher_id__in=ids).order_by("teacher_id", "-start", "-pk"):
        current.setdefault(route.teacher_id, route)
    activities: dict[int, list[RouteActivity]] = {}
    current_ids = [r.pk for r in current.values()]
    for a in RouteActivity.objects.filter(route_id__in=current_ids).select_related("program").order_by("due", "pk"):
        activities.setdefault(a.route_id, []).append(a)
    latest: dict[int, Diagnostic] = {}
    submitted = Diagnostic.objects.visible_to(user).filter(teacher_id__in=ids, status=DiagnosticStatus.SUBMITTED)
    for d in submitted.order_by("teacher_id", "-date", "-pk"):
        latest.setdefault(d.teacher_id, d)
    period = MonitoringPeriod.objects.current()
    roster = RosterEntry.objects.visible_to(user).filter(period=period, teacher_id__in=ids).select_related("school")
    schools = {e.teacher_id: e.school.name for e in roster}
    limit = months_before(today, LAG_MONTHS)
    rows = []
    for teacher in teachers:
        route = current.get(teacher.pk)
        items = activities.get(route.pk, []) if route else []
        row = TeacherRoute(
            teacher=teacher,
            route=route,
            done=sum(1 for a in items if a.done),
            total=len(items),
            overdue=[a for a in items if not a.done and a.due < today],
            diagnostic=latest.get(teacher.pk),
            school=schools.get(teacher.pk, ""),
        )
        diagnostic = row.diagnostic
        if row.overdue:
            row.lag = f"Просрочено мероприятий: {len(row.overdue)}"
        elif diagnostic and diagnostic.date <= limit and (route is None or route.end < diagnostic.date):
            row.lag = f"Нет маршрута после диагностики от {diagnostic.date:%d.%m.%Y}"
        rows.append(row)
    return rows


def lagging_count(*, user, today: dt.date) -> int:
    return sum(1 for row in curator_routes(user=user, today=today) if row.lagging)
