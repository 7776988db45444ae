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
know they hold a zip.
"""

from __future__ import annotations

import codecs
import enum
import functools
import html
import math
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from monitoring.package.parsing import count_of, thousands

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

# What the user expected to hand in, for "it is X, not Y" messages.
_EXPECTED_NOUN = {
    PackageFormat.XLSX: "книга Excel",
    PackageFormat.XLS: "книга Excel",
    PackageFormat.ODS: "таблица OpenDocument",
    PackageFormat.CSV: "файл CSV",
    PackageFormat.ZIP: "ZIP-архив с CSV-файлами",
}

_CONTENT_NOUN = {
    Content.ZIP: "ZIP-архив",
    Content.OLE2: "книга Excel 97–2003 (.xls)",
    Content.HTML: "веб-страница (HTML)",
    Content.XML_SPREADSHEET: "таблица в формате «Таблица XML 2003»",
    Content.PDF: "документ PDF",
    Content.OTHER_ARCHIVE: "архив RAR, 7-Zip или GZIP",
    Content.TEXT: "текстовый файл",
}

_SAVE_AS_XLSX = "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)»."

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream that holds an encrypted .xlsx/.docx inside its OLE2 wrapper; its directory
# entry name is UTF-16LE at the start of a 128-byte directory entry.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OTHER_ARCHIVE_MAGICS = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
# C0 control characters never found in a CSV (tab, CR, LF and form feed are allowed).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def display_name(name: str | os.PathLike | None) -> str:
    """The file's own name, without the folders of a temporary upload path."""
    if not name:
        return ""
    return PurePath(os.fspath(name).replace("\\", "/")).name


def sniff(head: bytes) -> Content:
    """What the bytes are, from the first few kilobytes of a file."""
    if not head:
        return Content.EMPTY
    if head.startswith(_ZIP_MAGICS):
        return Content.ZIP
    if head.startswith(_OLE2_MAGIC):
        return Content.OLE2
    if head.startswith(b"%PDF"):
        return Content.PDF
    if head.startswith(_OTHER_ARCHIVE_MAGICS):
        return Content.OTHER_ARCHIVE
    text = _decode_head(head)
    if text is None:
        return Content.UNKNOWN
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    # The Excel 2003 XML format has a <Table> element, so it is recognised before HTML.
    if lowered.startswith("<") and (
        "urn:schemas-microsoft-com:office:spreadsheet" in lowered or 'progid="excel.sheet"' in lowered
    ):
        return Content.XML_SPREADSHEET
    # Web systems' "export to Excel" often writes an HTML table (or an MHTML web
    # archive) and names it .xls/.xlsx; Excel opens it with a warning, calamine cannot.
    if lowered.startswith("mime-version:") or (
        lowered.startswith("<") and any(tag in lowered for tag in ("<html", "<table", "<!doctype html", "<body"))
    ):
        return Content.HTML
    return Content.TEXT


def _decode_head(head: bytes) -> str | None:
    """The head as text if it plausibly is text (UTF-8, UTF-16 with BOM, Windows-1251)."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            return None if _CONTROL_CHARS.search(text) else text
    if _CONTROL_BYTES.search(head):
        return None
    # The head may end in the middle of a multi-byte character: an incremental decoder
    # with final=False accepts that and still rejects genuinely invalid bytes.
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    try:
        return head.decode("cp1251")
    except UnicodeDecodeError:
        return None


def check_upload(source: str | os.PathLike | BinaryIO, *, name: str | None = None) -> PackageFormat:
    """Refuse a file whose size, extension or content is not acceptable; return how to read it.

    ``source`` is a path or a seekable binary file object (a Django ``UploadedFile``);
    ``name`` is the name the user knows the file by (defaults to the path's or the file
    object's name); only its extension and its display in messages matter. A zip-based
    file is also checked with ``check_zip``. The file object's position is restored.
    """
    name = display_name(name or (source if isinstance(source, (str, os.PathLike)) else getattr(source, "name", "")))
    if not name:
        raise PackageFileError("Не удалось определить тип файла: у загруженного файла нет имени.")
    extension = os.path.splitext(name)[1].lower()
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise PackageFileError(
            f"Файл «{name}» не подходит: загрузите книгу Excel (.xlsx, .xlsm или .xls), таблицу OpenDocument "
            f"(.ods), файл CSV (.csv) или ZIP-архив с CSV-файлами (.zip)."
        )

    size, head = _size_and_head(source, name)
    if size == 0:
        raise PackageFileError(
            f"Файл «{name}» пустой (0 байт). Проверьте, что выбран нужный файл, и загрузите его снова."
        )
    if size > MAX_UPLOAD_BYTES:
        raise PackageFileError(
            f"Файл «{name}» слишком большой: {format_megabytes(size)} МБ, а можно загрузить не более "
            f"{MAX_UPLOAD_BYTES // 2**20} МБ. Разделите листы пакета на несколько файлов и загрузите их по очереди."
        )

    content = sniff(head)
    _check_content(name, extension, expected, content, source)
    if content is Content.ZIP:
        check_zip(source, name=name, expected=expected)
    return expected


def _check_content(
    name: str, extension: str, expected: PackageFormat, content: Content, source: str | os.PathLike | BinaryIO
) -> None:
    """Compare what the bytes are with what the extension promises."""
    stem = os.path.splitext(name)[0]
    noun = _EXPECTED_NOUN[expected]
    if content is Content.OLE2 and _is_encrypted_ooxml(source):
        # An .xlsx with a password is an OLE2 wrapper around the encrypted package,
        # whatever extension it carries; say "password", not "old format".
        raise PackageFileError(_encrypted_message(name))

    wanted = {
        PackageFormat.XLSX: {Content.ZIP},
        PackageFormat.ODS: {Content.ZIP},
        PackageFormat.ZIP: {Content.ZIP},
        PackageFormat.XLS: {Content.OLE2},
        PackageFormat.CSV: {Content.TEXT},
    }[expected]
    if content in wanted:
        return

    if content is Content.HTML:
        if expected is PackageFormat.CSV:
            advice = "Откройте его в Excel и сохраните как «CSV UTF-8 (разделитель — запятая)»."
        else:
            advice = _SAVE_AS_XLSX
        raise PackageFileError(f"Файл «{name}» — это веб-страница (HTML), а не {noun}. {advice}")
    if content is Content.OLE2:
        raise PackageFileError(
            f"Файл «{name}» — это книга в старом формате Excel 97–2003, но у него расширение «{extension}». "
            f"Откройте файл в Excel и сохраните как «Книга Excel (*.xlsx)» или просто переименуйте его "
            f"в «{stem}.xls»."
        )
    if content is Content.XML_SPREADSHEET:
        raise PackageFileError(f"Файл «{name}» сохранён в формате «Таблица XML 2003», а не как {noun}. {_SAVE_AS_XLSX}")
    if content is Content.TEXT:
        raise PackageFileError(
            f"Файл «{name}» — это текстовый файл, а не {noun}. Если это CSV, дайте файлу расширение «.csv»; "
            f"иначе откройте его в Excel и сохраните как «Книга Excel (*.xlsx)»."
        )
    if content is Content.ZIP:
        if expected is PackageFormat.CSV:
            raise PackageFileError(
                f"Файл «{name}» — это ZIP-архив или книга Excel, а не {noun}. Если это архив с CSV-файлами, "
                f"дайте файлу расширение «.zip»; если книга Excel — расширение «.xlsx»."
            )
        raise PackageFileError(  # an .xls name on a zip: most likely a new-format book renamed
            f"Файл «{name}» — это книга Excel нового формата (.xlsx) или архив, но у него расширение «{extension}». "
            f"Переименуйте его в «{stem}.xlsx» или откройте в Excel и сохраните как «Книга Excel (*.xlsx)»."
        )
    if content in _CONTENT_NOUN:
        raise PackageFileError(
            f"Файл «{name}» — это {_CONTENT_NOUN[content]}, а не {noun}. Загрузите книгу Excel (.xlsx), "
            f"файл CSV или ZIP-архив с CSV-файлами."
        )
    raise PackageFileError(
        f"Не удалось распознать содержимое файла «{name}»: это не книга Excel, не таблица OpenDocument и не CSV. "
        f"Возможно, файл повреждён или выбран не тот файл."
    )


def _encrypted_message(name: str) -> str:
    return (
        f"Файл «{name}» защищён паролем, поэтому прочитать его нельзя. Откройте его в Excel, снимите пароль "
        f"(Файл → Сведения → Защита книги → Зашифровать с использованием пароля → очистите поле) и сохраните заново."
    )


# --- zip-based files ---------------------------------------------------------------

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


def check_zip(
    source: str | os.PathLike | BinaryIO, *, name: str | None = None, expected: PackageFormat | None = None
) -> None:
    """Refuse a zip (an .xlsx, .ods or a zip of CSV files) that is corrupt or exceeds a limit.

    Reads the central directory only. With ``expected`` also refuses a zip whose entries
    show it is something else (a workbook named .zip, a plain archive named .xlsx, …).
    """
    name = display_name(name or (source if isinstance(source, (str, os.PathLike)) else getattr(source, "name", "")))
    expected_noun = _EXPECTED_NOUN[expected] if expected else "ZIP-архив"
    corrupt = PackageFileError(
        f"Файл «{name}» повреждён: его не удаётся открыть как {expected_noun}. Возможно, он загружен "
        f"не полностью — сохраните его заново и повторите загрузку."
    )
    fp, close = _open_binary(source, name)
    try:
        start = fp.tell()
        try:
            # The entry count comes from the end record before zipfile builds a ZipInfo
            # object for each entry: a 50 MB directory could otherwise list a million.
            declared = _declared_entry_count(fp)
            if declared is not None and declared > MAX_ZIP_ENTRIES:
                raise _too_many_entries(name, declared)
            fp.seek(start)
            with zipfile.ZipFile(fp) as archive:
                infos = archive.infolist()
        except PackageFileError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
            raise corrupt from exc
        finally:
            fp.seek(start)
    finally:
        if close:
            fp.close()

    if len(infos) > MAX_ZIP_ENTRIES:
        raise _too_many_entries(name, len(infos))
    total = 0
    for info in infos:
        entry = entry_name(info)
        if _is_unsafe_entry_name(entry):
            raise PackageFileError(
                f"В архиве «{name}» есть файл с недопустимым путём «{entry}» (путь от корня диска или с «..»). "
                f"Создайте архив заново, положив в него только CSV-файлы пакета."
            )
        if info.flag_bits & 0x1:
            raise PackageFileError(
                f"Архив «{name}» защищён паролем, поэтому прочитать его нельзя. Создайте архив без пароля "
                f"и загрузите его снова."
            )
        if info.file_size > RATIO_CHECK_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise PackageFileError(
                    f"Файл «{name}» сжат подозрительно сильно: «{entry}» занимает в {ratio:.0f} раз больше, чем в "
                    f"архиве (допускается не более чем в {MAX_COMPRESSION_RATIO} раз). Так выглядят «zip-бомбы», "
                    f"поэтому файл не принят. Если вы сохраняли его сами, откройте его в Excel и сохраните заново."
                )
        total += info.file_size
    limit = MAX_CSV_UNPACKED_BYTES if expected is PackageFormat.ZIP else MAX_UNPACKED_BYTES
    if total > limit:
        raise PackageFileError(
            f"Файл «{name}» после распаковки занимает {format_megabytes(total)} МБ, а допускается не более "
            f"{limit // 2**20} МБ. Разделите листы пакета на несколько файлов и загрузите их по очереди."
        )
    if expected is not None:
        _check_zip_flavour(name, expected, {info.filename for info in infos})


def _too_many_entries(name: str, count: int) -> PackageFileError:
    return PackageFileError(
        f"В файле «{name}» слишком много вложенных файлов: {thousands(count)}, а допускается не более "
        f"{thousands(MAX_ZIP_ENTRIES)}. Такой файл не похож на пакет данных мониторинга."
    )


def _is_unsafe_entry_name(entry: str) -> bool:
    # Windows tools sometimes write "\" as the separator; treat it as one. Nothing here
    # is ever extracted to disk, but such a name only comes from a crafted archive.
    path = entry.replace("\\", "/")
    return path.startswith("/") or bool(re.match(r"[A-Za-z]:", path)) or ".." in path.split("/")


def _check_zip_flavour(name: str, expected: PackageFormat, names: set[str]) -> None:
    """Refuse a zip whose entries show another kind of file than its extension."""
    stem = os.path.splitext(name)[0]
    extension = os.path.splitext(name)[1].lower()
    if "[Content_Types].xml" in names:
        if any(entry.startswith("xl/") and entry.endswith(".bin") and "workbook" in entry for entry in names):
            flavour = "xlsb"
        elif any(entry.startswith("xl/") for entry in names):
            flavour = "xlsx"
        else:
            flavour = "office"  # a Word or PowerPoint file
    elif "mimetype" in names and "content.xml" in names:
        flavour = "ods"
    else:
        flavour = "zip"

    if flavour == "xlsb":
        raise PackageFileError(
            f"Файл «{name}» сохранён в формате «Двоичная книга Excel (*.xlsb)», который не поддерживается. "
            f"{_SAVE_AS_XLSX}"
        )
    if flavour == "office":
        raise PackageFileError(
            f"Файл «{name}» — это документ Word или PowerPoint, а не {_EXPECTED_NOUN[expected]}. "
            f"Загрузите книгу Excel (.xlsx), файл CSV или ZIP-архив с CSV-файлами."
        )
    matches = {PackageFormat.XLSX: "xlsx", PackageFormat.ODS: "ods", PackageFormat.ZIP: "zip"}
    if matches.get(expected) == flavour:
        return
    if flavour == "zip":
        raise PackageFileError(
            f"Файл «{name}» — это ZIP-архив, а не {_EXPECTED_NOUN[expected]}. Если в архиве CSV-файлы пакета, "
            f"дайте файлу расширение «.zip»; если в нём книга Excel, извлеките её и загрузите саму книгу."
        )
    actual, right_extension = {
        "xlsx": ("книга Excel (.xlsx)", ".xlsx"),
        "ods": ("таблица OpenDocument (.ods)", ".ods"),
    }[flavour]
    raise PackageFileError(
        f"Файл «{name}» — это {actual}, но у него расширение «{extension}». "
        f"Переименуйте его в «{stem}{right_extension}» и загрузите снова."
    )


def _declared_entry_count(fp: BinaryIO) -> int | None:
    """The entry count from the zip's end records, or None when they cannot be found.

    None leaves the verdict to zipfile, which knows every corner of the format.
    """
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_size = min(size, _EOCD.size + 65535)  # the record plus the longest comment
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < _EOCD.size:
        return None
    count = _EOCD.unpack_from(tail, position)[4]
    if count != 0xFFFF:
        return count
    # A zip64 archive: the real count is in the zip64 end record the locator points to.
    locator_at = size - tail_size + position - _ZIP64_LOCATOR.size
    if locator_at < 0:
        return None
    fp.seek(locator_at)
    locator = fp.read(_ZIP64_LOCATOR.size)
    if len(locator) != _ZIP64_LOCATOR.size or not locator.startswith(b"PK\x06\x07"):
        return None
    fp.seek(_ZIP64_LOCATOR.unpack(locator)[2])
    record = fp.read(_ZIP64_EOCD.size)
    if len(record) != _ZIP64_EOCD.size or not record.startswith(b"PK\x06\x06"):
        return None
    return _ZIP64_EOCD.unpack(record)[7]


def entry_name(info: zipfile.ZipInfo) -> str:
    """A zip entry's name, decoded as the tool that wrote it meant, with "/" separators.

    Names flagged UTF-8 (bit 11) are right already. Unflagged names were written in the
    writer's legacy code page, which zipfile decoded as cp437: Info-ZIP's Unicode Path
    extra field, when present, has the true name; macOS and Linux tools write UTF-8
    without the flag; Windows' own "compressed folder" writes the OEM code page, cp866
    on Russian Windows. Cyrillic in cp866 is never valid UTF-8 as a whole name (its
    capitals are UTF-8 continuation bytes), so UTF-8 is tried first.
    """
    if info.flag_bits & 0x800:
        name = info.filename
    else:
        raw = info.orig_filename.encode("cp437")
        name = _unicode_path_extra(info.extra, raw)
        if name is None:
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                name = raw.decode("cp866")
    return name.replace("\\", "/")


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> str | None:
    """The name from an Info-ZIP Unicode Path extra field (0x7075), if valid for ``raw_name``."""
    position = 0
    while position + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + size]
        position += 4 + size
        if tag != 0x7075 or len(body) < 5 or body[0] != 1:
            continue
        # The field is stale (and must be ignored) when the header name was changed
        # after it was written; the CRC of the header name tells.
        if struct.unpack_from("<L", body, 1)[0] != zlib.crc32(raw_name):
            return None
        try:
            return body[5:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


# --- what the sheets declare --------------------------------------------------------


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
    scanners = {PackageFormat.XLSX: _xlsx_extents, PackageFormat.ODS: _ods_extents, PackageFormat.XLS: _xls_extents}
    scanner = scanners.get(package_format)
    if scanner is None:
        return
    fp, close = _open_binary(source, name)
    try:
        fp.seek(0)
        total = 0
        for extent in scanner(fp, name):
            _check_sheet_extent(extent, name)
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


def _check_sheet_extent(extent: SheetExtent, name: str) -> None:
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


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


# XML is read in pieces cut just before a "<", so that no tag is ever split (a "<" can
# stand neither in an attribute value nor in text). Legitimate sheet XML has a "<" every
# few dozen bytes; a piece of _MAX_TAG bytes without one is a crafted file.
_CHUNK = 8 * 1024 * 1024
_MAX_TAG = 4 * 1024 * 1024


def _xml_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Iterator[tuple[int, bytes]]:
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


# --- .xlsx ---

# calamine reads the cells of a sheet from its XML: a cell's place is its r="…" attribute
# (letters and digits, either case), or, without one, the place after the previous cell
# of the row; a row's r="…" sets the row, its end moves to the next. A cell holding
# nothing (self-closing) is skipped. These are emulated exactly by the general path; the
# fast path covers what every spreadsheet program writes (every cell opening with
# <c r="A1", upper case, no leading zeros, no namespace prefix) with C-speed searches.
_ATTRIBUTES = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_XLSX_TOKEN = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])" + _ATTRIBUTES + rb">")
_R_ATTRIBUTE = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REFERENCE = re.compile(rb"([A-Za-z]*)([0-9]*)")
# In the fast path: a namespace-prefixed cell (the rest is _beyond's).
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?dimension\b" + _ATTRIBUTES + rb">")
_REF_ATTRIBUTE = re.compile(rb"(?:^|\s)ref\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_UNIQUE_COUNT = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"']([0-9]+)")
# A sheet whose fast path needs more new maxima than this (cells far out of order) is
# read again by the general path.
_MAX_THRESHOLD_MOVES = 64


def _xlsx_extents(fp: BinaryIO, name: str) -> Iterator[SheetExtent]:
    with zipfile.ZipFile(fp) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        for info in infos:
            if info.filename.lower().endswith("sharedstrings.xml"):
                _check_shared_strings(archive, info, name)
        titles = _xlsx_sheet_titles(archive)
        # The sheets first; then every other part, not only those
        # workbook.xml lists (calamine follows relationships; a part without cells costs
        # a quick pass). Paths compare in lower case, as calamine looks them up.
        # The largest sheet first: the reader parses each sheet as soon as it has passed,
        # while the next are checked (see reader._iter_workbook).
        infos.sort(key=lambda info: (info.filename.lower() not in titles, -info.file_size))
        for info in infos:
            title = titles.get(info.filename.lower())
            extent = _xlsx_sheet_extent(archive, info, title or info.filename, name)
            if extent.cells or extent.declared or title:
                yield extent


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    # calamine reserves room for uniqueCount strings before reading one; each takes at
    # least a dozen bytes of XML (<si><t/></si>), so the part's size bounds the count.
    with archive.open(info) as stream:
        head = stream.read(HEAD_BYTES)
    found = _UNIQUE_COUNT.search(head)
    if found and int(found.group(1)) > min(MAX_TOTAL_CELLS, info.file_size // 4 + 1024):
        raise PackageFileError(
            f"Файл «{name}» повреждён: в нём объявлено "
            f"{count_of(int(found.group(1)), 'строка', 'строки', 'строк')} текста, "
            f"а сам файл столько не вмещает. Откройте файл в Excel и сохраните заново как «Книга Excel (*.xlsx)»."
        )


def _xlsx_sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """{part path (lower case): sheet name}, as the workbook's relationships name them; best effort.

    Only for messages: which part is which sheet. A workbook whose relationships cannot
    be read gets its parts named by path.
    """
    from defusedxml import ElementTree

    parts = {info.filename.lower(): info for info in archive.infolist()}

    def load(path: str):
        info = parts.get(path.lower())
        if info is None or info.file_size > 16 * 1024 * 1024:
            return None
        return ElementTree.fromstring(archive.read(info))

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    try:
        document = "xl/workbook.xml"
        package = load("_rels/.rels")
        for rel in package if package is not None else ():
            if rel.get("Type", "").endswith("/officeDocument"):
                document = rel.get("Target", document).lstrip("/")
        base = document.rsplit("/", 1)[0] + "/" if "/" in document else ""
        workbook = load(document)
        relations = load(f"{base}_rels/{document.rsplit('/', 1)[-1]}.rels")
        if workbook is None or relations is None:
            return {}
        targets = {}
        for rel in relations:
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else base + target
        titles = {}
        for element in workbook.iter():
            if local(element.tag) == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if local(k) == "id"), None)
                if rel_id in targets:
                    titles[targets[rel_id].lower()] = unicodedata.normalize("NFC", element.get("name", "").strip())
        return titles
    except Exception:  # malformed relationships: calamine will say so when it opens the file
        return {}


def _xlsx_sheet_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, name: str) -> SheetExtent:
    extent = SheetExtent(sheet=sheet)
    fast = _xlsx_fast_extent(archive, info, extent, name)
    if fast is None:
        extent = SheetExtent(sheet=sheet, declared=extent.declared)
        _xlsx_general_extent(archive, info, extent, name)
    return extent


def _parse_reference(value: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of a cell reference as calamine parses it; None where calamine fails."""
    match = _REFERENCE.fullmatch(value)
    if match is None or not match.group(2):
        return None
    return int(match.group(2)), _column_number(match.group(1))


def _note_declared(extent: SheetExtent, piece: bytes) -> None:
    # <dimension> stands before <sheetData>: only the first piece is searched.
    if extent.declared is not None or extent.filled or b"dimension" not in piece[:65536]:
        return
    element = _DIMENSION.search(piece)
    ref = _REF_ATTRIBUTE.search(element.group(1)) if element else None
    if ref is None:
        return
    text = ref.group(1) if ref.group(1) is not None else ref.group(2)
    corners = [_parse_reference(part) for part in text.split(b":")]
    if len(corners) in (1, 2) and None not in corners:
        (first_row, first_column), (last_row, last_column) = corners[0], corners[-1]
        extent.declared = (
            abs(last_row - first_row) + 1 if len(corners) == 2 else first_row,
            abs(last_column - first_column) + 1 if len(corners) == 2 else first_column,
            text.decode("ascii"),
        )
        # A range that only starts far out is harmless to calamine (it reserves by the
        # size); what matters is how far it reaches.
        extent.declared = (max(extent.declared[0], last_row), extent.declared[1], extent.declared[2])


def _over_limits(extent: SheetExtent) -> bool:
    return extent.rows > MAX_ROWS or extent.columns > MAX_COLUMNS or extent.cells > MAX_SHEET_CELLS


def _xlsx_fast_extent(archive, info, extent: SheetExtent, name: str) -> SheetExtent | None:
    """The extent from C-speed searches; None when the part is not in the common shape."""
    moves = 0
    for _, piece in _xml_pieces(archive, info, name):
        _note_declared(extent, piece)
        if _PREFIXED_CELL.search(piece):
            return None
        extent.filled += piece.count(b"</c>")
        # The last cell holding a value seeds the maxima: in a sheet written in order it
        # is the lowest, so the search below finds nothing beyond it.
        end = piece.rfind(b"</c>")
        if end >= 0:
            seed = _parse_reference(piece[piece.rfind(b'<c r="', 0, end) + 6 :].split(b'"', 1)[0])
            if seed is not None:
                extent.rows, extent.columns = max(extent.rows, seed[0]), max(extent.columns, seed[1])
        position = 0
        while not _over_limits(extent):
            found = _beyond(extent.rows, extent.columns).search(piece, position)
            if found is None:
                break
            if found.group("ref") is None:
                return None  # a cell in another shape: the general path reads it as calamine does
            moves += 1
            if moves > _MAX_THRESHOLD_MOVES:
                return None
            row, column = _parse_reference(found.group("ref"))
            extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column)
            position = found.end()
        if _over_limits(extent):
            break  # refused whatever the rest holds
    return extent


def _xlsx_general_extent(archive, info, extent: SheetExtent, name: str) -> None:
    row_index = column_index = 0  # 0-based, as calamine keeps them
    for _, piece in _xml_pieces(archive, info, name):
        _note_declared(extent, piece)
        for token in _XLSX_TOKEN.finditer(piece):
            closing, tag, attributes = token.groups()
            self_closing = attributes.endswith(b"/")
            if tag == b"row":
                if not closing:
                    r = _R_ATTRIBUTE.search(attributes)
                    if r is not None:
                        parsed = _parse_reference(r.group(1) if r.group(1) is not None else r.group(2))
                        if parsed is not None:
                            row_index = parsed[0] - 1
                if closing or self_closing:
                    row_index += 1
                    column_index = 0
                continue
            if closing:
                continue
            r = _R_ATTRIBUTE.search(attributes)
            if r is not None:
                parsed = _parse_reference(r.group(1) if r.group(1) is not None else r.group(2))
                if parsed is None or parsed[1] == 0:
                    continue  # calamine stops at such a cell with an error
                row, column = parsed
                column_index = column - 1
            else:
                row, column = row_index + 1, column_index + 1
            column_index += 1
            if not self_closing:
                extent.filled += 1
                extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column)
        if _over_limits(extent):
            return


def _numbers_above(limit: int) -> bytes:
    """A regex for decimal numbers without leading zeros greater than ``limit``."""
    digits = str(limit)
    options = [rb"[1-9][0-9]{%d,}" % len(digits)]
    for index, digit in enumerate(digits):
        low = int(digit) + 1
        if low > 9:
            continue
        first = max(low, 1) if index == 0 else low
        if first > 9:
            continue
        rest = len(digits) - index - 1
        options.append(digits[:index].encode() + b"[%d-9]" % first + (b"[0-9]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(options) + b")"


def _letters_above(number: int) -> bytes:
    """A regex for column letters (upper case) of columns greater than ``number``."""
    if number <= 0:
        return b"[A-Z]+"
    letters = column_letters(number).encode()
    options = [rb"[A-Z]{%d,}" % (len(letters) + 1)]
    for index, char in enumerate(letters):
        if char == ord("Z"):
            continue
        rest = len(letters) - index - 1
        options.append(letters[:index] + b"[%c-Z]" % (char + 1) + (b"[A-Z]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(options) + b")"


@functools.lru_cache(maxsize=512)
def _beyond(row: int, column: int) -> re.Pattern:
    """One pass over every "<c" of a piece: what the fast path cannot take, or a cell beyond the maxima.

    Group ``ref`` is a cell holding a value (not self-closing) below ``row`` or right of
    ``column``; a match without it is a cell in another shape (no r="…" first, lower
    case, a leading zero), which only the general path reads as calamine does.
    """
    return re.compile(
        rb'<c(?:[>/\t\n\r]| (?!r=")| r="(?:[A-Z]*+[a-z0]|(?P<ref>(?:'
        + _letters_above(column)
        + rb")[0-9]+|[A-Z]++"
        + _numbers_above(row)
        + rb')"[^>]*(?<!/)>))'
    )


# --- .ods ---

# calamine reads content.xml with its literal prefixes (table:, office:, text:). A cell
# repeated by table:number-columns-repeated is copied that many times when it holds a
# value; empty cells are copied only when a value follows them in the row. A row
# repeated by table:number-rows-repeated is copied with all its cells, and empty rows
# only when a row with values follows: the trailing million empty rows LibreOffice writes
# cost nothing and are not counted.
_ODS_TOKEN = re.compile(
    rb"<(/?)(table:table-row|table:table-cell|table:covered-table-cell|table:table|text:s)(?=[\s/>])"
    + _ATTRIBUTES
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


def _ods_extents(fp: BinaryIO, name: str) -> Iterator[SheetExtent]:
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

        for offset, piece in _xml_pieces(archive, info, name):
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
                        if _over_limits(extent):
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


# --- .xls ---

# calamine reads an .xls (BIFF5/BIFF8 in an OLE2 compound file) whole when it opens it:
# for each sheet it reserves room for the rows × columns its DIMENSIONS record states,
# then places every cell record by its row and column (16 bits each, so up to 65,536 ×
# 65,536 even though BIFF8 sheets have 256 columns).
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
# NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA
_CELL_RECORDS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}
_MULRK, _BLANK, _MULBLANK = 0x00BD, 0x0201, 0x00BE
_RECORD = struct.Struct("<HH")


def _xls_extents(fp: BinaryIO, name: str) -> Iterator[SheetExtent]:
    import olefile

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


# --- helpers -------------------------------------------------------------------------


def _open_binary(source: str | os.PathLike | BinaryIO, name: str) -> tuple[BinaryIO, bool]:
    """A binary file object for ``source`` and whether the caller must close it."""
    if isinstance(source, (str, os.PathLike)):
        try:
            return open(source, "rb"), True  # the caller closes it: see the flag
        except OSError as exc:
            raise PackageFileError(f"Не удалось открыть файл «{name}»: файл не найден или нет доступа.") from exc
    return source, False


def _size_and_head(source: str | os.PathLike | BinaryIO, name: str) -> tuple[int, bytes]:
    fp, close = _open_binary(source, name)
    try:
        start = fp.tell()
        fp.seek(0, os.SEEK_END)
        size = fp.tell()
        fp.seek(0)
        head = fp.read(HEAD_BYTES)
        fp.seek(start)
    finally:
        if close:
            fp.close()
    return size, head


def _is_encrypted_ooxml(source: str | os.PathLike | BinaryIO) -> bool:
    """Whether an OLE2 file is a password-protected .xlsx (it holds an EncryptedPackage stream).

    Scans for the stream's directory entry, which starts on a 128-byte boundary; text in
    a real .xls cannot meet both conditions by accident.
    """
    fp, close = _open_binary(source, "")
    try:
        start = fp.tell()
        fp.seek(0)
        offset = 0
        carry = b""
        while chunk := fp.read(1024 * 1024):
            block = carry + chunk
            base = offset - len(carry)
            found = block.find(_ENCRYPTED_PACKAGE)
            while found >= 0:
                if (base + found) % 128 == 0:
                    return True
                found = block.find(_ENCRYPTED_PACKAGE, found + 1)
            offset += len(chunk)
            carry = block[-(len(_ENCRYPTED_PACKAGE) - 1) :]
        return False
    finally:
        fp.seek(start)
        if close:
            fp.close()


def format_megabytes(size: int) -> str:
    """Megabytes with one decimal and a comma, as Russian users write them: 63,2.

    Rounded up, so a file one byte over the 50 MB limit reads "50,1", not "50,0".
    """
    return f"{math.ceil(size * 10 / 2**20) / 10:.1f}".replace(".", ",")
