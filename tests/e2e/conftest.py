"""The portal as production runs it, for a real browser: the stack and the browser as session fixtures.

A fresh PostgreSQL database (dropped and created each run), migrated and seeded with the
small demo; static files collected with hashed names; gunicorn with DEBUG off on
127.0.0.1:8101 and a real Celery worker consuming from Redis DB 13, both as subprocesses
of this session and stopped at its end. Playwright drives Debian's Chromium (never a
downloaded browser). Tests here are marked ``e2e`` and run only with E2E=1 (``make e2e``);
tests/conftest.py deselects them otherwise.

Screenshots go to tests/e2e/screenshots/, the servers' logs to tests/e2e/logs/ (both
ignored by git); a failing journey's last page is saved there too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e import axe

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
LOGS = HERE / "logs"

DATABASE_URL = os.environ.get("E2E_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_e2e")
REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/13")
HOST, PORT = "127.0.0.1", int(os.environ.get("E2E_PORT", "8101"))
BASE_URL = f"http://{HOST}:{PORT}"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "demo12345"  # monitoring.demo.DEMO_PASSWORD


def _server_env(tmp: Path) -> dict[str, str]:
    """Production settings (monitoring/config/settings.py with DEBUG off), plain HTTP on the loopback."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "E2E"))}
    environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "DEBUG": "false",
            "SECRET_KEY": "e2e-only-" + "k" * 50,
            "ALLOWED_HOSTS": HOST,
            # No TLS proxy in front: no redirect to https and no HSTS. The cookies stay
            # Secure, which Chromium accepts from a loopback address.
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environ


def _fresh_database() -> None:
    import psycopg2

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise RuntimeError(f"Unexpected e2e database name: {name!r}")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
    admin.close()


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _manage(*args: str, environ: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"\n$ manage.py {' '.join(args)}\n")
        out.flush()
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, stdout=out, stderr=out, check=True, timeout=600
        )
        out.write(f"(took {time.monotonic() - started:.1f} s)\n")


def _port_free() -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, PORT)) != 0


def _wait(what: str, ready, *, timeout: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}; see {log}:\n{_tail(log)}")
        if ready():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} not ready after {timeout} s; see {log}:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def _http_ok() -> bool:
    try:
        with urllib.request.urlopen(f"{BASE_URL}/login/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen, *, grace: float) -> None:
    # Each server runs in its own process group (start_new_session): the group is the
    # server and the children it forked, nothing else.
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    """The running stack; yields its base URL."""
    if not _port_free():
        pytest.fail(f"Port {PORT} is taken: the e2e portal needs it.")
    for folder in (SCREENSHOTS, LOGS):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    tmp = tmp_path_factory.mktemp("portal")
    environ = _server_env(tmp)
    setup_log = LOGS / "setup.log"

    _fresh_database()
    _flush_redis()
    # collectstatic (hashing and compressing some 900 files, a minute of CPU) needs no database:
    # it runs beside the migration and the demo.
    static_log = LOGS / "collectstatic.log"
    with static_log.open("w") as out:
        static = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _manage("migrate", "--noinput", environ=environ, log=setup_log)
        _manage("seed_demo", "--size", "small", environ=environ, log=setup_log)
        if static.wait(timeout=900) != 0:
            raise RuntimeError(f"collectstatic failed; see {static_log}:\n{_tail(static_log)}")
    finally:
        if static.poll() is None:
            static.kill()
            static.wait()

    web_log, worker_log = LOGS / "gunicorn.log", LOGS / "celery.log"
    processes = []
    try:
        with web_log.open("w") as out:
            web = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "monitoring.config.wsgi:application",
                    "--bind", f"{HOST}:{PORT}", "--workers", "2", "--timeout", "120",
                    "--access-logfile", "-",
                ],
                cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        processes.append(web)
        with worker_log.open("w") as out:
            worker = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "monitoring", "worker",
                    "--concurrency", "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                ],
                cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        processes.append(worker)
        _wait("gunicorn", _http_ok, timeout=60, process=web, log=web_log)
        _wait("celery worker", lambda: " ready." in worker_log.read_text(), timeout=60, process=worker, log=worker_log)
        yield BASE_URL
    finally:
        for process in reversed(processes):
            _stop(process, grace=30)


@pytest.fixture(scope="session")
def browser(portal):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: `apt-get install -y chromium` (make e2e does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.e2e_failed = True


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


class _CheckedPage:
    """The journey's page, for the test to use like a Playwright page: before anything is done
    with it (a locator made, a key pressed, a file awaited, its address read), the document
    loaded last has been checked by axe-core (tests/e2e/axe.py)."""

    def __init__(self, journey: Journey):
        object.__setattr__(self, "_journey", journey)

    def __getattr__(self, name: str):
        journey = object.__getattribute__(self, "_journey")
        journey.settle()
        return getattr(journey.raw_page, name)


class Journey:
    """One person's browser session: log in, take numbered screenshots, download files.

    Every document it loads is checked by axe-core (see tests/e2e/axe.py); the journey fails, at
    its end, on any serious or critical violation. Each screenshot also checks that the page does
    not scroll sideways, at whatever width the journey has (``viewport``: DESKTOP or PHONE).
    """

    def __init__(self, browser, base_url: str, name: str, viewport: dict[str, int] | None = None):
        self.name = name
        self.context = browser.new_context(
            base_url=base_url, locale="ru-RU", viewport=viewport or DESKTOP, accept_downloads=True
        )
        self.context.set_default_timeout(30_000)
        self.axe = axe.install(self.context)
        self.raw_page = self.context.new_page()
        self.page = _CheckedPage(self)
        self._navigations = 0  # main-frame navigations seen (by the handler, which only counts)
        self._settled = 0  # ... of which the last one's document has been checked
        self.raw_page.on("framenavigated", self._navigated)
        self.shots: list[Path] = []
        # An irreversible step asks first (data-confirm): the person reads the question and agrees;
        # the journeys assert what was asked.
        self.asked: list[str] = []
        self.raw_page.on("dialog", self._agree)

    def _agree(self, dialog) -> None:
        self.asked.append(dialog.message)
        dialog.accept()

    def _navigated(self, frame) -> None:
        if frame == self.raw_page.main_frame:
            self._navigations += 1

    def settle(self) -> None:
        """Wait until the current document's axe-core check has reported (no-op if it has)."""
        if self._settled != self._navigations:
            seen = self._navigations
            axe.wait_checked(self.raw_page, self.axe)
            self._settled = seen

    def check_now(self) -> None:
        """Check the document as it is now (content swapped in after its load included)."""
        self.settle()
        axe.wait_checked(self.raw_page, self.axe, again=True)

    def login(self, username: str) -> None:
        page = self.page
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))

    def logout(self) -> None:
        self.page.get_by_role("button", name="Выйти").click()
        self.page.wait_for_url(re.compile(r"/login/"))

    def assert_fits(self, where: str = "") -> None:
        """The document does not scroll sideways in the journey's window."""
        document, window = axe.page_width(self.raw_page)
        if document > window:
            culprits = "; ".join(axe.overflowing(self.raw_page))
            raise AssertionError(
                f"{where or self.raw_page.url}: the page is {document} px wide in a {window} px window ({culprits})"
            )

    def shot(self, label: str) -> Path:
        """A full-page screenshot; every page shot is also checked by axe-core again (as it is now)
        and checked not to scroll sideways."""
        path = SCREENSHOTS / f"{self.name}-{len(self.shots) + 1:02d}-{label}.png"
        if label != "FAILED":
            self.check_now()
        self.raw_page.screenshot(path=path, full_page=True)
        self.shots.append(path)
        if label != "FAILED":
            self.assert_fits(path.name)
        return path

    def finish(self) -> list[str]:
        """The journey's accessibility problems: every document checked, the last one too."""
        with contextlib.suppress(Exception):
            self.settle()
        return self.axe.problems()

    def download(self, click, folder: Path) -> Path:
        """Click what starts a download; the saved file's path."""
        with self.page.expect_download() as info:
            click()
        download = info.value
        path = folder / download.suggested_filename
        download.save_as(path)
        return path


def _axe_summary(journeys) -> str:
    lines = []
    for j in journeys:
        problems = j.finish()
        if problems:
            lines.append(f"{j.name}: {len(problems)} serious/critical axe-core finding(s)")
            lines += [f"  {p}" for p in problems]
    return "\n".join(lines)


@pytest.fixture
def journey(request, browser, portal):
    """Journey(name[, viewport]) opens a fresh browser context per person; at the end each is
    closed (with a shot on failure) and the test fails on what axe-core found on any page it loaded."""
    opened: list[Journey] = []

    def open_journey(name: str, viewport: dict[str, int] | None = None) -> Journey:
        opened.append(Journey(browser, portal, name, viewport))
        return opened[-1]

    yield open_journey
    failed = getattr(request.node, "e2e_failed", False)
    summary = _axe_summary(opened)
    for j in opened:
        if failed:
            with contextlib.suppress(Exception):
                j.shot("FAILED")
        j.context.close()
    if summary:
        (LOGS / f"axe-{request.node.name}.txt").write_text(summary + "\n")
        pytest.fail("axe-core, serious or critical (rule [impact] target — page):\n" + summary, pytrace=False)


@pytest.fixture(scope="session")
def sql(portal):
    """sql(query, *params) -> the first row, read straight from the e2e database."""
    import psycopg2

    parts = urlsplit(DATABASE_URL)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=parts.path.lstrip("/"),
    )
    connection.autocommit = True

    def query(text: str, *params):
        with connection.cursor() as cursor:
            cursor.execute(text, params)
            return cursor.fetchone()

    yield query
    connection.close()
