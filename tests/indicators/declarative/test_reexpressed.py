"""Coded indicators re-expressed declaratively compute the same rows, on the demo and on random data.

Each entry of :data:`TWINS` says in the closed vocabulary what the coded indicator
(indicators/definitions/dN.py) computes in Python; its twin is validated and compiled
like any definition an analyst saves, computed by the engine beside the coded one on
the same data, and every stored row (level, org unit, breakdown, numerator,
denominator, value) must be the same. Data: the region demo (both periods) and random
worlds of several seeds (tests/indicators/declarative/random_world.py).

Left out, as not expressible in the vocabulary (each needs something particular to it):
1.4 (programs per position *tag*: a breakdown by a tag, a program in several rows), 1.5
(distinct teachers per provider: a breakdown by a related row's field), 1.7/1.8
(per-group results of the latest diagnostic over the diagnosed), 7.6 (a total row beside
per-level rows of a related row's field), 8.5 (one row per criterion *field*), 8.6
(municipalities with a submission over all municipalities: neither is a population), 9.1
and 9.11 (ratios of two sums of staffing rows: a percent counts rows).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.catalog import definition
from indicators.context import Context
from indicators.declarative.compiler import compile_definition
from indicators.declarative.spec import validate
from indicators.engine import compute_chunk, compute_region, ensure_indicators
from indicators.models import Indicator, IndicatorKind, IndicatorValue, Level
from iom.models import PROGRAM_FLAGS
from monitoring.demo import seed_demo
from monitoring.models import MonitoringPeriod, Municipality
from tests.indicators.declarative.random_world import build_world

# --- the conditions several twins share ---------------------------------------------

DIAGNOSED = {"relation": "diagnostics", "op": "exists", "where": [{"field": "date", "op": "in_period"}]}
LATEST_WITH_DEFICIT = {
    "relation": "diagnostics",
    "op": "exists",
    "where": [{"field": "latest", "op": "is", "value": True}, {"field": "any_deficit", "op": "is", "value": True}],
}
DIAGNOSTIC_ROUTE = {
    "relation": "routes",
    "op": "exists",
    "where": [
        {"field": "active", "op": "is", "value": True},
        {"field": "based_on_diagnostic", "op": "is", "value": True},
    ],
}
ACTIVE_ROUTE = {"relation": "routes", "op": "exists", "where": [{"field": "active", "op": "is", "value": True}]}
RUN_ENDING = {"relation": "runs", "op": "exists", "where": [{"field": "end", "op": "in_period"}]}
ENDING = {"field": "course.end", "op": "in_period"}
YOUNG = {"field": "teacher.young", "op": "is", "value": True}


def completed(program_flag: str) -> dict:
    """The teacher completed a run ending in the period of a program with ``program_flag``."""
    return {
        "relation": "enrollments",
        "op": "exists",
        "where": [
            {"field": "status", "op": "in", "value": ["завершил"]},
            ENDING,
            {"field": f"program.{program_flag}", "op": "is", "value": True},
        ],
    }


def is_(name: str, value=True) -> dict:
    return {"field": name, "op": "is", "value": value}


def program_share(flag: str) -> dict:
    return {"unit": "percent", "population": "programs", "numerator": [is_(flag)], "denominator": [RUN_ENDING]}


def roster_share(*numerator, denominator=()) -> dict:
    return {"unit": "percent", "population": "teachers", "numerator": list(numerator), "denominator": list(denominator)}


def activists(*roles: str) -> dict:
    return {
        "unit": "count",
        "population": "activists",
        "numerator": [{"field": "role", "op": "in", "value": list(roles)}],
    }


def staffing_sum(measure: str) -> dict:
    return {"unit": "count", "population": "staffing_rows", "measure": measure}


# --- coded code -> its declarative twin (unit, population, conditions, measure, breakdown) ---

TWINS: dict[str, dict] = {
    # 1 — diagnostics
    "1.1": {"unit": "count", "population": "teachers", "numerator": [DIAGNOSED]},
    "1.2": roster_share(DIAGNOSED),
    "1.3": {
        "unit": "count",
        "population": "providers",
        "numerator": [{"relation": "programs", "op": "exists", "where": [RUN_ENDING]}],
    },
    "1.6": {
        "unit": "percent",
        "population": "course_runs",
        "numerator": [is_("by_school_request")],
        "denominator": [{"field": "end", "op": "in_period"}],
    },
    "1.9": roster_share(LATEST_WITH_DEFICIT, denominator=[DIAGNOSED]),
    # 2 — routes
    "2.1": {"unit": "count", "population": "teachers", "numerator": [DIAGNOSTIC_ROUTE]},
    "2.2": roster_share(DIAGNOSTIC_ROUTE, denominator=[LATEST_WITH_DEFICIT]),
    "2.3": {
        "unit": "count",
        "population": "schools",
        "numerator": [{"relation": "roster", "op": "exists", "where": [DIAGNOSTIC_ROUTE]}],
    },
    "2.4": {
        "unit": "percent",
        "population": "routes",
        "numerator": [{"field": "status", "op": "in", "value": ["approved"]}],
        "denominator": [is_("active")],
    },
    "2.5": {
        "unit": "percent",
        "population": "route_activities",
        "numerator": [is_("done")],
        "denominator": [{"field": "due", "op": "in_period"}],
    },
    "2.6": {"unit": "percent", "population": "routes", "numerator": [is_("corrected")], "denominator": [is_("active")]},
    "2.7": {"unit": "count", "population": "teachers", "numerator": [completed("diagnostics_based")]},
    # 3 — programs and enrollments
    **{
        code: program_share(flag)
        for code, flag in (
            ("3.1", "in_registry"),
            ("3.2", "digital_support"),
            ("3.3", "municipal_order"),
            ("3.4", "exam_based"),
            ("3.5", "efom"),
            ("3.6", "regional_projects"),
            ("3.7", "external_review"),
            ("3.9", "for_school_teams"),
            ("3.10", "by_association_request"),
            ("3.12", "network_form"),
            ("3.13", "internship"),
        )
    },
    "3.8": {
        "unit": "percent",
        "population": "programs",
        "numerator": [
            {
                "relation": "route_activities",
                "op": "exists",
                "where": [is_("route.active"), is_("teacher.on_roster")],
            }
        ],
        "denominator": [RUN_ENDING],
    },
    "3.11": {"unit": "flag", "population": "diagnostics", "numerator": [{"field": "date", "op": "in_period"}]},
    "3.14": {
        "unit": "percent",
        "population": "enrollments",
        "numerator": [{"field": "satisfaction", "op": "gte", "value": "4"}],
        "denominator": [ENDING, {"field": "satisfaction", "op": "filled"}],
    },
    "3.15": {
        "unit": "percent",
        "population": "enrollments",
        "numerator": [{"field": "status", "op": "in", "value": ["завершил"]}, is_("final_attestation")],
        "denominator": [ENDING],
    },
    "3.16": roster_share(
        {
            "relation": "enrollments",
            "op": "exists",
            "where": [
                {"field": "status", "op": "in", "value": ["завершил"]},
                {"field": "program.kind", "op": "in", "value": ["ПП"]},
                {"field": "course.end", "op": "until_period_end"},
            ],
        },
        denominator=[is_("pedagogical_education", False)],
    ),
    # 4 — digital
    "4.1": program_share("e_learning"),
    "4.2": {"unit": "count", "population": "teachers", "numerator": [completed("e_learning")]},
    **{
        code: {"unit": "average", "population": "digital_scores", "measure": score}
        for code, score in (
            ("4.3", "infrastructure"),
            ("4.4", "tools"),
            ("4.5", "usage"),
            ("4.6", "professional_development"),
        )
    },
    # 5 — experts
    "5.1": {
        "unit": "count",
        "population": "expert_roles",
        "numerator": [{"field": "kind", "op": "in", "value": ["ЕГЭ"]}],
        "breakdown": "subject",
    },
    "5.2": {
        "unit": "count",
        "population": "expert_roles",
        "numerator": [{"field": "kind", "op": "in", "value": ["ОГЭ"]}],
        "breakdown": "subject",
    },
    "5.3": roster_share({"relation": "expert_roles", "op": "exists", "where": []}),
    "5.4": roster_share(
        {
            "relation": "route_activities",
            "op": "exists",
            "where": [{"field": "kind", "op": "in", "value": ["экспертная деятельность"]}, is_("route.active")],
        },
        denominator=[ACTIVE_ROUTE],
    ),
    # 6 — methodical activists
    "6.1": activists("тьютор ЦНППМ"),
    "6.2": activists("член РУМО"),
    "6.3": activists("руководитель ММС", "представитель ММС"),
    # 7 — young teachers, mentoring, competitions, categories
    "7.1": {"unit": "count", "population": "support_projects"},
    "7.2": roster_share({"relation": "support_projects", "op": "exists"}, denominator=[YOUNG]),
    "7.3": {"unit": "count", "population": "mentoring_programs"},
    "7.4": roster_share(
        {"any": [{"relation": "mentor_pairs", "op": "exists"}, {"relation": "mentee_pairs", "op": "exists"}]}
    ),
    "7.5": roster_share(
        {"relation": "competition_entries", "op": "exists", "where": [{"field": "date", "op": "in_period"}]},
        denominator=[YOUNG],
    ),
    "7.7": roster_share(is_("valid_category")),
    # 8 — associations
    "8.1": {"unit": "count", "population": "associations"},
    "8.2": {"unit": "count", "population": "teachers", "numerator": [{"relation": "associations", "op": "exists"}]},
    "8.3": {"unit": "count", "population": "association_events", "numerator": [{"field": "date", "op": "in_period"}]},
    "8.4": {
        "unit": "count",
        "population": "association_events",
        "numerator": [{"field": "date", "op": "in_period"}, is_("networked")],
    },
    # 9 — staffing
    "9.2": roster_share(YOUNG),
    "9.3": roster_share(is_("teacher.pension_age")),
    "9.4": roster_share(is_("part_time")),
    "9.5": roster_share(is_("education_matches_profile")),
    "9.6": staffing_sum("positions_by_schedule"),
    "9.7": staffing_sum("actual_need"),
    "9.8": {"unit": "count", "population": "teachers", "numerator": [is_("part_time", False)]},
    "9.9": staffing_sum("vacant_posts"),
    "9.10": {"unit": "average", "population": "teachers", "measure": "workload"},
}
# Every test may touch the database (the fixtures computing the worlds need it set up;
# pytest-django sets it up only for a run that has a test marked so).
pytestmark = pytest.mark.django_db

CODES = sorted(TWINS, key=lambda c: tuple(int(p) for p in c.split(".")))
SEEDS = (11, 23, 37, 41)


def twin_code(code: str) -> str:
    return f"X{code}"


def twin_spec(code: str) -> dict:
    """The twin of a coded indicator, validated as any saved definition is."""
    coded = definition(code)
    return validate(
        {
            "code": twin_code(code),
            "title": coded.title,
            "direction": coded.direction,
            "start": coded.start,
            **TWINS[code],
        }
    )


def twins(codes=CODES) -> list:
    """The twins compiled, with their indicator rows (the engine stores values against them)."""
    indicators = ensure_indicators()
    out = []
    for code in codes:
        spec = twin_spec(code)
        if spec["code"] not in indicators:
            Indicator.objects.create(
                code=spec["code"],
                kind=IndicatorKind.DECLARATIVE,
                direction=spec["direction"],
                order=spec["direction"] * 1000 + 900,
                title=spec["title"],
                unit=spec["unit"],
                start_level=spec["start"],
                spec=spec,
            )
        out.append(compile_definition(spec))
    return out


def stored_rows(period, codes) -> dict[str, dict]:
    """code -> {(level, org code, breakdown): (numerator, denominator, value)} of the stored rows."""
    out: dict[str, dict] = defaultdict(dict)
    for v in IndicatorValue.objects.filter(period=period, indicator__code__in=codes).select_related("indicator"):
        out[v.indicator.code][(v.level, v.org_code, v.breakdown)] = (v.numerator, v.denominator, v.value)
    return out


def compute_all(period, definitions, *, chunks: list[list[int]] | None = None) -> None:
    for chunk in chunks or [None]:
        compute_chunk(period=period, definitions=definitions, municipality_ids=chunk)
    compute_region(period=period, definitions=definitions)


def both_computed() -> dict[tuple[int, str], dict]:
    """(year, coded code) -> {"coded": rows, "twin": rows} for every period of the database."""
    coded = [definition(c) for c in CODES]
    declarative = twins()
    out = {}
    for period in MonitoringPeriod.objects.order_by("year"):
        compute_all(period, coded + declarative)
        rows = stored_rows(period, CODES + [twin_code(c) for c in CODES])
        for code in CODES:
            twin = rows[twin_code(code)]
            if twin_spec(code)["breakdown"] and not any(key[2] == "" for key in rows[code]):
                # A declarative breakdown adds its total row; the coded one has none to compare it with
                # (test_compiler checks that the total is the sum of the breakdown's rows).
                twin = {key: row for key, row in twin.items() if key[2] != ""}
            out[(period.year, code)] = {"coded": rows[code], "twin": twin}
    return out


def in_rolled_back(django_db_blocker, build):
    """Build data, compute, read the rows, and leave the database as it was."""
    with django_db_blocker.unblock(), transaction.atomic():
        build()
        result = both_computed()
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    return in_rolled_back(django_db_blocker, lambda: seed_demo(size="small", seed=1))


@pytest.fixture(scope="module")
def random_worlds(django_db_setup, django_db_blocker):
    return {seed: in_rolled_back(django_db_blocker, lambda seed=seed: build_world(seed)) for seed in SEEDS}


def assert_same(results: dict, code: str) -> None:
    for (year, c), pair in results.items():
        if c != code:
            continue
        assert pair["coded"], f"{code} wrote no rows for {year}"
        assert pair["twin"] == pair["coded"], f"{code}, {year}: {diff(pair['coded'], pair['twin'])}"


def diff(coded: dict, twin: dict) -> list:
    keys = sorted(set(coded) | set(twin), key=str)
    return [(k, coded.get(k), twin.get(k)) for k in keys if coded.get(k) != twin.get(k)][:5]


# --- the set ---------------------------------------------------------------------------


def test_twins_cover_twenty_indicators_of_all_nine_directions():
    assert len(TWINS) >= 20
    assert {definition(c).direction for c in TWINS} == set(range(1, 10))
    for code in TWINS:
        assert twin_spec(code)["direction"] == definition(code).direction


def test_program_flag_twins_name_their_own_flag():
    # 3.x's twins are built in a loop: each must read the flag its coded indicator reads.
    for code in ("3.1", "3.7", "3.13", "4.1"):
        flag = TWINS[code]["numerator"][0]["field"]
        assert flag in PROGRAM_FLAGS and PROGRAM_FLAGS[flag] in definition(code).note


# --- equality --------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_demo_rows_equal(demo, code):
    assert {year for year, _ in demo} == {2024, 2025}
    assert_same(demo, code)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("code", CODES)
def test_random_rows_equal(random_worlds, code, seed):
    assert_same(random_worlds[seed], code)


def test_random_worlds_give_every_twin_something_to_count(random_worlds):
    # Equality of zeros proves nothing: over the seeds, each indicator counts something
    # somewhere, and not everything it looks at.
    for code in CODES:
        values = [
            row
            for results in random_worlds.values()
            for (_, c), pair in results.items()
            if c == code
            for row in pair["coded"].values()
        ]
        assert any(num for num, _, _ in values), f"{code} counts nothing on the random worlds"
        if definition(code).has_denominator:
            assert any(den and num != den for num, den, _ in values), f"{code}: numerator is always the denominator"


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=100, max_value=10**6), schools=st.integers(min_value=2, max_value=9))
def test_drawn_worlds_rows_equal(seed, schools):
    # Worlds hypothesis draws (a seed and a number of schools), each in a savepoint rolled back after.
    with transaction.atomic():
        build_world(seed, schools=schools)
        results = both_computed()
        transaction.set_rollback(True)
    for code in CODES:
        for (year, c), pair in results.items():
            if c == code:
                assert pair["twin"] == pair["coded"], (
                    f"{code}, {year}, seed {seed}: {diff(pair['coded'], pair['twin'])}"
                )


# --- chunks and queries ----------------------------------------------------------------


def test_chunked_twins_give_the_rows_of_one_chunk():
    world = build_world(5)
    declarative = twins()
    codes = [twin_code(c) for c in CODES]
    period = world.periods[1]
    compute_all(period, declarative)
    whole = stored_rows(period, codes)
    IndicatorValue.objects.filter(period=period).delete()
    chunks = [[m.pk] for m in Municipality.objects.order_by("pk")]
    assert len(chunks) >= 2
    compute_all(period, declarative, chunks=chunks)
    assert stored_rows(period, codes) == whole
    assert any(rows.get((Level.REGION, "34", "")) for rows in whole.values())


def queries_per_twin(period) -> dict[str, int]:
    out = {}
    ctx = Context(period=period)
    for defn in twins():
        with CaptureQueriesContext(connection) as queries:
            for part in (defn.compute, defn.compute_region):
                if part is not None:
                    list(part(ctx))
        out[defn.code] = len(queries)
    return out


def test_queries_of_a_twin_do_not_grow_with_the_schools():
    small = build_world(3, schools=4, tag="A")
    before = queries_per_twin(small.periods[1])
    build_world(4, schools=16, tag="B")
    after = queries_per_twin(small.periods[1])
    assert after == before
    assert max(before.values()) <= 3
