"""Fault drills: the portal under a Redis outage, a killed worker and a PostgreSQL restart.

    python tests/faults/run_faults.py [--only postgres,worker,redis] [--keep]

Everything runs on private services this script starts and stops itself, so the shared
PostgreSQL (5432) and Redis (6379) are never touched: a PostgreSQL cluster made with
initdb in a temporary folder (port 5440), a redis-server on 6390, gunicorn on 8103, one
Celery worker (solo pool) and celery beat. The demo region (``seed_demo --size small``)
is the data. Each scenario logs its steps and ends with PASS or FAIL; the exit status is
non-zero when any scenario failed.

1. postgres: PostgreSQL restarts while the portal serves; the next requests succeed
   (persistent connections are health-checked), and so does the next computation on the
   worker that was connected before the restart.
2. worker: the worker is SIGKILLed in the middle of a computation; the killed run is
   marked failed by the stale-run sweep (it does not stay «Выполняется»), and a new run
   gives exactly the values of a clean computation (every IndicatorValue row compared).
3. redis: with Redis stopped, starting a computation, an import's check, an import's
   confirmation, an export and the annual report each answer at once with the message
   that the queue is down, keep their rows waiting, and all of them run when Redis is
   back (beat re-sends waiting work every minute).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_PORT, REDIS_PORT, WEB_PORT = 5440, 6390, 8103
DB = "portal_faults"
BASE = f"http://127.0.0.1:{WEB_PORT}"
QUEUE_DOWN = "Очередь задач временно недоступна"
STALE_SECONDS = 20  # INDICATOR_RUN_STALE_SECONDS for the drill (production: 40 minutes)

T0 = time.monotonic()


def log(scope: str, text: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {scope:<8} {text}", flush=True)


class Failed(AssertionError):
    pass


def check(condition, text: str, scope: str) -> None:
    log(scope, ("ok    " if condition else "FAILED ") + text)
    if not condition:
        raise Failed(text)


def tally(statuses: list[int]) -> str:
    return ", ".join(f"{statuses.count(code)}×{code}" for code in sorted(set(statuses)))


def wait_for(predicate, *, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


# ---------------------------------------------------------------------------
# The private stack
# ---------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    return sorted(found)[-1] if found else (shutil.which(name) or name)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Stack:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.pgdata = tmp / "pg"
        self.procs: dict[str, subprocess.Popen] = {}
        self.redis_pid: int | None = None
        self.pg_started = False
        self.env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB}",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "MEDIA_ROOT": str(tmp / "media"),
            "DEBUG": "true",
            "INDICATOR_RUN_STALE_SECONDS": str(STALE_SECONDS),
            # One step per direction and municipality: a run has many steps to be killed among.
            "INDICATOR_CHUNK_MUNICIPALITIES": "1",
            "LOG_LEVEL": "INFO",
        }

    # PostgreSQL -------------------------------------------------------------
    def _as_postgres(self, command: list[str]) -> None:
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def pg_init(self) -> None:
        self.pgdata.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
            shutil.chown(self.pgdata, "postgres")
        self._as_postgres([_pg_bin("initdb"), "-D", str(self.pgdata), "-A", "trust", "-U", "postgres", "--no-sync"])
        self.pg_ctl("start")
        self.pg_started = True
        self.sql("CREATE DATABASE " + DB, db="postgres", autocommit=True)

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {PG_PORT} -k {self.pgdata} -c listen_addresses=127.0.0.1 -c fsync=off"
        logfile = str(self.pgdata / "log")
        pg_ctl = [_pg_bin("pg_ctl"), "-D", str(self.pgdata), "-o", options, "-l", logfile, "-w"]
        self._as_postgres([*pg_ctl, *extra, action])

    def connect(self, db: str = DB):
        return psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname=db, connect_timeout=5)

    def sql(self, query: str, params=(), *, db: str = DB, autocommit: bool = False) -> list[tuple]:
        # A fresh connection each time: the drills restart the server under it.
        conn = self.connect(db)
        conn.autocommit = autocommit
        try:
            with conn.cursor() as cur:
                cur.execute(query, params)
                rows = cur.fetchall() if cur.description else []
            if not autocommit:
                conn.commit()
            return rows
        finally:
            conn.close()

    def one(self, query: str, params=()):
        rows = self.sql(query, params)
        return rows[0] if rows else None

    # Redis ------------------------------------------------------------------
    def redis_start(self) -> None:
        pidfile = self.tmp / "redis.pid"
        server = ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        daemon = ["--daemonize", "yes", "--pidfile", str(pidfile), "--logfile", str(self.tmp / "redis.log")]
        subprocess.run([*server, *daemon], check=True)
        ready = wait_for(lambda: self.redis_up(), timeout=10, every=0.1)
        if not ready:
            raise RuntimeError("private redis-server did not start")
        self.redis_pid = int(pidfile.read_text().strip())

    def redis_up(self) -> bool:
        done = subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True)
        return done.stdout.strip() == "PONG"

    def redis_stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True)
        wait_for(lambda: not self.redis_up(), timeout=10, every=0.1)
        self.redis_pid = None

    # The portal's processes --------------------------------------------------
    def manage(self, *args: str, env: dict | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        out = open(self.tmp / f"{name}.log", "ab")  # the child process writes to it
        proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def web_start(self) -> None:
        gunicorn = [str(VENV_BIN / "gunicorn"), "monitoring.config.wsgi:application", "--bind", f"127.0.0.1:{WEB_PORT}"]
        access = ["--access-logfile", "-", "--access-logformat", 'pid=%(p)s %(s)s "%(r)s" %(M)sms']
        self.spawn("web", [*gunicorn, "--workers", "2", "--timeout", "60", *access])
        if not wait_for(lambda: _answers(f"{BASE}/login/"), timeout=30, every=0.2):
            raise RuntimeError("gunicorn did not answer")

    def worker_start(self, name: str = "worker") -> subprocess.Popen:
        worker = [str(VENV_BIN / "celery"), "-A", "monitoring", "worker", "--pool=solo", "--loglevel=INFO"]
        proc = self.spawn(name, [*worker, "-n", f"faults-{name}@%h", "--without-mingle", "--without-gossip"])
        if not wait_for(lambda: "ready." in self.log_text(name), timeout=60, every=0.2):
            raise RuntimeError(f"celery {name} did not start")
        return proc

    def beat_start(self) -> None:
        beat = [str(VENV_BIN / "celery"), "-A", "monitoring", "beat", "--loglevel=INFO"]
        self.spawn("beat", [*beat, "-s", str(self.tmp / "beat-schedule"), "--pidfile", str(self.tmp / "beat.pid")])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def log_text(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self, keep: bool) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        if self.redis_pid:
            subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True)
        if self.pg_started:
            try:
                self.pg_ctl("stop", "-m", "immediate")
            except subprocess.CalledProcessError:
                pass
        if keep:
            print(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


# ---------------------------------------------------------------------------
# A browser
# ---------------------------------------------------------------------------


class Browser:
    def __init__(self, username: str, password: str = "demo12345"):
        self.http = requests.Session()
        page = self.http.get(f"{BASE}/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        done = self.http.post(f"{BASE}/login/", data=form, timeout=10)
        if "/login/" in done.url:
            raise RuntimeError(f"{username} could not sign in")

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(f"{BASE}{path}", timeout=30, **kwargs)

    def get_alone(self, path: str) -> requests.Response:
        """A GET on its own connection with this browser's cookies (safe from several threads at once)."""
        return requests.get(f"{BASE}{path}", cookies=dict(self.http.cookies), timeout=30)

    def post(self, path: str, data: dict | None = None, files=None) -> tuple[requests.Response, float]:
        """POST as a form; returns the response (redirect not followed) and the seconds it took."""
        data = {**(data or {}), "csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        started = time.monotonic()
        response = self.http.post(
            f"{BASE}{path}", data=data, files=files, timeout=60, allow_redirects=False, headers={"Referer": BASE}
        )
        return response, time.monotonic() - started

    def follow(self, response: requests.Response) -> requests.Response:
        return self.get(response.headers["Location"]) if response.is_redirect else response


# ---------------------------------------------------------------------------
# What the drills read from the database
# ---------------------------------------------------------------------------


def current_period(stack: Stack) -> tuple[int, int]:
    return stack.one(
        "SELECT id, year FROM monitoring_monitoringperiod WHERE status <> 'closed' ORDER BY year DESC LIMIT 1"
    )


def latest_run(stack: Stack):
    return stack.one(
        "SELECT id, status, steps_done, steps_total, error FROM indicators_computationrun ORDER BY id DESC LIMIT 1"
    )


def run_row(stack: Stack, run_id: int):
    return stack.one(
        "SELECT id, status, steps_done, steps_total, error FROM indicators_computationrun WHERE id=%s", [run_id]
    )


def status_of(stack: Stack, table: str, pk: int) -> str:
    return stack.one(f"SELECT status FROM {table} WHERE id=%s", [pk])[0]


def values(stack: Stack, period_id: int) -> set[tuple]:
    """Every stored value of the period, all that a value is (the time it was computed aside)."""
    return set(
        stack.sql(
            "SELECT i.code, v.level, v.org_code, v.breakdown, v.school_id, v.municipality_id, "
            "v.numerator, v.denominator, v.value FROM indicators_indicatorvalue v "
            "JOIN indicators_indicator i ON i.id = v.indicator_id WHERE v.period_id = %s",
            [period_id],
        )
    )


def compute(stack: Stack, browser: Browser, year: int, scope: str) -> int:
    """Start a computation from the dashboard as the analyst and wait until it is done; returns its id."""
    before = (latest_run(stack) or (0,))[0]
    response, seconds = browser.post("/indicators/compute/", {"period": year})
    check(response.status_code == 302, f"POST /indicators/compute/ -> {response.status_code} in {seconds:.2f} s", scope)
    run = latest_run(stack)
    check(run and run[0] > before, f"run №{run[0]} recorded ({run[1]})", scope)
    done = wait_for(lambda: run_row(stack, run[0])[1] in ("done", "failed") and run_row(stack, run[0]), timeout=120)
    summary = f"run №{run[0]} done: {done[2]}/{done[3]} steps" if done else f"run №{run[0]} finished in time"
    check(done and done[1] == "done", summary, scope)
    return run[0]


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


def drill_postgres(stack: Stack, browser: Browser, year: int) -> None:
    scope = "postgres"
    pages = ["/", "/indicators/", "/imports/", f"/indicators/directions/1/?period={year}", "/schools/"]

    def burst() -> tuple[list[int], set[str]]:
        """Every page four times, four at once, so that both gunicorn workers serve; statuses and their pids."""
        mark = len(stack.log_text("web"))
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda path: browser.get_alone(path).status_code, pages * 4))
        return statuses, set(re.findall(r"^pid=<(\d+)> ", stack.log_text("web")[mark:], re.M))

    statuses, pids = burst()
    check(
        statuses == [200] * len(statuses) and len(pids) == 2,
        f"{len(statuses)} pages -> {tally(statuses)} from {len(pids)} gunicorn workers "
        "(each keeps its connection, CONN_MAX_AGE)",
        scope,
    )
    started = time.monotonic()
    stack.pg_ctl("restart", "-m", "fast")
    log(scope, f"pg_ctl restart -m fast, no requests meanwhile: back after {time.monotonic() - started:.1f} s")
    statuses, pids = burst()
    check(
        statuses == [200] * len(statuses) and len(pids) == 2,
        f"after the restart {len(statuses)} pages -> {tally(statuses)} from {len(pids)} workers: the first "
        "request on each cut connection reconnects (CONN_HEALTH_CHECKS)",
        scope,
    )

    during: list[str] = []
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            started = time.monotonic()
            try:
                status = str(browser.get_alone("/indicators/").status_code)
            except requests.RequestException as exc:
                status = type(exc).__name__
            during.append(f"{status}/{time.monotonic() - started:.1f}s")
            time.sleep(0.1)

    thread = threading.Thread(target=hammer, daemon=True)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    stack.pg_ctl("restart", "-m", "fast")
    log(scope, f"pg_ctl restart -m fast under requests: back after {time.monotonic() - started:.1f} s")
    time.sleep(0.5)
    stop.set()
    thread.join()
    log(scope, f"requests around that restart (status/latency): {', '.join(during)}")
    slow = [entry for entry in during if float(entry.split("/")[1][:-1]) > 10]
    check(not slow, "no request hung while PostgreSQL was down (each answered within 10 s)", scope)
    statuses, pids = burst()
    check(statuses == [200] * len(statuses), f"after it {len(statuses)} pages -> {tally(statuses)}", scope)

    run_id = compute(stack, browser, year, scope)
    log(scope, f"the worker connected before both restarts computed run №{run_id}")


def drill_worker(stack: Stack, browser: Browser, year: int, period_id: int) -> None:
    scope = "worker"
    clean_id = compute(stack, browser, year, scope)
    clean = values(stack, period_id)
    check(len(clean) > 0, f"clean computation №{clean_id}: {len(clean)} values", scope)

    stack.sql("DELETE FROM indicators_indicatorvalue WHERE period_id = %s", [period_id])
    log(scope, "values of the period deleted, so partial writes and the rerun's completeness show")
    before = latest_run(stack)[0]
    response, seconds = browser.post("/indicators/compute/", {"period": year})
    check(response.status_code == 302, f"POST /indicators/compute/ -> 302 in {seconds:.2f} s", scope)
    run_id = wait_for(lambda: (latest_run(stack) or (0,))[0] > before and latest_run(stack)[0], timeout=10)
    progressed = wait_for(lambda: (run_row(stack, run_id)[2] or 0) >= 2, timeout=60, every=0.02)
    check(progressed, f"run №{run_id} is running: {run_row(stack, run_id)[2]} steps done", scope)

    # Hold the run's row: the worker's next step blocks when it records its progress,
    # after writing its values. Killed there, it is in the middle of the computation.
    holder = stack.connect()
    with holder.cursor() as cur:
        cur.execute("SELECT steps_done, steps_total FROM indicators_computationrun WHERE id=%s FOR UPDATE", [run_id])
        done_at_lock, total = cur.fetchone()
    blocked = wait_for(
        lambda: stack.one(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
            ["%indicators_computationrun%"],
        )[0],
        timeout=30,
        every=0.05,
    )
    check(blocked, f"the worker is blocked mid-step ({done_at_lock}/{total} steps recorded)", scope)
    stack.kill("worker")
    log(scope, "worker SIGKILLed")
    holder.rollback()
    holder.close()

    row = run_row(stack, run_id)
    partial = values(stack, period_id)
    check(row[1] == "running", f"killed run №{run_id} left '{row[1]}' with {row[2]}/{row[3]} steps", scope)
    check(0 < len(partial) < len(clean), f"values written before the kill: {len(partial)} of {len(clean)}", scope)

    stack.worker_start("worker")
    log(scope, "a new worker started (it takes the steps left in the queue; the killed one stays unacked)")
    started = time.monotonic()
    failed = wait_for(lambda: run_row(stack, run_id)[1] == "failed" and run_row(stack, run_id), timeout=150, every=1)
    check(
        bool(failed),
        f"the sweep marked run №{run_id} failed after {time.monotonic() - started:.0f} s: «{(failed or row)[4]}»",
        scope,
    )
    page = browser.get(f"/indicators/runs/{run_id}/")
    check(
        page.status_code == 200 and "завершился с ошибкой: Расчет прерван" in page.text,
        "its status on the dashboard: «Расчет №… завершился с ошибкой: Расчет прерван…»",
        scope,
    )

    rerun_id = compute(stack, browser, year, scope)
    again = values(stack, period_id)
    diff = clean ^ again
    check(
        not diff,
        f"rerun №{rerun_id}: {len(again)} values, identical to the clean computation"
        if not diff
        else f"rerun №{rerun_id} differs from the clean computation in {len(diff)} rows, e.g. {sorted(diff)[:3]}",
        scope,
    )


def drill_redis(stack: Stack, browser: Browser, year: int, period_id: int, package: Path) -> None:
    scope = "redis"
    # A checked import to confirm during the outage.
    with package.open("rb") as handle:
        response, _ = browser.post(
            "/imports/", {"period": period_id}, files={"file": (package.name, handle, "application/octet-stream")}
        )
    checked_id = int(re.search(r"/imports/(\d+)/", response.headers["Location"]).group(1))
    wait_for(lambda: status_of(stack, "monitoring_importjob", checked_id) != "checking", timeout=120)
    state = status_of(stack, "monitoring_importjob", checked_id)
    check(state == "checked", f"import №{checked_id} uploaded and checked by the worker ({state})", scope)

    stack.redis_stop()
    check(not stack.redis_up(), "Redis stopped (redis-cli ping fails)", scope)
    check(browser.get("/indicators/").status_code == 200, "GET /indicators/ -> 200 while Redis is down", scope)

    def door(label: str, path: str, data: dict, files=None) -> requests.Response:
        response, seconds = browser.post(path, data, files)
        page = browser.follow(response)
        check(
            response.status_code == 302 and seconds < 5 and page.status_code == 200 and QUEUE_DOWN in page.text,
            f"{label}: POST {path} -> {response.status_code} in {seconds:.2f} s, the page says «{QUEUE_DOWN}…»",
            scope,
        )
        return response

    door("computation", "/indicators/compute/", {"period": year})
    run_id, run_status = latest_run(stack)[:2]
    with package.open("rb") as handle:
        upload = door(
            "import upload",
            "/imports/",
            {"period": period_id},
            {"file": (package.name, handle, "application/octet-stream")},
        )
    upload_id = int(re.search(r"/imports/(\d+)/", upload.headers["Location"]).group(1))
    poll = browser.get(f"/imports/{upload_id}/", headers={"HX-Request": "true"})
    check(poll.status_code == 200, f"the import's status poll -> {poll.status_code} (progress cache down)", scope)
    door("import confirm", f"/imports/{checked_id}/confirm/", {})
    door("export", "/exports/", {"period": period_id, "format": "zip"})
    door("annual report", "/reports/annual/start/", {"period": year})

    export_id = stack.one("SELECT max(id) FROM monitoring_exportjob")[0]
    report_id = stack.one("SELECT max(id) FROM reports_annualreport")[0]

    def states() -> dict[str, str]:
        return {
            f"run №{run_id}": run_row(stack, run_id)[1],
            f"upload №{upload_id}": status_of(stack, "monitoring_importjob", upload_id),
            f"confirmed import №{checked_id}": status_of(stack, "monitoring_importjob", checked_id),
            f"export №{export_id}": status_of(stack, "monitoring_exportjob", export_id),
            f"annual report №{report_id}": status_of(stack, "reports_annualreport", report_id),
        }

    waiting = states()
    expected_waiting = ["queued", "checking", "running", "running", "queued"]
    check(
        list(waiting.values()) == expected_waiting and run_status == "queued",
        "saved and waiting: " + ", ".join(f"{k} {v}" for k, v in waiting.items()),
        scope,
    )
    time.sleep(5)
    stack.redis_start()
    back = time.monotonic()
    log(scope, "Redis started again (empty: nothing was queued in it)")
    finished = ["done", "checked", "applied", "applied", "done"]
    reached = wait_for(lambda: list(states().values()) == finished, timeout=240, every=2)
    final = states()
    check(
        bool(reached),
        f"{time.monotonic() - back:.0f} s after Redis returned: " + ", ".join(f"{k} {v}" for k, v in final.items()),
        scope,
    )
    sent = stack.log_text("worker").count("sent again waiting")
    log(
        scope,
        f"the worker's log: {sent} waiting tasks sent again; web log: "
        f"{stack.log_text('web').count('queue unavailable')} sends refused while Redis was down",
    )


# ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="postgres,worker,redis", help="comma-separated scenarios")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, cluster)")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]

    busy = [port for port in (PG_PORT, REDIS_PORT, WEB_PORT) if not _port_free(port)]
    if busy:
        print(f"ports in use: {busy}; another drill running? stop it first", file=sys.stderr)
        return 2
    stack = Stack(Path(tempfile.mkdtemp(prefix="portal-faults-")))
    verdicts: dict[str, str] = {}
    try:
        log("setup", f"private stack in {stack.tmp}")
        stack.pg_init()
        log("setup", f"PostgreSQL cluster (initdb) on 127.0.0.1:{PG_PORT}, database {DB}")
        stack.redis_start()
        log("setup", f"redis-server on 127.0.0.1:{REDIS_PORT}")
        started = time.monotonic()
        stack.manage("migrate", "-v0")
        # Seeded eagerly (no REDIS_URL): the demo computes its own indicators in-process.
        stack.manage("seed_demo", "--size", "small", env={"REDIS_URL": ""})
        period_id, year = current_period(stack)
        package = stack.tmp / f"package-{year}.xlsx"
        stack.manage("export_package", "--period", str(year), str(package), env={"REDIS_URL": ""})
        counts = stack.one(
            "SELECT (SELECT count(*) FROM monitoring_school), (SELECT count(*) FROM monitoring_municipality)"
        )
        log(
            "setup",
            f"migrate + seed_demo --size small: {time.monotonic() - started:.0f} s "
            f"({counts[0]} schools, {counts[1]} municipalities; current period {year})",
        )
        stack.web_start()
        stack.worker_start()
        stack.beat_start()
        log("setup", f"gunicorn (2 workers) on {BASE}, a Celery worker (solo) and celery beat")
        browser = Browser("analyst")
        log("setup", "analyst signed in")

        drills = {
            "postgres": lambda: drill_postgres(stack, browser, year),
            "worker": lambda: drill_worker(stack, browser, year, period_id),
            "redis": lambda: drill_redis(stack, browser, year, period_id, package),
        }
        for name in chosen:
            log(name, "---- scenario " + name)
            try:
                drills[name]()
            except Exception as exc:  # every scenario gets its verdict
                if not isinstance(exc, Failed):
                    traceback.print_exc()
                verdicts[name] = f"FAIL ({exc})"
            else:
                verdicts[name] = "PASS"
            log(name, verdicts[name])
    finally:
        stack.close(args.keep)
    print("\nverdicts:")
    for name in chosen:
        print(f"  {name:<9} {verdicts.get(name, 'FAIL (not run)')}")
    return 0 if all(verdicts.get(name) == "PASS" for name in chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
