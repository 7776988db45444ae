"""Direction 2 (routes) on hand-counted data sets.

The world (period 2025): school A (m1) with teacher_a, school C (m1) with teacher_c,
school B (m2) with teacher_b. Each test adds teachers to the period's roster where it
needs schools of different sizes, and a "leaver": a teacher on the 2024 roster of
school A only, whose records must count nowhere in 2025.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.definitions.d2 import schools_without_routes
from indicators.engine import compute_chunk, compute_period, compute_region, definitions_for
from indicators.models import IndicatorValue
from monitoring.models import Municipality
from tests import factories
from tests.indicators.helpers import stored as value

pytestmark = pytest.mark.django_db

D = dt.date
REGION = "34"
A, C, B = "000001", "000003", "000002"
M1, M2 = "01", "02"


def pct(text: str) -> Decimal:
    return Decimal(text)


def teacher_at(world, school, **roster):
    return factories.RosterEntryFactory(period=world.period, school=school, **roster).teacher


def leaver(world):
    """A teacher on the 2024 roster of school A, not on the 2025 one."""
    return factories.RosterEntryFactory(period=factories.PeriodFactory(year=2024), school=world.school_a).teacher


def route(teacher, start=None, end=None, **kw):
    """A route, by default active in 2025 (2025-03-01 to 2026-02-28)."""
    return factories.RouteFactory(teacher=teacher, start=start or D(2025, 3, 1), end=end or D(2026, 2, 28), **kw)


# ---------------------------------------------------------------------------
# 2.1, 2.3
# ---------------------------------------------------------------------------


@pytest.fixture
def routes21(world):
    w = world
    a2, a3, a4 = (teacher_at(w, w.school_a) for _ in range(3))
    route(w.teacher_a)  # active, based on diagnostic
    route(w.teacher_a, start=D(2024, 1, 10), end=D(2025, 1, 9))  # a second active one: teacher_a counts once
    route(a2, start=D(2023, 9, 1), end=D(2025, 1, 1))  # ends on the period's first day: active
    route(a3, based_on_diagnostic=False)  # not based on a diagnostic
    route(a4, start=D(2023, 1, 1), end=D(2024, 12, 31))  # over before the period
    route(w.teacher_c, status="draft")  # a draft still counts (choice)
    route(leaver(w))  # not on the 2025 roster
    route(w.teacher_b, start=D(2026, 1, 1), end=D(2026, 12, 31))  # starts after the period
    return w


def test_2_1_counts_teachers_with_an_active_route_based_on_diagnostic(routes21):
    compute_period(period=routes21.period, directions=[2])
    # A: teacher_a (two routes, once) + a2 = 2; a3 not based on diagnostic, a4 over in 2024.
    assert value("2.1", "school", A) == (2, None, 2)
    assert value("2.1", "school", C) == (1, None, 1)  # the draft route counts
    assert value("2.1", "school", B) == (0, None, 0)  # B's route starts in 2026
    assert value("2.1", "municipality", M1) == (3, None, 3)  # 2 + 1
    assert value("2.1", "municipality", M2) == (0, None, 0)
    assert value("2.1", "region", REGION) == (3, None, 3)  # the leaver counts nowhere


def test_2_3_counts_schools_with_routes_per_municipality_and_lists_those_without(routes21):
    w = routes21
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004")
    school_e = factories.SchoolFactory(municipality=w.m2, code="000005")
    factories.SchoolFactory(municipality=w.m2, code="000006")  # no roster in 2025
    route(teacher_at(w, school_d))
    route(teacher_at(w, school_d))  # a second teacher of D: D still one school
    route(teacher_at(w, school_e), based_on_diagnostic=False)
    compute_period(period=w.period, directions=[2])
    # m1: A and C have a 2.1 teacher -> 2; m2: D only (B's route is in 2026, E's not on a diagnostic) -> 1.
    assert value("2.3", "municipality", M1) == (2, None, 2)
    assert value("2.3", "municipality", M2) == (1, None, 1)
    assert value("2.3", "region", REGION) == (3, None, 3)  # 2 + 1
    assert not IndicatorValue.objects.filter(indicator__code="2.3", level="school").exists()  # from: municipality
    # Without a route: B and E (rostered, nobody in 2.1); 000006 has no roster for the period.
    assert [s.code for s in schools_without_routes(w.period)] == [B, "000005"]
    assert [s.code for s in schools_without_routes(w.period, [w.m1.pk])] == []
    assert [s.code for s in schools_without_routes(w.period, [w.m2.pk])] == [B, "000005"]


# ---------------------------------------------------------------------------
# 2.2
# ---------------------------------------------------------------------------


def test_2_2_share_of_teachers_with_deficits_who_have_a_route(world):
    w = world
    diag = factories.DiagnosticFactory
    a2, a3, a4 = (teacher_at(w, w.school_a) for _ in range(3))
    c2 = teacher_at(w, w.school_c)
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004")
    teacher_at(w, school_d)  # D: nobody diagnosed -> den 0
    gone = leaver(w)

    diag(teacher=w.teacher_a, date=D(2025, 3, 1), submit=True, scores={"ИКТ": 22})
    route(w.teacher_a)  # deficit + route: num and den
    diag(teacher=a2, date=D(2025, 2, 1), submit=True, scores={"ИКТ": 22})
    diag(teacher=a2, date=D(2025, 6, 1), kind="промежуточная", submit=True)  # latest: no deficit
    route(a2)  # not in 1.9's numerator: nowhere
    diag(teacher=a3, date=D(2025, 4, 1), submit=True, scores={"МЕТ": 12})  # deficit, no route: den only
    diag(teacher=a4, date=D(2024, 11, 1), submit=True, scores={"МЕТ": 12})  # deficit dated 2024: nowhere
    route(a4)
    diag(teacher=w.teacher_c, date=D(2025, 5, 1), submit=True, scores={"КОРР": 15})
    route(w.teacher_c, status="draft")  # num and den
    diag(teacher=c2, date=D(2025, 5, 1), submit=True)  # no deficit
    route(c2)
    diag(teacher=w.teacher_b, date=D(2025, 5, 1), submit=True, scores={"ТЕХ": 20})
    route(w.teacher_b, start=D(2023, 1, 1), end=D(2024, 12, 31))  # route over: den only
    diag(teacher=gone, date=D(2025, 5, 1), submit=True, scores={"ТЕХ": 20})
    route(gone)  # not on the roster: nowhere

    compute_period(period=w.period, directions=[2])
    assert value("2.2", "school", A) == (1, 2, pct("50.00"))  # teacher_a / (teacher_a, a3)
    assert value("2.2", "school", C) == (1, 1, pct("100.00"))  # teacher_c
    assert value("2.2", "school", B) == (0, 1, pct("0.00"))
    assert value("2.2", "school", "000004") == (0, 0, None)
    # m1 = (1 + 1) / (2 + 1) = 66.67, not the mean of 50 and 100 (75).
    assert value("2.2", "municipality", M1) == (2, 3, pct("66.67"))
    assert value("2.2", "municipality", M2) == (0, 1, pct("0.00"))
    assert value("2.2", "region", REGION) == (2, 4, pct("50.00"))


# ---------------------------------------------------------------------------
# 2.4, 2.6
# ---------------------------------------------------------------------------


@pytest.fixture
def routes246(world):
    w = world
    a2, a3 = teacher_at(w, w.school_a), teacher_at(w, w.school_a)
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004")
    teacher_at(w, school_d)  # D: no route -> den 0
    # (status, corrected) of each route
    route(w.teacher_a, status="approved", corrected=True)
    route(w.teacher_a, start=D(2024, 1, 10), end=D(2025, 1, 9), status="submitted")
    route(a2, status="approved", based_on_diagnostic=False)  # any active route counts here
    route(a3, start=D(2023, 1, 1), end=D(2024, 12, 31), status="approved", corrected=True)  # not active
    route(w.teacher_c, status="draft", corrected=True)
    route(w.teacher_b, status="approved")
    route(leaver(w), status="approved", corrected=True)  # not on the roster
    return w


def test_2_4_share_of_active_routes_approved(routes246):
    compute_period(period=routes246.period, directions=[2])
    assert value("2.4", "school", A) == (2, 3, pct("66.67"))  # approved 2 of teacher_a's two + a2's
    assert value("2.4", "school", C) == (0, 1, pct("0.00"))  # a draft is not approved
    assert value("2.4", "school", B) == (1, 1, pct("100.00"))
    assert value("2.4", "school", "000004") == (0, 0, None)
    # m1 = 2 / (3 + 1) = 50.00, not the mean of 66.67 and 0 (33.33).
    assert value("2.4", "municipality", M1) == (2, 4, pct("50.00"))
    assert value("2.4", "municipality", M2) == (1, 1, pct("100.00"))
    assert value("2.4", "region", REGION) == (3, 5, pct("60.00"))


def test_2_6_share_of_active_routes_corrected(routes246):
    compute_period(period=routes246.period, directions=[2])
    assert value("2.6", "school", A) == (1, 3, pct("33.33"))  # teacher_a's first route; a3's is not active
    assert value("2.6", "school", C) == (1, 1, pct("100.00"))
    assert value("2.6", "school", B) == (0, 1, pct("0.00"))
    assert value("2.6", "school", "000004") == (0, 0, None)
    # m1 = (1 + 1) / (3 + 1) = 50.00, not the mean of 33.33 and 100 (66.67).
    assert value("2.6", "municipality", M1) == (2, 4, pct("50.00"))
    assert value("2.6", "municipality", M2) == (0, 1, pct("0.00"))
    assert value("2.6", "region", REGION) == (2, 5, pct("40.00"))


# ---------------------------------------------------------------------------
# 2.5
# ---------------------------------------------------------------------------


def test_2_5_share_of_activities_due_in_the_period_done(world):
    w = world
    act = factories.RouteActivityFactory
    a2 = teacher_at(w, w.school_a)
    r_a = route(w.teacher_a)
    act(route=r_a, due=D(2025, 4, 1), done=True)
    act(route=r_a, due=D(2025, 9, 1), done=False)
    act(route=r_a, due=D(2026, 1, 15), done=True)  # due in 2026: not counted
    r_a2 = route(a2, start=D(2024, 9, 1), end=D(2025, 8, 31))
    act(route=r_a2, due=D(2024, 12, 1), done=True)  # due in 2024: not counted
    act(route=r_a2, due=D(2025, 12, 31), done=True)  # the period's last day
    r_c = route(w.teacher_c, status="draft")
    act(route=r_c, due=D(2025, 6, 1), done=False)
    r_b = route(w.teacher_b)
    act(route=r_b, due=D(2025, 3, 15), done=True)
    act(route=route(leaver(w)), due=D(2025, 5, 1), done=True)  # not on the roster
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004")
    act(route=route(teacher_at(w, school_d)), due=D(2026, 5, 1))  # D: nothing due in 2025 -> den 0

    compute_period(period=w.period, directions=[2])
    assert value("2.5", "school", A) == (2, 3, pct("66.67"))  # Apr 1 and Dec 31 of (Apr 1, Sep 1, Dec 31)
    assert value("2.5", "school", C) == (0, 1, pct("0.00"))
    assert value("2.5", "school", B) == (1, 1, pct("100.00"))
    assert value("2.5", "school", "000004") == (0, 0, None)
    # m1 = 2 / (3 + 1) = 50.00, not the mean of 66.67 and 0.
    assert value("2.5", "municipality", M1) == (2, 4, pct("50.00"))
    assert value("2.5", "municipality", M2) == (1, 1, pct("100.00"))
    assert value("2.5", "region", REGION) == (3, 5, pct("60.00"))


# ---------------------------------------------------------------------------
# 2.7
# ---------------------------------------------------------------------------


def test_2_7_counts_teachers_who_completed_a_diagnostics_based_program(world):
    w = world
    enrol = factories.EnrollmentFactory
    diag = factories.ProgramFactory(diagnostics_based=True)
    other = factories.ProgramFactory()
    run1 = factories.CourseRunFactory(program=diag, start=D(2025, 3, 1), end=D(2025, 3, 20))
    run2 = factories.CourseRunFactory(program=diag, start=D(2025, 11, 1), end=D(2025, 11, 30))
    run_2024 = factories.CourseRunFactory(program=diag, start=D(2024, 11, 1), end=D(2024, 12, 20))
    run_2026 = factories.CourseRunFactory(program=diag, start=D(2025, 12, 1), end=D(2026, 1, 20))
    run_other = factories.CourseRunFactory(program=other, start=D(2025, 3, 1), end=D(2025, 3, 20))
    a2, a3, a4, a5, a6 = (teacher_at(w, w.school_a) for _ in range(5))
    enrol(teacher=w.teacher_a, course=run1)
    enrol(teacher=w.teacher_a, course=run2)  # two runs: teacher_a counts once
    enrol(teacher=a2, course=run_2024)  # ended in 2024
    enrol(teacher=a3, course=run_2026)  # ends in 2026
    enrol(teacher=a4, course=run1, status="отчислен")  # expelled
    enrol(teacher=a5, course=run_other)  # program not based on diagnostics
    enrol(teacher=a6, course=run1, status="зачислен", final_attestation=False)  # not completed
    enrol(teacher=w.teacher_c, course=run1, final_attestation=False)  # completed: counts (attestation is 3.15's)
    enrol(teacher=w.teacher_b, course=run2)
    enrol(teacher=leaver(w), course=run1)  # not on the roster

    compute_period(period=w.period, directions=[2])
    assert value("2.7", "school", A) == (1, None, 1)
    assert value("2.7", "school", C) == (1, None, 1)
    assert value("2.7", "school", B) == (1, None, 1)
    assert value("2.7", "municipality", M1) == (2, None, 2)
    assert value("2.7", "municipality", M2) == (1, None, 1)
    assert value("2.7", "region", REGION) == (3, None, 3)


# ---------------------------------------------------------------------------
# Every indicator has its rows; computing by chunks gives the same values
# ---------------------------------------------------------------------------


def test_no_data_gives_empty_shares_and_zero_counts(world):
    compute_period(period=world.period, directions=[2])
    for code in ("2.2", "2.4", "2.5", "2.6"):
        for level, org in (("school", A), ("school", B), ("school", C), ("municipality", M1), ("region", REGION)):
            assert value(code, level, org) == (0, 0, None), (code, level, org)
    for code in ("2.1", "2.7"):
        assert value(code, "region", REGION) == (0, None, 0)
    assert value("2.3", "municipality", M2) == (0, None, 0)


def snapshot():
    return {
        (v.indicator.code, v.level, v.org_code, v.breakdown): (v.numerator, v.denominator, v.value)
        for v in IndicatorValue.objects.select_related("indicator")
    }


def test_chunks_by_municipality_give_the_same_rows_as_one_pass(routes246):
    w = routes246
    factories.RouteActivityFactory(route=w.teacher_b.routes.get(), due=D(2025, 5, 1), done=True)
    compute_period(period=w.period, directions=[2])
    whole = snapshot()
    IndicatorValue.objects.all().delete()
    definitions = definitions_for(w.period, [2])
    for m in Municipality.objects.all():
        compute_chunk(period=w.period, definitions=definitions, municipality_ids=[m.pk])
    compute_region(period=w.period, definitions=definitions)
    assert snapshot() == whole
    assert whole[("2.4", "region", REGION, "")] == (3, 5, pct("60.00"))
