"""The sheets of an .ods measured from its content.xml, streamed in pieces."""

from __future__ import annotations

import html
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from monitoring.intake.package.parsing import count_of, thousands
from monitoring.intake.package.safety.common import (
    MAX_CELL_TEXT,
    MAX_REPEATED_TEXT_BYTES,
    MAX_ROWS,
    PackageFileError,
    format_megabytes,
)
from monitoring.intake.package.safety.extent import XML_ATTRIBUTES, SheetExtent, over_limits, xml_pieces

# calamine reads content.xml with its literal prefixes (table:, office:, text:). A cell
# repeated by table:number-columns-repeated is copied that many times when it holds a
# value; empty cells are copied only when a value follows them in the row. A row
# repeated by table:number-rows-repeated is copied with all its cells, and empty rows
# only when a row with values follows: the trailing million empty rows LibreOffice writes
# cost nothing and are not counted.
_ODS_TOKEN = re.compile(
    rb"<(/?)(table:table-row|table:table-cell|table:covered-table-cell|table:table|text:s)(?=[\s/>])"
    + XML_ATTRIBUTES
    + rb">"
)
_ODS_VALUE = re.compile(
    rb"(?:^|\s)(?:office:(?:value|string-value|date-value|time-value|boolean-value)|table:formula)\s*="
    rb"|(?:^|\s)office:value-type\s*=\s*[\"']string[\"']"
)
_ODS_ROWS_REPEATED = re.compile(rb"(?:^|\s)table:number-rows-repeated\s*=\s*[\"']([0-9]+)[\"']")
_ODS_COLUMNS_REPEATED = re.compile(rb"(?:^|\s)table:number-columns-repeated\s*=\s*[\"']([0-9]+)[\"']")
_ODS_SPACES = re.compile(rb"(?:^|\s)text:c\s*=\s*[\"']([0-9]+)[\"']")
_ODS_NAME = re.compile(rb"(?:^|\s)table:name\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# Cells this long (in bytes of XML) are counted when they are repeated; flags and
# numbers are far shorter.
_LONG_CELL = 1024


def _count(pattern: re.Pattern, attributes: bytes, default: int = 1) -> int:
    found = pattern.search(attributes)
    return int(found.group(1)) if found else default


def ods_extents(fp: BinaryIO, name: str) -> Iterator[SheetExtent]:
    with zipfile.ZipFile(fp) as archive:
        try:
            info = archive.getinfo("content.xml")
        except KeyError:
            return  # calamine says the file is damaged
        extent: SheetExtent | None = None
        rows_seen = row_repeats = row_width = pending = 0
        repeated_text = 0
        cell_start = cell_copies = spaces = 0
        in_value_cell = False

        def close_cell(position: int) -> None:
            nonlocal repeated_text, in_value_cell
            if in_value_cell and cell_copies > 1:
                size = position - cell_start + spaces
                if size > _LONG_CELL:
                    repeated_text += size * (cell_copies - 1)
            in_value_cell = False

        for offset, piece in xml_pieces(archive, info, name):
            for token in _ODS_TOKEN.finditer(piece):
                closing, tag, attributes = token.groups()
                self_closing = attributes.endswith(b"/")
                position = offset + token.start()
                if tag == b"table:table":
                    if not closing:
                        found = _ODS_NAME.search(attributes)
                        raw = (found.group(1) if found.group(1) is not None else found.group(2)) if found else b""
                        title = unicodedata.normalize("NFC", html.unescape(raw.decode("utf-8", "replace")).strip())
                        extent = SheetExtent(sheet=title)
                        rows_seen = 0
                    elif extent is not None:
                        yield extent
                        extent = None
                    continue
                if extent is None:
                    continue
                if tag == b"text:s":
                    if in_value_cell:
                        spaces += _count(_ODS_SPACES, attributes)
                        if spaces > MAX_CELL_TEXT:
                            raise PackageFileError(
                                f"Файл «{name}» повреждён: на листе «{extent.sheet}» в одной ячейке объявлено "
                                f"{count_of(spaces, 'пробел', 'пробела', 'пробелов')}, а в ячейке может быть не более "
                                f"{thousands(MAX_CELL_TEXT)} знаков. Откройте файл в LibreOffice или Excel и "
                                f"сохраните заново."
                            )
                    continue
                if tag == b"table:table-row":
                    if not closing:
                        close_cell(position)
                        # calamine stops counting rows at a sheet's last row.
                        row_repeats = min(_count(_ODS_ROWS_REPEATED, attributes), max(MAX_ROWS - rows_seen, 0))
                        row_width = pending = 0
                    if closing or self_closing:
                        close_cell(position)
                        if row_width:
                            extent.rows = rows_seen + row_repeats
                            extent.columns = max(extent.columns, row_width)
                        rows_seen += row_repeats
                        row_repeats = 0
                        if over_limits(extent):
                            yield extent
                            return
                    continue
                # a cell (or a covered cell) of the current row
                if closing:
                    continue
                close_cell(position)
                repeats = _count(_ODS_COLUMNS_REPEATED, attributes)
                if _ODS_VALUE.search(attributes):
                    row_width += pending + repeats
                    pending = 0
                    extent.filled += 1
                    in_value_cell, cell_start, spaces = True, position, 0
                    cell_copies = repeats * max(row_repeats, 1)
                    if self_closing:
                        close_cell(offset + token.end())
                else:
                    pending += repeats
            if repeated_text > MAX_REPEATED_TEXT_BYTES and extent is not None:
                raise PackageFileError(
                    f"Слишком большой лист «{extent.sheet}» книги «{name}»: повторы ячеек с длинным текстом "
                    f"разворачиваются в {format_megabytes(repeated_text)} МБ текста. Откройте файл в LibreOffice, "
                    f"удалите лишние повторяющиеся строки и сохраните заново."
                )
        if extent is not None:
            yield extent
