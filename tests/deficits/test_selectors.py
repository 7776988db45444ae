"""Coverage, level distribution and heat map: hand-counted cases, latest diagnostic, the period's school."""

from __future__ import annotations

import datetime as dt

import pytest

from deficits import selectors
from deficits.selectors import Unit
from tests import factories

pytestmark = pytest.mark.django_db

GROUPS = ["МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР"]


@pytest.fixture
def data(world):
    """Teacher B taught at school A (M1) last year and at school B (M2) now; A took two diagnostics."""
    last_year = factories.PeriodFactory(year=2024)
    factories.RosterEntryFactory(period=last_year, teacher=world.teacher_b, school=world.school_a)
    # Teacher A: entry diagnostic with deficits in ИКТ and КОРР, then an intermediate one
    # later the same year with only КОРР left: the later one counts.
    factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2025, 2, 1), submit=True, scores={"ИКТ": 15, "КОРР": 22}
    )
    factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2025, 10, 1), kind="промежуточная", submit=True, scores={"КОРР": 29}
    )
    # Teacher B: a deficit in ИКТ, taken this year (now at school B).
    factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 3, 1), submit=True, scores={"ИКТ": 19})
    # Teacher C: only last year's diagnostic; not diagnosed in 2025.
    factories.DiagnosticFactory(teacher=world.teacher_c, date=dt.date(2024, 5, 1), submit=True, scores={"МЕТ": 10})
    return world


def test_coverage_by_municipality_and_by_school(data):
    region = selectors.coverage(period=data.period, user=data.analyst, unit=Unit("region"))
    assert [(r.code, r.total, r.diagnosed, r.percent) for r in region] == [("01", 2, 1, 50.0), ("02", 1, 1, 100.0)]
    m1 = selectors.coverage(period=data.period, user=data.analyst, unit=Unit("municipality", municipality=data.m1))
    assert [(r.code, r.total, r.diagnosed) for r in m1] == [("000001", 1, 1), ("000003", 1, 0)]


def test_heat_map_uses_the_latest_diagnostic_and_the_periods_school(data):
    rows = selectors.deficit_heatmap(period=data.period, user=data.analyst, unit=Unit("region"), group_codes=GROUPS)
    by_code = {r.code: r for r in rows}
    assert set(by_code) == {"01", "02"}
    # M1: only teacher A, whose latest diagnostic has a deficit in КОРР alone.
    assert by_code["01"].diagnosed == 1
    assert by_code["01"].deficits == {"МЕТ": 0, "ТЕХ": 0, "ИССЛ": 0, "ПРОЕКТ": 0, "ИКТ": 0, "КОРР": 1}
    assert by_code["01"].share("КОРР") == 100.0 and by_code["01"].share("ИКТ") == 0.0
    # M2: teacher B, counted where they teach this period, not at last year's school.
    assert by_code["02"].diagnosed == 1 and by_code["02"].deficits["ИКТ"] == 1


def test_heat_map_of_last_year_counts_teachers_where_they_were_then(data):
    last_year = factories.PeriodFactory(year=2024)
    factories.RosterEntryFactory(period=last_year, teacher=data.teacher_c, school=data.school_c)
    rows = selectors.deficit_heatmap(period=last_year, user=data.analyst, unit=Unit("region"), group_codes=GROUPS)
    # Only teacher C has a 2024 diagnostic; teacher B (at school A then) has none in 2024.
    assert [(r.code, r.diagnosed, r.deficits["МЕТ"]) for r in rows] == [("01", 1, 1)]


def test_level_distribution_counts_each_teachers_latest_result(data):
    dist = selectors.level_distribution(period=data.period, user=data.analyst, unit=Unit("region"))
    assert dist["ИКТ"] == {"оптимальный": 1, "пороговый": 1}
    assert dist["КОРР"] == {"допустимый": 1, "оптимальный": 1}
    assert dist["МЕТ"] == {"оптимальный": 2}


def test_a_school_heads_figures_are_their_school_only(data):
    unit = Unit("school", school=data.school_b)
    assert selectors.level_distribution(period=data.period, user=data.head_a, unit=unit) == {}
    own = selectors.level_distribution(period=data.period, user=data.head_b, unit=unit)
    assert own["ИКТ"] == {"пороговый": 1}
    profiles = selectors.school_profiles(period=data.period, user=data.head_b, school=data.school_b)
    assert [(e.teacher, p["results"]["ИКТ"].score) for e, p in profiles] == [(data.teacher_b, 19)]


def test_not_diagnosed_lists_the_schools_teachers_without_a_diagnostic_this_period(data):
    missing = selectors.not_diagnosed(period=data.period, user=data.analyst, school=data.school_c)
    assert [(e.teacher, e.has_draft) for e in missing] == [(data.teacher_c, 0)]
    factories.DiagnosticFactory(teacher=data.teacher_c, date=dt.date(2025, 11, 1), answers={})
    missing = selectors.not_diagnosed(period=data.period, user=data.analyst, school=data.school_c)
    assert [(e.teacher, e.has_draft) for e in missing] == [(data.teacher_c, 1)]
