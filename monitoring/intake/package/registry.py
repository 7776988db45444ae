"""The sheet registry: how each sheet of the package is read, checked, written and exported.

Every app's sheets are declared, in order, in the store ``sheets`` of
``monitoring/config/extensions.py`` and instantiated here on first use, so the import and
export services in ``monitoring`` never import the apps to their right.
The rows a sheet reads and the problems it reports live below it (monitoring.intake.package.rows),
as does the context a sheet is checked and written in (monitoring.intake.package.context);
``SheetResult`` is the bulk writer's result (monitoring.shared.bulk).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from monitoring.intake.package.context import ImportContext
from monitoring.intake.package.parsing import CellError, count_of, display, header_key, thousands
from monitoring.intake.package.rows import Problem, Row
from monitoring.shared import extensions
from monitoring.shared.bulk import WriteResult


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its title as users see it, the field it fills, its parser."""

    title: str
    field: str
    parse: Callable[[Any], Any]
    required: bool = False
    default: Any = None
    # How the value is written back on export (None: as it is).
    export: Callable[[Any], Any] | None = None
    # Personal data (birth date, СНИЛС): exported empty for whoever may not see it
    # (monitoring.models.scoping.can_see_personal_data).
    personal: bool = False
    # The field whose bounds hold the value (each item of a list) when it is stored under
    # another name than ``field`` (a provider's name, a program's list items); see ``bounded``.
    stored_in: models.Field | None = None


class Sheet:
    """A sheet of the data package. Subclasses declare columns and how rows map to models."""

    name: str = ""
    columns: tuple[Column, ...] = ()
    # Import order: a sheet is written after the sheets it refers to.
    order: int = 100
    # The natural key of a row, as field names of the parsed row (upsert and duplicates).
    key: tuple[str, ...] = ()
    # Code namespaces this sheet provides for references from other sheets: name → field.
    # The import reads a namespace's ids again only after a sheet providing it is written.
    provides: dict[str, str] = {}

    # The tables this sheet's columns fill: a column named as a field of one of them is held
    # to that field's bounds when it is read (see ``bounded``), so a value the database
    # cannot store is a cell problem with its row and column, not a failed write.
    models: tuple[type[models.Model], ...] = ()

    # --- reading -----------------------------------------------------------------

    def parse_row(self, number: int, cells: dict[str, Any], problems: list[Problem]) -> Row | None:
        values: dict[str, Any] = {}
        ok = True
        for column in self.columns:
            raw = cells.get(column.field)
            try:
                value = column.parse(raw)
            except CellError as exc:
                problems.append(Problem(self.name, number, column.title, display(raw), str(exc)))
                ok = False
                continue
            if value is None or value == []:
                if column.required:
                    problems.append(Problem(self.name, number, column.title, "", "обязательное поле не заполнено"))
                    ok = False
                    continue
                value = column.default if value is None else value
            values[column.field] = value
        return Row(number, values, cells) if ok else None

    def replaced_codes(self, namespace: str, ctx: ImportContext) -> set[str]:
        """Codes of ``namespace`` in the portal that this sheet removes in replace mode when the package lacks them.

        Only sheets whose rows belong to the period (and so are replaced) return any: a
        reference to such a code would point at a row the write is about to delete.
        """
        return set()

    def row_key(self, row: Row) -> tuple:
        return tuple(row.values.get(f) for f in self.key)

    def check(self, rows: list[Row], ctx: ImportContext) -> None:
        """Rules across columns and references; report through ``ctx.problem``."""

    # --- writing -----------------------------------------------------------------

    def write(self, rows: list[Row], ctx: ImportContext) -> SheetResult:
        raise NotImplementedError

    # --- exporting ---------------------------------------------------------------

    def export_rows(self, period) -> Iterable[list[Any]]:
        raise NotImplementedError

    def title_for(self, field_name: str) -> str:
        return next(c.title for c in self.columns if c.field == field_name)


# What a sheet's write did (added, changed, removed, unchanged, a digest of the plan): the
# bulk writer's own result, under the name the sheets have always used.
SheetResult = WriteResult


# The sheets by name, in registration order: the store ``sheets`` of
# monitoring/config/extensions.py, instantiated and bounded on first use (``register`` also
# takes a sheet a test builds).
_REGISTRY: dict[str, Sheet] = {}
_DECLARED_LOADED = False


def _registered() -> dict[str, Sheet]:
    global _DECLARED_LOADED
    if not _DECLARED_LOADED:
        for sheet_class in extensions.callables("sheets"):
            register(sheet_class())
        _DECLARED_LOADED = True
    return _REGISTRY


def register(sheet: Sheet) -> Sheet:
    if sheet.name in _REGISTRY and type(_REGISTRY[sheet.name]) is not type(sheet):
        raise ValueError(f"Sheet {sheet.name!r} is registered twice")
    if not sheet.models:
        raise ValueError(f"Sheet {sheet.name!r} declares no models: its columns would go unbounded")
    sheet.columns = tuple(bounded(column, sheet.models) for column in sheet.columns)
    _REGISTRY[sheet.name] = sheet
    return sheet


# ---------------------------------------------------------------------------
# The database's bounds, read as cell rules
# ---------------------------------------------------------------------------

# PostgreSQL's ranges (Django's defaults), on every backend: a package that SQLite would
# take must go into the real stack too.
_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def column_field(column: Column, table_models: Iterable[type[models.Model]]) -> models.Field | None:
    """The model field ``column`` fills (by name), or None (a code looked up, a list, a derived value)."""
    for model in table_models:
        try:
            field = model._meta.get_field(column.field)
        except FieldDoesNotExist:  # the next table may have it
            continue
        if field.concrete and not field.is_relation:
            return field
    return None


def field_bound(field: models.Field) -> Callable[[Any], None] | None:
    """A check raising CellError for a parsed value ``field`` cannot store; None if it stores any."""
    if isinstance(field, models.CharField) and field.max_length:
        longest = field.max_length

        def check_text(value: Any) -> None:
            if value.__class__ is str and len(value) > longest:
                raise CellError(
                    f"текст длиннее допустимого: в ячейке {count_of(len(value), 'символ', 'символа', 'символов')}, "
                    f"а можно не более {count_of(longest, 'символа', 'символов', 'символов')}"
                )

        return check_text
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        limit = Decimal(10) ** (field.max_digits - places)
        step = Decimal(1).scaleb(-places)

        def check_decimal(value: Any) -> None:
            if value.__class__ is not Decimal:
                return
            if abs(value) >= limit:
                raise CellError(f"ожидается число меньше {thousands(int(limit))}")
            if value.as_tuple().exponent < -places and value != value.quantize(step):
                raise CellError(
                    f"ожидается число не более чем с {count_of(places, 'знаком', 'знаками', 'знаками')} после запятой"
                )

        return check_decimal
    internal = field.get_internal_type()
    if internal in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[internal]

        def check_int(value: Any) -> None:
            if value.__class__ is int and not low <= value <= high:
                raise CellError(f"ожидается целое число от {thousands(low)} до {thousands(high)}")

        return check_int
    return None


def bounded(column: Column, table_models: Iterable[type[models.Model]]) -> Column:
    """``column`` with its parser held to the bounds of the field it fills (the same column if none)."""
    field = column.stored_in or column_field(column, table_models)
    check = field_bound(field) if field is not None else None
    if check is None or getattr(column.parse, "bound", None) is not None:
        return column
    inner = column.parse

    def parse(value: Any) -> Any:
        parsed = inner(value)
        if parsed.__class__ is list:
            for item in parsed:
                check(item)
        else:
            check(parsed)
        return parsed

    parse.bound = field  # type: ignore[attr-defined]  # marks the parser as held (registering twice)
    return dataclasses.replace(column, parse=parse)


def sheets() -> list[Sheet]:
    """Registered sheets in import order."""
    return sorted(_registered().values(), key=lambda s: (s.order, s.name))


def sheet_by_name(name: str) -> Sheet | None:
    wanted = header_key(name)
    return next((s for s in _registered().values() if header_key(s.name) == wanted), None)


def model_values(instance: models.Model, fields: Iterable[str]) -> tuple:
    return tuple(getattr(instance, f) for f in fields)
