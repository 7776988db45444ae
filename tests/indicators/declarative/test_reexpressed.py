"""Coded indicators re-expressed declaratively compute the same rows, on the demo and on random data.

Each definition below says in the closed vocabulary what the coded one (indicators/
definitions/dN.py) computes in Python; the test computes both on the same data and
compares every stored row (level, org unit, breakdown, numerator, denominator, value).
"""

from __future__ import annotations

import pytest

from indicators.catalog import definition
from indicators.declarative.compiler import compile_definition
from indicators.declarative.spec import validate
from indicators.engine import compute_chunk, compute_region, ensure_indicators
from indicators.models import Indicator, IndicatorKind, IndicatorValue
from monitoring.demo import seed_demo
from monitoring.models import MonitoringPeriod

DIAGNOSED = {"relation": "diagnostics", "op": "exists", "where": [{"field": "date", "op": "in_period"}]}

REEXPRESSED: dict[str, dict] = {
    "1.1": {"unit": "count", "population": "teachers", "numerator": [DIAGNOSED]},
    "1.2": {"unit": "percent", "population": "teachers", "numerator": [DIAGNOSED]},
    "3.15": {
        "unit": "percent",
        "population": "enrollments",
        "numerator": [
            {"field": "status", "op": "in", "value": ["завершил"]},
            {"field": "final_attestation", "op": "is", "value": True},
        ],
        "denominator": [{"field": "course.end", "op": "in_period"}],
    },
    "3.16": {
        "unit": "percent",
        "population": "teachers",
        "numerator": [
            {
                "relation": "enrollments",
                "op": "exists",
                "where": [
                    {"field": "status", "op": "in", "value": ["завершил"]},
                    {"field": "program.kind", "op": "in", "value": ["ПП"]},
                    {"field": "course.end", "op": "until_period_end"},
                ],
            }
        ],
        "denominator": [{"field": "pedagogical_education", "op": "is", "value": False}],
    },
    "9.10": {"unit": "average", "population": "teachers", "measure": "workload"},
}


def declarative_twin(code: str) -> dict:
    coded = definition(code)
    spec = {
        "code": f"X{code}",
        "title": coded.title,
        "direction": coded.direction,
        "start": coded.start,
        "breakdown": "",
        **REEXPRESSED[code],
    }
    return validate(spec)


def rows(period, code: str) -> dict:
    return {
        (v.level, v.org_code, v.breakdown): (v.numerator, v.denominator, v.value)
        for v in IndicatorValue.objects.filter(period=period, indicator__code=code)
    }


def compute_both(period, codes):
    ensure_indicators()
    coded = [definition(c) for c in codes]
    twins = []
    for c in codes:
        spec = declarative_twin(c)
        Indicator.objects.create(
            code=spec["code"],
            kind=IndicatorKind.DECLARATIVE,
            direction=spec["direction"],
            order=99000,
            title=spec["title"],
            unit=spec["unit"],
            start_level=spec["start"],
            spec=spec,
        )
        twins.append(compile_definition(spec))
    compute_chunk(period=period, definitions=coded + twins)
    compute_region(period=period, definitions=coded + twins)


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(REEXPRESSED))
def test_demo_rows_equal(code):
    seed_demo(size="small", seed=1)
    for period in MonitoringPeriod.objects.all():
        compute_both(period, [code]) if period == MonitoringPeriod.objects.first() else None
        expected = rows(period, code)
        assert expected, "the coded indicator wrote no rows"
        assert rows(period, f"X{code}") == expected
        break
