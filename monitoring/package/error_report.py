"""The error report as a workbook: a copy of the upload with each bad cell marked and commented.

Built from what the reader saw (so .xlsx, .ods, .xls, CSV and zips all get the same
kind of copy), each row written back at the row number the user sees, plus a first
sheet «Ошибки» listing every problem.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from monitoring.package.parsing import header_key
from monitoring.package.reader import read_package
from monitoring.spreadsheets import put, text_row

BAD = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")


def error_workbook(*, source, filename: str, problems: list[dict]) -> bytes:
    """An .xlsx copy of ``source`` with the cells named in ``problems`` filled red and commented."""
    wb = Workbook()
    summary = wb.active
    summary.title = "Ошибки"
    summary.append(["Лист", "Строка", "Столбец", "Значение", "Что не так"])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for p in problems:
        summary.append(
            text_row(
                summary,
                [p.get("sheet"), p.get("row"), p.get("column"), p.get("value"), p.get("message") or p.get("text")],
            )
        )
    for letter, width in zip("ABCDE", (28, 8, 28, 24, 80), strict=True):
        summary.column_dimensions[letter].width = width

    try:
        raw_sheets = read_package(source, filename=filename)
    except Exception:  # an unreadable file: the list of problems is all there is to give
        raw_sheets = {}
    by_sheet: dict[str, list[dict]] = {}
    for p in problems:
        by_sheet.setdefault(header_key(p.get("sheet") or ""), []).append(p)
    for raw in raw_sheets.values():
        ws = wb.create_sheet(raw.name[:31])
        _put_row(ws, raw.header_row, raw.headers)
        for number, cells in raw.rows:
            _put_row(ws, number, cells)
        columns = {header_key(h): i + 1 for i, h in enumerate(raw.headers) if h}
        for p in by_sheet.get(header_key(raw.name), []):
            row = p.get("row") or raw.header_row
            col = columns.get(header_key(p.get("column") or ""), 1)
            cell = ws.cell(row=row, column=col)
            cell.fill = BAD
            note = p.get("message") or p.get("text")
            cell.comment = Comment(note if not cell.comment else f"{cell.comment.text}\n{note}", "Портал")
        ws.freeze_panes = ws.cell(row=raw.header_row + 1, column=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _put_row(ws, number: int, values) -> None:
    for index, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        put(ws, row=number, column=index, value=value)  # a copy of user input: never run as a formula
