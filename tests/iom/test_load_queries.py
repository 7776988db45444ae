"""Routes per school after the load test's fixes (tests/perf/load): the two sets of teachers read once,
the roster counted in Python, a school's page looking at its own teachers only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iom import selectors
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 1)


@pytest.fixture
def routes(world):
    """School A: deficits and a route; B: deficits, no route; C: a route and no deficit; D: two, one routed."""
    school_d = factories.SchoolFactory(municipality=world.m1, code="000004", name="МКОУ «Давыдовская СШ»")
    d1 = factories.RosterEntryFactory(period=world.period, school=school_d).teacher
    d2 = factories.RosterEntryFactory(period=world.period, school=school_d).teacher
    for teacher in (world.teacher_a, world.teacher_b, d1, d2):
        factories.DiagnosticFactory(teacher=teacher, date=DAY, submit=True, scores={"ИКТ": 20})
    factories.DiagnosticFactory(teacher=world.teacher_c, date=DAY, submit=True)
    for teacher in (world.teacher_a, world.teacher_c, d1):
        factories.RouteFactory(teacher=teacher)
    # Deficits gone by the latest diagnostic of the period: no longer counted as "with deficits".
    later = factories.RosterEntryFactory(period=world.period, school=school_d).teacher
    factories.DiagnosticFactory(teacher=later, date=DAY, submit=True, scores={"ИКТ": 20})
    factories.DiagnosticFactory(teacher=later, date=dt.date(2025, 9, 1), kind="промежуточная", submit=True)
    return world


def _rows(rows):
    return [(r.code, r.teachers, r.with_deficits, r.with_route, r.deficits_without_route) for r in rows]


def test_school_routes_hand_counted(routes):
    rows = selectors.school_routes(period=routes.period, user=routes.analyst)
    # By the school's name: Алексеевская, Аржановская, Быковская, Давыдовская.
    assert _rows(rows) == [
        ("000001", 1, 1, 1, 0),
        ("000003", 1, 0, 1, 0),
        ("000002", 1, 1, 0, 1),
        ("000004", 3, 2, 1, 1),
    ]
    assert [r.municipality for r in rows] == [routes.m1.name, routes.m1.name, routes.m2.name, routes.m1.name]
    assert [r.no_routes_at_all for r in rows] == [False, False, True, False]


def test_school_routes_follow_the_scope(routes):
    assert [r.code for r in selectors.school_routes(period=routes.period, user=routes.municipal)] == [
        "000001",
        "000003",
        "000004",
    ]
    assert selectors.school_routes(period=routes.period, user=routes.head_b)[0].code == "000002"


def test_deficits_are_looked_up_among_the_given_teachers_only(routes):
    everyone = set(selectors.teachers_with_deficits(routes.period).values_list("teacher_id", flat=True))
    some = [routes.teacher_a.pk, routes.teacher_c.pk]
    narrowed = set(selectors.teachers_with_deficits(routes.period, teachers=some).values_list("teacher_id", flat=True))
    assert narrowed == everyone & set(some) == {routes.teacher_a.pk}


def test_the_region_page_reads_each_set_once_in_a_fixed_number_of_queries(
    client, routes, django_assert_max_num_queries
):
    client.force_login(routes.analyst)
    with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("route-list")).status_code == 200
    # The teachers with deficits are read once for the page: in the grouped query they were a
    # subquery per count that used them, evaluated again for each (1.4 s on the region demo).
    reads = sum(q["sql"].count('"deficits_groupresult"') for q in ctx.captured_queries)
    assert reads == 1


def test_a_heads_page_has_a_fixed_number_of_queries(client, routes, django_assert_max_num_queries):
    client.force_login(routes.head_a)
    with django_assert_max_num_queries(11):
        html = client.get(reverse("route-list")).content.decode()
    assert "Петрова Анна Ивановна" in html


def _curator_page_queries(client, world, teachers: int) -> int:
    from monitoring.models import CuratorAssignment

    for _ in range(teachers):
        teacher = factories.RosterEntryFactory(period=world.period, school=world.school_a).teacher
        CuratorAssignment.objects.create(curator=world.curator, teacher=teacher)
        factories.DiagnosticFactory(teacher=teacher, date=DAY, submit=True)
        factories.RouteActivityFactory(route=factories.RouteFactory(teacher=teacher))
    client.force_login(world.curator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("curator-routes")).status_code == 200
    return len(queries)


def test_the_curators_page_reads_the_same_whatever_the_number_of_teachers(client, world):
    few = _curator_page_queries(client, world, 1)
    many = _curator_page_queries(client, world, 6)
    assert few == many, (few, many)
