"""The first look at an upload: its name, size and first bytes against what its extension promises.

``check_upload`` is the entry point of every file check: it decides from the file's first
bytes (an OLE2 file is also scanned for the marker of an encrypted .xlsx) and, for a
zip-based file, hands over to ``zips.check_zip``.
"""

from __future__ import annotations

import codecs
import os
import re
from typing import BinaryIO

from monitoring.intake.package.safety.common import (
    EXPECTED_NOUN,
    EXTENSIONS,
    HEAD_BYTES,
    MAX_UPLOAD_BYTES,
    SAVE_AS_XLSX,
    Content,
    PackageFileError,
    PackageFormat,
    display_name,
    format_megabytes,
    open_binary,
)
from monitoring.intake.package.safety.zips import check_zip

# What a file's bytes are, for "it is X, not Y" messages.
_CONTENT_NOUN = {
    Content.ZIP: "ZIP-архив",
    Content.OLE2: "книга Excel 97–2003 (.xls)",
    Content.HTML: "веб-страница (HTML)",
    Content.XML_SPREADSHEET: "таблица в формате «Таблица XML 2003»",
    Content.PDF: "документ PDF",
    Content.OTHER_ARCHIVE: "архив RAR, 7-Zip или GZIP",
    Content.TEXT: "текстовый файл",
}

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream that holds an encrypted .xlsx/.docx inside its OLE2 wrapper; its directory
# entry name is UTF-16LE at the start of a 128-byte directory entry.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OTHER_ARCHIVE_MAGICS = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
# C0 control characters never found in a CSV (tab, CR, LF and form feed are allowed).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


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
    noun = EXPECTED_NOUN[expected]
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
            advice = SAVE_AS_XLSX
        raise PackageFileError(f"Файл «{name}» — это веб-страница (HTML), а не {noun}. {advice}")
    if content is Content.OLE2:
        raise PackageFileError(
            f"Файл «{name}» — это книга в старом формате Excel 97–2003, но у него расширение «{extension}». "
            f"Откройте файл в Excel и сохраните как «Книга Excel (*.xlsx)» или просто переименуйте его "
            f"в «{stem}.xls»."
        )
    if content is Content.XML_SPREADSHEET:
        raise PackageFileError(f"Файл «{name}» сохранён в формате «Таблица XML 2003», а не как {noun}. {SAVE_AS_XLSX}")
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


def _size_and_head(source: str | os.PathLike | BinaryIO, name: str) -> tuple[int, bytes]:
    fp, close = open_binary(source, name)
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
    fp, close = open_binary(source, "")
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
