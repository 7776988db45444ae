"""The error report as a workbook: a copy of the upload with each bad cell marked and commented.

Built from what the reader saw (so .xlsx, .ods, .xls, CSV and zips all get the same
kind of copy), each row written back at the row number the user sees, plus a first
sheet «Ошибки» listing every problem. It reads the uploaded file, so it runs where
uploads are read — in the worker that checked it (monitoring.intake.jobs stores the result
with the job) — never in a web request. The workbook is streamed (openpyxl's write-only
mode): a region-size package's copy takes seconds, not the better part of a minute.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from monitoring.intake.package.parsing import header_key
from monitoring.intake.package.reader import RawSheet, read_package
from monitoring.shared.spreadsheets import ILLEGAL, looks_like_formula, sheet_value, text_cell, text_row

BAD = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")
BOLD = Font(bold=True)


def error_workbook(*, source, filename: str, problems: list[dict]) -> bytes:
    """An .xlsx copy of ``source`` with the cells named in ``problems`` filled red and commented.

    ``source`` None (or a file that cannot be read) gives the list of problems alone.
    """
    raw_sheets: dict[str, RawSheet] = {}
    if source is not None:
        try:
            raw_sheets = read_package(source, filename=filename)
        except Exception:  # an unreadable file: the list of problems is all there is to give
            raw_sheets = {}
    return error_workbook_from_sheets(sheets=list(raw_sheets.values()), problems=problems)


def error_workbook_from_sheets(*, sheets: list[RawSheet], problems: list[dict]) -> bytes:
    """The error report from sheets already read (see ``error_workbook``)."""
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("Ошибки")
    for letter, width in zip("ABCDE", (28, 8, 28, 24, 80), strict=True):
        summary.column_dimensions[letter].width = width
    summary.append(
        [_styled(summary, title, font=BOLD) for title in ("Лист", "Строка", "Столбец", "Значение", "Что не так")]
    )
    for p in problems:
        summary.append(
            text_row(
                summary,
                [p.get("sheet"), p.get("row"), p.get("column"), p.get("value"), p.get("message") or p.get("text")],
            )
        )

    by_sheet: dict[str, list[dict]] = {}
    for p in problems:
        by_sheet.setdefault(header_key(p.get("sheet") or ""), []).append(p)
    used = {"ошибки"}
    for raw in sheets:
        ws = wb.create_sheet(sheet_title(raw.name, used))
        ws.freeze_panes = f"A{raw.header_row + 1}"
        columns = {header_key(h): i for i, h in enumerate(raw.headers) if h}
        notes: dict[int, dict[int, list[str]]] = {}  # Excel row → cell index → notes
        for p in by_sheet.get(header_key(raw.name), []):
            column = columns.get(header_key(p.get("column") or ""), 0)
            notes.setdefault(p.get("row") or raw.header_row, {}).setdefault(column, []).append(
                p.get("message") or p.get("text")
            )
        rows = dict(raw.rows)
        rows[raw.header_row] = raw.headers
        written = 0
        # Rows in order (write-only sheets are written top to bottom), each at its own
        # number; a problem on a row that holds nothing still gets its marked cell.
        for number in sorted(rows.keys() | notes.keys()):
            if number < 1:
                continue
            while written < number - 1:
                ws.append([])
                written += 1
            ws.append(_row(ws, rows.get(number, []), notes.get(number, {})))
            written = number
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# What Excel forbids in a sheet's name (openpyxl refuses it; «Штат/расписание[1]» was a server error).
_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def sheet_title(name: str, used: set[str]) -> str:
    """A sheet name Excel accepts, close to the uploaded one, and not yet taken (compared case-blind).

    No character Excel forbids (replaced by «_»), none XML cannot hold (dropped: a name with
    a control character made the workbook unreadable), no apostrophe at either end, at most
    31 characters, never empty; a clash (after cutting, or with «Ошибки») gets « (2)», « (3)»…
    """
    title = _TITLE_FORBIDDEN.sub("_", ILLEGAL.sub("", name or "")).strip().strip("'").strip() or "Лист"
    title = title[:31]
    candidate, n = title, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = title[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def _row(ws, values, notes: dict[int, list[str]]) -> list:
    width = max(len(values), max(notes, default=-1) + 1)
    row = []
    for index in range(width):
        value = values[index] if index < len(values) else None
        if value == "":
            value = None
        if index not in notes:
            row.append(text_cell(ws, value))  # a copy of user input: never run as a formula
            continue
        cell = _styled(ws, value)
        cell.fill = BAD
        cell.comment = Comment("\n".join(notes[index]), "Портал")
        row.append(cell)
    return row


def _styled(ws, value, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=sheet_value(value))
    if looks_like_formula(cell.value):
        cell.data_type = "s"  # a string cell: Excel shows it and runs nothing
    if font is not None:
        cell.font = font
    return cell
