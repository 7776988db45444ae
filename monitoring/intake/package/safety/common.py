"""The limits every check holds a file to, the refusal they raise, and what a file is.

``PackageFileError`` is every refusal of the package's file checks and readers: its
message is Russian, names the file and says what to do.
"""

from __future__ import annotations

import enum
import math
import os
from pathlib import PurePath
from typing import BinaryIO

# The largest upload accepted. A region-size package (~166,000 rows, ~2.9 million
# cells) is ~10 MB as .xlsx (measured: 1.95 million cells of the diagnostics sheet make
# 5.8 MB) and less as a zip of CSV files; 50 MiB allows for long texts and styling while
# keeping a whole upload comfortably in a worker's memory.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

# The total of the declared uncompressed sizes of a workbook's (or archive's) entries.
# A region-size workbook unpacks to 100–300 MB of sheet XML (measured: 62 MB for 1.95
# million cells from openpyxl; Excel adds a style and a reference to every cell); 1 GiB
# admits that with room and stops files whose XML alone would exhaust a worker.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024

# The same total for a zip of CSV files, which is read into memory whole and becomes
# Python objects: CSV is ten times denser than sheet XML (no tags; measured: 4.7 MB for
# 1.95 million cells), so a region-size package is some tens of MB of CSV and 256 MiB
# already means millions of rows more than any region has.
MAX_CSV_UNPACKED_BYTES = 256 * 1024 * 1024

# A workbook has a few dozen entries (one per sheet plus styles, rels, theme); a zip of
# CSV files one per sheet. 10,000 is far beyond both and caps the work of listing.
MAX_ZIP_ENTRIES = 10_000

# Per entry, declared uncompressed size / compressed size. Sheet XML and CSV compress
# 5–35× (LibreOffice's content.xml of the sample: 35×); a zip bomb compresses ~1000×
# (deflate's ceiling is ~1032×). 200 keeps a wide margin on both sides.
MAX_COMPRESSION_RATIO = 200

# Small entries are exempt from the ratio test: a short run of repeated markup can
# compress several hundred times legitimately, and an entry this small cannot hurt —
# the total is capped by MAX_UNPACKED_BYTES anyway.
RATIO_CHECK_MIN_BYTES = 1024 * 1024

# How many leading bytes type detection looks at.
HEAD_BYTES = 4096

# --- what a sheet may declare (check_extent) ---------------------------------------
#
# python-calamine allocates a sheet as one rectangle: from its first to its last cell
# holding a value, and, because the reader asks for Excel's own positions, once more
# from A1 to that last cell (``to_python(skip_empty_area=False)``), 24-32 bytes per cell
# in Rust plus a pointer per cell in Python, empty or not. One value at A1 and one at
# XFD1048576 is a 1.6 KB file that asks for 512 GiB. So the rectangle every sheet would
# make is measured from the file's own bytes (cell references, repeat counts, record
# headers) before any reader opens it, and bounded here.
#
# Columns: the widest sheet of the package is «Диагностика» with 63 columns (code, date,
# kind and sixty items); people add a column of notes or two. 256 is four times that and
# the whole width of an Excel 97–2003 sheet (A…IV), so every .xls fits by definition.
MAX_COLUMNS = 256
# Rows: as many as an Excel or LibreOffice sheet has. The largest sheet of a
# national-size package (the `national` demo: a million teachers, so the roster
# «Педагоги» alone has 1,000,001 rows) still fits.
MAX_ROWS = 1_048_576
# Cells, counted as the rectangle from A1 to the last cell holding a value (what the
# reader allocates), per sheet and for the whole workbook. A region-size package is
# ~3.3 million cells in 12.6 MB of .xlsx (~3.8 bytes a cell); the 50 MiB upload limit
# therefore holds ~14 million cells of real data. 2**24 (16.8 million, also exactly an
# Excel 97–2003 sheet, 65,536 × 256) admits that and five region-size packages at once;
# reading it takes ~2 GB in the reading process, within its memory limit.
MAX_SHEET_CELLS = 2**24
MAX_TOTAL_CELLS = 2**24
# A rectangle larger than this must be backed by cells the file really writes: at least
# one cell in FILL_RATIO holding a value. A legitimate sheet is dense (the sparsest,
# «Программы ДПП» with most of its 13 flags left empty, is ~30 % filled; a stray value far
# below a 30,000-row roster still leaves ~4 %), while a small file declaring millions of
# empty cells is not. Up to 2**22 cells (~300 MB to read, the most a refused hostile file
# may cost) nothing is asked.
SPARSE_CELLS = 2**22
FILL_RATIO = 32
# Excel's limit on the text of one cell; a longer run of spaces (ODS ``text:s text:c``)
# exists only in a crafted file.
MAX_CELL_TEXT = 32_767
# Text an .ods multiplies by its repeat counts (a long value repeated across columns and
# rows is copied into every cell by the reader); legitimate repeats are short flags.
MAX_REPEATED_TEXT_BYTES = 64 * 1024 * 1024

# The declared sizes are trustworthy as limits: both Python's zipfile (used for the CSV
# archives) and the Rust zip crate inside python-calamine stop with an error when an
# entry inflates beyond its declared size, so a lying central directory cannot smuggle
# a bomb past these checks.


class PackageFileError(Exception):
    """A package file that cannot be read; ``message`` is Russian and meant for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PackageFormat(enum.StrEnum):
    """How a file is to be read, decided from its extension and confirmed by its content."""

    XLSX = "xlsx"  # .xlsx and .xlsm: Office Open XML, read by calamine
    XLS = "xls"  # Excel 97–2003 (OLE2 compound file), read by calamine
    ODS = "ods"  # OpenDocument spreadsheet, read by calamine
    CSV = "csv"  # one CSV file
    ZIP = "zip"  # a zip of CSV files


class Content(enum.StrEnum):
    """What a file's bytes really are, whatever its name says."""

    EMPTY = "empty"
    ZIP = "zip"
    OLE2 = "ole2"
    HTML = "html"
    XML_SPREADSHEET = "xml-spreadsheet"  # Excel 2003 "XML Spreadsheet"
    PDF = "pdf"
    OTHER_ARCHIVE = "other-archive"  # RAR, 7-Zip, gzip
    TEXT = "text"
    UNKNOWN = "unknown"


EXTENSIONS: dict[str, PackageFormat] = {
    ".xlsx": PackageFormat.XLSX,
    ".xlsm": PackageFormat.XLSX,
    ".xls": PackageFormat.XLS,
    ".ods": PackageFormat.ODS,
    ".csv": PackageFormat.CSV,
    ".zip": PackageFormat.ZIP,
}


def display_name(name: str | os.PathLike | None) -> str:
    """The file's own name, without the folders of a temporary upload path."""
    if not name:
        return ""
    return PurePath(os.fspath(name).replace("\\", "/")).name


def open_binary(source: str | os.PathLike | BinaryIO, name: str) -> tuple[BinaryIO, bool]:
    """A binary file object for ``source`` and whether the caller must close it."""
    if isinstance(source, (str, os.PathLike)):
        try:
            return open(source, "rb"), True  # the caller closes it: see the flag
        except OSError as exc:
            raise PackageFileError(f"Не удалось открыть файл «{name}»: файл не найден или нет доступа.") from exc
    return source, False


def format_megabytes(size: int) -> str:
    """Megabytes with one decimal and a comma, as Russian users write them: 63,2.

    Rounded up, so a file one byte over the 50 MB limit reads "50,1", not "50,0".
    """
    return f"{math.ceil(size * 10 / 2**20) / 10:.1f}".replace(".", ",")


# What the user expected to hand in, for "it is X, not Y" messages.
EXPECTED_NOUN = {
    PackageFormat.XLSX: "книга Excel",
    PackageFormat.XLS: "книга Excel",
    PackageFormat.ODS: "таблица OpenDocument",
    PackageFormat.CSV: "файл CSV",
    PackageFormat.ZIP: "ZIP-архив с CSV-файлами",
}

SAVE_AS_XLSX = "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)»."
