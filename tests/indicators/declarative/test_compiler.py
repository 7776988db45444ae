"""The compiler: each operator kind on small hand-made data, relations, and the contributions it yields.

The period is 2025 with the reference date 1 September 2025 (not the year's end), so
"in the period", "up to the period's end", "within N years" and "within N years of the
reference date" pick different rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from indicators.context import Context, key
from indicators.declarative.compiler import compile_definition, conditions_q, placed_nowhere, population_rows
from indicators.declarative.spec import validate
from indicators.declarative.vocabulary import POPULATIONS
from indicators.engine import contributions
from indicators.models import Level
from monitoring.models import (
    ActivistRole,
    AssociationLevel,
    ExpertRole,
    MethodicalActivist,
    MethodicalAssociation,
    Sex,
)
from tests import factories

pytestmark = pytest.mark.django_db

REFERENCE = dt.date(2025, 9, 1)


@dataclass
class Data:
    period: object
    school_a: object
    school_b: object
    rows: dict  # r1..r4: the roster rows
    programs: dict  # p1..p3


@pytest.fixture
def data() -> Data:
    period = factories.PeriodFactory(year=2025, reference_date=REFERENCE)
    school_a = factories.SchoolFactory()
    school_b = factories.SchoolFactory(municipality=school_a.municipality)
    births = {
        "r1": dt.date(1990, 9, 1),  # 35 on the reference date: not young
        "r2": dt.date(1990, 9, 2),  # 34
        "r3": dt.date(1960, 1, 1),  # 65
        "r4": dt.date(2000, 1, 1),  # 25
    }
    roster = {
        "r1": dict(
            school=school_a,
            position="Учитель математики",
            category="первая",
            category_date=dt.date(2020, 9, 1),
            experience_years=10,
        ),
        "r2": dict(
            school=school_a,
            position="педагог-психолог",
            category="высшая",
            category_date=dt.date(2025, 10, 1),
            experience_years=None,
            part_time=True,
        ),
        "r3": dict(school=school_b, position="", category="нет", category_date=None, experience_years=3),
        "r4": dict(
            school=school_b,
            position="учитель",
            category="первая",
            category_date=dt.date(2024, 12, 31),
            experience_years=20,
        ),
    }
    rows = {}
    for name, fields in roster.items():
        teacher = factories.TeacherFactory(birth_date=births[name], sex=Sex.MALE if name == "r3" else Sex.FEMALE)
        rows[name] = factories.RosterEntryFactory(period=period, teacher=teacher, **fields)
    programs = {
        "p1": factories.ProgramFactory(topics=["воспитание"]),
        "p2": factories.ProgramFactory(topics=["таланты", "ШНОР"], kind="ПП"),
        "p3": factories.ProgramFactory(),
    }
    return Data(period, school_a, school_b, rows, programs)


def matched(data: Data, population: str, *conditions) -> set:
    """The pks of the population's rows of the period matching the (validated) conditions."""
    spec = validate(
        {
            "code": "Т",
            "title": "Проверка",
            "direction": 1,
            "unit": "count",
            "population": population,
            "numerator": list(conditions),
        }
    )
    pop = POPULATIONS[population]
    ctx = Context(period=data.period)
    return set(population_rows(ctx, pop).filter(conditions_q(ctx, pop, spec["numerator"])).values_list("pk", flat=True))


def roster(data: Data, *names) -> set:
    return {data.rows[n].pk for n in names}


def test_bool(data):
    assert matched(data, "teachers", {"field": "part_time", "op": "is", "value": True}) == roster(data, "r2")
    assert matched(data, "teachers", {"field": "part_time", "op": "is", "value": False}) == roster(
        data, "r1", "r3", "r4"
    )


def test_choice(data):
    first_or_highest = {"field": "category", "op": "in", "value": ["первая", "высшая"]}
    assert matched(data, "teachers", first_or_highest) == roster(data, "r1", "r2", "r4")
    assert matched(data, "teachers", {"field": "category", "op": "not_in", "value": ["первая"]}) == roster(
        data, "r2", "r3"
    )


def test_tag(data):
    p = data.programs

    def tagged(op, *values):
        found = matched(data, "programs", {"field": "topic", "op": op, "value": list(values)})
        return {name for name, program in p.items() if program.pk in found}

    assert tagged("in", "воспитание") == {"p1"}
    assert tagged("in", "воспитание", "таланты") == {"p1", "p2"}
    assert tagged("not_in", "воспитание") == {"p2", "p3"}


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "10", {"r1"}),
        ("gte", "10", {"r1", "r4"}),
        ("gt", "10", {"r4"}),
        ("lte", "3", {"r3"}),
        ("lt", "10", {"r3"}),
        ("empty", None, {"r2"}),
        ("filled", None, {"r1", "r3", "r4"}),
    ],
)
def test_number(data, op, value, expected):
    condition = {"field": "experience_years", "op": op, **({"value": value} if value else {})}
    assert matched(data, "teachers", condition) == roster(data, *expected)


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("gte", 35, {"r1", "r3"}),
        ("gt", 35, {"r3"}),
        ("eq", 35, {"r1"}),
        ("lt", 35, {"r2", "r4"}),
        ("lte", 34, {"r2", "r4"}),
        ("eq", 34, {"r2"}),
    ],
)
def test_age_at_the_reference_date(data, op, value, expected):
    assert matched(data, "teachers", {"field": "teacher.age", "op": op, "value": value}) == roster(data, *expected)


def test_computed_flags_of_the_teacher_and_the_roster_row(data):
    assert matched(data, "teachers", {"field": "teacher.young", "op": "is", "value": True}) == roster(data, "r2", "r4")
    assert matched(data, "teachers", {"field": "teacher.young", "op": "is", "value": False}) == roster(data, "r1", "r3")
    # Men retire at 65 (r3 turns 65 before the reference date); the women are younger than 60.
    assert matched(data, "teachers", {"field": "teacher.pension_age", "op": "is", "value": True}) == roster(data, "r3")
    # First or highest within five years up to the reference date, both ends included.
    assert matched(data, "teachers", {"field": "valid_category", "op": "is", "value": True}) == roster(data, "r1", "r4")
    assert matched(data, "teachers", {"field": "teacher.on_roster", "op": "is", "value": True}) == roster(
        data, "r1", "r2", "r3", "r4"
    )


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "педагог-психолог", {"r2"}),
        ("contains", "МАТЕМ", {"r1"}),
        ("in", ["педагог-психолог", "учитель"], {"r2", "r4"}),
        ("empty", None, {"r3"}),
        ("filled", None, {"r1", "r2", "r4"}),
    ],
)
def test_text(data, op, value, expected):
    condition = {"field": "position", "op": op, **({"value": value} if value else {})}
    assert matched(data, "teachers", condition) == roster(data, *expected)


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("in_period", None, {"r2"}),
        ("until_period_end", None, {"r1", "r2", "r4"}),
        ("before_period", None, {"r1", "r4"}),
        # (2024-12-31, 2025-12-31]: the day the window opens is out.
        ("within_years", 1, {"r2"}),
        ("within_years", 5, {"r2", "r4"}),
        # [2020-09-01, 2025-09-01]: both ends in, after the reference date out.
        ("within_years_of_reference", 5, {"r1", "r4"}),
        ("within_years_of_reference", 1, {"r4"}),
        ("filled", None, {"r1", "r2", "r4"}),
        ("empty", None, {"r3"}),
    ],
)
def test_date_relative_to_the_period(data, op, value, expected):
    condition = {"field": "category_date", "op": op, **({"value": value} if value else {})}
    assert matched(data, "teachers", condition) == roster(data, *expected)


def test_any_of(data):
    either = {
        "any": [
            {"field": "part_time", "op": "is", "value": True},
            {"field": "category", "op": "in", "value": ["нет"]},
        ]
    }
    assert matched(data, "teachers", either) == roster(data, "r2", "r3")
    both = [{"field": "part_time", "op": "is", "value": True}, {"field": "category", "op": "in", "value": ["нет"]}]
    assert matched(data, "teachers", *both) == set()


def test_relation_exists_and_not_exists(data):
    r = data.rows
    this_year = factories.CourseRunFactory(program=data.programs["p1"], end=dt.date(2025, 3, 20))
    last_year = factories.CourseRunFactory(
        program=data.programs["p1"], start=dt.date(2024, 4, 1), end=dt.date(2024, 5, 1)
    )
    factories.EnrollmentFactory(teacher=r["r1"].teacher, course=this_year)
    factories.EnrollmentFactory(teacher=r["r2"].teacher, course=last_year)
    factories.EnrollmentFactory(teacher=r["r3"].teacher, course=this_year, status="отчислен")
    completed = {
        "relation": "enrollments",
        "op": "exists",
        "where": [{"field": "status", "op": "in", "value": ["завершил"]}, {"field": "course.end", "op": "in_period"}],
    }
    assert matched(data, "teachers", completed) == roster(data, "r1")
    assert matched(data, "teachers", {**completed, "op": "not_exists"}) == roster(data, "r2", "r3", "r4")
    # A relation without conditions: any enrollment at all.
    assert matched(data, "teachers", {"relation": "enrollments", "op": "exists"}) == roster(data, "r1", "r2", "r3")
    # The inner conditions read the related rows' own entities (the program's topic).
    upbringing = {
        "relation": "enrollments",
        "op": "exists",
        "where": [{"field": "program.topic", "op": "in", "value": ["таланты"]}],
    }
    assert matched(data, "teachers", upbringing) == set()


def test_relation_not_exists_is_safe_against_empty_keys(data):
    # An activist not on the roster has no teacher: NOT IN over a NULL would exclude everyone.
    r = data.rows
    municipality = data.school_a.municipality
    MethodicalActivist.objects.create(
        period=data.period,
        full_name="Педагог",
        teacher=r["r1"].teacher,
        municipality=municipality,
        role=ActivistRole.TUTOR,
    )
    MethodicalActivist.objects.create(
        period=data.period,
        full_name="Тьютор вне школ",
        teacher=None,
        municipality=municipality,
        role=ActivistRole.TUTOR,
    )
    activist = {"relation": "activist_roles", "op": "exists"}
    assert matched(data, "teachers", activist) == roster(data, "r1")
    assert matched(data, "teachers", {**activist, "op": "not_exists"}) == roster(data, "r2", "r3", "r4")


def test_relation_of_a_relation(data):
    # Schools with a young teacher on the period's roster who is part-time.
    young_part_time = {
        "relation": "roster",
        "op": "exists",
        "where": [
            {"field": "teacher.young", "op": "is", "value": True},
            {"field": "part_time", "op": "is", "value": True},
        ],
    }
    assert matched(data, "schools", young_part_time) == {data.school_a.pk}
    assert matched(data, "schools", {**young_part_time, "op": "not_exists"}) >= {data.school_b.pk}


# --- contributions ------------------------------------------------------------------------


def compiled(**fields):
    return compile_definition(validate({"code": "Т", "title": "Проверка", "direction": 9, **fields}))


def by_unit(data, defn) -> dict:
    """(level, org id, breakdown) -> (numerator, denominator), contributions summed as the engine sums them."""
    out: dict = {}
    for c in contributions(defn, Context(period=data.period)):
        num, den = out.get((c.level, c.org_id, c.breakdown), (0, None))
        den = c.denominator if den is None else den + (c.denominator or 0)
        out[(c.level, c.org_id, c.breakdown)] = (num + c.numerator, den)
    return out


def test_percent_per_school(data):
    defn = compiled(
        unit="percent", population="teachers", numerator=[{"field": "teacher.young", "op": "is", "value": True}]
    )
    assert by_unit(data, defn) == {
        (Level.SCHOOL, data.school_a.pk, ""): (1, 2),
        (Level.SCHOOL, data.school_b.pk, ""): (1, 2),
    }


def test_average_of_a_measure_over_the_denominator(data):
    data.rows["r1"].workload = Decimal("1.5")
    data.rows["r1"].save()
    defn = compiled(
        unit="average",
        population="teachers",
        measure="workload",
        denominator=[{"field": "part_time", "op": "is", "value": False}],
    )
    assert by_unit(data, defn)[(Level.SCHOOL, data.school_a.pk, "")] == (Decimal("1.5"), 1)


def test_breakdown_by_a_flag_gives_yes_and_no(data):
    defn = compiled(
        unit="percent",
        population="teachers",
        numerator=[{"field": "part_time", "op": "is", "value": True}],
        breakdown="teacher.young",
    )
    assert defn.keys == ("", key(young="да"), key(young="нет"))
    rows = by_unit(data, defn)
    assert rows[(Level.SCHOOL, data.school_a.pk, key(young="да"))] == (1, 1)
    assert rows[(Level.SCHOOL, data.school_a.pk, key(young="нет"))] == (0, 1)
    # The total row is the breakdown's sum: what the ranking, the findings and the region read.
    assert rows[(Level.SCHOOL, data.school_a.pk, "")] == (1, 2)


def test_a_count_with_a_text_breakdown_has_rows_only_where_it_counts(data):
    for teacher, kind, subject in (
        (data.rows["r1"].teacher, "ЕГЭ", "Физика"),
        (data.rows["r2"].teacher, "ОГЭ", "История"),
    ):
        ExpertRole.objects.create(period=data.period, teacher=teacher, kind=kind, subject=subject)
    defn = compiled(
        unit="count",
        population="expert_roles",
        numerator=[{"field": "kind", "op": "in", "value": ["ЕГЭ"]}],
        breakdown="subject",
    )
    assert by_unit(data, defn) == {
        (Level.SCHOOL, data.school_a.pk, key(subject="Физика")): (1, None),
        (Level.SCHOOL, data.school_a.pk, ""): (1, None),
    }


def test_a_flag_numerator_is_presence_at_its_starting_level(data):
    defn = compiled(
        unit="flag", population="teachers", numerator=[{"field": "category", "op": "in", "value": ["первая"]}]
    )
    assert by_unit(data, defn) == {
        (Level.SCHOOL, data.school_a.pk, ""): (1, None),
        (Level.SCHOOL, data.school_b.pk, ""): (1, None),
    }
    region = compiled(
        unit="flag",
        population="teachers",
        start="region",
        numerator=[{"field": "part_time", "op": "is", "value": True}],
    )
    assert by_unit(data, region) == {(Level.REGION, None, ""): (1, None)}


def test_rows_are_placed_at_their_school_municipality_or_region(data):
    municipality = data.school_a.municipality
    for code, level, owner in (
        ("МО-1", AssociationLevel.SCHOOL, {"school": data.school_b}),
        ("МО-2", AssociationLevel.MUNICIPAL, {"municipality": municipality}),
        ("МО-3", AssociationLevel.REGIONAL, {}),
        ("МО-4", AssociationLevel.REGIONAL, {}),
    ):
        MethodicalAssociation.objects.create(period=data.period, code=code, name=code, level=level, **owner)
    defn = compiled(unit="count", population="associations")
    assert by_unit(data, defn) == {
        (Level.SCHOOL, data.school_b.pk, ""): (1, None),
        (Level.MUNICIPALITY, municipality.pk, ""): (1, None),
        (Level.REGION, None, ""): (2, None),
    }
    # A chunk of other municipalities sees none of the placed ones, the region-only still counted apart.
    other = Context(period=data.period, municipality_ids=[municipality.pk + 1000])
    assert list(defn.compute(other)) == []


def test_only_populations_whose_placing_can_be_empty_have_region_only_rows():
    nowhere = {name for name, population in POPULATIONS.items() if placed_nowhere(population)}
    # Associations (a regional one), their events, mentoring programs: school and municipality may both be empty.
    assert nowhere == {"associations", "association_events", "mentoring_programs"}
    # The others get no region query of their own: the region is the sum of their municipalities.
    assert compiled(unit="count", population="teachers").compute_region is None
    assert compiled(unit="count", population="associations").compute_region is not None
