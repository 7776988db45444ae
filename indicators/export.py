"""The export every check reads (spec/indicators.md, "The export every check reads").

    indicator,level,org,breakdown,numerator,denominator,value

One row per stored value, in the catalog's order, then level (school, municipality,
region), org code and breakdown. Numbers use a dot; an empty value stays empty;
percentages and averages carry two decimals, counts are whole except 9.6 and 9.7
(two decimals) and a declarative count that sums a measure, and a flag's denominator
is empty. Declarative indicators (the institute's own) are rows like the coded ones,
printed by the definition their period keeps.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TextIO

from django.db.models import Case, CharField, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform

from indicators.catalog import registered
from indicators.models import IndicatorKind, IndicatorValue, Level, PeriodIndicator, Unit
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


def _unit_and_decimals(v: IndicatorValue) -> tuple[str, int]:
    """How the row's numbers print: a coded indicator's from the code, a declarative one's from its period's definition.

    The period's definition (``edition_unit``, ``edition_measure``: :func:`ordered` reads them
    with the rows) and not the indicator's current one: a closed period keeps its own.
    """
    if v.indicator.kind != IndicatorKind.DECLARATIVE:
        defn = registered()[v.indicator.code]
        return defn.unit, defn.decimals
    if hasattr(v, "edition_unit"):
        unit, measure = v.edition_unit or v.indicator.unit, v.edition_measure
    else:  # a row read without ordered(): the indicator's current definition
        unit, measure = v.indicator.unit, v.indicator.spec.get("measure")
    # A count that sums a measure (hours, rates) carries two decimals, as the compiler's definition says.
    return unit, 2 if unit == Unit.COUNT and measure else 0


def format_row(v: IndicatorValue) -> list[str]:
    unit, decimals = _unit_and_decimals(v)
    if unit in (Unit.PERCENT, Unit.AVERAGE):
        value = number(v.value, places=2)
    elif decimals:
        value = number(v.value, places=decimals)
    else:
        value = number(v.value)
    numerator = number(v.numerator, places=decimals) if decimals else number(v.numerator)
    return [v.indicator.code, v.level, v.org_code, v.breakdown, numerator, number(v.denominator), value]


def _edition(key: str) -> Subquery:
    """A key of the row's period's definition of its indicator (empty for a coded one), in the rows' own query."""
    rows = PeriodIndicator.objects.filter(period=OuterRef("period"), indicator=OuterRef("indicator"))
    return Subquery(rows.annotate(text=KeyTextTransform(key, "spec")).values("text")[:1], output_field=CharField())


def ordered(queryset):
    """The export's order, in the database: catalog order, level (school → region), org, breakdown."""
    rank = Case(*(When(level=level, then=Value(n)) for level, n in LEVEL_ORDER.items()), output_field=IntegerField())
    return (
        queryset.select_related("indicator")
        .annotate(level_rank=rank, edition_unit=_edition("unit"), edition_measure=_edition("measure"))
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
