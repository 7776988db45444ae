"""Zip-based files (.xlsx, .ods, a zip of CSV files): judged from the zip's central directory alone.

Nothing is decompressed, so a check costs milliseconds whatever the archive holds.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from typing import BinaryIO

from monitoring.intake.package.parsing import thousands
from monitoring.intake.package.safety.common import (
    EXPECTED_NOUN,
    MAX_COMPRESSION_RATIO,
    MAX_CSV_UNPACKED_BYTES,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES,
    RATIO_CHECK_MIN_BYTES,
    SAVE_AS_XLSX,
    PackageFileError,
    PackageFormat,
    display_name,
    format_megabytes,
    open_binary,
)

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
    expected_noun = EXPECTED_NOUN[expected] if expected else "ZIP-архив"
    corrupt = PackageFileError(
        f"Файл «{name}» повреждён: его не удаётся открыть как {expected_noun}. Возможно, он загружен "
        f"не полностью — сохраните его заново и повторите загрузку."
    )
    fp, close = open_binary(source, name)
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
            f"{SAVE_AS_XLSX}"
        )
    if flavour == "office":
        raise PackageFileError(
            f"Файл «{name}» — это документ Word или PowerPoint, а не {EXPECTED_NOUN[expected]}. "
            f"Загрузите книгу Excel (.xlsx), файл CSV или ZIP-архив с CSV-файлами."
        )
    matches = {PackageFormat.XLSX: "xlsx", PackageFormat.ODS: "ods", PackageFormat.ZIP: "zip"}
    if matches.get(expected) == flavour:
        return
    if flavour == "zip":
        raise PackageFileError(
            f"Файл «{name}» — это ZIP-архив, а не {EXPECTED_NOUN[expected]}. Если в архиве CSV-файлы пакета, "
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
