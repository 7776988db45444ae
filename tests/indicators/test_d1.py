"""Direction 1 on a hand-counted region: who is diagnosed, the latest diagnostic, the DPO catalog.

The world (period 2025): school A (m1): teachers A and D; school C (m1): teacher C;
school B (m2): teacher B.
    A: an entry diagnostic on 2025-03-01 with ИКТ 22 (допустимый), then an intermediate
       one on 2025-10-01 with every group optimal — the latest counts;
    B: 2025-05-01 with МЕТ 12 (пороговый), the rest optimal;
    C: dated 2024-12-31 only (another period);  D: a draft, never submitted.
"""

from __future__ import annotations

import datetime as dt

import pytest

from deficits.models import Diagnostic
from indicators.context import Context
from indicators.definitions.d1 import latest
from indicators.engine import compute_period
from indicators.models import IndicatorValue
from tests import factories
from tests.indicators.helpers import d, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(world):
    w = world
    teacher_d = factories.RosterEntryFactory(period=w.period, school=w.school_a).teacher
    # Teacher A worked at school B the year before: only this period's school counts.
    factories.RosterEntryFactory(period=factories.PeriodFactory(year=2024), teacher=w.teacher_a, school=w.school_b)
    factories.DiagnosticFactory(teacher=w.teacher_a, date=dt.date(2025, 3, 1), submit=True, scores={"ИКТ": 22})
    factories.DiagnosticFactory(teacher=w.teacher_a, date=dt.date(2025, 10, 1), kind="промежуточная", submit=True)
    factories.DiagnosticFactory(teacher=w.teacher_b, date=dt.date(2025, 5, 1), submit=True, scores={"МЕТ": 12})
    factories.DiagnosticFactory(teacher=w.teacher_c, date=dt.date(2024, 12, 31), submit=True, scores={"МЕТ": 10})
    factories.DiagnosticFactory(teacher=teacher_d, date=dt.date(2025, 6, 1), scores={"МЕТ": 10})  # a draft

    # The catalog: runs ending in 2025 of providers P1 (twice) and one ending in 2026 of P2.
    p1 = factories.ProviderFactory(name="П1")
    p2 = factories.ProviderFactory(name="П2")
    prog1 = factories.ProgramFactory(provider=p1, positions=["учитель"])
    prog2 = factories.ProgramFactory(provider=p2, positions=["учитель"])
    prog3 = factories.ProgramFactory(provider=p1, positions=["учитель", "воспитатель"])
    run1 = factories.CourseRunFactory(
        program=prog1, start=dt.date(2025, 3, 1), end=dt.date(2025, 4, 1), by_school_request=True
    )
    run2 = factories.CourseRunFactory(program=prog2, start=dt.date(2025, 12, 1), end=dt.date(2026, 1, 20))
    run3 = factories.CourseRunFactory(program=prog3, start=dt.date(2025, 5, 1), end=dt.date(2025, 6, 1))
    factories.EnrollmentFactory(teacher=w.teacher_a, course=run1)
    factories.EnrollmentFactory(teacher=w.teacher_a, course=run3)  # same provider: A counts once for П1
    factories.EnrollmentFactory(teacher=w.teacher_b, course=run2)  # ends in 2026: not this period
    factories.EnrollmentFactory(teacher=w.teacher_c, course=run1)
    factories.EnrollmentFactory(teacher=factories.TeacherFactory(), course=run1)  # not on the roster
    compute_period(period=w.period, directions=[1])
    return w


def test_1_1_and_1_2_count_submitted_diagnostics_dated_in_the_period(region):
    p = region.period
    assert value(p, "1.1", "school", "000001") == (d(1), None, d(1))  # A; D's is a draft
    assert value(p, "1.1", "school", "000003") == (d(0), None, d(0))  # C's is dated 2024
    assert value(p, "1.1", "region", "34") == (d(2), None, d(2))
    assert value(p, "1.2", "school", "000001") == (d(1), d(2), d("50.00"))
    assert value(p, "1.2", "school", "000003") == (d(0), d(1), d("0.00"))
    assert value(p, "1.2", "municipality", "01") == (d(1), d(3), d("33.33"))  # not the mean of 50 and 0
    assert value(p, "1.2", "municipality", "02") == (d(1), d(1), d("100.00"))
    assert value(p, "1.2", "region", "34") == (d(2), d(4), d("50.00"))


def test_1_7_to_1_9_use_the_latest_diagnostic(region):
    p = region.period
    # A's latest (October) has no deficit; B has one in МЕТ.
    assert value(p, "1.7", "school", "000001", "group=ИКТ") == (d(0), d(1), d("0.00"))
    assert value(p, "1.7", "school", "000002", "group=МЕТ") == (d(1), d(1), d("100.00"))
    assert value(p, "1.7", "school", "000002", "group=ИКТ") == (d(0), d(1), d("0.00"))  # not A's old school
    assert value(p, "1.7", "region", "34", "group=МЕТ") == (d(1), d(2), d("50.00"))
    assert value(p, "1.7", "region", "34", "group=ИКТ") == (d(0), d(2), d("0.00"))
    # School C has nobody diagnosed: its group rows exist with den = 0 and no value.
    assert value(p, "1.7", "school", "000003", "group=МЕТ") == (d(0), d(0), None)
    assert value(p, "1.8", "region", "34", "group=МЕТ;level=пороговый") == (d(1), d(2), d("50.00"))
    assert value(p, "1.8", "region", "34", "group=ИКТ;level=оптимальный") == (d(2), d(2), d("100.00"))
    assert value(p, "1.8", "region", "34", "group=ИКТ;level=допустимый") == (d(0), d(2), d("0.00"))
    assert IndicatorValue.objects.filter(period=p, indicator__code="1.8", level="region").count() == 18
    assert value(p, "1.9", "school", "000001") == (d(0), d(1), d("0.00"))
    assert value(p, "1.9", "region", "34") == (d(1), d(2), d("50.00"))


def test_1_3_to_1_6_the_catalog_of_the_period(region):
    p = region.period
    assert value(p, "1.3", "region", "34") == (d(1), None, d(1))  # only П1 has a run ending in 2025
    assert value(p, "1.4", "region", "34", "position=учитель") == (d(2), None, d(2))  # programs 1 and 3
    assert value(p, "1.4", "region", "34", "position=воспитатель") == (d(1), None, d(1))
    assert not IndicatorValue.objects.filter(indicator__code="1.4", level="school").exists()  # from: region
    assert value(p, "1.5", "school", "000001", "provider=П1") == (d(1), None, d(1))
    assert value(p, "1.5", "municipality", "01", "provider=П1") == (d(2), None, d(2))  # A and C
    assert value(p, "1.5", "region", "34", "provider=П1") == (d(2), None, d(2))  # not the one off the roster
    assert not IndicatorValue.objects.filter(indicator__code="1.5", breakdown="provider=П2").exists()
    assert not IndicatorValue.objects.filter(indicator__code="1.5", org_code__in=["000002", "02"]).exists()
    assert value(p, "1.6", "region", "34") == (d(1), d(2), d("50.00"))


def test_1_8_levels_at_the_band_edges(world):
    """Scores 19/20 and 29/30 fall on either side of a band edge (пороговый 10–19, допустимый
    20–29, оптимальный 30–40); four teachers of school A, one score each in ИКТ."""
    teachers = [factories.RosterEntryFactory(period=world.period, school=world.school_a).teacher for _ in range(4)]
    for teacher, score in zip(teachers, (19, 20, 29, 30), strict=True):
        factories.DiagnosticFactory(teacher=teacher, date=dt.date(2025, 4, 1), submit=True, scores={"ИКТ": score})
    compute_period(period=world.period, directions=[1])
    p = world.period
    assert value(p, "1.8", "school", "000001", "group=ИКТ;level=пороговый") == (d(1), d(4), d("25.00"))
    assert value(p, "1.8", "school", "000001", "group=ИКТ;level=допустимый") == (d(2), d(4), d("50.00"))
    assert value(p, "1.8", "school", "000001", "group=ИКТ;level=оптимальный") == (d(1), d(4), d("25.00"))
    assert value(p, "1.7", "school", "000001", "group=ИКТ") == (d(3), d(4), d("75.00"))  # 30 is not a deficit


def test_the_latest_diagnostics_of_a_chunk_are_its_rostered_teachers_ones_only(region):
    """A chunk picks the latest diagnostics among its own teachers' (not the country's), the same ones."""
    w = region
    whole = {r["pk"] for r in latest(Context(period=w.period))}
    m1 = {r["pk"] for r in latest(Context(period=w.period, municipality_ids=[w.m1.pk]))}
    m2 = {r["pk"] for r in latest(Context(period=w.period, municipality_ids=[w.m2.pk]))}
    a_october = Diagnostic.objects.get(teacher=w.teacher_a, date=dt.date(2025, 10, 1)).pk
    b_may = Diagnostic.objects.get(teacher=w.teacher_b).pk
    assert m1 == {a_october}  # A's latest; B, rostered in m2, is not read
    assert m2 == {b_may}
    assert whole == {a_october, b_may}
