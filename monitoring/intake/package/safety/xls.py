"""The sheets of an Excel 97–2003 book measured from its record stream."""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO

import olefile

from monitoring.intake.package.safety.extent import SheetExtent, column_letters

# calamine reads an .xls (BIFF5/BIFF8 in an OLE2 compound file) whole when it opens it:
# for each sheet it reserves room for the rows × columns its DIMENSIONS record states,
# then places every cell record by its row and column (16 bits each, so up to 65,536 ×
# 65,536 even though BIFF8 sheets have 256 columns).
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
# NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA
_CELL_RECORDS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}
_MULRK, _BLANK, _MULBLANK = 0x00BD, 0x0201, 0x00BE
_RECORD = struct.Struct("<HH")


def xls_extents(fp: BinaryIO, name: str) -> Iterator[SheetExtent]:
    """Each sheet's extent from the workbook stream's records (nothing if it is no .xls)."""
    if not olefile.isOleFile(fp):
        return
    fp.seek(0)
    with olefile.OleFileIO(fp) as ole:
        stream_name = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream_name is None:
            return  # calamine says the file is not a workbook
        data = ole.openstream(stream_name).read()
    sheets = []  # (position of the sheet's BOF, name)
    biff8 = True
    position = 0
    while position + 4 <= len(data):
        kind, size = _RECORD.unpack_from(data, position)
        body = data[position + 4 : position + 4 + size]
        position += 4 + size
        if kind == _BOF and position - 4 - size == 0 and len(body) >= 2:
            biff8 = struct.unpack_from("<H", body)[0] == 0x0600
        elif kind == _BOUNDSHEET and len(body) >= 8:
            sheets.append((struct.unpack_from("<L", body)[0], _xls_sheet_name(body[6:], biff8)))
        elif kind == _EOF:
            break
    for start, sheet in sheets:
        yield _xls_sheet_extent(data, start, sheet)


def _xls_sheet_name(body: bytes, biff8: bool) -> str:
    if not body:
        return ""
    length = body[0]
    if biff8 and len(body) >= 2:
        raw = body[2 : 2 + (length * 2 if body[1] & 1 else length)]
        text = raw.decode("utf-16-le" if body[1] & 1 else "latin-1", "replace")
    else:
        text = body[1 : 1 + length].decode("cp1251", "replace")
    return unicodedata.normalize("NFC", text.strip())


def _xls_sheet_extent(data: bytes, start: int, sheet: str) -> SheetExtent:
    extent = SheetExtent(sheet=sheet, declared_reserved=True)
    position = start
    depth = 0
    seen_bof = False
    while position + 4 <= len(data):
        kind, size = _RECORD.unpack_from(data, position)
        body = data[position + 4 : position + 4 + size]
        position += 4 + size
        if depth:
            depth += kind == _BOF
            depth -= kind == _EOF
            continue
        if kind == _BOF:
            if seen_bof:
                depth = 1  # an embedded chart: calamine skips its records
            seen_bof = True
        elif kind == _EOF:
            break
        elif kind in _CELL_RECORDS and len(body) >= 4:
            row, column = struct.unpack_from("<HH", body)
            _note_cell(extent, row + 1, column + 1, 1)
        elif kind == _MULRK and len(body) >= 6:
            row, first = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
            if last >= first and len(body) == 6 + 6 * (last - first + 1):
                _note_cell(extent, row + 1, last + 1, last - first + 1)
        elif kind == _BLANK:
            extent.written += 1
        elif kind == _MULBLANK and len(body) >= 6:
            extent.written += max((len(body) - 6) // 2, 0)
        elif kind == _DIMENSIONS and extent.declared is None:
            extent.declared = _xls_dimensions(body)
    extent.written += extent.filled
    return extent


def _note_cell(extent: SheetExtent, row: int, column: int, count: int) -> None:
    extent.filled += count
    extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column)


def _xls_dimensions(body: bytes) -> tuple[int, int, str] | None:
    """(rows, columns, text) of the room calamine reserves for a DIMENSIONS record."""
    if len(body) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<LLHH", body)
    elif len(body) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", body)
    else:
        return None  # calamine refuses the record
    if first_column > 0xFF or last_column < first_column:
        first_column = 0
    if last_row >= 1 and last_column >= 1:
        # calamine's arithmetic is 32-bit: a last row before the first wraps around.
        rows = (last_row - 1 - first_row) % 2**32 + 1
        columns = (last_column - 1 - first_column) % 2**32 + 1
    else:
        rows = columns = 1
    text = f"{column_letters(first_column + 1)}{first_row + 1}:{column_letters(max(last_column, 1))}{max(last_row, 1)}"
    return rows, columns, text
