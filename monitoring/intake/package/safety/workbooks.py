"""What the sheets of a workbook declare, checked before any reader opens it.

``check_extent`` and ``iter_extents`` run the scanner of the workbook's format (xlsx, ods,
xls) and hold each sheet and the whole workbook to the cell limits.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from monitoring.intake.package.parsing import thousands
from monitoring.intake.package.safety.common import (
    MAX_TOTAL_CELLS,
    PackageFileError,
    PackageFormat,
    display_name,
    open_binary,
)
from monitoring.intake.package.safety.extent import SheetExtent, check_sheet_extent
from monitoring.intake.package.safety.ods import ods_extents
from monitoring.intake.package.safety.xls import xls_extents
from monitoring.intake.package.safety.xlsx import xlsx_extents


def check_extent(source: str | os.PathLike | BinaryIO, *, name: str, package_format: PackageFormat) -> None:
    """Refuse a workbook whose sheets would make a reader allocate beyond the limits above.

    Runs after ``check_upload`` and before any reader opens the file. Reads the sheet XML
    of an .xlsx (every part, streamed in pieces) and the content of an .ods the same way,
    and the record stream of an .xls; allocates nothing in proportion to what a sheet
    declares. CSV files and zips of them are not workbooks and pass untouched.
    """
    for _ in iter_extents(source, name=name, package_format=package_format):
        pass


def iter_extents(
    source: str | os.PathLike | BinaryIO, *, name: str, package_format: PackageFormat
) -> Iterator[SheetExtent]:
    """``check_extent`` one part at a time: yields each sheet's extent once it has passed.

    For an .xlsx the workbook-wide checks (the shared strings) are done before the first
    extent comes, and the sheets come largest first, then any other part holding cells:
    a reader may open the workbook after the first step and read each sheet as soon as
    its extent has come (see reader._iter_workbook), overlapping the two.
    """
    name = display_name(name)
    scanners = {PackageFormat.XLSX: xlsx_extents, PackageFormat.ODS: ods_extents, PackageFormat.XLS: xls_extents}
    scanner = scanners.get(package_format)
    if scanner is None:
        return
    fp, close = open_binary(source, name)
    try:
        fp.seek(0)
        total = 0
        for extent in scanner(fp, name):
            check_sheet_extent(extent, name)
            total += extent.cells
            if total > MAX_TOTAL_CELLS:
                raise PackageFileError(
                    f"В книге «{name}» слишком много ячеек: вместе с листом «{extent.sheet}» набирается "
                    f"{thousands(total)}, а допускается не более {thousands(MAX_TOTAL_CELLS)}. Разделите листы "
                    f"пакета на несколько файлов и загрузите их по очереди."
                )
            yield extent
    except PackageFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error) as exc:
        # The words of reader._calamine_error: what the reader would have said of it.
        raise PackageFileError(
            f"Не удалось прочитать книгу «{name}»: файл повреждён или сохранён в неподдерживаемом виде. "
            f"Откройте его в Excel и сохраните заново как «Книга Excel (*.xlsx)»."
        ) from exc
    finally:
        if close:
            fp.close()
