"""Load test: 20 people browsing dashboards and school pages of the region demo, served by gunicorn.

    python tests/perf/load/run_load.py [--users 20] [--warmup 20] [--duration 60] [--workers 3] [--reseed]

(or `make load`). Goal (issue 9): p95 under 300 ms over all pages, and no failed request. Steps:

1. the PostgreSQL database ``portal_load`` (127.0.0.1:5432, user postgres) is created if missing
   and migrated; the region demo (`seed_demo --size region`, one to three minutes) is seeded only
   when the database does not hold it yet, so repeated runs start in seconds; ``--reseed`` drops
   the database and builds it anew. Then ``VACUUM (ANALYZE)``, as autovacuum would have done on a
   production server (it is off on the shared one here);
2. the current period's indicators are computed (`compute_indicators`) unless they are already
   there and current, so the dashboards show values;
3. a URL plan is read from the data through the portal's own scoping: for every demo account
   the municipalities, schools and teachers it may open, the indicator codes, its anchors;
4. gunicorn (``--workers``, 3 by default) serves the portal on 127.0.0.1:8102 as in production:
   DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, the static files collected (hashed and
   compressed) into $TMPDIR/portal_load_static and served by whitenoise's middleware; collectstatic
   is skipped while no collected file changed (it costs minutes of this machine). Celery is eager
   (no REDIS_URL): the scenario only reads. The TLS proxy of production is played by the load
   client (``X-Forwarded-Proto: https``), so the Secure cookies and the HTTPS CSRF checks work as
   behind the proxy; SECURE_SSL_REDIRECT is off because nothing here speaks TLS;
5. locust (tests/perf/load/locustfile.py) runs headless: the users log in through the login
   form and browse for ``--warmup`` seconds (and until every user is in), figures dropped, then
   ``--duration`` seconds are measured, with a think time of 1-3 s between pages;
6. prints p50/p95/p99/max per page group and overall, requests per second, failures, the CPU
   the server (gunicorn workers and PostgreSQL backends) spent per request, the machine's load,
   and exits 1 when the overall p95 is 300 ms or more or any request failed.

Response times depend on whatever else the machine runs: the CPU per request does not, and is
the figure to compare fixes by. tests/perf/load/profile_pages.py shows each page's queries.
Only 127.0.0.1 is ever a target; the run stops by itself after the measured window.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
PY = sys.executable
DB = "portal_load"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
HOST, PORT = "127.0.0.1", 8102
GOAL_P95_MS = 300


def log(message: str) -> None:
    print(f"[load] {message}", flush=True)


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"DATABASE_URL": PG_URL, "LOG_LEVEL": "WARNING"})
    return env


def sh(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env or base_env(), capture_output=True, text=True)
    if check and result.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def django_child(mode: str, *extra: str) -> dict:
    """Run this file as a Django process (``--child MODE``) and return the JSON it prints."""
    result = sh(PY, __file__, "--child", mode, *extra)
    return json.loads(result.stdout.split("CHILD", 1)[1])


# ---------------------------------------------------------------------------
# Database: create, migrate, seed once, compute
# ---------------------------------------------------------------------------


def prepare_database(*, reseed: bool) -> None:
    exists = sh("psql", *PG, "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{DB}'")
    if reseed and exists.stdout.strip() == "1":
        log(f"--reseed: dropping {DB}")
        sh("dropdb", *PG, "--if-exists", DB)
    if reseed or exists.stdout.strip() != "1":
        sh("createdb", *PG, DB)
        log(f"created database {DB}")
    sh(PY, "manage.py", "migrate", "--noinput", "-v0")
    state = django_child("state")
    if state["region_demo"]:
        log(f"region demo already seeded ({state['schools']} schools, {state['roster']} roster rows): reusing it")
    else:
        if state["schools"]:
            # Something else (a smaller demo) is there: replace it, the figures are for the region size.
            log(f"the database holds {state['schools']} schools, not the region demo: reseeding with --reset")
        started = time.perf_counter()
        extra = ["--reset"] if state["schools"] else []
        sh(PY, "manage.py", "seed_demo", "--size", "region", *extra)
        log(f"seed_demo --size region: {time.perf_counter() - started:.0f} s")
        state = django_child("state")
    # What autovacuum does on a production server, and is off on this shared one: without it the
    # freshly seeded tables have no statistics (the planner guessed 9 rows for 21,000 diagnostics and
    # nested-looped a results page to 2 s) and no visibility map (no index-only scans).
    started = time.perf_counter()
    sh("psql", *PG, "-d", DB, "-qc", "VACUUM (ANALYZE)")
    log(f"VACUUM (ANALYZE): {time.perf_counter() - started:.0f} s")
    if state["needs_compute"]:
        started = time.perf_counter()
        out = sh(PY, "manage.py", "compute_indicators", "--period", str(state["period"]), "-v0")
        elapsed = time.perf_counter() - started
        log(f"compute_indicators --period {state['period']}: {elapsed:.0f} s; {out.stdout.strip()}")
    else:
        log(f"indicators of {state['period']} computed and current: {state['values']} values")


def child_state() -> dict:
    from indicators.models import IndicatorValue
    from indicators.services import is_stale
    from monitoring.demo import REGION_CODE, SIZES
    from monitoring.models import MonitoringPeriod, Region, RosterEntry, School

    period = MonitoringPeriod.objects.current()
    schools = School.objects.count()
    values = IndicatorValue.objects.filter(period=period).count() if period else 0
    return {
        "region_demo": Region.objects.filter(code=REGION_CODE).exists() and schools == SIZES["region"].schools,
        "schools": schools,
        "roster": RosterEntry.objects.count(),
        "period": period.year if period else None,
        "values": values,
        "needs_compute": bool(period) and (values == 0 or is_stale(period)),
    }


# ---------------------------------------------------------------------------
# The URL plan: what each demo account may open, read through the portal's scoping
# ---------------------------------------------------------------------------


def child_plan() -> dict:
    import random

    from indicators.catalog import catalog
    from monitoring.demo import DEMO_ACCOUNTS
    from monitoring.models import Municipality, School, Teacher, User

    rng = random.Random(1)
    accounts = {}
    for username, _role, _ in DEMO_ACCOUNTS:
        if username == "admin":
            continue  # administration is not browsing
        user = User.objects.filter(username=username, is_active=True).select_related("school", "teacher").first()
        if user is None:
            continue
        schools = list(School.objects.visible_to(user).order_by("code").values_list("code", flat=True))
        teachers = list(Teacher.objects.visible_to(user).order_by("code").values_list("code", flat=True))
        municipalities = Municipality.objects.visible_to(user).order_by("code")
        accounts[username] = {
            "role": user.role,
            "municipalities": list(municipalities.values_list("code", flat=True)),
            # The school list's filter takes a primary key.
            "municipality_pks": list(municipalities.values_list("pk", flat=True)),
            "schools": schools,
            # A sample: the region's 30,000 teachers need not all be in the plan.
            "teachers": sorted(rng.sample(teachers, min(len(teachers), 300))),
            "school": user.school.code if user.school_id else None,
            "teacher": user.teacher.code if user.teacher_id else None,
        }
    return {"accounts": accounts, "indicators": [d.code for d in catalog()], "directions": list(range(1, 10))}


def child_static_fingerprint() -> dict:
    """What collectstatic would collect (every finder's files by name and content), as one hash."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            content = hashlib.sha256(Path(storage.path(path)).read_bytes()).hexdigest()
            entries.append(f"{path}|{content}")
    return {"fingerprint": hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest(), "files": len(entries)}


def collect_static(env: dict) -> None:
    """collectstatic into the load test's STATIC_ROOT, skipped when nothing it collects has changed.

    The production storage hashes and compresses (gzip, brotli) every file on every run: about
    two minutes of this 2-core machine for the admin's, DRF's and the API docs' files.
    """
    root = Path(env["STATIC_ROOT"])
    stamp = root / ".load-fingerprint"
    fingerprint = django_child("static")["fingerprint"]
    if (root / "staticfiles.json").exists() and stamp.exists() and stamp.read_text() == fingerprint:
        log(f"static files unchanged since the last run: reusing {root}")
        return
    started = time.perf_counter()
    shutil.rmtree(root, ignore_errors=True)
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    stamp.write_text(fingerprint)
    log(f"collectstatic into {root}: {time.perf_counter() - started:.0f} s")


def child(mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring.config.settings")
    import django

    django.setup()
    out = {"state": child_state, "plan": child_plan, "static": child_static_fingerprint}[mode]()
    print("CHILD" + json.dumps(out))


# ---------------------------------------------------------------------------
# gunicorn and locust
# ---------------------------------------------------------------------------


def serve_env(static_root: str) -> dict[str, str]:
    env = base_env()
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": static_root,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    return env


def start_gunicorn(env: dict, workers: int, threads: int) -> subprocess.Popen:
    if not port_free():
        raise SystemExit(f"{HOST}:{PORT} is taken: another load run (or something else) is listening there")
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "monitoring.config.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{PORT}/login/", timeout=5) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise SystemExit("gunicorn did not answer /login/ within 60 s")


def port_free() -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex((HOST, PORT)) != 0


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_locust(*, plan_path: str, summary_path: str, users: int, warmup: int, duration: int, server_pid: int) -> None:
    env = {
        **os.environ,
        "LOAD_GUNICORN_PID": str(server_pid),
        "LOAD_PLAN": plan_path,
        "LOAD_SUMMARY": summary_path,
        "LOAD_WARMUP": str(warmup),
        "LOAD_DURATION": str(duration),
    }
    # Spawn everyone within the first few seconds of the warm-up.
    spawn_rate = max(1, users // 4)
    cmd = [
        PY,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        # The locustfile stops the run after the measured window; this only bounds a run whose
        # users cannot log in (the file waits for them at most 120 s).
        "--run-time",
        f"{warmup + 120 + duration + 30}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://{HOST}:{PORT}",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    subprocess.run(cmd, cwd=ROOT, env=env, check=False)


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def report(summary: dict, *, workers: int, threads: int, users: int, before: str, after: str) -> int:
    groups = summary["groups"]
    total = summary["total"]
    print()
    print(
        f"{users} users, think time 1-3 s, {summary['measured_seconds']:.0f} s measured after "
        f"{summary['warmup_seconds']} s warm-up; gunicorn {workers} workers x {threads} threads; "
        f"PostgreSQL database {DB} (region demo)"
    )
    print(f"load average (1, 5, 15 min) before: {before}; after: {after}; {os.cpu_count()} CPUs")
    header = f"{'page group':<26} {'reqs':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}  ms"
    print(header)
    print("-" * len(header))
    for name, g in sorted(groups.items()):
        print(
            f"{name:<26} {g['requests']:>6} {g['failures']:>5} {g['p50']:>6.0f} {g['p95']:>6.0f} "
            f"{g['p99']:>6.0f} {g['max']:>6.0f}"
        )
    print("-" * len(header))
    print(
        f"{'overall':<26} {total['requests']:>6} {total['failures']:>5} {total['p50']:>6.0f} {total['p95']:>6.0f} "
        f"{total['p99']:>6.0f} {total['max']:>6.0f}"
    )
    print(f"requests per second: {total['rps']:.1f}")
    cpu = summary.get("server_cpu") or {}
    if cpu and total["requests"]:
        per = {k: 1000 * v / total["requests"] for k, v in cpu.items()}
        print(
            f"server CPU per request: {sum(per.values()):.0f} ms (gunicorn workers {per['gunicorn']:.0f} ms, "
            f"PostgreSQL backends {per['postgres']:.0f} ms); {sum(cpu.values()) / summary['measured_seconds']:.2f} "
            "cores busy on average"
        )
    for name, w in sorted(summary.get("warmup", {}).items()):
        print(f"(warm-up, not measured) {name}: {w['requests']} reqs, p50 {w['p50']:.0f} ms, max {w['max']:.0f} ms")
    for error in summary["errors"][:20]:
        print(f"error: {error}")
    problems = []
    if total["requests"] == 0:
        problems.append("no request was measured")
    if total["p95"] >= GOAL_P95_MS:
        problems.append(f"overall p95 {total['p95']:.0f} ms >= {GOAL_P95_MS} ms")
    if total["failures"] or summary["warmup_failures"]:
        problems.append(f"{total['failures'] + summary['warmup_failures']} failed requests")
    if problems:
        print("FAIL: " + "; ".join(problems))
        return 1
    print(f"OK: p95 {total['p95']:.0f} ms < {GOAL_P95_MS} ms, no failures")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=20, help="seconds browsed before measuring")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--reseed", action="store_true", help="drop portal_load and seed the region demo anew")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    prepare_database(reseed=args.reseed)
    plan = django_child("plan")
    log("accounts: " + ", ".join(f"{u} ({len(a['schools'])} schools)" for u, a in plan["accounts"].items()))
    scratch = tempfile.mkdtemp(prefix="portal_load_")
    try:
        env = serve_env(str(Path(tempfile.gettempdir()) / "portal_load_static"))
        collect_static(env)
        plan_path = str(Path(scratch) / "plan.json")
        summary_path = str(Path(scratch) / "summary.json")
        Path(plan_path).write_text(json.dumps(plan))
        gunicorn = start_gunicorn(env, args.workers, args.threads)
        log(f"gunicorn on http://{HOST}:{PORT}, {args.workers} workers; locust: {args.users} users")
        before = load_average()
        try:
            run_locust(
                plan_path=plan_path,
                summary_path=summary_path,
                users=args.users,
                warmup=args.warmup,
                duration=args.duration,
                server_pid=gunicorn.pid,
            )
        finally:
            after = load_average()
            stop(gunicorn)
        if not Path(summary_path).exists():
            raise SystemExit("locust wrote no summary")
        summary = json.loads(Path(summary_path).read_text())
        code = report(summary, workers=args.workers, threads=args.threads, users=args.users, before=before, after=after)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
