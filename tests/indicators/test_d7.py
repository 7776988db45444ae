"""Direction 7 on hand-counted data: projects, mentoring, competitions, categories.

The world: period 2025 (reference date 2025-12-31), region 34; m1 (01) with schools
A (000001) and C (000003), m2 (02) with school B (000002); teacher_a, teacher_c,
teacher_b on the roster at A, C, B, all born 1980 (45, not young). Each test adds its
own teachers. Ages: born 1990-12-31 turns 35 on the reference date (not young), born
1991-01-01 is 34 (young).

Every percentage is checked at a school, a municipality and the region; schools of
different sizes show that a municipality's value is its numerators over its
denominators, never the mean of its schools' values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.catalog import definition
from indicators.context import Context
from indicators.engine import compute_period, contributions
from indicators.models import IndicatorValue, Level
from monitoring.models import (
    Category,
    CompetitionEntry,
    CompetitionLevel,
    MentoringPair,
    MentoringProgram,
    RosterEntry,
    SupportProject,
    SupportProjectParticipant,
)
from tests import factories
from tests.indicators.helpers import stored as value

pytestmark = pytest.mark.django_db

D = Decimal
TURNS_35 = dt.date(1990, 12, 31)  # 35 on 2025-12-31: not young
JUST_YOUNG = dt.date(1991, 1, 1)  # 34 on 2025-12-31: young
YOUNG = dt.date(1998, 6, 1)


def compute(world):
    compute_period(period=world.period, directions=[7])


def rostered(world, school, birth_date=dt.date(1980, 5, 17), **roster):
    """A new teacher on the 2025 roster at ``school``."""
    teacher = factories.TeacherFactory(birth_date=birth_date)
    factories.RosterEntryFactory(period=world.period, teacher=teacher, school=school, **roster)
    return teacher


def project(period, code, *teachers):
    p = SupportProject.objects.create(period=period, code=code, name=f"Проект {code}")
    for t in teachers:
        SupportProjectParticipant.objects.create(project=p, teacher=t)
    return p


def program(period, code, *, school=None, municipality=None):
    return MentoringProgram.objects.create(
        period=period, code=code, name=f"Программа {code}", school=school, municipality=municipality
    )


def entry(period, teacher, date, level=CompetitionLevel.REGIONAL, name="Педагог года"):
    return CompetitionEntry.objects.create(period=period, teacher=teacher, competition=name, level=level, date=date)


# --- 7.1 -------------------------------------------------------------------


def test_7_1_counts_the_projects_of_the_period_at_the_region_only(world):
    project(world.period, "ПР-01")
    project(world.period, "ПР-02")
    project(factories.PeriodFactory(year=2024), "ПР-01")  # another period's project
    compute(world)
    assert value("7.1", "region", "34") == (2, None, 2)
    # From: region — no school or municipality rows.
    rows = IndicatorValue.objects.filter(period=world.period, indicator__code="7.1")
    assert list(rows.values_list("level", flat=True)) == [Level.REGION]


def test_7_1_without_projects_is_zero(world):
    compute(world)
    assert value("7.1", "region", "34") == (0, None, 0)


# --- 7.2 -------------------------------------------------------------------


def test_7_2_young_teachers_in_support_projects(world):
    w = world
    y1 = rostered(w, w.school_a, YOUNG)
    rostered(w, w.school_a, JUST_YOUNG)  # y2: young (34), takes part in nothing
    turns_35 = rostered(w, w.school_a, TURNS_35)  # a participant, but not young: neither num nor den
    y3 = rostered(w, w.school_c, YOUNG)  # takes part only in a 2024 project
    outsider = factories.TeacherFactory(birth_date=YOUNG)  # young participant not on the roster
    project(w.period, "ПР-01", y1, turns_35, w.teacher_a, outsider)
    project(w.period, "ПР-02", y1)  # y1 in two projects counts once
    project(factories.PeriodFactory(year=2024), "ПР-01", y3)
    compute(w)
    # A: young y1, y2 → den 2; y1 takes part → 1/2 = 50 %.
    assert value("7.2", "school", "000001") == (1, 2, D("50.00"))
    # C: young y3 → den 1; only a 2024 project → 0/1 = 0 %.
    assert value("7.2", "school", "000003") == (0, 1, D("0.00"))
    # B: no young teacher → den 0 → empty value.
    assert value("7.2", "school", "000002") == (0, 0, None)
    # m1: (1 + 0) / (2 + 1) = 33.33 %, not the mean of 50 and 0 (25 %).
    assert value("7.2", "municipality", "01") == (1, 3, D("33.33"))
    assert value("7.2", "municipality", "02") == (0, 0, None)
    assert value("7.2", "region", "34") == (1, 3, D("33.33"))


# --- 7.3 -------------------------------------------------------------------


def test_7_3_programs_count_in_the_municipality_running_them_or_of_their_school(world):
    w = world
    program(w.period, "Н-1", municipality=w.m1)
    program(w.period, "Н-2", school=w.school_a)  # a school's program counts in m1
    program(w.period, "Н-3", school=w.school_c)
    program(w.period, "Н-4", school=w.school_b)  # m2
    program(factories.PeriodFactory(year=2024), "Н-5", municipality=w.m2)  # another period
    compute(w)
    assert value("7.3", "municipality", "01") == (3, None, 3)  # Н-1, Н-2, Н-3
    assert value("7.3", "municipality", "02") == (1, None, 1)  # Н-4
    assert value("7.3", "region", "34") == (4, None, 4)
    assert not IndicatorValue.objects.filter(period=w.period, indicator__code="7.3", level=Level.SCHOOL).exists()


def test_7_3_on_a_chunk_places_school_programs_in_their_municipality(world):
    w = world
    program(w.period, "Н-1", municipality=w.m1)
    program(w.period, "Н-2", school=w.school_a)
    program(w.period, "Н-4", school=w.school_b)
    got = contributions(definition("7.3"), Context(period=w.period, municipality_ids=[w.m1.pk]))
    assert [(c.level, c.org_id, c.numerator) for c in got] == [(Level.MUNICIPALITY, w.m1.pk, 2)]


# --- 7.4 -------------------------------------------------------------------


def test_7_4_teachers_mentoring_or_mentored(world):
    w = world
    x1 = rostered(w, w.school_a)
    x2 = rostered(w, w.school_a)
    x3 = rostered(w, w.school_a)  # mentors only in a 2024 program
    rostered(w, w.school_b)  # takes part in nothing
    outsider = factories.TeacherFactory()  # not on the roster
    school_program = program(w.period, "Н-1", school=w.school_a)
    MentoringPair.objects.create(program=school_program, mentor=w.teacher_a, mentee=x1)
    MentoringPair.objects.create(program=school_program, mentor=w.teacher_a, mentee=x2)  # teacher_a once
    MentoringPair.objects.create(program=school_program, mentor=outsider, mentee=x1)
    # A program of m2 with a mentee of school C: each teacher counts at their own school.
    mun_program = program(w.period, "Н-2", municipality=w.m2)
    MentoringPair.objects.create(program=mun_program, mentor=w.teacher_b, mentee=w.teacher_c)
    old = program(factories.PeriodFactory(year=2024), "Н-1", school=w.school_a)
    MentoringPair.objects.create(program=old, mentor=x3, mentee=outsider)
    compute(w)
    # A: teacher_a, x1, x2 of teacher_a, x1, x2, x3 → 3/4 = 75 %.
    assert value("7.4", "school", "000001") == (3, 4, D("75.00"))
    assert value("7.4", "school", "000003") == (1, 1, D("100.00"))  # teacher_c as mentee
    assert value("7.4", "school", "000002") == (1, 2, D("50.00"))  # teacher_b as mentor, one other
    # m1: (3 + 1) / (4 + 1) = 80 %, not the mean of 75 and 100 (87.5 %).
    assert value("7.4", "municipality", "01") == (4, 5, D("80.00"))
    assert value("7.4", "municipality", "02") == (1, 2, D("50.00"))
    # Region: 5 / 7 = 71.428… → 71.43; the outsider counts nowhere.
    assert value("7.4", "region", "34") == (5, 7, D("71.43"))


def test_7_4_a_school_without_teachers_has_an_empty_value(world):
    factories.SchoolFactory(municipality=world.m2, code="000009")
    compute(world)
    assert value("7.4", "school", "000009") == (0, 0, None)
    assert value("7.4", "school", "000001") == (0, 1, D("0.00"))


# --- 7.5 -------------------------------------------------------------------


def test_7_5_young_teachers_with_a_competition_entry_of_the_period(world):
    w = world
    old = factories.PeriodFactory(year=2024)
    y1 = rostered(w, w.school_a, YOUNG)
    y2 = rostered(w, w.school_a, JUST_YOUNG)
    y4 = rostered(w, w.school_a, YOUNG)
    turns_35 = rostered(w, w.school_a, TURNS_35)
    y3 = rostered(w, w.school_c, YOUNG)
    outsider = factories.TeacherFactory(birth_date=YOUNG)
    entry(w.period, y1, dt.date(2025, 3, 10))  # counts
    entry(w.period, y1, dt.date(2025, 4, 10), name="Учитель года")  # second entry: y1 still once
    entry(w.period, y2, dt.date(2024, 12, 20))  # dated outside the period
    entry(old, y4, dt.date(2025, 2, 1))  # another period's row
    entry(w.period, turns_35, dt.date(2025, 5, 1))  # not young
    entry(w.period, w.teacher_a, dt.date(2025, 5, 1))  # not young
    entry(w.period, y3, dt.date(2025, 12, 31))  # last day of the period: counts
    entry(w.period, outsider, dt.date(2025, 5, 1))  # not on the roster
    compute(w)
    # A: young y1, y2, y4 → 1/3 = 33.33 %.
    assert value("7.5", "school", "000001") == (1, 3, D("33.33"))
    assert value("7.5", "school", "000003") == (1, 1, D("100.00"))
    assert value("7.5", "school", "000002") == (0, 0, None)  # no young teachers
    # m1: (1 + 1) / (3 + 1) = 50 %, not the mean of 33.33 and 100 (66.67 %).
    assert value("7.5", "municipality", "01") == (2, 4, D("50.00"))
    assert value("7.5", "municipality", "02") == (0, 0, None)
    assert value("7.5", "region", "34") == (2, 4, D("50.00"))


# --- 7.6 -------------------------------------------------------------------

LEVEL_KEYS = [f"level={lv}" for lv in CompetitionLevel.values]


def test_7_6_teachers_in_competitions_total_and_by_level(world):
    w = world
    x1 = rostered(w, w.school_a)
    rostered(w, w.school_a)  # x2: no entries
    outsider = factories.TeacherFactory()
    entry(w.period, w.teacher_a, dt.date(2025, 2, 1), CompetitionLevel.SCHOOL)
    entry(w.period, w.teacher_a, dt.date(2025, 4, 1), CompetitionLevel.REGIONAL)
    entry(w.period, x1, dt.date(2024, 11, 1), CompetitionLevel.MUNICIPAL)  # dated before the period
    entry(w.period, w.teacher_c, dt.date(2025, 6, 1), CompetitionLevel.FEDERAL)
    entry(factories.PeriodFactory(year=2024), w.teacher_b, dt.date(2024, 6, 1), CompetitionLevel.FEDERAL)
    entry(w.period, outsider, dt.date(2025, 6, 1), CompetitionLevel.INTERNATIONAL)
    compute(w)
    # A: teacher_a (two entries, once) of teacher_a, x1, x2 → 1/3.
    assert value("7.6", "school", "000001") == (1, 3, D("33.33"))
    assert value("7.6", "school", "000001", "level=школьный") == (1, 3, D("33.33"))
    assert value("7.6", "school", "000001", "level=региональный") == (1, 3, D("33.33"))
    assert value("7.6", "school", "000001", "level=муниципальный") == (0, 3, D("0.00"))  # x1's entry is of 2024
    assert value("7.6", "school", "000003", "") == (1, 1, D("100.00"))
    assert value("7.6", "school", "000003", "level=всероссийский") == (1, 1, D("100.00"))
    # B: teacher_b's only entry is another period's → 0/1, and a row for every level.
    assert value("7.6", "school", "000002") == (0, 1, D("0.00"))
    for k in LEVEL_KEYS:
        assert value("7.6", "school", "000002", k) == (0, 1, D("0.00"))
    # m1: (1 + 1) / (3 + 1) = 50 %, not the mean of 33.33 and 100; by level over the same 4 teachers.
    assert value("7.6", "municipality", "01") == (2, 4, D("50.00"))
    assert value("7.6", "municipality", "01", "level=школьный") == (1, 4, D("25.00"))
    assert value("7.6", "municipality", "01", "level=всероссийский") == (1, 4, D("25.00"))
    assert value("7.6", "municipality", "01", "level=международный") == (0, 4, D("0.00"))
    assert value("7.6", "municipality", "02") == (0, 1, D("0.00"))
    # Region: 2 of 5 teachers; the outsider's international entry counts nowhere.
    assert value("7.6", "region", "34") == (2, 5, D("40.00"))
    assert value("7.6", "region", "34", "level=региональный") == (1, 5, D("20.00"))
    assert value("7.6", "region", "34", "level=всероссийский") == (1, 5, D("20.00"))
    assert value("7.6", "region", "34", "level=международный") == (0, 5, D("0.00"))
    breakdowns = set(
        IndicatorValue.objects.filter(period=w.period, indicator__code="7.6", level=Level.REGION).values_list(
            "breakdown", flat=True
        )
    )
    assert breakdowns == {"", *LEVEL_KEYS}


def test_7_6_a_school_without_teachers_has_empty_values(world):
    factories.SchoolFactory(municipality=world.m1, code="000009")
    compute(world)
    assert value("7.6", "school", "000009") == (0, 0, None)
    assert value("7.6", "school", "000009", "level=школьный") == (0, 0, None)


# --- 7.7 -------------------------------------------------------------------


def test_7_7_teachers_with_a_valid_category(world):
    w = world
    # Valid: first or highest, assigned in [2020-12-31, 2025-12-31].
    RosterEntry.objects.filter(teacher=w.teacher_a).update(
        category=Category.HIGHEST, category_date=dt.date(2020, 12, 31)
    )  # five years to the day: valid
    RosterEntry.objects.filter(teacher=w.teacher_c).update(category=Category.FIRST, category_date=dt.date(2023, 5, 1))
    rostered(w, w.school_a, category=Category.FIRST, category_date=dt.date(2020, 12, 30))  # expired
    rostered(w, w.school_a, category=Category.FIRST, category_date=dt.date(2026, 1, 10))  # after the reference date
    rostered(w, w.school_a)  # no category
    # Another period's roster row with a valid category does not count in 2025.
    factories.RosterEntryFactory(
        period=factories.PeriodFactory(year=2024),
        school=w.school_b,
        category=Category.HIGHEST,
        category_date=dt.date(2024, 1, 1),
    )
    compute(w)
    assert value("7.7", "school", "000001") == (1, 4, D("25.00"))  # teacher_a of 4
    assert value("7.7", "school", "000003") == (1, 1, D("100.00"))
    assert value("7.7", "school", "000002") == (0, 1, D("0.00"))
    # m1: (1 + 1) / (4 + 1) = 40 %, not the mean of 25 and 100 (62.5 %).
    assert value("7.7", "municipality", "01") == (2, 5, D("40.00"))
    assert value("7.7", "municipality", "02") == (0, 1, D("0.00"))
    assert value("7.7", "region", "34") == (2, 6, D("33.33"))
    assert definition("7.7").threshold == 40


# --- the pattern -----------------------------------------------------------


def test_direction_7_queries_do_not_grow_with_schools(world, django_assert_max_num_queries):
    for n in range(6):
        school = factories.SchoolFactory(municipality=world.m2, code=f"00010{n}")
        rostered(world, school, YOUNG)
    ctx = Context(period=world.period)
    for code in ("7.2", "7.3", "7.4", "7.5", "7.6", "7.7"):
        with django_assert_max_num_queries(1):
            contributions(definition(code), ctx)
    with django_assert_max_num_queries(1):
        contributions(definition("7.1"), ctx)


def test_titles_and_start_levels(world):
    assert definition("7.1").start == Level.REGION
    assert definition("7.3").start == Level.MUNICIPALITY
    assert definition("7.6").title == "Доля педагогов, участвующих в профессиональных конкурсах различного уровня"
    assert definition("7.7").title == "Доля педагогов, прошедших аттестацию (имеющих квалификационную категорию)"
