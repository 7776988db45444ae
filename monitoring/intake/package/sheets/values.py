"""Small pieces the sheets share: how values are written back on export, and common checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from monitoring.intake.package import parsing as p
from monitoring.intake.package.context import ImportContext
from monitoring.intake.package.registry import Column, Row


def yes_no(value: bool) -> str:
    return "да" if value else "нет"


def dmy(value: dt.date | None) -> str | None:
    return value.strftime("%d.%m.%Y") if value else None


def number(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def joined(values: list[str]) -> str:
    return "; ".join(values)


def bool_column(title: str, field: str) -> Column:
    """A yes/no column, "нет" when empty, written back as да/нет."""
    return Column(title, field, p.parse_bool, default=False, export=yes_no)


def own_school(ctx: ImportContext):
    """In a school head's upload, "replace" removes only that school's rows."""
    if ctx.school is None:
        return None
    return lambda obj: obj.school_id == ctx.school.pk


def not_in_future(ctx: ImportContext, sheet: str, row: Row, field: str, title: str, today: dt.date) -> None:
    """Report a date of ``field`` later than ``today``."""
    # ``today`` comes from the caller, once per sheet: timezone.localdate() per row cost
    # more than the rest of the check.
    value = row.values.get(field)
    if value and value > today:
        ctx.problem(sheet, row.number, title, dmy(value), "дата еще не наступила")
