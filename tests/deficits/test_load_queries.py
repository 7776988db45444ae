"""The results page after the load test's fixes (tests/perf/load): one grouped query for levels and heat map,
the latest diagnostics picked among the unit's teachers only, a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from deficits import selectors
from deficits.models import Diagnostic
from deficits.selectors import Unit
from tests import factories

pytestmark = pytest.mark.django_db

GROUPS = ["МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР"]


@pytest.fixture
def data(world):
    """Two diagnostics of teacher A (the later counts), one of B, C only last year; a fourth teacher in M1."""
    last_year = factories.PeriodFactory(year=2024)
    factories.RosterEntryFactory(period=last_year, teacher=world.teacher_b, school=world.school_a)
    factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2025, 2, 1), submit=True, scores={"ИКТ": 15, "КОРР": 22}
    )
    factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2025, 10, 1), kind="промежуточная", submit=True, scores={"КОРР": 29}
    )
    factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 3, 1), submit=True, scores={"ИКТ": 19})
    factories.DiagnosticFactory(teacher=world.teacher_c, date=dt.date(2024, 5, 1), submit=True, scores={"МЕТ": 10})
    d = factories.RosterEntryFactory(period=world.period, school=world.school_c).teacher
    factories.DiagnosticFactory(teacher=d, date=dt.date(2025, 4, 1), submit=True, scores={"МЕТ": 12, "ИКТ": 30})
    return world


def _heat(rows):
    return [(r.code, r.name, r.diagnosed, r.deficits) for r in rows]


@pytest.mark.parametrize("unit_of", [lambda w: Unit("region"), lambda w: Unit("municipality", municipality=w.m1)])
def test_breakdown_gives_the_same_levels_and_heat_map_as_the_two_selectors(data, unit_of):
    unit = unit_of(data)
    distribution, heatmap = selectors.results_breakdown(
        period=data.period, user=data.analyst, unit=unit, group_codes=GROUPS
    )
    assert distribution == selectors.level_distribution(period=data.period, user=data.analyst, unit=unit)
    expected = selectors.deficit_heatmap(period=data.period, user=data.analyst, unit=unit, group_codes=GROUPS)
    assert _heat(heatmap) == _heat(expected)
    assert heatmap  # the fixture has diagnosed teachers in both units


def test_breakdown_hand_counted_for_the_region(data):
    distribution, heatmap = selectors.results_breakdown(
        period=data.period, user=data.analyst, unit=Unit("region"), group_codes=GROUPS
    )
    # M1: teacher A (latest: КОРР only) and the fourth teacher (МЕТ); M2: teacher B (ИКТ).
    assert [(r.code, r.diagnosed, r.deficits["ИКТ"], r.deficits["КОРР"], r.deficits["МЕТ"]) for r in heatmap] == [
        ("01", 2, 0, 1, 1),
        ("02", 1, 1, 0, 0),
    ]
    assert sum(distribution["ИКТ"].values()) == 3


def test_a_school_has_levels_and_no_heat_map(data):
    unit = Unit("school", school=data.school_a, municipality=data.m1)
    distribution, heatmap = selectors.results_breakdown(
        period=data.period, user=data.analyst, unit=unit, group_codes=GROUPS
    )
    assert heatmap == []
    assert distribution == selectors.level_distribution(period=data.period, user=data.analyst, unit=unit)


def test_latest_among_some_teachers_is_their_latest_in_the_whole_period(data):
    everyone = Diagnostic.objects.latest_in_period(data.period)
    only_a = Diagnostic.objects.latest_in_period(data.period, teachers=[data.teacher_a.pk])
    assert list(only_a) == [d for d in everyone if d.teacher_id == data.teacher_a.pk]
    assert only_a.get().kind == "промежуточная"


def test_results_page_queries_are_bounded_at_every_level(client, data, django_assert_max_num_queries):
    # Measured after the fix: region 12, a municipality 13 (one query fewer than the two selectors took),
    # a school 15 (with its teachers' profiles and links).
    client.force_login(data.analyst)
    for params, limit in (({}, 12), ({"municipality": data.m1.code}, 13), ({"school": data.school_a.code}, 15)):
        with django_assert_max_num_queries(limit):
            assert client.get(reverse("diagnostic-results"), params).status_code == 200


def test_the_page_reads_levels_and_heat_map_in_one_query(client, data):
    from django.test.utils import CaptureQueriesContext

    client.force_login(data.analyst)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("diagnostic-results"))
    grouped = [q["sql"] for q in ctx.captured_queries if "deficits_groupresult" in q["sql"] and "GROUP BY" in q["sql"]]
    assert len(grouped) == 1, grouped


@pytest.mark.postgresql
def test_the_periods_submitted_diagnostics_are_read_from_the_partial_index(data):
    """Latest per teacher and the dashboards' staleness check read diagnostic_submitted_in_period.

    The index is partial (submitted only): a query whose filter does not say "submitted" cannot
    use it, and scanning the table itself (2 kB a row with the answers) cost every dashboard.
    """
    from django.test.utils import CaptureQueriesContext

    from indicators.services import inputs_changed_at

    with CaptureQueriesContext(connection) as ctx:
        assert inputs_changed_at(data.period) is not None
        assert len(list(Diagnostic.objects.latest_in_period(data.period))) == 3
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "deficits_diagnostic"' in q["sql"]]
    assert len(reads) == 2
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in reads:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "diagnostic_submitted_in_period" in plan, plan
