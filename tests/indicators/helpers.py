"""Reading computed values in tests; a declarative indicator saved and computed as the builder would."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.declarative.services import definition_save
from indicators.engine import compute_period
from indicators.models import IndicatorValue
from tests import factories


def value(period, code: str, level: str, org: str, breakdown: str = "") -> tuple:
    """(numerator, denominator, value) of one stored row, as Decimals (None where empty)."""
    row = IndicatorValue.objects.get(
        period=period, indicator__code=code, level=level, org_code=org, breakdown=breakdown
    )
    return row.numerator, row.denominator, row.value


def stored(code: str, level: str, org: str, breakdown: str = "", year: int = 2025) -> tuple:
    """(numerator, denominator, value) of the stored row of a period given by its year (2025: the world's)."""
    row = IndicatorValue.objects.get(
        period__year=year, indicator__code=code, level=level, org_code=org, breakdown=breakdown
    )
    return row.numerator, row.denominator, row.value


def d(text: str | int | None) -> Decimal | None:
    return None if text is None else Decimal(str(text))


# A declarative indicator of direction 1 with a code that is not «direction.number»: the share of
# the period's roster teachers with a diagnostic submitted in the period (target 80 %, alarm below 50 %).
DECLARED = "Ж.5"
DECLARED_TITLE = "Доля педагогов, прошедших диагностику в периоде"


def declared_spec(**changes) -> dict:
    return {
        "code": DECLARED,
        "title": DECLARED_TITLE,
        "direction": 1,
        "unit": "percent",
        "population": "teachers",
        "start": "school",
        "numerator": [{"relation": "diagnostics", "op": "exists", "where": [{"field": "date", "op": "in_period"}]}],
        "target": "80",
        "threshold": "50",
        **changes,
    }


def declare(world, period=None, **changes):
    """Ж.5 saved by the world's analyst into the period's edition (the builder's service), then computed."""
    period = period or world.period
    setting = definition_save(period=period, data=declared_spec(**changes), user=world.analyst, compute=False)
    compute_period(period=period)
    return setting


@pytest.fixture
def declared(world):
    """The world with Ж.5 computed: teacher A (school A, M1) has the only diagnostic of 2025.

    School A 100 %, schools B and C 0 %; M1 50 % (1 of 2), M2 0 %; the region 33.33 % (1 of 3).
    Below the 50 % threshold: schools B and C, M2.
    """
    factories.DiagnosticFactory(teacher=world.teacher_a, submit=True, scores={"ИКТ": 21})
    declare(world)
    return world
