"""Benchmark: compute the whole indicator catalog on PostgreSQL, in one process and through Celery workers.

    python tests/perf/bench_indicators.py [--size region] [--workers N] [--chunk M] [--repeat R] [--keep]

1. seeds the demo of the given size into a scratch database (once; --keep reuses it)
   and prints its size: schools, teachers on the period's roster, municipalities;
2. computes the latest period's catalog in one process, --runs times (cold, then warm), with
   the time per direction: the best total is the *floor*, what the work costs on one core;
3. with --workers N, starts Celery worker processes (Redis, --redis) and runs the same
   computation as the period page does, fanned out by direction and chunks of --chunk
   municipalities: first through 1 worker, then through N (R times each, alternately;
   the best of each counts). For each it reports the wall time and the run's
   *worker-seconds* (the sum of its step timings, ComputationRun.timings), and checks
   that the stored values are the ones the in-process computation wrote.

Goals (issue 17 "Scale"): the chunks do only their own work — worker-seconds at most
1.15x the floor — and N workers share it: wall time with N workers at most 0.6x that
with 1 (on 2 workers; a machine whose cores other work holds makes this meaningless,
so each figure is printed with the load average). A missed goal exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432/{}"
REDIS = "redis://127.0.0.1:6379/14"
WORKER = [PY, "-m", "celery", "-A", "monitoring", "worker", "-c", "1", "-P", "prefork", "-l", "WARNING"]
WORKER += ["--without-mingle", "--without-gossip"]
WORKER_SECONDS_GOAL = 1.15
WALL_RATIO_GOAL = 0.6
# What the stored values are compared on: every row's key and figures, in one digest.
DIGEST_SQL = (
    "SELECT count(*), md5(string_agg(concat_ws('|', indicator_id, level, org_code, breakdown, numerator, "
    "denominator, value), ',' ORDER BY indicator_id, level, org_code, breakdown)) "
    "FROM indicators_indicatorvalue WHERE period_id = %s"
)


def sh(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env={**os.environ, **(env or {})}, check=check, capture_output=True, text=True
    )


def db_env(db: str) -> dict:
    return {"DATABASE_URL": PG.format(db)}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} cores"


def ensure_db(db: str, size: str, keep: bool) -> None:
    exists = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'")
    if keep and exists.stdout.strip() == "1":
        print(f"reusing {db}")
        analyze(db)
        return
    sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", db)
    sh(PY, "manage.py", "migrate", "-v0", env=db_env(db))
    t = time.perf_counter()
    sh(PY, "manage.py", "seed_demo", "--size", size, env=db_env(db))
    print(f"seed_demo --size {size}: {time.perf_counter() - t:.1f} s ({load()})")
    analyze(db)


def analyze(db: str) -> None:
    # Planner statistics as a database in use has them: right after the seed autovacuum has not
    # caught up, and a plan made without them can take a chunk's query from 0.1 s to 3 s.
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qc", "ANALYZE")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring.config.settings")
    django.setup()


def digest(period) -> list:
    # Imported after django.setup() in the child processes.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DIGEST_SQL, [period.pk])
        return list(cursor.fetchone())


def child_in_process(runs: int) -> None:
    """In-process computation, ``runs`` times; prints the size, per-direction times and the values' digest as JSON."""
    setup_django()
    # Imported after django.setup().
    from collections import defaultdict

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from indicators.engine import compute_period
    from monitoring.models import MonitoringPeriod, Municipality, RosterEntry, School

    period = MonitoringPeriod.objects.current()
    out = {
        "period": period.year,
        "schools": School.objects.count(),
        "teachers": RosterEntry.objects.filter(period=period).count(),
        "municipalities": Municipality.objects.count(),
        "runs": [],
    }
    for _ in range(runs):
        per_direction: dict[int, float] = defaultdict(float)
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            written = compute_period(
                period=period,
                on_indicator=lambda d, s, acc=per_direction: acc.__setitem__(d.direction, acc[d.direction] + s),
            )
            total = time.perf_counter() - t
        out["runs"].append(
            {
                "total": total,
                "written": written,
                "queries": len(queries.captured_queries),
                "directions": per_direction,
                "load": load(),
            }
        )
    out["digest"] = digest(period)
    print("BENCH", json.dumps(out))


def child_run(workers: int) -> None:
    """One computation through the running workers, as the period page starts it; prints its figures as JSON."""
    setup_django()
    # Imported after django.setup().
    from indicators.models import ComputationRun, IndicatorValue, RunStatus
    from indicators.services import computation_start
    from monitoring.config.celery import app
    from monitoring.models import MonitoringPeriod

    deadline = time.monotonic() + 120
    while len(app.control.ping(timeout=1.0) or []) < workers:
        if time.monotonic() > deadline:
            raise SystemExit(f"{workers} workers did not answer")
    period = MonitoringPeriod.objects.current()
    t = time.perf_counter()
    run = computation_start(period=period, trigger="bench")
    while run.status not in (RunStatus.DONE, RunStatus.FAILED):
        if time.perf_counter() - t > 3600:
            raise SystemExit(f"run {run.pk} did not finish within an hour")
        time.sleep(0.2)
        run = ComputationRun.objects.get(pk=run.pk)
    wall = time.perf_counter() - t
    out = {
        "status": run.status,
        "error": run.error,
        "wall": wall,
        "steps": run.steps_total,
        "timings": run.timings,
        "written": run.values_written,
        "load": load(),
        "digest": digest(period),
        # Every stored value was written by this run (the earlier ones are overwritten in place, as in a
        # recomputation, so that the run does the same work as the in-process warm one).
        "stale": IndicatorValue.objects.filter(period=period).exclude(computed_at=run.created_at).count(),
    }
    print("BENCH", json.dumps(out))


def child(args: list[str], env: dict) -> dict:
    result = sh(PY, __file__, *args, env=env, check=False)
    if result.returncode or "BENCH" not in result.stdout:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit("computation failed")
    return json.loads(result.stdout.split("BENCH", 1)[1])


def in_process(db: str, runs: int) -> dict:
    data = child(["--child", str(runs)], db_env(db))
    print(
        f"size: {data['schools']:,} schools, {data['teachers']:,} teachers on the {data['period']} roster, "
        f"{data['municipalities']:,} municipalities"
    )
    for label, run in zip(("cold", "warm", "warm", "warm"), data["runs"], strict=False):
        print(
            f"in one process ({label}): {run['total']:.2f} s, {run['written']:,} values, "
            f"{run['queries']} queries ({run['load']})"
        )
        print(
            "    " + ", ".join(f"d{k} {v:.2f}" for k, v in sorted(run["directions"].items(), key=lambda i: int(i[0])))
        )
    return data


class Workers:
    """N Celery worker processes of one process each (as on a machine with N cores), stopped on exit."""

    def __init__(self, n: int, env: dict):
        self.procs = [
            subprocess.Popen(
                [*WORKER, "-n", f"bench{i}@%h"],
                cwd=ROOT,
                env={**os.environ, **env},
                start_new_session=True,
                # The banner and the warning about root; a failed step's error is on its run.
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for i in range(n)
        ]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def through_workers(db: str, workers: int, chunk: int, redis: str, expected: list) -> dict:
    env = {**db_env(db), "REDIS_URL": redis, "INDICATOR_CHUNK_MUNICIPALITIES": str(chunk), "LOG_LEVEL": "WARNING"}
    sh("redis-cli", "-u", redis, "flushdb", check=False)  # nothing left over from an interrupted run
    with Workers(workers, env):
        data = child(["--child-run", str(workers)], env)
    if data["status"] != "done":
        raise SystemExit(f"the run through {workers} workers failed: {data['error']}")
    data["worker_seconds"] = sum(data["timings"].values())
    steps = ", ".join(f"{k.replace('direction ', 'd')} {v:.1f}" for k, v in sorted(data["timings"].items()))
    same = data["digest"] == expected
    print(
        f"through {workers} worker(s), chunks of {chunk} municipalities ({data['steps']} steps): "
        f"{data['wall']:.1f} s wall, {data['worker_seconds']:.1f} worker-seconds ({data['load']})"
    )
    print(f"    {steps}; values {'identical to' if same else 'DIFFERENT from'} the in-process ones")
    if not same or data["stale"]:
        raise SystemExit(f"values differ: {data['digest']} != {expected}, {data['stale']} not rewritten")
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="region")
    parser.add_argument("--workers", type=int, default=0, help="also run through 1 and through N Celery workers")
    parser.add_argument("--chunk", type=int, default=10, help="municipalities per step of the run through workers")
    parser.add_argument("--repeat", type=int, default=1, help="runs through 1 and N workers, alternately; best counts")
    parser.add_argument("--redis", default=REDIS, help="the broker (a Redis database of its own: it is flushed)")
    parser.add_argument("--keep", action="store_true", help="reuse the scratch database when it exists")
    parser.add_argument("--db", help="the scratch database's name (default bench_ind_<size>)")
    parser.add_argument("--runs", type=int, default=2, help="in-process computations (the best is the floor)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_in_process(args.child)
        return
    if args.child_run:
        child_run(args.child_run)
        return
    db = args.db or f"bench_ind_{args.size}"
    ensure_db(db, args.size, args.keep)
    try:
        failures = measure(db, args)
    finally:
        if not args.keep:
            sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db, check=False)
    if failures:
        raise SystemExit("goals missed: " + "; ".join(failures))


def measure(db: str, args) -> list[str]:
    data = in_process(db, args.runs)
    floor = min(run["total"] for run in data["runs"])
    print(f"floor (one process, best of {args.runs}): {floor:.2f} s")
    if not args.workers:
        return []
    counts = (1, args.workers) if args.workers > 1 else (1,)
    best: dict[int, dict] = {}
    for _ in range(args.repeat):
        for n in counts:
            run = through_workers(db, n, args.chunk, args.redis, data["digest"])
            if n not in best or run["wall"] < best[n]["wall"]:
                best[n] = run
    failures = []
    # Judged on the run through one worker: there no step waits for a core another step holds.
    seconds = min(run["worker_seconds"] for n, run in best.items() if n == 1)
    ratio = seconds / floor
    print(
        f"worker-seconds of the chunked run through 1 worker: {seconds:.1f} = {ratio:.2f}x the floor "
        f"(goal <= {WORKER_SECONDS_GOAL})"
    )
    if ratio > WORKER_SECONDS_GOAL:
        failures.append(f"worker-seconds {ratio:.2f}x the floor > {WORKER_SECONDS_GOAL}")
    if args.workers > 1:
        n = args.workers
        wall_ratio = best[n]["wall"] / best[1]["wall"]
        print(
            f"wall: 1 worker {best[1]['wall']:.1f} s, {n} workers {best[n]['wall']:.1f} s: "
            f"{wall_ratio:.2f}x (goal <= {WALL_RATIO_GOAL})"
        )
        if wall_ratio > WALL_RATIO_GOAL:
            failures.append(f"{n} workers take {wall_ratio:.2f}x the wall time of 1 > {WALL_RATIO_GOAL}")
    return failures


if __name__ == "__main__":
    main()
