"""Writing values into workbooks: what a user typed is stored as text, never as a formula.

openpyxl turns any string that starts with "=" into a formula, and refuses (with an
exception, i.e. a failed download) strings holding control characters that XML cannot
carry. Every writer of the portal that puts user-typed text into a sheet (package
export, error report, staffing template, annual report) goes through these helpers, so
a cell holding ``=HYPERLINK("http://x","y")`` opens as that text in Excel and
LibreOffice, and a stray control character is dropped instead of breaking the file.
"""

from __future__ import annotations

import re

# What spreadsheets read as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters an XML 1.0 document cannot hold: C0 controls but tab/newline/CR, lone
# surrogates and the two non-characters (openpyxl's ILLEGAL_CHARACTERS_RE plus the rest).
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def sheet_value(value):
    """``value`` as a cell may hold it: text without the characters XML forbids."""
    if isinstance(value, str) and ILLEGAL.search(value):
        return ILLEGAL.sub("", value)
    return value


def text_cell(ws, value):
    """An item for ``ws.append()``: formula-looking text becomes a cell that holds it as text."""
    value = sheet_value(value)
    if not looks_like_formula(value):
        return value
    from openpyxl.cell import WriteOnlyCell  # openpyxl stays off the import path of pages that write no workbook

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # a string cell: Excel shows it and runs nothing
    return cell


def text_row(ws, values) -> list:
    """A row for ``ws.append()`` (normal or write-only sheets) with every text protected."""
    return [text_cell(ws, v) for v in values]


def put(ws, *, row: int, column: int, value):
    """``ws.cell(row, column, value)`` for random-access sheets, with the text protected."""
    cell = ws.cell(row=row, column=column, value=sheet_value(value))
    if looks_like_formula(cell.value):
        cell.data_type = "s"
    return cell


def csv_text(value):
    """A CSV value meant to be opened in a spreadsheet: formula-looking text gets a leading apostrophe."""
    if looks_like_formula(value):
        return "'" + value
    return value
