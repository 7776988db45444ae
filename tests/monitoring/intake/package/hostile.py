"""Small hostile workbooks, built in code, for the safety tests and tests/perf/bench_hostile.py.

Each builder returns the file's bytes; ``HOSTILE`` lists them with the file name they
are uploaded under and the sheet their refusal must name. Every one of them made
python-calamine abort its process or take gigabytes before the extent checks of
monitoring/intake/package/safety/.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

CORPUS = Path(__file__).parent / "corpus"


def openpyxl_book(cells: dict[str, object], title: str = "Педагоги") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for coordinate, value in cells.items():
        sheet[coordinate] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The zip with each entry's bytes passed through ``change(name, data)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)))
    return out.getvalue()


def replace_sheet_data(data: bytes, sheet_data: bytes, dimension: bytes | None = None) -> bytes:
    """An openpyxl book whose first sheet's <sheetData> (and <dimension>) are the given XML."""

    def change(name: str, xml: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return xml
        xml = re.sub(rb"<sheetData>.*</sheetData>|<sheetData\s*/>", lambda _: sheet_data, xml, flags=re.S)
        if dimension is not None:
            xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + dimension + b'"', xml)
        return xml

    return rewrite_zip(data, change)


# --- .xlsx ---------------------------------------------------------------------------


def xlsx_corner() -> bytes:
    """One cell at A1, one at XFD1048576: 1.6 KB that asked calamine for 512 GiB."""
    return openpyxl_book({"A1": "Код педагога", "XFD1048576": "x"})


def xlsx_lying_dimension() -> bytes:
    """The same two cells under a <dimension> that claims A1:B2: only the cells themselves tell."""
    return replace_sheet_data(xlsx_corner(), _cells(("A1", "Код"), ("XFD1048576", "x")), dimension=b"A1:B2")


def xlsx_huge_dimension() -> bytes:
    """Two cells under a <dimension> claiming the whole sheet, A1:XFD1048576."""
    return replace_sheet_data(
        openpyxl_book({"A1": "Код", "B2": "x"}), _cells(("A1", "Код"), ("B2", "x")), b"A1:XFD1048576"
    )


def xlsx_sparse() -> bytes:
    """A1 and IV65536: 16.8 million cells of rectangle (within the size limit) for two values."""
    return openpyxl_book({"A1": "Код педагога", "IV65536": "x"})


def xlsx_prefixed_cells() -> bytes:
    """Namespace-prefixed cells (<x:c r='XFD1'>) in single quotes, which calamine reads alike."""
    sheet_data = (
        b"<sheetData><row r='1'><x:c xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main' "
        b"t='inlineStr' r='A1'><x:is><x:t>Code</x:t></x:is></x:c></row><row r='1048576'><x:c "
        b"xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main' s='0' r='xfd1048576' t='inlineStr'>"
        b"<x:is><x:t>x</x:t></x:is></x:c></row></sheetData>"
    )
    return replace_sheet_data(openpyxl_book({"A1": "Код"}), sheet_data, dimension=b"A1")


def xlsx_positional_cells() -> bytes:
    """Cells without r="…" after one far out: each takes the place after the previous one."""
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>'
    rows += b'<row r="1048576"><c r="XFB1048576"><v>1</v></c>'
    rows += b"<c><v>2</v></c><c><v>3</v></c></row>"
    return replace_sheet_data(openpyxl_book({"A1": "Код"}), b"<sheetData>" + rows + b"</sheetData>", dimension=b"A1")


def xlsx_shared_strings() -> bytes:
    """A shared-string table announcing four billion strings (calamine reserves room for them first)."""

    def change(name: str, xml: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            return re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', xml)
        return xml

    return rewrite_zip((CORPUS / "libreoffice-sample.xlsx").read_bytes(), change)


def _cells(*cells: tuple[str, str]) -> bytes:
    rows = b""
    for reference, value in cells:
        row = re.sub(r"[A-Z]", "", reference).encode()
        rows += b'<row r="%s"><c r="%s" t="inlineStr"><is><t>%s</t></is></c></row>' % (
            row,
            reference.encode(),
            value.encode(),
        )
    return b"<sheetData>" + rows + b"</sheetData>"


# --- .ods ----------------------------------------------------------------------------


def _ods_with_rows(rows: bytes) -> bytes:
    """LibreOffice's book (sheet «Лист», headers at B3) with ``rows`` in front of its own."""

    def change(name: str, xml: bytes) -> bytes:
        if name != "content.xml":
            return xml
        first = xml.index(b"<table:table-row")
        return xml[:first] + rows + xml[first:]

    return rewrite_zip((CORPUS / "libreoffice-offset.ods").read_bytes(), change)


def ods_repeats() -> bytes:
    """A row repeated 6,000 times holding a cell repeated 16,000 times: 6.9 GB in calamine."""
    return _ods_with_rows(
        b'<table:table-row table:number-rows-repeated="6000"><table:table-cell table:number-columns-repeated="16000" '
        b'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )


def ods_dense_repeats() -> bytes:
    """A value repeated over 256 columns and 60,000 rows: a full rectangle from one cell element."""
    return _ods_with_rows(
        b'<table:table-row table:number-rows-repeated="60000"><table:table-cell table:number-columns-repeated="256" '
        b'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )


def ods_spaces() -> bytes:
    """A text cell of two billion spaces (<text:s text:c="…"/>), which calamine writes out one by one."""
    return _ods_with_rows(
        b'<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>b'
        b"</text:p></table:table-cell></table:table-row>"
    )


# --- .xls ----------------------------------------------------------------------------

_DIMENSIONS = b"\x00\x02\x0e\x00"  # record 0x0200, 14 bytes (BIFF8)
_LABELSST = b"\xfd\x00\x0a\x00"  # record 0x00FD, 10 bytes


def _xls_sheet_records(data: bytes, sheet_index: int) -> int:
    """Where the DIMENSIONS record of the ``sheet_index``-th sheet starts in LibreOffice's .xls."""
    positions = [m.start() for m in re.finditer(re.escape(_DIMENSIONS), data)]
    return positions[sheet_index]


def xls_dimensions() -> bytes:
    """LibreOffice's .xls with the DIMENSIONS of «Педагоги» (the 4th sheet) edited to four billion rows."""
    data = bytearray((CORPUS / "libreoffice-sample.xls").read_bytes())
    at = _xls_sheet_records(data, 3)
    data[at + 4 : at + 18] = struct.pack("<LLHHH", 0, 0xFFFFFFF0, 0, 0x4000, 0)
    return bytes(data)


def xls_far_cell() -> bytes:
    """LibreOffice's .xls with one cell of «Педагоги» moved to row 65,536, column 65,536."""
    data = bytearray((CORPUS / "libreoffice-sample.xls").read_bytes())
    at = data.index(_LABELSST, _xls_sheet_records(data, 3))
    data[at + 4 : at + 8] = struct.pack("<HH", 0xFFFF, 0xFFFF)
    return bytes(data)


@dataclass(frozen=True)
class Hostile:
    label: str
    filename: str
    build: Callable[[], bytes]
    sheet: str | None  # the sheet the refusal names (None: a workbook-wide refusal)
    words: str  # a phrase the refusal contains


HOSTILE = [
    Hostile("xlsx A1 + XFD1048576", "угол.xlsx", xlsx_corner, "Педагоги", "A1:XFD1048576"),
    Hostile("xlsx, <dimension> says A1:B2", "размер.xlsx", xlsx_lying_dimension, "Педагоги", "столбец XFD"),
    Hostile("xlsx, <dimension> A1:XFD1048576", "диапазон.xlsx", xlsx_huge_dimension, "Педагоги", "A1:XFD1048576"),
    Hostile("xlsx A1 + IV65536 (sparse)", "редкий.xlsx", xlsx_sparse, "Педагоги", "IV65536"),
    Hostile("xlsx prefixed cells", "префикс.xlsx", xlsx_prefixed_cells, "Педагоги", "столбец XFD"),
    Hostile("xlsx cells without r", "без-адресов.xlsx", xlsx_positional_cells, "Педагоги", "Слишком широкий лист"),
    Hostile("xlsx 4e9 shared strings", "строки.xlsx", xlsx_shared_strings, None, "4 000 000 000 строк"),
    Hostile("xls DIMENSIONS edited", "старый.xls", xls_dimensions, "Педагоги", "объявляет диапазон"),
    Hostile("xls cell at 65536:65536", "ячейка.xls", xls_far_cell, "Педагоги", "столбец CRXP"),
    Hostile("ods 6000 rows x 16000 cells", "повторы.ods", ods_repeats, "Лист", "столбец WQJ"),
    Hostile("ods 60000 rows x 256 cells", "плотный.ods", ods_dense_repeats, "Лист", "заполненных ячеек всего 7,"),
    Hostile("ods 2e9 spaces in a cell", "пробелы.ods", ods_spaces, "Лист", "пробелов"),
]
