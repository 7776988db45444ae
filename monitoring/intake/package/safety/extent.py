"""The rectangle a reader would allocate for a sheet (``SheetExtent``), and its limits.

Shared by the scanners of each workbook format (xlsx, ods, xls).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from monitoring.intake.package.parsing import count_of, thousands
from monitoring.intake.package.safety.common import (
    FILL_RATIO,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHEET_CELLS,
    SPARSE_CELLS,
    PackageFileError,
)


@dataclass
class SheetExtent:
    """The rectangle a reader would allocate for one sheet, measured from the file's bytes.

    ``rows`` and ``columns`` reach the last cell holding a value (1-based; 0 for an empty
    sheet): the reader materialises every cell from A1 to there. ``filled`` counts the
    cells the file really writes out with a value (a repeated ODS cell counts once), the
    bytes that back the rectangle. ``declared`` is what the sheet's header announces
    (xlsx ``<dimension>``, xls DIMENSIONS): (rows, columns, text of the range), if any.
    """

    sheet: str
    rows: int = 0
    columns: int = 0
    filled: int = 0
    declared: tuple[int, int, str] | None = None
    # .xls: calamine reserves the declared room whatever the sheet holds, so the declared
    # range must be backed by the cells written (values and formatted blanks) too.
    declared_reserved: bool = False
    written: int = 0

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    @property
    def last_cell(self) -> str:
        return f"{column_letters(self.columns)}{self.rows}"


def check_sheet_extent(extent: SheetExtent, name: str) -> None:
    where = f"лист «{extent.sheet}» книги «{name}»"
    if extent.declared is not None:
        rows, columns, text = extent.declared
        if (
            rows > MAX_ROWS
            or rows * columns > MAX_SHEET_CELLS
            or (extent.declared_reserved and rows * columns > max(SPARSE_CELLS, FILL_RATIO * extent.written))
        ):
            raise PackageFileError(
                f"Файл «{name}» повреждён: {where} объявляет диапазон {text} — "
                f"{count_of(rows * columns, 'ячейка', 'ячейки', 'ячеек')}, "
                f"а в самом листе их намного меньше. Откройте файл в Excel и сохраните заново как "
                f"«Книга Excel (*.xlsx)»."
            )
    if extent.rows > MAX_ROWS:
        raise PackageFileError(
            f"Файл «{name}» повреждён: {where} ссылается на строку {thousands(extent.rows)}, а в листе может быть "
            f"не более {thousands(MAX_ROWS)} строк. Откройте файл в Excel и сохраните заново как "
            f"«Книга Excel (*.xlsx)»."
        )
    if extent.columns > MAX_COLUMNS:
        raise PackageFileError(
            f"Слишком широкий {where}: в нём заполнен столбец {column_letters(extent.columns)} "
            f"({thousands(extent.columns)}-й), а допускается не более {MAX_COLUMNS} столбцов (в самом широком "
            f"листе пакета, «Диагностика», их 63). Удалите лишние столбцы справа от таблицы и сохраните файл заново."
        )
    cells = count_of(extent.cells, "ячейка", "ячейки", "ячеек")
    if extent.cells > MAX_SHEET_CELLS:
        raise PackageFileError(
            f"Слишком большой {where}: диапазон от A1 до последней заполненной ячейки {extent.last_cell} — {cells}, "
            f"а допускается не более {thousands(MAX_SHEET_CELLS)}. Разделите данные на несколько файлов или удалите "
            f"лишние строки и столбцы."
        )
    if extent.cells > max(SPARSE_CELLS, FILL_RATIO * extent.filled):
        raise PackageFileError(
            f"На листе «{extent.sheet}» книги «{name}» заполненных ячеек всего {thousands(extent.filled)}, а диапазон "
            f"до последней заполненной ячейки {extent.last_cell} — {cells}. Похоже, далеко за пределами таблицы есть "
            f"лишние значения: очистите ячейку {extent.last_cell} и другие ячейки вне таблицы (или удалите лишние "
            f"строки и столбцы) и сохраните файл заново."
        )


def column_letters(number: int) -> str:
    """Excel's letters for a 1-based column number: 1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


# XML is read in pieces cut just before a "<", so that no tag is ever split (a "<" can
# stand neither in an attribute value nor in text). Legitimate sheet XML has a "<" every
# few dozen bytes; a piece of _MAX_TAG bytes without one is a crafted file.
_CHUNK = 8 * 1024 * 1024
_MAX_TAG = 4 * 1024 * 1024


def xml_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Iterator[tuple[int, bytes]]:
    """(offset, piece) of a zip entry's bytes; each piece ends just before a "<"."""
    carry = b""
    offset = 0
    with archive.open(info) as stream:
        while block := stream.read(_CHUNK):
            data = carry + block
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data
            else:
                yield offset, data[:cut]
                offset += cut
                carry = data[cut:]
            if len(carry) > _MAX_TAG:
                raise PackageFileError(
                    f"Файл «{name}» повреждён: часть «{info.filename}» не похожа на таблицу. Откройте файл в Excel "
                    f"и сохраните заново как «Книга Excel (*.xlsx)»."
                )
    if carry:
        yield offset, carry


def over_limits(extent: SheetExtent) -> bool:
    """Whether the extent measured so far is already past a sheet's limits."""
    return extent.rows > MAX_ROWS or extent.columns > MAX_COLUMNS or extent.cells > MAX_SHEET_CELLS


# The attributes of an XML tag up to its ">" (quoted values may hold ">").
XML_ATTRIBUTES = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
