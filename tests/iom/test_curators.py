"""Curators' services (iom.curators): assignment refusals, the curator's routes and the lagging ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iom import curators
from monitoring.models import CuratorAssignment
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 15)


def test_parse_codes_reads_any_paste_once_each_in_order():
    assert curators.parse_codes("T0000002, T0000001\nT0000002;\tT0000003  ") == ["T0000002", "T0000001", "T0000003"]
    assert curators.parse_codes("  \n ") == []


def test_the_institute_assigns_several_codes_at_once(world):
    added = curators.curator_assign(curator=world.curator, codes=["T0000002", "T0000003"], user=world.analyst)
    assert [a.teacher for a in added] == [world.teacher_b, world.teacher_c]
    assert all(a.assigned_by == world.analyst for a in added)
    assert set(CuratorAssignment.objects.filter(curator=world.curator).values_list("teacher__code", flat=True)) == {
        "T0000001",
        "T0000002",
        "T0000003",
    }


def test_refusals_name_every_problem_and_save_nothing(world):
    with pytest.raises(ValidationError) as caught:
        curators.curator_assign(curator=world.curator, codes=["T0000002", "T9999999", "T0000001"], user=world.analyst)
    assert caught.value.messages == [
        "Нет педагогов с кодами: T9999999.",
        "Уже закреплены за этим куратором: T0000001.",
    ]
    assert not CuratorAssignment.objects.filter(teacher=world.teacher_b).exists()


def test_only_a_curators_account_takes_teachers(world):
    with pytest.raises(ValidationError, match="не куратор"):
        curators.curator_assign(curator=world.head_a, codes=["T0000002"], user=world.analyst)
    with pytest.raises(ValidationError, match="не куратор"):
        curators.curator_of(user=world.analyst, pk=world.teacher.pk)
    with pytest.raises(ValidationError, match="Укажите код"):
        curators.curator_assign(curator=world.curator, codes=[], user=world.analyst)


@pytest.mark.parametrize("role", ["ministry", "municipal", "head_a", "teacher", "curator"])
def test_only_the_institute_assigns(world, role):
    user = world.curator if role == "curator" else world.people[role]
    with pytest.raises(PermissionDenied):
        curators.curator_assign(curator=world.curator, codes=["T0000002"], user=user)
    with pytest.raises(PermissionDenied):
        curators.curator_unassign(curator=world.curator, code="T0000001", user=user)
    assert CuratorAssignment.objects.filter(curator=world.curator).count() == 1


def test_unassign(world):
    assert curators.curator_unassign(curator=world.curator, code="T0000001", user=world.analyst) == world.teacher_a
    assert not CuratorAssignment.objects.exists()
    with pytest.raises(ValidationError, match="не закреплен"):
        curators.curator_unassign(curator=world.curator, code="T0000001", user=world.analyst)


def test_curator_accounts_count_their_teachers(world):
    other = factories.UserFactory(username="curator2", role="curator", is_staff=False)
    counts = {u.username: u.n_teachers for u in curators.curator_accounts(user=world.analyst)}
    assert counts == {"curator": 1, other.username: 0}


def test_months_before_keeps_the_month_end():
    assert curators.months_before(dt.date(2025, 4, 30), 2) == dt.date(2025, 2, 28)
    assert curators.months_before(dt.date(2025, 1, 15), 2) == dt.date(2024, 11, 15)


def _assign(world, *teachers):
    for t in teachers:
        CuratorAssignment.objects.create(curator=world.curator, teacher=t)


def test_the_curators_routes_progress_and_lag(world):
    """A: route with one overdue activity (lags); B: diagnosed 3 months ago, no route (lags);
    C: diagnosed 1 month ago, no route (not yet); D: route on time; E: not assigned (not shown)."""
    teacher_d = factories.TeacherFactory(code="T0000004", full_name="Яковлева Дарья")
    teacher_e = factories.TeacherFactory(code="T0000005", full_name="Чужой Евгений")
    _assign(world, world.teacher_b, world.teacher_c, teacher_d)
    route_a = factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2025, 3, 1), end=dt.date(2026, 2, 28))
    factories.RouteActivityFactory(route=route_a, due=dt.date(2025, 9, 1), done=True)
    late = factories.RouteActivityFactory(route=route_a, due=dt.date(2025, 10, 1))
    factories.RouteActivityFactory(route=route_a, due=dt.date(2025, 12, 1))
    factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 8, 15), submit=True)
    factories.DiagnosticFactory(teacher=world.teacher_c, date=dt.date(2025, 10, 20), submit=True)
    route_d = factories.RouteFactory(teacher=teacher_d, start=dt.date(2025, 9, 1), end=dt.date(2026, 8, 31))
    factories.RouteActivityFactory(route=route_d, due=dt.date(2025, 12, 1))
    factories.RouteFactory(teacher=teacher_e)

    rows = {r.teacher.code: r for r in curators.curator_routes(user=world.curator, today=TODAY)}
    assert set(rows) == {"T0000001", "T0000002", "T0000003", "T0000004"}
    a = rows["T0000001"]
    assert (a.route, a.done, a.total, a.overdue, a.school) == (route_a, 1, 3, [late], world.school_a.name)
    assert rows["T0000004"].school == ""  # not on the period's roster
    assert a.lag == "Просрочено мероприятий: 1"
    assert rows["T0000002"].route is None and rows["T0000002"].lag == "Нет маршрута после диагностики от 15.08.2025"
    assert not rows["T0000003"].lagging  # a month is not yet late
    assert (rows["T0000004"].route, rows["T0000004"].lagging) == (route_d, False)
    assert curators.lagging_count(user=world.curator, today=TODAY) == 2


def test_a_route_ended_before_the_diagnostic_does_not_count(world):
    factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2023, 3, 1), end=dt.date(2024, 2, 28))
    factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 3, 1), submit=True)
    (row,) = curators.curator_routes(user=world.curator, today=TODAY)
    assert row.lag == "Нет маршрута после диагностики от 01.03.2025"


def test_not_a_curator_has_no_rows(world):
    factories.RouteFactory(teacher=world.teacher_a)
    assert curators.curator_routes(user=world.head_a, today=TODAY) == []
    assert curators.curator_routes(user=world.teacher, today=TODAY) == []
