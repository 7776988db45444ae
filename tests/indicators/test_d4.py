"""Direction 4 (digital environment) on hand-counted data sets.

The world (period 2025): school A (m1) with teacher_a, school C (m1) with teacher_c,
school B (m2) with teacher_b. A "leaver" is on the 2024 roster of school A only: their
records must count nowhere in 2025.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
import pytest

from indicators.engine import compute_period
from indicators.models import IndicatorValue
from iom.models import PROGRAM_FLAGS
from monitoring.models import DigitalEnvironmentScore
from tests import factories
from tests.indicators.helpers import stored as value

pytestmark = pytest.mark.django_db

D = dt.date
REGION = "34"
A, C, B = "000001", "000003", "000002"
M1, M2 = "01", "02"


class DigitalScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DigitalEnvironmentScore

    period = factory.SubFactory(factories.PeriodFactory)
    school = factory.SubFactory(factories.SchoolFactory)
    infrastructure = 2
    tools = 2
    usage = 2
    professional_development = 2


def teacher_at(world, school, **roster):
    return factories.RosterEntryFactory(period=world.period, school=school, **roster).teacher


def leaver(world):
    return factories.RosterEntryFactory(period=factories.PeriodFactory(year=2024), school=world.school_a).teacher


def run(program, start=None, end=None):
    """A course run, by default 2025-03-01 to 2025-03-20."""
    return factories.CourseRunFactory(program=program, start=start or D(2025, 3, 1), end=end or D(2025, 3, 20))


def test_4_1_share_of_e_learning_programs_among_programs_of_the_period(world):
    everything = dict.fromkeys(PROGRAM_FLAGS, True)
    p1 = factories.ProgramFactory(e_learning=True)
    run(p1)
    p2 = factories.ProgramFactory(**{**everything, "e_learning": False})  # every other flag
    run(p2)
    run(p2, start=D(2025, 6, 1), end=D(2025, 6, 20))  # two runs: counted once
    run(factories.ProgramFactory())
    run(factories.ProgramFactory(e_learning=True), start=D(2025, 12, 1), end=D(2025, 12, 31))
    run(factories.ProgramFactory(e_learning=True), start=D(2024, 1, 1), end=D(2024, 1, 31))  # ended in 2024
    run(factories.ProgramFactory(e_learning=True), start=D(2025, 12, 1), end=D(2026, 1, 31))  # ends in 2026
    factories.ProgramFactory(e_learning=True)  # no run

    compute_period(period=world.period, directions=[4])
    # Programs of the period: p1, p2, plain, Dec 31 -> 4; e-learning: p1, Dec 31 -> 2.
    assert value("4.1", "region", REGION) == (2, 4, Decimal("50.00"))
    assert not IndicatorValue.objects.filter(indicator__code="4.1").exclude(level="region").exists()


def test_4_1_is_empty_without_programs(world):
    compute_period(period=world.period, directions=[4])
    assert value("4.1", "region", REGION) == (0, 0, None)


def test_4_2_counts_teachers_who_completed_an_e_learning_run_in_the_period(world):
    w = world
    enrol = factories.EnrollmentFactory
    el = factories.ProgramFactory(e_learning=True)
    plain = factories.ProgramFactory(**{**dict.fromkeys(PROGRAM_FLAGS, True), "e_learning": False})
    run1, run2 = run(el), run(el, start=D(2025, 11, 1), end=D(2025, 11, 30))
    run_2024 = run(el, start=D(2024, 11, 1), end=D(2024, 12, 31))
    run_2026 = run(el, start=D(2025, 12, 1), end=D(2026, 1, 10))
    a2, a3, a4, a5, a6 = (teacher_at(w, w.school_a) for _ in range(5))
    enrol(teacher=w.teacher_a, course=run1)
    enrol(teacher=w.teacher_a, course=run2)  # once
    enrol(teacher=a2, course=run_2024)
    enrol(teacher=a3, course=run_2026)
    enrol(teacher=a4, course=run1, status="отчислен")
    enrol(teacher=a5, course=run(plain))  # not e-learning
    enrol(teacher=a6, course=run1, status="зачислен", final_attestation=False)
    enrol(teacher=w.teacher_c, course=run2, final_attestation=False)  # completed: counts
    enrol(teacher=leaver(w), course=run1)  # not on the roster

    compute_period(period=w.period, directions=[4])
    assert value("4.2", "school", A) == (1, None, 1)  # teacher_a only
    assert value("4.2", "school", C) == (1, None, 1)
    assert value("4.2", "school", B) == (0, None, 0)
    assert value("4.2", "municipality", M1) == (2, None, 2)
    assert value("4.2", "municipality", M2) == (0, None, 0)
    assert value("4.2", "region", REGION) == (2, None, 2)


SCORES = {
    # school: (infrastructure, tools, usage, professional_development)
    "A": (4, 3, 2, 1),
    "C": (1, 0, 4, 2),
    "B": (3, 2, 0, 4),
}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # A, C, B, m1 = (A + C) / 2, m2 = B / 1 (D reported nothing), region = (A + C + B) / 3
        ("4.3", ["4.00", "1.00", "3.00", (5, 2, "2.50"), (3, 1, "3.00"), (8, 3, "2.67")]),
        ("4.4", ["3.00", "0.00", "2.00", (3, 2, "1.50"), (2, 1, "2.00"), (5, 3, "1.67")]),
        ("4.5", ["2.00", "4.00", "0.00", (6, 2, "3.00"), (0, 1, "0.00"), (6, 3, "2.00")]),
        ("4.6", ["1.00", "2.00", "4.00", (3, 2, "1.50"), (4, 1, "4.00"), (7, 3, "2.33")]),
    ],
)
def test_4_3_to_4_6_mean_score_over_the_schools_that_reported(world, code, expected):
    w = world
    schools = {"A": w.school_a, "C": w.school_c, "B": w.school_b}
    fields = ("infrastructure", "tools", "usage", "professional_development")
    for name, scores in SCORES.items():
        DigitalScoreFactory(period=w.period, school=schools[name], **dict(zip(fields, scores, strict=True)))
    # B's 2024 scores belong to another period.
    DigitalScoreFactory(period=factories.PeriodFactory(year=2024), school=w.school_b, **dict.fromkeys(fields, 1))
    school_d = factories.SchoolFactory(municipality=w.m2, code="000004")
    teacher_at(w, school_d)  # D: no score row

    compute_period(period=w.period, directions=[4])
    a, c, b, m1, m2, region = expected
    assert value(code, "school", A) == (Decimal(a), 1, Decimal(a))
    assert value(code, "school", C) == (Decimal(c), 1, Decimal(c))
    assert value(code, "school", B) == (Decimal(b), 1, Decimal(b))
    assert value(code, "school", "000004") == (0, 0, None)
    assert value(code, "municipality", M1) == (m1[0], m1[1], Decimal(m1[2]))
    assert value(code, "municipality", M2) == (m2[0], m2[1], Decimal(m2[2]))  # not (3 + 0) / 2: D did not report
    assert value(code, "region", REGION) == (region[0], region[1], Decimal(region[2]))
