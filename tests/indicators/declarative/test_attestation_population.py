"""The attestation register as a population, and the shipped АТ.1 (share attested in the period) counted by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.context import Context
from indicators.declarative.compiler import conditions_q, population_rows
from indicators.declarative.files import catalog_load
from indicators.declarative.services import catalog_adopt
from indicators.declarative.shipped import SHIPPED_DIR
from indicators.declarative.spec import validate
from indicators.declarative.vocabulary import POPULATIONS
from indicators.engine import compute_period
from indicators.models import Level
from monitoring.models import Attestation, AttestationResult
from tests import factories
from tests.indicators.helpers import value

pytestmark = pytest.mark.django_db

ASSIGNED, REFUSED, PENDING, WITHDRAWN = (
    AttestationResult.ASSIGNED,
    AttestationResult.REFUSED,
    AttestationResult.PENDING,
    AttestationResult.WITHDRAWN,
)


def teacher_at(period, school):
    teacher = factories.TeacherFactory()
    factories.RosterEntryFactory(period=period, teacher=teacher, school=school)
    return teacher


def attest(period, teacher, applied: str, decided: str | None, result: str, category: str = "первая"):
    return Attestation.objects.create(
        period=period,
        teacher=teacher,
        category=category,
        applied_on=dt.date.fromisoformat(applied),
        decided_on=dt.date.fromisoformat(decided) if decided else None,
        result=result,
    )


@pytest.fixture
def register(world):
    """The 2025 roster: school A (M1) teacher_a, a2, a3, a4; school B (M2) teacher_b, b2; school C (M1) teacher_c.

    Attested in 2025 (result «установлена», decided in 2025): teacher_a (twice: first, then highest — one
    teacher) and teacher_b (at school A in 2024, at B in 2025: placed at B). Not counted: a2 refused, a3
    decided in January 2026, a4 pending, b2 withdrawn, teacher_c decided in December 2024, and a teacher of
    the 2024 roster only, attested in 2025 under the 2024 period.
    """
    w = world
    period = w.period
    earlier = factories.PeriodFactory(year=2024)
    factories.RosterEntryFactory(period=earlier, teacher=w.teacher_b, school=w.school_a)
    a2, a3, a4 = (teacher_at(period, w.school_a) for _ in range(3))
    b2 = teacher_at(period, w.school_b)
    gone = teacher_at(earlier, w.school_a)
    rows = {
        "a_first": attest(period, w.teacher_a, "2025-01-15", "2025-03-12", ASSIGNED),
        "a_highest": attest(period, w.teacher_a, "2025-09-01", "2025-10-20", ASSIGNED, "высшая"),
        "a2": attest(period, a2, "2025-02-01", "2025-04-01", REFUSED),
        "a3": attest(period, a3, "2025-12-01", "2026-01-15", ASSIGNED),
        "a4": attest(period, a4, "2025-11-01", None, PENDING),
        "b": attest(period, w.teacher_b, "2025-03-01", "2025-05-20", ASSIGNED, "высшая"),
        "b2": attest(period, b2, "2025-03-01", "2025-03-02", WITHDRAWN),
        "c": attest(period, w.teacher_c, "2024-11-01", "2024-12-20", ASSIGNED),
        "gone": attest(earlier, gone, "2025-01-10", "2025-02-10", ASSIGNED),
    }
    return w, rows


def matched(world, *conditions) -> set:
    spec = validate(
        {
            "code": "Т",
            "title": "Проверка",
            "direction": 7,
            "unit": "count",
            "population": "attestations",
            "numerator": list(conditions),
        }
    )
    population = POPULATIONS["attestations"]
    ctx = Context(period=world.period)
    rows = population_rows(ctx, population)
    where = conditions_q(ctx, population, spec["numerator"])
    if where is not None:
        rows = rows.filter(where)
    return set(rows.values_list("pk", flat=True))


def pks(rows: dict, *names) -> set:
    return {rows[n].pk for n in names}


def test_the_population_is_the_periods_register_with_its_fields(register):
    world, rows = register
    everything = matched(world)
    assert everything == pks(rows, "a_first", "a_highest", "a2", "a3", "a4", "b", "b2", "c")  # not 2024's
    assert matched(world, {"field": "result", "op": "in", "value": [ASSIGNED]}) == pks(
        rows, "a_first", "a_highest", "a3", "b", "c"
    )
    decided_in_2025 = pks(rows, "a_first", "a_highest", "a2", "b", "b2")
    assert matched(world, {"field": "decided_on", "op": "in_period"}) == decided_in_2025
    assert matched(world, {"field": "decided_on", "op": "empty"}) == pks(rows, "a4")
    assert matched(world, {"field": "category", "op": "in", "value": ["высшая"]}) == pks(rows, "a_highest", "b")
    assert matched(world, {"field": "applied_on", "op": "before_period"}) == pks(rows, "c")


def test_the_shipped_share_attested_in_the_period_equals_a_hand_count(register):
    world, _ = register
    catalog = catalog_load(data=(SHIPPED_DIR / "attestation.json").read_bytes(), user=None)
    catalog_adopt(period=world.period, catalog=catalog, user=None, compute=False)
    compute_period(period=world.period)
    p = world.period
    # School A: teacher_a of 4 (a2 refused, a3 decided in 2026, a4 pending); B: teacher_b of 2; C: 0 of 1.
    assert value(p, "АТ.1", Level.SCHOOL, world.school_a.code) == (Decimal(1), Decimal(4), Decimal(25))
    assert value(p, "АТ.1", Level.SCHOOL, world.school_b.code) == (Decimal(1), Decimal(2), Decimal(50))
    assert value(p, "АТ.1", Level.SCHOOL, world.school_c.code) == (Decimal(0), Decimal(1), Decimal(0))
    # M1: schools A and C, 1 of 5; M2: school B, 1 of 2; the region 2 of 7.
    assert value(p, "АТ.1", Level.MUNICIPALITY, world.m1.code) == (Decimal(1), Decimal(5), Decimal(20))
    assert value(p, "АТ.1", Level.MUNICIPALITY, world.m2.code) == (Decimal(1), Decimal(2), Decimal(50))
    num, den, share = value(p, "АТ.1", Level.REGION, world.m1.region.code)
    assert (num, den) == (Decimal(2), Decimal(7))
    assert share == pytest.approx(Decimal("28.57"), abs=Decimal("0.01"))
