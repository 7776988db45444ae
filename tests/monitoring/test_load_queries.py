"""School list and school page after the load test's fixes (tests/perf/load): teachers counted for the
page's schools only, last year's plausibility figures read for the schools asked about."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.plausibility import plausibility_warnings
from tests import factories

pytestmark = pytest.mark.django_db


def test_school_list_counts_each_schools_teachers_of_the_period(client, world):
    last_year = factories.PeriodFactory(year=2024)
    factories.RosterEntryFactory(period=last_year, school=world.school_a)  # another period: not counted
    factories.RosterEntryFactory(period=world.period, school=world.school_a)
    client.force_login(world.analyst)
    page = client.get(reverse("school-list")).context["page"]
    assert {s.code: s.n_teachers for s in page} == {"000001": 2, "000002": 1, "000003": 1}


def test_school_list_pages_are_counted_without_the_roster(client, world, django_assert_max_num_queries):
    for _ in range(60):
        school = factories.SchoolFactory(municipality=world.m2)
        factories.RosterEntryFactory(period=world.period, school=school)
    client.force_login(world.analyst)
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("school-list"), {"page": 2})
    assert response.context["page"].paginator.count == 63
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and "monitoring_school" in q["sql"]]
    # The paginator's count reads the schools alone: the join to the roster grouped every roster row.
    assert counts and all("monitoring_rosterentry" not in sql for sql in counts)


@pytest.fixture
def years(world):
    last = factories.PeriodFactory(year=2024)
    for period, positions in ((last, 25), (world.period, 250)):
        for school in (world.school_b, world.school_c):
            factories.StaffingRowFactory(
                period=period,
                school=school,
                position="учитель",
                positions_by_schedule=Decimal(positions),
                vacant_positions=0,
            )
    return last, world.period


def test_warnings_for_some_schools_are_theirs_from_the_whole_region(world, years):
    from monitoring.models import School

    _, now = years
    everyone = plausibility_warnings(period=now)
    assert {w.school_code for w in everyone} >= {"000002", "000003"}
    for school in (world.school_a, world.school_b, world.school_c):
        some = plausibility_warnings(period=now, schools=School.objects.filter(pk=school.pk))
        assert some == [w for w in everyone if w.school_code == school.code]


def test_school_page_has_a_fixed_number_of_queries(client, world, years, django_assert_max_num_queries):
    client.force_login(world.analyst)
    with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("school-detail", args=[world.school_b.code])).content.decode()
    assert "250 против 25" in html
    # This year's staffing is read for the whole region (its median); last year's for this school only.
    sums = [q["sql"] for q in ctx.captured_queries if "monitoring_staffingrow" in q["sql"] and "SUM(" in q["sql"]]
    assert sorted("IN (SELECT" in sql for sql in sums) == [False, True]
