"""The reading child process: whatever kills it, the caller gets a PackageFileError and lives on.

The child's reading step is replaced (``run_child(reader_code=…)``) by one that aborts,
crashes, allocates past its limit, loops or lies; everything else is the real child:
its interpreter, its limits, the parent's deadline and frames.
"""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from monitoring.intake.package import isolation
from monitoring.intake.package.reader import read_package, read_package_in_process
from monitoring.intake.package.safety import PackageFileError
from tests.paths import SPEC

SAMPLE_XLSX = SPEC / "sample-package.xlsx"
SMALL = (256 * 1024 * 1024, 2)  # address space, CPU seconds


def death(reader_code: str, limits=SMALL) -> str:
    with pytest.raises(PackageFileError) as caught:
        isolation.run_child({"path": str(SAMPLE_XLSX)}, name="пакет.xlsx", limits=limits, reader_code=reader_code)
    return caught.value.message


def test_an_aborting_reader_is_a_refusal_and_the_caller_survives():
    pid = os.getpid()
    message = death("import os\ndef read(*args):\n    os.abort()")
    assert message.startswith("Файл «пакет.xlsx» не удалось прочитать: программа чтения таблиц аварийно завершилась.")
    assert os.getpid() == pid  # this very process carries on


def test_a_rust_allocation_failure_reads_as_memory():
    # What calamine prints before it aborts on an allocation it cannot get.
    code = "import os, sys\ndef read(*args):\n    sys.stderr.write('memory allocation of 549755813888 bytes failed')\n"
    code += "    sys.stderr.flush()\n    os.abort()"
    assert "для чтения понадобилось больше 256 МБ памяти" in death(code)


def test_a_reader_allocating_past_the_limit_is_stopped_by_it():
    # 1 GiB is far below this machine's memory: only the child's own limit refuses it.
    message = death("def read(*args):\n    bytearray(2**30)")
    assert message.startswith("Файл «пакет.xlsx» не удалось прочитать: для чтения понадобилось больше 256 МБ памяти")


def test_an_endless_reader_is_stopped_by_its_cpu_limit():
    message = death("def read(*args):\n    while True:\n        pass", limits=(SMALL[0], 1))
    assert message.startswith("Файл «пакет.xlsx» не удалось прочитать: чтение заняло больше 1 секунды")


def test_a_sleeping_reader_is_stopped_by_the_deadline(monkeypatch):
    # Sleeping costs no CPU time: the parent's wall-clock deadline (here 2 × 1 s) ends it.
    monkeypatch.setattr(isolation, "DEADLINE_EXTRA_SECONDS", 0)
    message = death("import time\ndef read(*args):\n    time.sleep(600)", limits=(SMALL[0], 1))
    assert "чтение заняло больше 1 секунды и было остановлено" in message


def test_a_crashing_reader_is_a_refusal():
    assert "аварийно завершилась" in death("import ctypes\ndef read(*args):\n    ctypes.string_at(0)")


def test_a_reader_that_stops_without_a_word_is_a_refusal():
    assert "аварийно завершилась" in death("def read(*args):\n    pass")


def test_a_frame_of_another_class_is_refused_not_unpickled():
    code = (
        "import os, pickle\nfrom monitoring.intake.package.isolation import send_frame\n"
        "def read(source, filename, stdout):\n"
        "    send_frame(stdout, b'S', pickle.dumps((0, 'x', [], [(2, [os.system])], 1)))\n"
        "    send_frame(stdout, b'D', b'')"
    )
    assert "аварийно завершилась" in death(code)


def test_the_child_reads_within_its_limits_and_without_the_parents_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "не для ребёнка")
    code = (
        "import json, os, pickle, resource\nfrom monitoring.intake.package.isolation import send_frame\n"
        "def read(source, filename, stdout):\n"
        "    seen = [resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CPU)[0],\n"
        "            resource.getrlimit(resource.RLIMIT_CORE)[0], json.dumps(sorted(os.environ))]\n"
        "    send_frame(stdout, b'S', pickle.dumps((0, 'seen', [], [(2, seen)], 1)))\n"
        "    send_frame(stdout, b'D', b'')"
    )
    sheets = isolation.run_child({"path": str(SAMPLE_XLSX)}, name="x", limits=(300 * 2**20, 7), reader_code=code)
    memory, seconds, core, environment = sheets["seen"].rows[0][1]
    assert (memory, seconds, core) == (300 * 2**20, 7, 0)
    assert "SECRET_KEY" not in json.loads(environment) and "DATABASE_URL" not in json.loads(environment)


def test_limits_grow_with_the_file():
    small = isolation.read_limits(size=2_000, content=10_000)
    region = isolation.read_limits(size=12_600_000, content=139_000_000)
    largest = isolation.read_limits(size=50 * 2**20, content=2**30)
    assert small == (isolation.READ_MEMORY_BASE + 160_000, 21)
    assert small[0] < region[0] < largest[0] == isolation.READ_MEMORY_CEILING
    assert small[1] < region[1] < largest[1] == 120


def test_a_refusal_in_the_child_keeps_its_message(tmp_path):
    path = tmp_path / "пакет.xlsx"
    path.write_bytes(b"<!doctype html><html>")  # refused by the parent's cheap checks
    with pytest.raises(PackageFileError, match="это веб-страница"):
        read_package(path)
    folder = tmp_path / "папка"
    folder.mkdir()
    (folder / "Педагоги.csv").write_bytes(b'"a;b\n')  # a folder goes to the child whole
    with pytest.raises(PackageFileError, match="нарушены кавычки"):
        read_package(folder)


def _read_in_a_daemon(queue) -> None:
    try:
        sheets = read_package(SAMPLE_XLSX)
        queue.put(sorted(sheets))
    except BaseException as exc:  # reported to the test, which fails on it
        queue.put(repr(exc))


def test_reading_works_inside_a_daemonic_process():
    # A Celery prefork worker is a daemonic process, which multiprocessing forbids to
    # start children: the reader's child is a plain subprocess, so it still works there.
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_read_in_a_daemon, args=(queue,), daemon=True)
    process.start()
    result = queue.get(timeout=60)
    process.join(timeout=60)
    assert result == sorted(read_package_in_process(SAMPLE_XLSX))


def test_each_sheet_is_handed_over_as_it_arrives_and_what_it_makes_is_kept_in_file_order():
    seen = []

    def each(sheet):
        seen.append(sheet.name)
        return len(sheet.rows)

    made = read_package(SAMPLE_XLSX, each=each)
    whole = read_package_in_process(SAMPLE_XLSX)
    assert list(made) == list(whole)  # file order, whatever order the sheets came in
    assert sorted(seen) == sorted(whole)
    assert made == {name: len(sheet.rows) for name, sheet in whole.items()}


def test_what_each_raises_is_its_own_error_not_a_crash_of_the_child():
    def each(sheet):
        raise ValueError("the caller's own bug")

    with pytest.raises(ValueError, match="the caller's own bug"):
        read_package(SAMPLE_XLSX, each=each)
