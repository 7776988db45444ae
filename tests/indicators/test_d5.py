"""Direction 5 (expert work) on hand-counted data sets.

The world (period 2025): school A (m1) with teacher_a, school C (m1) with teacher_c,
school B (m2) with teacher_b. A "leaver" is on the 2024 roster of school A only: their
records must count nowhere in 2025.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
import pytest

from indicators.engine import compute_chunk, compute_period, compute_region, definitions_for
from indicators.models import IndicatorValue
from monitoring.models import ExpertRole, Municipality
from tests import factories
from tests.indicators.helpers import stored as value

pytestmark = pytest.mark.django_db

D = dt.date
REGION = "34"
A, C, B = "000001", "000003", "000002"
M1, M2 = "01", "02"


class ExpertRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertRole

    period = factory.SubFactory(factories.PeriodFactory)
    teacher = factory.SubFactory(factories.TeacherFactory)
    kind = "ЕГЭ"
    subject = "Математика"


def teacher_at(world, school, **roster):
    return factories.RosterEntryFactory(period=world.period, school=school, **roster).teacher


def leaver(world):
    return factories.RosterEntryFactory(period=factories.PeriodFactory(year=2024), school=world.school_a).teacher


@pytest.fixture
def experts(world):
    w = world
    role = ExpertRoleFactory
    p2024 = factories.PeriodFactory(year=2024)
    a2, a3, _a4 = (teacher_at(w, w.school_a) for _ in range(3))  # a4: no role
    teacher_at(w, w.school_c)  # c2: no role
    role(period=w.period, teacher=w.teacher_a, kind="ЕГЭ", subject="Математика")
    role(period=w.period, teacher=w.teacher_a, kind="ЕГЭ", subject="Физика")
    role(period=w.period, teacher=w.teacher_a, kind="ОГЭ", subject="Математика")
    role(period=w.period, teacher=a2, kind="ЕГЭ", subject="Математика")
    role(period=w.period, teacher=a3, kind="аттестация", subject="")
    role(period=p2024, teacher=w.teacher_c, kind="ЕГЭ", subject="Математика")  # another period
    role(period=w.period, teacher=w.teacher_b, kind="ЕГЭ", subject="Физика")
    role(period=w.period, teacher=w.teacher_b, kind="ОГЭ", subject="Русский язык")
    role(period=w.period, teacher=leaver(w), kind="ЕГЭ", subject="Математика")  # not on the roster
    role(period=w.period, teacher=leaver(w), kind="ОГЭ", subject="Химия")  # not on the roster
    factories.SchoolFactory(municipality=w.m2, code="000004")  # D: nobody on the roster
    return w


def rows(code: str, level: str, org: str) -> dict[str, tuple]:
    return {
        v.breakdown: (v.numerator, v.value)
        for v in IndicatorValue.objects.filter(indicator__code=code, level=level, org_code=org)
    }


def test_5_1_ege_experts_by_subject(experts):
    compute_period(period=experts.period, directions=[5])
    math, phys = "subject=Математика", "subject=Физика"
    assert value("5.1", "school", A, math) == (2, None, 2)  # teacher_a, a2
    assert value("5.1", "school", A, phys) == (1, None, 1)  # teacher_a
    assert value("5.1", "school", B, phys) == (1, None, 1)
    assert rows("5.1", "school", A) == {math: (2, 2), phys: (1, 1)}  # no total row, no ОГЭ subject
    assert rows("5.1", "school", C) == {}  # teacher_c's role is of 2024
    assert rows("5.1", "municipality", M1) == {math: (2, 2), phys: (1, 1)}
    assert rows("5.1", "municipality", M2) == {phys: (1, 1)}
    assert rows("5.1", "region", REGION) == {math: (2, 2), phys: (2, 2)}  # the leaver counts nowhere


def test_5_2_oge_experts_by_subject(experts):
    compute_period(period=experts.period, directions=[5])
    assert rows("5.2", "school", A) == {"subject=Математика": (1, 1)}
    assert rows("5.2", "school", B) == {"subject=Русский язык": (1, 1)}
    assert rows("5.2", "municipality", M1) == {"subject=Математика": (1, 1)}
    assert rows("5.2", "region", REGION) == {"subject=Математика": (1, 1), "subject=Русский язык": (1, 1)}


def test_5_3_share_of_teachers_with_any_expert_role(experts):
    compute_period(period=experts.period, directions=[5])
    assert value("5.3", "school", A) == (3, 4, Decimal("75.00"))  # teacher_a, a2, a3 of 4
    assert value("5.3", "school", C) == (0, 2, Decimal("0.00"))  # teacher_c's role is of 2024
    assert value("5.3", "school", B) == (1, 1, Decimal("100.00"))
    assert value("5.3", "school", "000004") == (0, 0, None)
    # m1 = 3 / (4 + 2) = 50.00, not the mean of 75 and 0 (37.5).
    assert value("5.3", "municipality", M1) == (3, 6, Decimal("50.00"))
    assert value("5.3", "municipality", M2) == (1, 1, Decimal("100.00"))
    assert value("5.3", "region", REGION) == (4, 7, Decimal("57.14"))  # 4 / 7 = 57.142…


def test_5_4_share_of_teachers_with_expert_work_in_an_active_route(world):
    w = world
    act = factories.RouteActivityFactory
    expert = "экспертная деятельность"
    a2, a3, a4 = (teacher_at(w, w.school_a) for _ in range(3))
    act(route=factories.RouteFactory(teacher=w.teacher_a), kind=expert, due=D(2026, 1, 20))  # yes, due in 2026
    act(route=factories.RouteFactory(teacher=a2), kind="самообразование")  # active route, no expert work
    old = {"start": D(2023, 1, 1), "end": D(2024, 12, 31)}
    act(route=factories.RouteFactory(teacher=a3, **old), kind=expert)  # route over: not in den
    factories.RouteFactory(teacher=a4, status="draft")  # active, nothing in it: den only
    act(route=factories.RouteFactory(teacher=a4, **old), kind=expert)  # expert work in the old route only
    r_c = factories.RouteFactory(teacher=w.teacher_c, status="draft", based_on_diagnostic=False)
    act(route=r_c, kind=expert)
    act(route=factories.RouteFactory(teacher=leaver(w)), kind=expert)  # not on the roster
    # teacher_b: no route -> B's den is 0

    compute_period(period=w.period, directions=[5])
    assert value("5.4", "school", A) == (1, 3, Decimal("33.33"))  # teacher_a of (teacher_a, a2, a4)
    assert value("5.4", "school", C) == (1, 1, Decimal("100.00"))
    assert value("5.4", "school", B) == (0, 0, None)
    # m1 = (1 + 1) / (3 + 1) = 50.00, not the mean of 33.33 and 100 (66.67).
    assert value("5.4", "municipality", M1) == (2, 4, Decimal("50.00"))
    assert value("5.4", "municipality", M2) == (0, 0, None)
    assert value("5.4", "region", REGION) == (2, 4, Decimal("50.00"))


def test_chunks_by_municipality_give_the_same_rows_as_one_pass(experts):
    def snapshot():
        return {
            (v.indicator.code, v.level, v.org_code, v.breakdown): (v.numerator, v.denominator, v.value)
            for v in IndicatorValue.objects.select_related("indicator")
        }

    w = experts
    compute_period(period=w.period, directions=[5])
    whole = snapshot()
    IndicatorValue.objects.all().delete()
    definitions = definitions_for(w.period, [5])
    for m in Municipality.objects.all():
        compute_chunk(period=w.period, definitions=definitions, municipality_ids=[m.pk])
    compute_region(period=w.period, definitions=definitions)
    assert snapshot() == whole
    assert whole[("5.1", "region", REGION, "subject=Физика")] == (2, None, 2)
