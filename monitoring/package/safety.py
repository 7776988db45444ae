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
import math
import os
import re
import struct
import zipfile
import zlib
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
        f"В файле «{name}» слишком много вложенных файлов: {_thousands(count)}, а допускается не более "
        f"{_thousands(MAX_ZIP_ENTRIES)}. Такой файл не похож на пакет данных мониторинга."
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


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")
