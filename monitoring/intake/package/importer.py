"""The one import service of the data package, shared by every door.

``package_import`` reads a file (monitoring.intake.package.reader), parses every sheet with
the registry's columns as soon as the reader hands it over (its raw cells then dropped, so
a region's package is never held whole as read), checks everything — cells, duplicates, cross-sheet references
against the package and the database — and only when nothing is wrong writes all
sheets in one transaction with bulk upserts. A refused package changes nothing.
``dry_run`` does the same work inside a transaction that is rolled back, so the
preview's counts of rows to add, change and remove are exactly what confirming does.

The writes are bulk paths (COPY, bulk upserts, plain DELETEs) that send no signals, so the
audit history of edited rows (monitoring.models.history) is not written row by row here: the
``ImportJob`` of the load — who, when, which file, its counts per sheet — is its audit record.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import logging
import operator
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, transaction

from monitoring.intake.package import reader, registry
from monitoring.intake.package.context import ImportContext
from monitoring.intake.package.parsing import CellError, header_key, thousands, unescape
from monitoring.intake.package.preview import sheet_preview
from monitoring.intake.package.registry import Problem, Row, SheetResult
from monitoring.intake.package.safety import PackageFileError
from monitoring.models import MonitoringPeriod
from monitoring.shared.bulk_load import allow_foreign_key_swap
from monitoring.shared.periods import period_lock_open

log = logging.getLogger(__name__)

# A school's own upload (its staffing and its teachers) is a few hundred rows; a sheet far
# longer is no school's and would only cost the worker its check.
SCHOOL_MAX_ROWS = 5_000


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run."""


@dataclass
class ImportResult:
    """What an import did or would do."""

    applied: bool
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sheets: dict[str, SheetResult] = field(default_factory=dict)
    # Per sheet, the rows added, changed and removed, by name (monitoring.intake.package.preview).
    previews: dict[str, dict] = field(default_factory=dict)
    rows_read: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _map_headers(sheet: registry.Sheet, raw, problems: list[Problem], warnings: list[Problem]):
    """Column index per field; a missing required column refuses the sheet."""
    by_key = {header_key(c.title): c for c in sheet.columns}
    index: dict[str, int] = {}
    for i, header in enumerate(raw.headers):
        if not header:
            continue
        column = by_key.get(header_key(header))
        if column is None:
            warnings.append(
                Problem(sheet.name, raw.header_row, header, "", "неизвестный столбец пропущен", warning=True)
            )
        elif column.field in index:
            problems.append(Problem(sheet.name, raw.header_row, header, "", "столбец повторяется"))
        else:
            index[column.field] = i
    missing = [c.title for c in sheet.columns if c.required and c.field not in index]
    for title in missing:
        problems.append(
            Problem(sheet.name, raw.header_row, title, "", "нет обязательного столбца; лист не может быть загружен")
        )
    return index, not missing


_unescape = unescape  # the export's formula protection, undone (parsing.unescape)


def parse_package(raw_sheets: dict[str, Any], problems: list[Problem], warnings: list[Problem]) -> dict[str, list[Row]]:
    """Parse every known sheet of a raw package into rows; report cell problems and duplicates."""
    parsed: dict[str, list[Row]] = {}
    for raw in raw_sheets.values():
        sheet = parse_sheet(raw, problems, warnings)
        if sheet is not None:
            parsed[sheet[0]] = sheet[1]
    return parsed


def parse_sheet(raw, problems: list[Problem], warnings: list[Problem]) -> tuple[str, list[Row]] | None:
    """One raw sheet parsed into rows, under its registered name; None for a sheet not loaded.

    Reports cell problems and duplicates; an unknown sheet is a warning.
    """
    sheet = registry.sheet_by_name(raw.name)
    if sheet is None:
        warnings.append(Problem(raw.name, None, None, "", "неизвестный лист пропущен", warning=True))
        return None
    index, usable = _map_headers(sheet, raw, problems, warnings)
    if not usable:
        return None
    rows = _parse_by_columns(sheet, raw.rows, index)
    if rows is None:
        rows = _parse_by_rows(sheet, raw.rows, index, problems)
    return sheet.name, rows


@dataclass
class _Taken:
    """What the import keeps of a sheet as it arrives from the reader; the raw cells are gone by then."""

    rows_read: int
    # Why the sheet may not be loaded here at all: not among ``only_sheets``, too long for a school.
    not_allowed: Problem | None = None
    too_long: Problem | None = None
    # The parse: the registered sheet's name and rows (None: not parsed), its problems and warnings.
    parsed: tuple[str, list[Row]] | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _taker(only_sheets: set[str] | None, school) -> Callable[[Any], _Taken]:
    """What to do with each raw sheet as the reader hands it over: the door's limits, then the parse.

    A sheet that may not be loaded is not parsed: the import is refused anyway.
    """
    allowed = {header_key(s) for s in only_sheets} if only_sheets is not None else None

    def take(raw) -> _Taken:
        taken = _Taken(rows_read=len(raw.rows))
        if allowed is not None and header_key(raw.name) not in allowed:
            taken.not_allowed = Problem(
                raw.name,
                None,
                None,
                "",
                "этот лист нельзя загружать здесь; ожидаются: " + ", ".join(f"«{s}»" for s in sorted(only_sheets)),
            )
        if school is not None and len(raw.rows) > SCHOOL_MAX_ROWS:
            taken.too_long = Problem(
                raw.name,
                None,
                None,
                "",
                f"в листе {thousands(len(raw.rows))} строк с данными, а у одной организации их не бывает "
                f"больше {thousands(SCHOOL_MAX_ROWS)}; проверьте, что это файл вашей организации, и удалите "
                "лишние строки",
            )
        if taken.not_allowed is None and taken.too_long is None:
            taken.parsed = parse_sheet(raw, taken.problems, taken.warnings)
        return taken

    return take


def _parse_by_rows(sheet: registry.Sheet, raw_rows, index: dict[str, int], problems: list[Problem]) -> list[Row]:
    """Row by row, every problem in the order the user reads the sheet."""
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    for number, cells in raw_rows:
        values = {f: _unescape(cells[i]) if i < len(cells) else None for f, i in index.items()}
        row = sheet.parse_row(number, values, problems)
        if row is None:
            continue
        key = sheet.row_key(row)
        if sheet.key and key in seen:
            first_col = sheet.title_for(sheet.key[0])
            problems.append(
                Problem(
                    sheet.name,
                    number,
                    first_col,
                    " / ".join(str(k) for k in key),
                    f"строка повторяет строку {seen[key]}: такая запись в листе уже есть",
                )
            )
            continue
        seen[key] = number
        rows.append(row)
    return rows


# Parser results that may be shared between rows: a cached list would be one object in many rows.
_IMMUTABLE = {str, bool, int, Decimal, dt.date, type(None)}
_CACHEABLE = {str, type(None)}
_CACHEABLE_NUMBER = {float, type(None)}
_SAMPLE = 512


def _parse_by_columns(sheet: registry.Sheet, raw_rows, index: dict[str, int]) -> list[Row] | None:
    """The rows of a clean sheet, parsed a column at a time; None when anything is wrong.

    Row by row, each cell costs a dict entry, an unescape check and a parser call through
    generic code, which dominated the import. Here each column goes through its parser
    with ``map`` and a column of repeated texts (codes, choices, dates, yes/no) is parsed
    once per distinct value. Parsers are pure functions of the cell, so the values are the
    row-by-row ones. Any cell problem, empty required cell or duplicate key sends the sheet
    back to the row-by-row pass, which reports the problems in reading order.
    """
    cls = type(sheet)
    if cls.parse_row is not registry.Sheet.parse_row or cls.row_key is not registry.Sheet.row_key:
        return None  # a sheet with its own reading rules keeps them
    if not raw_rows:
        return []
    # One C-level transposition instead of an itemgetter pass per column. Every row has at
    # least as many cells as the header row (reader.RawSheet), so no column in use is cut.
    by_index = list(zip(*map(operator.itemgetter(1), raw_rows), strict=False))
    fields = [column.field for column in sheet.columns]
    value_columns = []
    try:
        for column in sheet.columns:
            i = index.get(column.field)
            raw = by_index[i] if i is not None else (None,) * len(raw_rows)
            # The cell types, found once, tell both steps below what they may skip.
            types = set(map(type, raw))
            if any(issubclass(t, str) for t in types):
                raw = _unescape_column(raw)
            values, empty = _parse_column(column.parse, raw, types)
            if empty:
                if column.required:
                    return None
                default = column.default
                values = [default if v is None else v for v in values]
            value_columns.append(values)
    except CellError:
        return None
    if sheet.key:
        at = [fields.index(f) for f in sheet.key]
        keys = list(zip(*(value_columns[i] for i in at), strict=True))
        if len(set(keys)) != len(keys):
            return None
    del by_index
    # Each row keeps its values as the tuple zip makes anyway; its dict is built only if
    # something asks for it (registry.Row). It keeps none of its source cells.
    positions = {f: i for i, f in enumerate(fields)}
    return [
        Row(number, None, value_tuple=values, positions=positions)
        for (number, _), values in zip(raw_rows, zip(*value_columns, strict=True), strict=True)
    ]


def _unescape_column(raw: Sequence[Any]) -> Sequence[Any]:
    # One C-level search instead of a check per cell: does a "'" open any text? (A false
    # hit, from a NUL inside a cell, only costs the exact pass.)
    joined = "\x00".join(filter(str.__instancecheck__, raw))
    if joined.startswith("'") or "\x00'" in joined:
        return [unescape(v) for v in raw]
    return raw


def _parse_column(
    parse: Callable[[Any], Any], raw: Sequence[Any], types: set[type] | None = None
) -> tuple[list[Any], bool]:
    """The column's values, and whether any is empty (None or []); ``types``: the cells' types if known."""
    # Cached are columns of texts and empties, or of numbers and empties: a key then only
    # equals a key of its own type, while 1, 1.0 and True mixed are equal keys that may
    # parse apart. Workbooks give every number as a float, so a column of answers 1..4
    # is four parser calls instead of one per cell.
    if len(raw) > _SAMPLE:
        if types is None:
            types = set(map(type, raw))
        if (types <= _CACHEABLE or types <= _CACHEABLE_NUMBER) and len(set(raw[:_SAMPLE])) * 4 <= _SAMPLE * 3:
            distinct = set(raw)
            # 0.0 and -0.0 are one key but may parse apart (Decimal keeps the sign).
            if not (float in types and 0.0 in distinct):
                cache = {v: parse(v) for v in distinct}
                results = cache.values()
                if all(type(v) in _IMMUTABLE for v in results):
                    return list(map(cache.__getitem__, raw)), None in results
                # Lists (subjects) are copied per row: no two rows share one list object.
                if all(type(v) is list and all(type(x) in _IMMUTABLE for x in v) for v in results):
                    return list(map(list, map(cache.__getitem__, raw))), [] in results
    values = list(map(parse, raw))
    return values, None in values or [] in values


def _gc_paused(func):
    """Run ``func`` with the cyclic garbage collector off, as it was before afterwards.

    An import allocates millions of small containers (cells, rows, value dicts) that
    live until it ends; each time a generation fills up the collector walks them all
    again, which cost about a third of parsing and reading. They hold no cycles worth
    collecting early, and what cycles there are go at the next collection after.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@_gc_paused
def package_import(
    *,
    source,
    period: MonitoringPeriod,
    user=None,
    replace: bool = False,
    dry_run: bool = False,
    filename: str | None = None,
    only_sheets: set[str] | None = None,
    school=None,
    extra_check: Callable[[ImportContext], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import a data package file for ``period``: all of it, or nothing.

    ``only_sheets`` limits which sheets the file may contain (a school head's upload);
    ``extra_check`` adds door-specific rules (the head's own school) before writing.
    """
    started = time.perf_counter()
    result = ImportResult(applied=False)
    try:
        # Each sheet is parsed as soon as it is read, while the reader goes on with the next,
        # and its raw cells are dropped: a large package is never held whole as read.
        taken: dict[str, _Taken] = reader.read_package(source, filename=filename, each=_taker(only_sheets, school))
    except PackageFileError as exc:
        result.problems.append(Problem.about_file(filename, exc.message))
        return result
    result.problems.extend(t.not_allowed for t in taken.values() if t.not_allowed is not None)
    if result.problems:
        return result
    result.rows_read = sum(t.rows_read for t in taken.values())
    result.problems.extend(t.too_long for t in taken.values() if t.too_long is not None)
    if result.problems:
        return result
    parsed: dict[str, list[Row]] = {}
    for t in taken.values():
        result.problems.extend(t.problems)
        result.warnings.extend(t.warnings)
        if t.parsed is not None:
            parsed[t.parsed[0]] = t.parsed[1]
    del taken
    ctx = ImportContext(
        period=period, replace=replace, package=parsed, sheets=registry.sheets(), user=user, school=school
    )
    for sheet in registry.sheets():
        if sheet.name in parsed:
            sheet.check(parsed[sheet.name], ctx)
    if extra_check is not None:
        extra_check(ctx)
    result.problems.extend(ctx.problems)
    result.warnings.extend(ctx.warnings)
    if not parsed and not result.problems:
        result.problems.append(Problem.about_file(filename, "в файле нет ни одного листа пакета данных"))
    if result.problems:
        result.seconds = time.perf_counter() - started
        return result

    try:
        with transaction.atomic(), allow_foreign_key_swap(not dry_run):
            # Checked when the write happens, not when the job was queued: a period closed
            # since its preview takes no more data (and cannot be closed until this commits).
            period_lock_open(period=period)
            todo = [s for s in registry.sheets() if s.name in parsed]
            for i, sheet in enumerate(todo, start=1):
                if progress:
                    progress(sheet.name, i, len(todo))
                result.sheets[sheet.name] = sheet.write(parsed[sheet.name], ctx)
                # Named here, inside the transaction, where every row the sheet refers to exists.
                result.previews[sheet.name] = sheet_preview(sheet=sheet, result=result.sheets[sheet.name])
                # Only a sheet's own namespaces gain or lose codes when it is written;
                # reading every namespace again after every sheet (the period's roster is
                # a join over all its teachers) cost more than writing most sheets.
                ctx.forget_ids(sheet.provides)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except ValidationError as exc:
        result.problems.extend(Problem.about_file(filename, m) for m in exc.messages)
        result.seconds = time.perf_counter() - started
        return result
    except DataError:
        # Every column is held to its field's bounds when read (registry.bounded), so this
        # is a value the checks missed: refused like a bad cell, and logged to be fixed.
        log.exception("import of %s: a value the database refused passed the checks", filename)
        result.problems.append(
            Problem.about_file(
                filename,
                "значение в файле не помещается в поле портала (слишком длинный текст или слишком большое число); "
                "данные не изменились. Проверьте файл; если ошибка повторится, сообщите в институт",
            )
        )
        result.seconds = time.perf_counter() - started
        return result
    else:
        result.applied = True
    result.seconds = time.perf_counter() - started
    return result
