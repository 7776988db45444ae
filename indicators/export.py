"""The export every check reads (spec/indicators.md, "The export every check reads").

    indicator,level,org,breakdown,numerator,denominator,value

One row per stored value, in the catalog's order, then level (school, municipality,
region), org code and breakdown. Numbers use a dot; an empty value stays empty;
percentages and averages carry two decimals, counts are whole except 9.6 and 9.7
(two decimals), and a flag's denominator is empty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TextIO

from django.db.models import Case, IntegerField, Value, When

from indicators.catalog import definition
from indicators.models import IndicatorValue, Level, Unit
from monitoring.shared.spreadsheets import csv_text

HEADER = ["indicator", "level", "org", "breakdown", "numerator", "denominator", "value"]
LEVEL_ORDER = {Level.SCHOOL: 0, Level.MUNICIPALITY: 1, Level.REGION: 2}


def number(value: Decimal | None, *, places: int | None = None) -> str:
    """A plain decimal: fixed places when given, else no trailing zeros (12, 12.5, 323.25)."""
    if value is None:
        return ""
    if places is not None:
        return f"{value:.{places}f}"
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def format_row(v: IndicatorValue) -> list[str]:
    defn = definition(v.indicator.code)
    if defn.unit in (Unit.PERCENT, Unit.AVERAGE):
        value = number(v.value, places=2)
    elif defn.decimals:
        value = number(v.value, places=defn.decimals)
    else:
        value = number(v.value)
    numerator = number(v.numerator, places=defn.decimals) if defn.decimals else number(v.numerator)
    return [v.indicator.code, v.level, v.org_code, v.breakdown, numerator, number(v.denominator), value]


def ordered(queryset):
    """The export's order, in the database: catalog order, level (school → region), org, breakdown."""
    rank = Case(*(When(level=level, then=Value(n)) for level, n in LEVEL_ORDER.items()), output_field=IntegerField())
    return (
        queryset.select_related("indicator")
        .annotate(level_rank=rank)
        .order_by("indicator__order", "level_rank", "org_code", "breakdown")
    )


def export_rows(queryset) -> Iterator[list[str]]:
    """Rows of the given IndicatorValue queryset (already scoped), in the export's order."""
    for v in ordered(queryset).iterator(chunk_size=10000):
        yield format_row(v)


def write_csv(rows: Iterable[list[str]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for row in rows:
        # Org codes and breakdowns (positions, subjects, providers) are text people typed, and a
        # CSV is opened in a spreadsheet: formula-looking text gets its apostrophe (numbers never).
        row[2], row[3] = csv_text(row[2]), csv_text(row[3])
        writer.writerow(row)
        count += 1
    return count


def period_values(period, user=None):
    qs = IndicatorValue.objects.filter(period=period)
    return qs.visible_to(user) if user is not None else qs
