"""People: the roster's and the users' invariants (see refusal.py), the named roster querysets
of the spec's definitions (ages, categories, part-time) and the СНИЛС control number.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from monitoring import models
from tests import factories
from tests.monitoring.models.refusal import refused

pytestmark = pytest.mark.django_db


def test_one_roster_row_per_teacher_and_period():
    entry = factories.RosterEntryFactory()
    dup = factories.RosterEntryFactory.build(period=entry.period, teacher=entry.teacher, school=entry.school)
    refused(dup, "Педагог уже есть в списке этого периода.")


def test_roster_workload_must_be_positive():
    entry = factories.RosterEntryFactory.build(
        period=factories.PeriodFactory(),
        teacher=factories.TeacherFactory(),
        school=factories.SchoolFactory(),
        workload=Decimal("0"),
    )
    refused(entry, "Ставка должна быть больше нуля.")


def test_same_teacher_on_two_periods_is_allowed():
    entry = factories.RosterEntryFactory()
    nxt = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=nxt, teacher=entry.teacher, school=entry.school).full_clean()


def test_school_head_needs_school():
    user = models.User(username="h", role=models.Role.SCHOOL_HEAD)
    user.set_unusable_password()
    refused(user, "Для руководителя ОО нужно указать образовательную организацию.")


def test_municipal_official_needs_municipality():
    user = models.User(username="m", role=models.Role.MUNICIPAL)
    user.set_unusable_password()
    refused(user, "Для специалиста муниципалитета нужно указать муниципалитет.")


# --- Named querysets for the spec's definitions --------------------------------


def _entry(period, *, birth: dt.date, sex: str = "Ж", **kwargs):
    teacher = factories.TeacherFactory(birth_date=birth, sex=sex)
    return factories.RosterEntryFactory(period=period, teacher=teacher, **kwargs)


def test_young_is_under_35_at_reference_date():
    period = factories.PeriodFactory(year=2025)  # reference date 2025-12-31
    turns_35_on_reference_date = _entry(period, birth=dt.date(1990, 12, 31))
    turns_35_next_day = _entry(period, birth=dt.date(1991, 1, 1))
    old = _entry(period, birth=dt.date(1970, 1, 1))
    young = set(models.RosterEntry.objects.young(period=period))
    assert turns_35_next_day in young
    assert turns_35_on_reference_date not in young
    assert old not in young
    assert turns_35_on_reference_date.teacher.age_at(period.reference_date) == 35


def test_young_respects_the_periods_threshold_and_reference_date():
    period = factories.PeriodFactory(year=2025, reference_date=dt.date(2025, 9, 1), young_age_limit=30)
    twenty_nine = _entry(period, birth=dt.date(1995, 9, 2))
    thirty = _entry(period, birth=dt.date(1995, 9, 1))
    assert list(models.RosterEntry.objects.young(period=period)) == [twenty_nine]
    assert thirty.teacher.age_at(period.reference_date) == 30


def test_pension_age_differs_by_sex():
    period = factories.PeriodFactory(year=2025)
    woman_60 = _entry(period, birth=dt.date(1965, 12, 31), sex="Ж")
    woman_59 = _entry(period, birth=dt.date(1966, 1, 1), sex="Ж")
    man_64 = _entry(period, birth=dt.date(1961, 1, 1), sex="М")
    man_65 = _entry(period, birth=dt.date(1960, 12, 31), sex="М")
    pension = set(models.RosterEntry.objects.pension_age(period=period))
    assert pension == {woman_60, man_65}
    assert woman_59 not in pension and man_64 not in pension


def test_leap_day_birthday_is_reached_on_28_february_of_a_common_year():
    period = factories.PeriodFactory(year=2027, reference_date=dt.date(2027, 2, 28))
    born_leap = _entry(period, birth=dt.date(1992, 2, 29))
    day_before = models.MonitoringPeriod(year=2027, reference_date=dt.date(2027, 2, 27))
    assert born_leap.teacher.age_at(period.reference_date) == 35
    assert born_leap.teacher.age_at(day_before.reference_date) == 34
    assert born_leap not in set(models.RosterEntry.objects.young(period=period))
    assert born_leap in set(models.RosterEntry.objects.young(period=day_before))


def test_valid_category_is_within_five_years_both_ends_included():
    period = factories.PeriodFactory(year=2025)  # reference 2025-12-31
    exactly_five = _entry(period, birth=dt.date(1980, 1, 1), category="первая", category_date=dt.date(2020, 12, 31))
    one_day_older = _entry(period, birth=dt.date(1980, 1, 1), category="высшая", category_date=dt.date(2020, 12, 30))
    on_reference = _entry(period, birth=dt.date(1980, 1, 1), category="высшая", category_date=dt.date(2025, 12, 31))
    after_reference = _entry(period, birth=dt.date(1980, 1, 1), category="высшая", category_date=dt.date(2026, 1, 1))
    no_date = _entry(period, birth=dt.date(1980, 1, 1), category="первая", category_date=None)
    none_category = _entry(period, birth=dt.date(1980, 1, 1), category="нет", category_date=dt.date(2024, 1, 1))
    valid = set(models.RosterEntry.objects.valid_category(period=period))
    assert valid == {exactly_five, on_reference}
    assert not valid & {one_day_older, after_reference, no_date, none_category}


def test_part_time():
    period = factories.PeriodFactory()
    main = _entry(period, birth=dt.date(1980, 1, 1))
    extra = _entry(period, birth=dt.date(1980, 1, 1), part_time=True)
    assert list(models.RosterEntry.objects.part_time()) == [extra]
    assert list(models.RosterEntry.objects.not_part_time()) == [main]


@pytest.mark.parametrize(
    ("snils", "valid"),
    [
        ("112-233-445 95", True),
        ("11223344595", True),
        ("112-233-445 96", False),
        ("1122334459", False),
        ("001-001-997 00", True),  # numbers up to 001-001-998 are not checked
        ("abc", False),
    ],
)
def test_snils_control_number(snils, valid):
    assert models.snils_is_valid(snils) is valid
