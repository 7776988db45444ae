"""Direction 9 on a hand-counted region: staffing sums, roster shares, ages at the reference date.

The world (period 2025, reference date 2025-12-31):
    school A (m1): teacher A (born 1990-12-31: turns 35 that day, so not young),
                   teacher D (born 2000-06-01, young, part-time, 0.5 rate, education off profile)
    school C (m1): teacher C (woman born 1965-12-31: 60 that day, pension age)
    school B (m2): teacher B (man born 1991-01-01: 34, young),
                   teacher E (man born 1960-12-31: 65 that day, pension age)
    staffing: A 10 + 2.5 positions with 1 + 0.5 vacant, need 11 + 2, posts 1 + 1;
              B 4 positions, none vacant, need 4; C none.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.engine import compute_period
from monitoring.models import Sex
from tests import factories
from tests.indicators.helpers import d, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(world):
    w = world
    w.teacher_a.birth_date = dt.date(1990, 12, 31)
    w.teacher_a.save()
    w.teacher_b.birth_date, w.teacher_b.sex = dt.date(1991, 1, 1), Sex.MALE
    w.teacher_b.save()
    w.teacher_c.birth_date, w.teacher_c.sex = dt.date(1965, 12, 31), Sex.FEMALE
    w.teacher_c.save()
    teacher_d = factories.TeacherFactory(birth_date=dt.date(2000, 6, 1))
    factories.RosterEntryFactory(
        period=w.period,
        teacher=teacher_d,
        school=w.school_a,
        part_time=True,
        workload=Decimal("0.5"),
        education_matches_profile=False,
    )
    teacher_e = factories.TeacherFactory(birth_date=dt.date(1960, 12, 31), sex=Sex.MALE)
    factories.RosterEntryFactory(period=w.period, teacher=teacher_e, school=w.school_b)
    staffing = factories.StaffingRowFactory
    staffing(
        period=w.period, school=w.school_a, positions_by_schedule=10, vacant_positions=1, actual_need=11, vacant_posts=1
    )
    staffing(
        period=w.period,
        school=w.school_a,
        positions_by_schedule=Decimal("2.5"),
        vacant_positions=Decimal("0.5"),
        actual_need=2,
        vacant_posts=1,
    )
    staffing(
        period=w.period, school=w.school_b, positions_by_schedule=4, vacant_positions=0, actual_need=4, vacant_posts=0
    )
    # Another period's staffing must not count.
    staffing(
        period=factories.PeriodFactory(year=2024), school=w.school_b, positions_by_schedule=100, vacant_positions=50
    )
    compute_period(period=w.period, directions=[9])
    return w


def test_9_1_staffing_is_positions_minus_vacant_over_positions(region):
    p = region.period
    assert value(p, "9.1", "school", "000001") == (d("11"), d("12.5"), d("88.00"))  # (12.5 − 1.5) / 12.5
    assert value(p, "9.1", "school", "000002") == (d(4), d(4), d("100.00"))
    assert value(p, "9.1", "school", "000003") == (d(0), d(0), None)  # no staffing rows: den = 0
    assert value(p, "9.1", "municipality", "01") == (d(11), d("12.5"), d("88.00"))
    assert value(p, "9.1", "region", "34") == (d(15), d("16.5"), d("90.91"))  # 15 / 16.5 = 90.909…


def test_9_6_to_9_9_and_9_11_are_sums_over_rows(region):
    p = region.period
    assert value(p, "9.6", "school", "000001") == (d("12.5"), None, d("12.5"))
    assert value(p, "9.6", "region", "34") == (d("16.5"), None, d("16.5"))
    assert value(p, "9.7", "region", "34") == (d(17), None, d(17))  # 11 + 2 + 4
    assert value(p, "9.9", "school", "000001") == (d(2), None, d(2))
    assert value(p, "9.9", "school", "000003") == (d(0), None, d(0))
    assert value(p, "9.11", "school", "000001") == (d("1.5"), d("12.5"), d("12.00"))
    assert value(p, "9.11", "region", "34") == (d("1.5"), d("16.5"), d("9.09"))  # 9.0909…


def test_9_2_young_turning_35_on_the_reference_date_is_not_young(region):
    p = region.period
    assert value(p, "9.2", "school", "000001") == (d(1), d(2), d("50.00"))  # D only; A turns 35 that day
    assert value(p, "9.2", "school", "000003") == (d(0), d(1), d("0.00"))
    # The municipality's share is 1 of its 3 teachers, not the mean of its schools (50 and 0).
    assert value(p, "9.2", "municipality", "01") == (d(1), d(3), d("33.33"))
    assert value(p, "9.2", "school", "000002") == (d(1), d(2), d("50.00"))  # B (34); E is 65
    assert value(p, "9.2", "region", "34") == (d(2), d(5), d("40.00"))


def test_9_3_pension_age_by_sex_on_the_reference_date(region):
    p = region.period
    assert value(p, "9.3", "school", "000003") == (d(1), d(1), d("100.00"))  # woman, 60 that day
    assert value(p, "9.3", "school", "000002") == (d(1), d(2), d("50.00"))  # man, 65 that day
    assert value(p, "9.3", "school", "000001") == (d(0), d(2), d("0.00"))
    assert value(p, "9.3", "region", "34") == (d(2), d(5), d("40.00"))


def test_9_4_9_5_9_8_9_10_roster_fields(region):
    p = region.period
    assert value(p, "9.4", "school", "000001") == (d(1), d(2), d("50.00"))
    assert value(p, "9.4", "region", "34") == (d(1), d(5), d("20.00"))
    assert value(p, "9.5", "region", "34") == (d(4), d(5), d("80.00"))
    assert value(p, "9.8", "school", "000001") == (d(1), None, d(1))  # D is part-time
    assert value(p, "9.8", "region", "34") == (d(4), None, d(4))
    assert value(p, "9.10", "school", "000001") == (d("1.5"), d(2), d("0.75"))  # (1 + 0.5) / 2
    assert value(p, "9.10", "region", "34") == (d("4.5"), d(5), d("0.90"))
