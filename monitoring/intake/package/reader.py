"""Turns an uploaded package file into raw sheets: names, header texts and cell values.

The lowest layer of the import (spec/data-package.md): it knows file formats, not the
package's sheets. Workbooks (.xlsx, .xlsm, .xls, .ods) are read with python-calamine;
a zip of CSV files, a folder of CSV files or a single CSV with the csv module. Cells
come back as the file holds them — matching headers, parsing booleans, dates and
decimals belongs to the layer above. Every file passes ``safety.check_upload`` before
anything opens it, and every failure surfaces as a ``PackageFileError`` with a Russian
message naming the file (and the sheet when known).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import resource
import struct
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, BinaryIO

import python_calamine

from monitoring.intake.package import isolation
from monitoring.intake.package.raw import RawSheet, in_file_order
from monitoring.intake.package.safety import (
    MAX_CSV_UNPACKED_BYTES,
    MAX_SHEET_CELLS,
    Content,
    PackageFileError,
    PackageFormat,
    check_upload,
    display_name,
    entry_name,
    format_megabytes,
    iter_extents,
    sniff,
)


def read_package(
    source: str | os.PathLike | BinaryIO, *, filename: str | None = None, each: Callable[[RawSheet], Any] | None = None
) -> dict[str, Any]:
    """Read every sheet of a package file, keyed by sheet name in file order.

    ``source`` is a path to a workbook, a .zip of CSV files, a .csv file or a folder of
    CSV files, or a seekable binary file object (a Django ``UploadedFile``). ``filename``
    is the name the user knows the file by; it decides the format by its extension and
    names the file in messages (default: the path's or the file object's name).

    The reading happens in a child process with its own memory and time limits
    (monitoring.intake.package.isolation): whatever the file makes a reader do (abort, crash,
    exhaust memory, loop), the calling web or Celery process survives and gets a
    ``PackageFileError``.

    With ``each``, every sheet is handed to it as soon as it is read, and the answer holds
    what ``each`` returns in the sheet's place: the raw sheets are never all held at once.
    """
    return isolation.read_isolated(source, filename=filename, each=each)


def read_package_in_process(
    source: str | os.PathLike | BinaryIO, *, filename: str | None = None
) -> dict[str, RawSheet]:
    """``read_package`` in this very process: what the child process runs, and what tests of formats call."""
    return in_file_order(iter_package(source, filename=filename))


def child_read(source, filename: str | None, stdout: BinaryIO) -> None:
    """The reading step of the child process (isolation.READER_CODE): every sheet sent as a frame, or a refusal."""
    isolation.send_sheets(stdout, iter_package(source, filename=filename))


def iter_package(
    source: str | os.PathLike | BinaryIO, *, filename: str | None = None
) -> Iterator[tuple[int, RawSheet]]:
    """The sheets of a package file one by one as (position in the file, sheet), as soon as each is read.

    A workbook's sheets may come out of order (the largest is read first, see
    ``_iter_workbook``); ``in_file_order`` puts them back.
    """
    if isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
        yield from enumerate(_read_directory(Path(source), display_name(filename) or Path(source).name).values())
        return

    name = display_name(filename) or display_name(
        source if isinstance(source, (str, os.PathLike)) else getattr(source, "name", None)
    )
    package_format = check_upload(source, name=name)
    if not isinstance(source, (str, os.PathLike)):
        source.seek(0)
    if package_format is PackageFormat.ZIP:
        yield from enumerate(_read_csv_zip(source, name).values())
    elif package_format is PackageFormat.CSV:
        data = _read_all(source, name)
        sheet_name = _sheet_name(os.path.splitext(name)[0])
        yield 0, _read_csv(data, sheet_name, f"«{name}»")
    else:
        yield from _iter_workbook(source, name, package_format)


# --- workbooks -----------------------------------------------------------------------


def _open_workbook(source: str | os.PathLike | BinaryIO, name: str) -> python_calamine.CalamineWorkbook:
    try:
        if not isinstance(source, (str, os.PathLike)):
            source.seek(0)
            return python_calamine.CalamineWorkbook.from_filelike(source)
        if Path(source).suffix.lower() == Path(name).suffix.lower():
            return python_calamine.CalamineWorkbook.from_path(os.fspath(source))
        # from_path picks the format by the path's extension; a temporary file saved
        # under another one (upload.tmp) is read by content instead.
        with open(source, "rb") as file:
            return python_calamine.CalamineWorkbook.from_filelike(file)
    except BaseException as exc:
        error = _calamine_error(exc, name)
        if error is None:
            raise
        raise error from exc


def _iter_workbook(
    source: str | os.PathLike | BinaryIO, name: str, package_format: PackageFormat
) -> Iterator[tuple[int, RawSheet]]:
    """The worksheets of a workbook, each parsed only once safety has bounded what it declares.

    An .ods or .xls is parsed whole when calamine opens it, so every sheet is checked
    first. An .xlsx is parsed sheet by sheet: its shared strings are checked before it is
    opened, and each sheet is parsed as soon as its own part has passed — the largest
    part is checked first — in one of two threads (calamine releases the GIL) while the
    next parts are checked and the parsed sheets turned into rows here. So the checks cost
    little more than the parse, and sheets come out in the order they are ready.
    """
    extents = iter_extents(source, name=name, package_format=package_format)
    checked: dict[str, int] = {}  # sheet → the cells of its rectangle
    exhausted = False

    def check_next() -> None:
        nonlocal exhausted
        extent = next(extents, None)
        if extent is None:
            exhausted = True
        else:
            checked[extent.sheet] = max(checked.get(extent.sheet, 0), extent.cells)

    if package_format is PackageFormat.XLSX:
        check_next()  # the workbook-wide checks and the largest sheet
    else:
        while not exhausted:
            check_next()
    workbook = _open_workbook(source, name)
    # An .xlsx from a file on disk is parsed by two threads, each with its own handle on the
    # file (a calamine workbook serves one parse at a time): the second largest sheet and
    # the small ones are parsed, sent and turned into rows while the largest still parses.
    # A sheet joins one already parsing only if both fit in this process's memory limit
    # together (_fits); else it waits its turn, as every sheet did with one thread.
    threads = 2 if package_format is PackageFormat.XLSX and isinstance(source, (str, os.PathLike)) else 1
    handles = _Handles(workbook, lambda: _open_workbook(source, name))
    with workbook, handles, ThreadPoolExecutor(max_workers=threads, thread_name_prefix="calamine") as pool:
        # Chart, dialog and macro sheets hold no cells.
        worksheets = [m for m in workbook.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        waiting = dict(enumerate(worksheets))
        parsing: dict = {}  # future → (position, metadata)
        seen: set[str] = set()

        def cells_of(metadata) -> int:
            # A part the checks have not measured (read after them all) counts as the most a sheet may hold.
            return checked.get(_sheet_name(metadata.name), MAX_SHEET_CELLS)

        def submit_checked() -> None:
            for position, metadata in list(waiting.items()):
                if not (exhausted or _sheet_name(metadata.name) in checked):
                    continue
                if parsing and not _fits(sum(cells_of(m) for _, m in parsing.values()) + cells_of(metadata)):
                    continue
                parsing[pool.submit(handles.sheet, metadata.name)] = (position, metadata)
                del waiting[position]

        def rows_of(future) -> tuple[int, RawSheet]:
            position, metadata = parsing.pop(future)
            sheet_name = _sheet_name(metadata.name)
            try:
                # skip_empty_area=False keeps leading empty rows and columns, so list
                # positions are Excel's own: row index i is Excel row i + 1 and cell
                # index j is column j + 1, whatever calamine's idea of the used area.
                cells = future.result().to_python(skip_empty_area=False)
            except BaseException as exc:
                error = _calamine_error(exc, name, metadata.name)
                if error is None:
                    raise
                raise error from exc
            if sheet_name in seen:
                raise PackageFileError(
                    f"В книге «{name}» два листа с названием «{sheet_name}» (названия различаются только "
                    f"пробелами). Удалите или переименуйте лишний лист."
                )
            seen.add(sheet_name)
            return position, _build_sheet(sheet_name, cells)

        while waiting or parsing:
            if not exhausted:
                check_next()
            submit_checked()
            # The sheets parsed meanwhile become rows while the parser goes on.
            done = [future for future in parsing if future.done()]
            if not done and exhausted:
                done = [next(as_completed(parsing))]
            for future in done:
                yield rows_of(future)


# What a cell costs while its sheet is parsed and turned into rows: calamine's rectangle
# twice, a Python object and a pointer (see isolation.READ_MEMORY_PER_BYTE), and room for
# the interpreter and what is being sent.
BYTES_PER_CELL = 100
MEMORY_RESERVE = 256 * 1024 * 1024


def _fits(cells: int) -> bool:
    """Whether sheets of ``cells`` cells in all may be parsed at once within this process's address space."""
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    return limit == resource.RLIM_INFINITY or cells * BYTES_PER_CELL + MEMORY_RESERVE <= limit


class _Handles:
    """One open workbook per parsing thread: the first thread takes ``workbook``, the others open their own."""

    def __init__(self, workbook: python_calamine.CalamineWorkbook, open_another: Callable[[], Any]):
        self._free = [workbook]
        self._opened: list[python_calamine.CalamineWorkbook] = []
        self._open_another = open_another
        self._lock = threading.Lock()
        self._local = threading.local()

    def sheet(self, sheet_name: str) -> python_calamine.CalamineSheet:
        book = getattr(self._local, "book", None)
        if book is None:
            with self._lock:
                book = self._free.pop() if self._free else None
            if book is None:
                book = self._open_another()
                with self._lock:
                    self._opened.append(book)
            self._local.book = book
        return book.get_sheet_by_name(sheet_name)

    def __enter__(self) -> _Handles:
        return self

    def __exit__(self, *exc) -> None:
        # The pool has been shut down by now (it exits first): no thread still reads these.
        for book in self._opened:
            book.close()


def _calamine_error(exc: BaseException, name: str, sheet: str | None = None) -> PackageFileError | None:
    """A PackageFileError for what calamine raised; None for what must propagate.

    A Rust panic in calamine arrives as pyo3's PanicException, a BaseException, so it
    is caught by name; KeyboardInterrupt and friends pass through untouched.
    """
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        return None
    if isinstance(exc, MemoryError):
        return None  # not the file's fault as such: the isolated reader reports it as memory
    if isinstance(exc, python_calamine.PasswordError):
        return PackageFileError(
            f"Файл «{name}» защищён паролем, поэтому прочитать его нельзя. Откройте его в Excel, снимите пароль "
            f"и сохраните заново."
        )
    where = f"лист «{_sheet_name(sheet)}» книги «{name}»" if sheet is not None else f"книгу «{name}»"
    return PackageFileError(
        f"Не удалось прочитать {where}: файл повреждён или сохранён в неподдерживаемом виде. "
        f"Откройте его в Excel и сохраните заново как «Книга Excel (*.xlsx)»."
    )


# --- CSV -----------------------------------------------------------------------------


def _read_csv_zip(source: str | os.PathLike | BinaryIO, name: str) -> dict[str, RawSheet]:
    sheets: dict[str, RawSheet] = {}
    origins: dict[str, str] = {}
    try:
        with zipfile.ZipFile(source) as archive:
            members = []
            for info in archive.infolist():
                if info.is_dir():
                    continue
                entry = entry_name(info)
                *folders, base = entry.split("/")
                # macOS adds resource forks (__MACOSX/, ._name) and Office lock files
                # (~$name) ride along when a folder is zipped while open.
                if (folders and folders[0] == "__MACOSX") or base.startswith((".", "~$")):
                    continue
                if base.lower().endswith(".csv"):
                    members.append((tuple(folders), base, info))
            if not members:
                raise PackageFileError(
                    f"В архиве «{name}» нет CSV-файлов. Положите в архив CSV-файлы, названные по листам пакета "
                    f"(например, «Педагоги.csv»)."
                )
            folders_used = {folders for folders, _, _ in members}
            # "Send to → Compressed folder" on a folder puts everything under that
            # folder; one level is expected, a tree would make sheet names ambiguous.
            if len(folders_used) > 1 or any(len(folders) > 1 for folders in folders_used):
                listed = ", ".join(f"«{'/'.join(folders) or 'корень архива'}»" for folders in sorted(folders_used))
                raise PackageFileError(
                    f"В архиве «{name}» CSV-файлы лежат в разных папках ({listed}). Положите все CSV-файлы пакета "
                    f"в корень архива или в одну папку."
                )
            for _, base, info in members:
                sheet_name = _sheet_name(os.path.splitext(base)[0])
                if sheet_name in sheets:
                    raise PackageFileError(
                        f"В архиве «{name}» два CSV-файла для листа «{sheet_name}»: «{origins[sheet_name]}» "
                        f"и «{base}». Оставьте один."
                    )
                data = _read_member(archive, info, name, base)
                _check_csv_member(data, name, base)
                origins[sheet_name] = base
                sheets[sheet_name] = _read_csv(data, sheet_name, f"«{base}» в архиве «{name}»")
    except PackageFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise PackageFileError(
            f"Архив «{name}» повреждён: его не удаётся прочитать. Создайте архив заново и повторите загрузку."
        ) from exc
    return sheets


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, base: str) -> bytes:
    try:
        # zipfile stops at the declared size (the one check_zip limited) and checks the CRC.
        return archive.read(info)
    except NotImplementedError as exc:  # e.g. Deflate64, which Windows uses for large files
        raise PackageFileError(
            f"Файл «{base}» в архиве «{name}» сжат неподдерживаемым способом. Создайте архив заново "
            f"(например, через «Отправить → Сжатая ZIP-папка» или 7-Zip в формате ZIP) и повторите загрузку."
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        raise PackageFileError(
            f"Файл «{base}» в архиве «{name}» повреждён: его не удаётся распаковать. Создайте архив заново "
            f"и повторите загрузку."
        ) from exc


def _check_csv_member(data: bytes, name: str, base: str) -> None:
    content = sniff(data[:4096])
    if content in (Content.TEXT, Content.EMPTY):
        return
    kind = {
        Content.ZIP: "книга Excel или архив",
        Content.OLE2: "книга Excel 97–2003",
        Content.HTML: "веб-страница (HTML)",
        Content.XML_SPREADSHEET: "таблица XML 2003",
        Content.PDF: "документ PDF",
        Content.OTHER_ARCHIVE: "архив",
    }.get(content, "не текстовый файл")
    raise PackageFileError(
        f"Файл «{base}» в архиве «{name}» — не CSV ({kind}). Сохраните лист из Excel как "
        f"«CSV UTF-8 (разделитель — запятая)» и положите в архив этот файл."
    )


def _read_directory(path: Path, name: str) -> dict[str, RawSheet]:
    files = sorted(
        child
        for child in path.iterdir()
        if child.suffix.lower() == ".csv" and not child.name.startswith((".", "~$")) and child.is_file()
    )
    if not files:
        raise PackageFileError(
            f"В папке «{name}» нет CSV-файлов. Положите в неё CSV-файлы, названные по листам пакета "
            f"(например, «Педагоги.csv»)."
        )
    total = sum(child.stat().st_size for child in files)
    if total > MAX_CSV_UNPACKED_BYTES:
        raise PackageFileError(
            f"CSV-файлы в папке «{name}» вместе занимают {format_megabytes(total)} МБ, а допускается не более "
            f"{MAX_CSV_UNPACKED_BYTES // 2**20} МБ. Разделите листы пакета на несколько папок "
            f"и загрузите их по очереди."
        )
    sheets: dict[str, RawSheet] = {}
    for child in files:
        check_upload(child, name=child.name)
        sheet_name = _sheet_name(child.stem)
        if sheet_name in sheets:
            raise PackageFileError(f"В папке «{name}» два CSV-файла для листа «{sheet_name}». Оставьте один.")
        sheets[sheet_name] = _read_csv(_read_all(child, child.name), sheet_name, f"«{child.name}»")
    return sheets


def _read_all(source: str | os.PathLike | BinaryIO, name: str) -> bytes:
    try:
        if isinstance(source, (str, os.PathLike)):
            return Path(source).read_bytes()
        source.seek(0)
        return source.read()
    except OSError as exc:
        raise PackageFileError(f"Не удалось прочитать файл «{name}».") from exc


def _read_csv(data: bytes, sheet_name: str, label: str) -> RawSheet:
    """Parse CSV bytes into a sheet; ``label`` names the file in messages ("«x.csv» в архиве «y.zip»")."""
    # NFC for the whole text is one C call; it also evens out names typed on macOS.
    text = unicodedata.normalize("NFC", decode_csv(data, label))
    delimiter = detect_delimiter(text)
    # newline="" hands line endings to the csv module untranslated, so quoted fields
    # keep their line breaks and \r\n, \n and \r files all work. strict=True turns an
    # unclosed quote into an error instead of silently swallowing the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        raise PackageFileError(
            f"Не удалось разобрать файл {label}: в строке {len(records) + 1} нарушены кавычки или разделители. "
            f"Проверьте ячейки с кавычками или сохраните файл из Excel заново."
        ) from exc
    return _build_sheet(sheet_name, records)


def decode_csv(data: bytes, label: str) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251.

    Cyrillic in Windows-1251 is almost never valid UTF-8, so trying UTF-8 first is safe;
    Windows-1251 is what Russian Excel writes for "CSV (разделители — запятые)".
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise _undecodable(label) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise _undecodable(label) from exc


def _undecodable(label: str) -> PackageFileError:
    return PackageFileError(
        f"Не удалось прочитать файл {label}: текст не в кодировке UTF-8 и не в Windows-1251. "
        f"Откройте его в Excel и сохраните как «CSV UTF-8 (разделитель — запятая)»."
    )


_DELIMITERS = (";", ",", "\t")  # on a tie the first wins: ";" is Russian Excel's


def detect_delimiter(text: str) -> str:
    """The delimiter of the first non-blank line, counted outside quotes; "," if none.

    csv.Sniffer guesses from letter frequencies and misfires on short Cyrillic headers;
    headers never contain a delimiter, so counting them on the header line is exact.
    """
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    seen = False
    for char in text[:65536]:  # a header line is short; an unclosed quote must not scan 50 MB
        if char == '"':
            quoted = not quoted
            seen = True
        elif quoted:
            continue
        elif char in "\r\n":
            if seen:
                break
        elif char in counts:
            counts[char] += 1
            seen = True
        elif not char.isspace():
            seen = True
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])  # max keeps the first on ties
    return best if counts[best] else ","


# --- shared --------------------------------------------------------------------------


def _build_sheet(name: str, records: list[list[Any]]) -> RawSheet:
    """Headers from the first non-empty record, data rows after it, "" cells as None.

    ``records`` is emptied as the loop goes, so each source row is freed once its
    converted copy exists and a large sheet is never held twice.
    """
    headers: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[Any]]] = []
    width = 0
    append = rows.append
    for index, cells in enumerate(records):
        records[index] = None  # type: ignore[call-overload]
        # Most rows open with a value in column A; only the others need the full test.
        head = cells[0] if cells else None
        if (head is None or (head.__class__ is str and (not head or head.isspace()))) and _is_blank(cells):
            continue
        if headers is None:
            headers = [header_text(cell) for cell in cells]
            header_row = index + 1
            width = len(headers)
            continue
        # In place, found by C-level search/count/index: about half the cost of rebuilding
        # each row with a comprehension, which matters at millions of cells.
        if "" in cells:
            position = -1
            for _ in range(cells.count("")):
                position = cells.index("", position + 1)
                cells[position] = None
        if len(cells) < width:  # a short CSV record; workbook rows are always full width
            cells = [*cells, *([None] * (width - len(cells)))]
        append((index + 1, cells))
    records.clear()
    return RawSheet(name=name, headers=headers or [], rows=rows, header_row=header_row)


def _is_blank(cells: list[Any]) -> bool:
    # Short-circuits on the first real value, usually in column A, so it is cheap.
    for cell in cells:
        if cell is None:
            continue
        if cell.__class__ is str:
            if not cell or cell.isspace():
                continue
        return False
    return True


def header_text(cell: Any) -> str:
    """A header cell as a trimmed NFC string with whitespace runs collapsed."""
    if cell is None or cell == "":
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = cell.isoformat() if hasattr(cell, "isoformat") else str(cell)
    # Excel headers often carry a non-breaking space or an Alt+Enter line break; split()
    # collapses every kind of Unicode whitespace.
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _sheet_name(raw: str) -> str:
    return unicodedata.normalize("NFC", raw.strip())
