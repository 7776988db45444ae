"""Reading computed values in tests."""

from __future__ import annotations

from decimal import Decimal

from indicators.models import IndicatorValue


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
