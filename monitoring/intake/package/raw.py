"""A sheet as the file holds it (``RawSheet``): what the readers give and the reading process sends back.

Below both the reader (monitoring.intake.package.reader) and the isolation of reading in a
child process (monitoring.intake.package.isolation), which each use it and not each other's
internals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawSheet:
    """One sheet as the file holds it.

    ``headers`` are the header row's cells as strings: trimmed, inner runs of spaces and
    line breaks collapsed to one space, Unicode NFC, empty cells as "". ``rows`` pairs
    the row number the user sees in Excel with the row's cells; fully empty rows are left
    out but still counted. Cell index 0 is column A, as in Excel, and every row has at
    least ``len(headers)`` cells. Cells are None when empty, else str for CSV; for
    workbooks str, int, float, bool, datetime.date/datetime/time or timedelta, as calamine
    gives them. ``header_row`` is the Excel row number of the headers: the first row that
    is not empty (1 unless the sheet starts with empty rows); 0 for an empty sheet.
    """

    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    header_row: int = 1


def in_file_order(sheets: Iterable[tuple[int, RawSheet]]) -> dict[str, RawSheet]:
    """{name: sheet} in file order from ``iter_package``'s (position, sheet) pairs."""
    return {sheet.name: sheet for _, sheet in sorted(sheets, key=lambda pair: pair[0])}
