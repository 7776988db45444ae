"""Reading an uploaded file in a child process, so that no reader failure can take down its caller.

python-calamine is Rust: a file it cannot afford makes it abort the whole process
(«memory allocation of 549755813888 bytes failed»), and a bug in any reader may crash,
exhaust memory or loop. ``read_isolated`` therefore runs the reader
(``reader.iter_package``, with every safety check) in a fresh interpreter started with
``subprocess`` — not multiprocessing: a Celery prefork worker is a daemonic process,
which multiprocessing forbids to have children — and that interpreter limits itself
before it reads anything: address space (RLIMIT_AS), CPU time (RLIMIT_CPU), no core
files, small files only. The parent adds a wall-clock deadline. The child's death, of
whatever cause, becomes a ``PackageFileError`` with a Russian message; the calling web
or worker process never sees more than that.

The child imports only the reader and its safety checks (not Django, not Celery) and
gets an empty environment: no settings, no database address, no secrets.

What comes back: each sheet as soon as it is read, as one length-prefixed pickle frame
(fast mode: no memo, so a region-size package of 3.3 million cells pickles in ~0.1 s),
while the parent unpickles the previous one — the transfer overlaps the reading. The
parent's unpickler accepts no class but the date and time types a cell can hold. A caller
may turn each sheet into something smaller as it arrives (``each``: the import parses it),
so that the sheets are never all held raw.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import pickle
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from monitoring.intake.package.raw import RawSheet
from monitoring.intake.package.safety import (
    MAX_UPLOAD_BYTES,
    PackageFileError,
    PackageFormat,
    check_upload,
    display_name,
)

log = logging.getLogger(__name__)

# The child's address space: room for the interpreter and calamine (~30 MB), plus a
# multiple of what the file holds once unpacked. Reading costs at most ~100 bytes of
# memory per cell (calamine's rectangle twice, a Python object and pointer per cell) and
# a cell takes at least ~7 bytes of sheet XML, 6 of an .xls record, 2 of CSV: 16 bytes
# of memory per byte of content covers every format (measured: the region-size workbook,
# 139 MB of XML, peaks at 390 MB). A small file thus gets the base, so whatever it
# declares it cannot cost more than that; the largest upload gets the ceiling.
READ_MEMORY_BASE = 512 * 1024 * 1024
READ_MEMORY_PER_BYTE = 16
READ_MEMORY_CEILING = 4 * 1024 * 1024 * 1024
# The child's CPU time: the region-size workbook (12.6 MB) reads in ~3 s; 20 s plus
# 2 s per MB of upload is ten times that and bounds an endless loop in a small file to
# 20 s. The wall-clock deadline doubles it for a busy machine.
READ_SECONDS_BASE = 20
READ_SECONDS_PER_MB = 2
# A child that waits instead of working (CPU time does not pass) is killed at twice its
# CPU time plus this.
DEADLINE_EXTRA_SECONDS = 10

_FRAME = struct.Struct("<cQ")
_SHEET, _PEAK, _REFUSED, _DONE = b"S", b"P", b"E", b"D"
# Exit statuses of the child besides 0 and signals.
EXIT_NO_MEMORY = 3
EXIT_FAILED = 4

# The reading step of the child: source text defining read(source, filename, stdout).
# Tests give their own (one that aborts, allocates past the limit, loops) to
# ``run_child`` and so drive the real limits and the parent's handling of a death.
READER_CODE = "from monitoring.intake.package.reader import child_read as read"

_BOOTSTRAP = (
    # monitoring/__init__.py loads Celery; the child needs only this package, so its
    # parent packages are registered bare and its modules import without them.
    "import sys, types\n"
    "for name, path in (('monitoring', {root!r}), ('monitoring.intake', {room!r})):\n"
    "    package = types.ModuleType(name)\n"
    "    package.__path__ = [path]\n"
    "    sys.modules[name] = package\n"
    "from monitoring.intake.package.isolation import child_main\n"
    "{reader}\n"
    "child_main(read)\n"
)


def read_isolated(
    source: str | os.PathLike | BinaryIO, *, filename: str | None = None, each: Callable[[RawSheet], Any] | None = None
) -> dict[str, Any]:
    """``reader.read_package_in_process`` in a child process (the contract of ``reader.read_package``)."""
    is_path = isinstance(source, (str, os.PathLike))
    name = display_name(filename) or display_name(source if is_path else getattr(source, "name", None))
    request: dict = {"filename": filename or name or None}  # a stream's own name does not travel with its bytes
    data = b""
    if is_path and Path(source).is_dir():
        size = sum(child.stat().st_size for child in Path(source).iterdir() if child.is_file())
        content = size
        request["path"] = os.path.abspath(source)
    else:
        # The cheap checks (name, size, type, a zip's directory) decide here, without a
        # child; they read no more than the file's head and a zip's central directory.
        package_format = check_upload(source, name=name)
        size, content = _sizes(source, package_format)
        if is_path:
            request["path"] = os.path.abspath(source)
        else:
            source.seek(0)
            data = source.read(MAX_UPLOAD_BYTES + 1)
            source.seek(0)
    limits = read_limits(size=size, content=content)
    return run_child(request, data, name=name or "файл", limits=limits, each=each)


def read_limits(*, size: int, content: int) -> tuple[int, int]:
    """(address space in bytes, CPU seconds) for reading a file of ``size`` bytes holding ``content`` unpacked."""
    memory = min(READ_MEMORY_CEILING, READ_MEMORY_BASE + READ_MEMORY_PER_BYTE * content)
    seconds = READ_SECONDS_BASE + math.ceil(READ_SECONDS_PER_MB * size / 2**20)
    return memory, seconds


def _sizes(source: str | os.PathLike | BinaryIO, package_format: PackageFormat) -> tuple[int, int]:
    """The file's size and its content's size once unpacked (a zip's declared sizes)."""
    if isinstance(source, (str, os.PathLike)):
        size = os.path.getsize(source)
    else:
        source.seek(0, os.SEEK_END)
        size = source.tell()
        source.seek(0)
    if package_format in (PackageFormat.XLSX, PackageFormat.ODS, PackageFormat.ZIP):
        # check_upload has already opened this zip's directory: it is sound and limited.
        with zipfile.ZipFile(source) as archive:
            return size, max(size, sum(info.file_size for info in archive.infolist()))
    return size, size


def run_child(
    request: dict,
    data: bytes = b"",
    *,
    name: str,
    limits: tuple[int, int],
    reader_code: str | None = None,
    each: Callable[[RawSheet], Any] | None = None,
) -> dict[str, Any]:
    """Run the child on ``request`` (``path`` or ``data``, and ``filename``) within ``limits``; its sheets.

    ``limits`` is (address space in bytes, CPU seconds); the wall-clock deadline is twice
    the CPU time plus DEADLINE_EXTRA_SECONDS. ``reader_code`` replaces the reading step (READER_CODE).
    ``each`` is called on every sheet as soon as it arrives, while the child reads the next,
    and the answer holds what it returns instead of the sheet (which is then dropped): a
    caller that turns each sheet into something smaller never holds all of them raw.
    """
    request = request | {"memory": limits[0], "seconds": limits[1]}
    here = Path(__file__).resolve()
    program = _BOOTSTRAP.format(root=str(here.parents[2]), room=str(here.parents[1]), reader=reader_code or READER_CODE)
    deadline = 2 * limits[1] + DEADLINE_EXTRA_SECONDS
    started = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-I", "-B", "-c", program],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"},
            close_fds=True,
        )
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            child.kill()

        watchdog = threading.Timer(deadline, expire)
        watchdog.daemon = True
        watchdog.start()
        sheets: list[tuple[int, str, Any]] = []
        stats: dict = {}
        outcome = None
        garbled = False
        try:
            try:
                child.stdin.write(json.dumps(request).encode() + b"\n")
                if data:
                    child.stdin.write(data)
                child.stdin.close()
            except BrokenPipeError:
                pass  # the child died before taking its input: its status tells why
            try:
                outcome = _receive(child.stdout, sheets, stats, each)
            except _CallerError as exc:
                raise exc.__cause__ from None
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError):
                log.exception("the child reading %s sent a frame that is no sheet", name)
                outcome = garbled = True  # not what our child writes: treated as its crash
                child.kill()
            child.wait()
        finally:
            watchdog.cancel()
            if child.poll() is None:  # interrupted (a task's soft time limit, Ctrl+C): stop the child too
                child.kill()
                child.wait()
            child.stdout.close()
        errors.seek(0)
        stderr = errors.read(65536).decode("utf-8", "replace")
    if child.returncode == 0 and (outcome is _DONE or isinstance(outcome, PackageFileError)):
        log.info(
            "read %s in a child process: %s in %.2f s, peak %d MB",
            name,
            "refused" if isinstance(outcome, PackageFileError) else f"{len(sheets)} sheets",
            time.monotonic() - started,
            stats.get("peak_kb", 0) // 1024,
        )
        if isinstance(outcome, PackageFileError):
            raise outcome
        return {name: sheet for _, name, sheet in sorted(sheets, key=lambda item: item[0])}
    log.warning(
        "reading %s failed in the child process: status %s after %.1f s%s; stderr: %s",
        name,
        child.returncode,
        time.monotonic() - started,
        " (wall-clock deadline)" if expired.is_set() else "",
        stderr[-4000:],
    )
    status = None if garbled else child.returncode
    raise PackageFileError(_death_message(name, status, expired.is_set(), stderr, limits))


def _receive(stream: BinaryIO, sheets: list[tuple[int, str, Any]], stats: dict, each=None):
    """Read the child's frames into ``sheets`` (its peak memory into ``stats``); _DONE, a PackageFileError, or None.

    ``sheets`` gets (position, name, the sheet or what ``each`` made of it). None: the child stopped early.
    """
    while True:
        header = stream.read(_FRAME.size)
        if len(header) < _FRAME.size:
            return None
        kind, length = _FRAME.unpack(header)
        payload = stream.read(length)
        if len(payload) < length:
            return None
        if kind == _SHEET:
            position, name, headers, rows, header_row = _Unpickler(io.BytesIO(payload)).load()
            del payload
            sheet = RawSheet(name=name, headers=headers, rows=rows, header_row=header_row)
            del rows
            if each is None:
                sheets.append((position, name, sheet))
                continue
            try:
                made = each(sheet)
            except BaseException as exc:
                # The caller's own failure, not a frame's: it must not read as the child's crash.
                raise _CallerError from exc
            del sheet
            sheets.append((position, name, made))
        elif kind == _PEAK:
            stats["peak_kb"] = int(payload)
        elif kind == _REFUSED:
            return PackageFileError(payload.decode("utf-8"))
        elif kind == _DONE:
            return _DONE
        else:
            return None


class _CallerError(Exception):
    """What ``each`` raised, carried past the handling of garbled frames (its cause is re-raised)."""


class _Unpickler(pickle.Unpickler):
    """Only the types a cell may hold besides the builtins: a frame cannot run code in the parent."""

    _ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta")}

    def find_class(self, module: str, name: str):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")
        return super().find_class(module, name)


def _death_message(name: str, status: int | None, expired: bool, stderr: str, limits: tuple[int, int]) -> str:
    memory_mb = limits[0] // 2**20
    advice = (
        "Откройте его в Excel, удалите лишние строки и столбцы за пределами таблицы и сохраните заново как "
        "«Книга Excel (*.xlsx)»; если данных действительно так много, разделите листы пакета на несколько файлов."
    )
    if expired or status in (-signal.SIGXCPU, -signal.SIGKILL):
        return (
            f"Файл «{name}» не удалось прочитать: чтение заняло больше {limits[1]} {_seconds(limits[1])} и было "
            f"остановлено. "
            f"Возможно, файл повреждён или в нём объявлено слишком много ячеек. {advice}"
        )
    if status == EXIT_NO_MEMORY or (status == -signal.SIGABRT and "memory allocation" in stderr):
        return (
            f"Файл «{name}» не удалось прочитать: для чтения понадобилось больше {memory_mb} МБ памяти, и оно "
            f"было остановлено. Так бывает, когда в файле объявлены миллионы пустых ячеек. {advice}"
        )
    return (
        f"Файл «{name}» не удалось прочитать: программа чтения таблиц аварийно завершилась. Возможно, файл "
        f"повреждён. Откройте его в Excel и сохраните заново как «Книга Excel (*.xlsx)»."
    )


def _seconds(number: int) -> str:
    # After «больше»: genitive, singular for 1, 21, 31… (but not 11).
    return "секунды" if number % 10 == 1 and number % 100 != 11 else "секунд"


# --- the child -------------------------------------------------------------------------


def child_main(read) -> None:
    """Entry point of the child: limits, request from stdin, ``read`` it (frames to stdout), then exit."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    request = json.loads(stdin.readline())
    memory, seconds = request["memory"], request["seconds"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort must not write gigabytes to disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))  # it writes no file but its stderr
    try:
        source = request["path"] if "path" in request else io.BytesIO(stdin.read(MAX_UPLOAD_BYTES + 1))
        read(source, request.get("filename"), stdout)
    except MemoryError:
        os._exit(EXIT_NO_MEMORY)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(EXIT_FAILED)
    stdout.flush()
    # No interpreter shutdown: nothing is left to clean, and a reader thread still
    # parsing (after a refusal) must not be waited for.
    os._exit(0)


def send_frame(stdout: BinaryIO, kind: bytes, payload: bytes) -> None:
    stdout.write(_FRAME.pack(kind, len(payload)))
    stdout.write(payload)


def send_sheets(stdout: BinaryIO, sheets: Iterator[tuple[int, RawSheet]]) -> None:
    """The child's answer: each (position, sheet) of ``sheets`` as a frame as soon as it is read, then _DONE.

    A PackageFileError raised while reading is sent as the refusal instead.
    """

    def send(kind: bytes, payload: bytes) -> None:
        send_frame(stdout, kind, payload)

    def send_peak() -> None:
        # This process's own high-water mark (VmHWM, since exec); ru_maxrss would count the
        # parent's memory the child was forked with.
        with open("/proc/self/status", "rb") as status:
            peak = next((line.split()[1] for line in status if line.startswith(b"VmHWM:")), b"0")
        send(_PEAK, peak)

    try:
        for position, sheet in sheets:
            buffer = io.BytesIO()
            pickler = pickle.Pickler(buffer, protocol=5)
            pickler.fast = True  # no memo: the rows share no objects worth remembering
            pickler.dump((position, sheet.name, sheet.headers, sheet.rows, sheet.header_row))
            del sheet
            send(_SHEET, buffer.getbuffer())
            stdout.flush()
    except PackageFileError as exc:
        send_peak()
        send(_REFUSED, exc.message.encode("utf-8"))
        return
    send_peak()
    send(_DONE, b"")
