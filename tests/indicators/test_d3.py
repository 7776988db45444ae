"""Direction 3 (programs and their quality) on hand-counted data sets.

The world (period 2025): school A (m1) with teacher_a, school C (m1) with teacher_c,
school B (m2) with teacher_b. A "leaver" is on the 2024 roster of school A only: their
records must count nowhere in 2025.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.engine import compute_period
from indicators.models import IndicatorValue
from iom.models import PROGRAM_FLAGS
from tests import factories
from tests.indicators.helpers import stored as value

pytestmark = pytest.mark.django_db

D = dt.date
REGION = "34"
A, C, B = "000001", "000003", "000002"
M1, M2 = "01", "02"

FLAGS = {
    "3.1": "in_registry",
    "3.2": "digital_support",
    "3.3": "municipal_order",
    "3.4": "exam_based",
    "3.5": "efom",
    "3.6": "regional_projects",
    "3.7": "external_review",
    "3.9": "for_school_teams",
    "3.10": "by_association_request",
    "3.12": "network_form",
    "3.13": "internship",
}


def pct(text: str) -> Decimal:
    return Decimal(text)


def teacher_at(world, school, **roster):
    return factories.RosterEntryFactory(period=world.period, school=school, **roster).teacher


def leaver(world):
    return factories.RosterEntryFactory(period=factories.PeriodFactory(year=2024), school=world.school_a).teacher


def run(program, start=None, end=None):
    """A course run, by default 2025-03-01 to 2025-03-20."""
    return factories.CourseRunFactory(program=program, start=start or D(2025, 3, 1), end=end or D(2025, 3, 20))


# ---------------------------------------------------------------------------
# 3.1–3.13 (from: region)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "flag"), FLAGS.items())
def test_program_flag_shares_over_programs_with_a_run_ending_in_the_period(world, code, flag):
    everything = dict.fromkeys(PROGRAM_FLAGS, True)
    all_but = {**everything, flag: False}
    only = {flag: True}
    p1 = factories.ProgramFactory(**only)
    run(p1)
    p2 = factories.ProgramFactory(**all_but)  # every other flag: catches a definition reading the wrong one
    run(p2)
    run(p2, start=D(2025, 9, 1), end=D(2025, 10, 1))  # two runs: the program counts once
    p5 = factories.ProgramFactory()
    run(p5)
    p7 = factories.ProgramFactory(**only)
    run(p7, start=D(2025, 12, 1), end=D(2025, 12, 31))  # ends on the period's last day
    run(factories.ProgramFactory(**everything), start=D(2024, 9, 1), end=D(2024, 12, 31))  # ended in 2024
    run(factories.ProgramFactory(**everything), start=D(2025, 12, 1), end=D(2026, 1, 1))  # ends in 2026
    factories.ProgramFactory(**everything)  # no run at all

    compute_period(period=world.period, directions=[3])
    # Programs of the period: p1, p2, p5, p7 -> 4; with the flag: p1, p7 -> 2; 2 / 4 = 50.00.
    # (Reading another flag would give p2 only: 1 / 4 = 25.00.)
    assert value(code, "region", REGION) == (2, 4, pct("50.00"))
    assert not IndicatorValue.objects.filter(indicator__code=code).exclude(level="region").exists()


def test_program_shares_are_empty_without_programs(world):
    run(factories.ProgramFactory(in_registry=True), start=D(2024, 1, 1), end=D(2024, 2, 1))
    compute_period(period=world.period, directions=[3])
    for code in [*FLAGS, "3.8"]:
        assert value(code, "region", REGION) == (0, 0, None), code


def test_3_8_share_of_programs_referenced_by_activities_of_active_routes(world):
    w = world
    act = factories.RouteActivityFactory
    p1, p2, p3, p4, p5 = (factories.ProgramFactory() for _ in range(5))
    for p in (p1, p2, p3, p4, p5):
        run(p)
    p6 = factories.ProgramFactory()
    run(p6, start=D(2024, 3, 1), end=D(2024, 3, 20))  # not a program of the period

    r_a = factories.RouteFactory(teacher=w.teacher_a)
    act(route=r_a, kind="курс", program=p1)  # yes
    act(route=r_a, kind="курс", program=p6)  # referenced, but not in the set
    old_b = factories.RouteFactory(teacher=w.teacher_b, start=D(2023, 1, 1), end=D(2024, 12, 31))
    act(route=old_b, kind="курс", program=p2)  # route over in 2024: no
    act(route=factories.RouteFactory(teacher=leaver(w)), kind="курс", program=p3)  # not on the roster: no
    r_c = factories.RouteFactory(teacher=w.teacher_c, status="draft")
    act(route=r_c, kind="курс", program=p4, due=D(2026, 1, 20))  # a draft route, due in 2026: yes
    act(route=r_c, kind="курс", program=p1, due=D(2025, 10, 1))  # p1 again: counted once

    compute_period(period=w.period, directions=[3])
    assert value("3.8", "region", REGION) == (2, 5, pct("40.00"))  # p1, p4 of p1..p5
    assert not IndicatorValue.objects.filter(indicator__code="3.8").exclude(level="region").exists()


def test_3_11_flag_is_one_when_a_rostered_teacher_submitted_a_diagnostic_in_the_period(world):
    w = world
    diag = factories.DiagnosticFactory
    compute_period(period=w.period, directions=[3])
    assert value("3.11", "region", REGION) == (0, None, 0)  # nothing at all

    diag(teacher=w.teacher_a, date=D(2025, 4, 1))  # a draft
    diag(teacher=w.teacher_b, date=D(2024, 12, 31), submit=True)  # dated 2024
    diag(teacher=leaver(w), date=D(2025, 4, 1), submit=True)  # not on the roster
    compute_period(period=w.period, directions=[3])
    assert value("3.11", "region", REGION) == (0, None, 0)

    diag(teacher=w.teacher_c, date=D(2025, 1, 1), submit=True)
    compute_period(period=w.period, directions=[3])
    assert value("3.11", "region", REGION) == (1, None, 1)
    assert not IndicatorValue.objects.filter(indicator__code="3.11").exclude(level="region").exists()


# ---------------------------------------------------------------------------
# 3.14, 3.15 (enrollments, per the teacher's roster school)
# ---------------------------------------------------------------------------


@pytest.fixture
def runs(world):
    program = factories.ProgramFactory()
    return {
        "2025": run(program),
        "2025b": run(program, start=D(2025, 10, 1), end=D(2025, 10, 20)),
        "2024": run(program, start=D(2024, 11, 1), end=D(2024, 12, 10)),
        "2026": run(program, start=D(2025, 12, 1), end=D(2026, 1, 20)),
    }


def test_3_14_satisfaction_4_or_5_among_enrollments_with_a_satisfaction(world, runs):
    w = world
    enrol = factories.EnrollmentFactory
    a2, a3, a4, a5 = (teacher_at(w, w.school_a) for _ in range(4))
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004")
    teacher_at(w, school_d)  # D: no enrollment -> den 0
    enrol(teacher=w.teacher_a, course=runs["2025"], satisfaction=5)
    enrol(teacher=w.teacher_a, course=runs["2025b"], satisfaction=2)  # a second enrollment counts too
    enrol(teacher=a2, course=runs["2025"], satisfaction=4)
    enrol(teacher=a3, course=runs["2025"], satisfaction=3)
    enrol(teacher=a4, course=runs["2025"], satisfaction=None)  # no satisfaction given: not in den
    enrol(teacher=a5, course=runs["2024"], satisfaction=5)  # run ended in 2024
    enrol(teacher=a5, course=runs["2026"], satisfaction=1)  # run ends in 2026
    enrol(teacher=w.teacher_c, course=runs["2025"], satisfaction=4, status="отчислен")  # counts (choice)
    enrol(teacher=w.teacher_b, course=runs["2025"], satisfaction=1)
    enrol(teacher=leaver(w), course=runs["2025"], satisfaction=5)  # not on the roster

    compute_period(period=w.period, directions=[3])
    assert value("3.14", "school", A) == (2, 4, pct("50.00"))  # (5, 4) of (5, 2, 4, 3)
    assert value("3.14", "school", C) == (1, 1, pct("100.00"))
    assert value("3.14", "school", B) == (0, 1, pct("0.00"))
    assert value("3.14", "school", "000004") == (0, 0, None)
    # m1 = (2 + 1) / (4 + 1) = 60.00, not the mean of 50 and 100 (75).
    assert value("3.14", "municipality", M1) == (3, 5, pct("60.00"))
    assert value("3.14", "municipality", M2) == (0, 1, pct("0.00"))
    assert value("3.14", "region", REGION) == (3, 6, pct("50.00"))


def test_3_15_completed_with_attestation_among_all_enrollments(world, runs):
    w = world
    enrol = factories.EnrollmentFactory
    a2, a3, a4, a5 = (teacher_at(w, w.school_a) for _ in range(4))
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004")
    teacher_at(w, school_d)  # D: no enrollment -> den 0
    enrol(teacher=w.teacher_a, course=runs["2025"])  # completed + attestation
    enrol(teacher=w.teacher_a, course=runs["2025b"])  # a second enrollment: counted again
    enrol(teacher=a2, course=runs["2025"], final_attestation=False)  # completed, no attestation
    enrol(teacher=a3, course=runs["2025"], status="отчислен", final_attestation=False)  # expelled: den only
    enrol(teacher=a4, course=runs["2025"], status="зачислен", final_attestation=False)  # still enrolled: den only
    enrol(teacher=a5, course=runs["2024"])  # run ended in 2024
    enrol(teacher=a5, course=runs["2026"])  # run ends in 2026
    enrol(teacher=w.teacher_c, course=runs["2025"])
    enrol(teacher=w.teacher_b, course=runs["2025"], status="отчислен", final_attestation=True)  # expelled: no
    enrol(teacher=leaver(w), course=runs["2025"])  # not on the roster

    compute_period(period=w.period, directions=[3])
    assert value("3.15", "school", A) == (2, 5, pct("40.00"))  # teacher_a x2 of 5 enrollments
    assert value("3.15", "school", C) == (1, 1, pct("100.00"))
    assert value("3.15", "school", B) == (0, 1, pct("0.00"))
    assert value("3.15", "school", "000004") == (0, 0, None)
    # m1 = (2 + 1) / (5 + 1) = 50.00, not the mean of 40 and 100 (70).
    assert value("3.15", "municipality", M1) == (3, 6, pct("50.00"))
    assert value("3.15", "municipality", M2) == (0, 1, pct("0.00"))
    assert value("3.15", "region", REGION) == (3, 7, pct("42.86"))  # 3 / 7 = 42.857…


# ---------------------------------------------------------------------------
# 3.16
# ---------------------------------------------------------------------------


def test_3_16_teachers_without_pedagogical_education_who_completed_retraining(world):
    w = world
    enrol = factories.EnrollmentFactory
    pp = factories.ProgramFactory(kind="ПП", hours=260)
    pk = factories.ProgramFactory(kind="ПК")
    pp_2025 = run(pp)
    pp_2023 = run(pp, start=D(2023, 1, 10), end=D(2023, 6, 30))
    pp_2026 = run(pp, start=D(2025, 9, 1), end=D(2026, 3, 1))
    pk_2025 = run(pk)

    def no_ped(school):
        return teacher_at(w, school, pedagogical_education=False)

    n1, n2, n3, n4, n5 = (no_ped(w.school_a) for _ in range(5))
    enrol(teacher=n1, course=pp_2025)  # yes
    enrol(teacher=n2, course=pp_2023)  # yes: ended before the period
    enrol(teacher=n3, course=pp_2026)  # ends after the period: no
    enrol(teacher=n4, course=pp_2025, status="отчислен")  # expelled: no
    enrol(teacher=n5, course=pk_2025)  # not a retraining program: no
    enrol(teacher=w.teacher_a, course=pp_2025)  # has pedagogical education: neither num nor den
    no_ped(w.school_c)  # C: den only
    b1 = no_ped(w.school_b)
    enrol(teacher=b1, course=run(pp, start=D(2024, 2, 1), end=D(2024, 5, 1)))
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004")
    teacher_at(w, school_d)  # D: everyone has pedagogical education -> den 0

    compute_period(period=w.period, directions=[3])
    assert value("3.16", "school", A) == (2, 5, pct("40.00"))  # n1, n2 of n1..n5
    assert value("3.16", "school", C) == (0, 1, pct("0.00"))
    assert value("3.16", "school", B) == (1, 1, pct("100.00"))
    assert value("3.16", "school", "000004") == (0, 0, None)
    # m1 = 2 / (5 + 1) = 33.33, not the mean of 40 and 0 (20).
    assert value("3.16", "municipality", M1) == (2, 6, pct("33.33"))
    assert value("3.16", "municipality", M2) == (1, 1, pct("100.00"))
    assert value("3.16", "region", REGION) == (3, 7, pct("42.86"))


def test_each_flag_share_reads_its_own_flag(world):
    """Program k (k = 0…12) carries the first k flags, so flag i is set on 12 − i programs:
    every flag has its own count and no share can be read from another flag."""
    from indicators.definitions.d3 import FLAG_INDICATORS

    flags = [flag for _, _, flag in FLAG_INDICATORS]
    for k in range(len(flags)):
        program = factories.ProgramFactory(**{flag: True for flag in flags[:k]})
        factories.CourseRunFactory(program=program, start=dt.date(2025, 2, 1), end=dt.date(2025, 3, 1))
    compute_period(period=world.period, directions=[3])
    total = len(flags)
    for i, (code, _, _) in enumerate(FLAG_INDICATORS):
        expected = total - 1 - i
        numerator, denominator, _ = value(code, "region", "34")
        assert (numerator, denominator) == (Decimal(expected), Decimal(total)), code
