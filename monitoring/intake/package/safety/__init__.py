"""Checks an uploaded package file before any reader opens it.

An upload comes from a school secretary's browser or an operator's command line, so
it may be anything: a web page saved with an ``.xlsx`` name, an Excel 97–2003 book
renamed by hand, a password-protected book, a truncated download, or a hostile zip
bomb. Everything here decides from the file's first bytes and, for zip-based files,
from the zip's central directory alone (an OLE2 file is also scanned for the marker of
an encrypted .xlsx): nothing is decompressed, so a check costs milliseconds whatever
the file holds. Every refusal is a ``PackageFileError`` whose
message is Russian, names the file and says what to do.

The entry point is ``check_upload``; ``check_zip`` is public for callers that already
know they hold a zip. ``check_extent`` and ``iter_extents`` then measure what each sheet
of a workbook declares, before a reader allocates it.

The modules, by job: ``common`` (the limits, ``PackageFileError``, the formats),
``upload`` (name, size and first bytes), ``zips`` (a zip's central directory),
``workbooks`` (the sheets' extents) with ``extent`` and a scanner per format
(``xlsx``, ``ods``, ``xls``). A test lowering a limit patches the module that reads it.
"""

from __future__ import annotations

from monitoring.intake.package.safety.common import (
    MAX_COMPRESSION_RATIO,
    MAX_CSV_UNPACKED_BYTES,
    MAX_SHEET_CELLS,
    MAX_UPLOAD_BYTES,
    MAX_ZIP_ENTRIES,
    RATIO_CHECK_MIN_BYTES,
    Content,
    PackageFileError,
    PackageFormat,
    display_name,
    format_megabytes,
)
from monitoring.intake.package.safety.extent import SheetExtent, column_letters
from monitoring.intake.package.safety.upload import check_upload, sniff
from monitoring.intake.package.safety.workbooks import check_extent, iter_extents
from monitoring.intake.package.safety.zips import check_zip, entry_name

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_CSV_UNPACKED_BYTES",
    "MAX_SHEET_CELLS",
    "MAX_UPLOAD_BYTES",
    "MAX_ZIP_ENTRIES",
    "RATIO_CHECK_MIN_BYTES",
    "Content",
    "PackageFileError",
    "PackageFormat",
    "SheetExtent",
    "check_extent",
    "check_upload",
    "check_zip",
    "column_letters",
    "display_name",
    "entry_name",
    "format_megabytes",
    "iter_extents",
    "sniff",
]
