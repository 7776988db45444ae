"""Benchmark: compute the whole indicator catalog on PostgreSQL.

    python tests/perf/bench_indicators.py [--size region] [--workers N] [--chunk M] [--keep]

1. seeds the demo of the given size into a scratch database (once; --keep reuses it);
2. computes the latest period's catalog in this process, twice (cold, then warm),
   and reports the time per direction and the total;
3. with --workers N, starts N Celery worker processes (Redis on 127.0.0.1:6379) and
   runs the same computation through them as the period page does, fanned out by
   direction and by chunks of --chunk municipalities, and reports the wall time.

Goals (issue "indicator engine"): region size under 5 s on this 2-core machine;
national size through Celery workers under 3 minutes.
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


def sh(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env={**os.environ, **(env or {})}, check=check, capture_output=True, text=True
    )


def db_env(db: str) -> dict:
    return {"DATABASE_URL": PG.format(db)}


def ensure_db(db: str, size: str, keep: bool) -> None:
    exists = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'")
    if keep and exists.stdout.strip() == "1":
        print(f"reusing {db}")
        return
    sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", db)
    sh(PY, "manage.py", "migrate", "-v0", env=db_env(db))
    t = time.perf_counter()
    sh(PY, "manage.py", "seed_demo", "--size", size, env=db_env(db))
    print(f"seed_demo --size {size}: {time.perf_counter() - t:.1f} s")


def child() -> None:
    """In-process computation, twice; prints per-direction times as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring.config.settings")
    django.setup()
    from collections import defaultdict

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from indicators.engine import compute_period
    from monitoring.models import MonitoringPeriod, RosterEntry, School

    period = MonitoringPeriod.objects.current()
    out = {
        "period": period.year,
        "schools": School.objects.count(),
        "teachers": RosterEntry.objects.filter(period=period).count(),
        "runs": [],
    }
    for _ in range(2):
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
            {"total": total, "written": written, "queries": len(queries.captured_queries), "directions": per_direction}
        )
    print("BENCH", json.dumps(out))


def in_process(db: str) -> None:
    result = sh(PY, __file__, "--child", env=db_env(db), check=False)
    if result.returncode or "BENCH" not in result.stdout:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit("computation failed")
    data = json.loads(result.stdout.split("BENCH", 1)[1])
    print(f"period {data['period']}: {data['schools']:,} schools, {data['teachers']:,} teachers on the roster")
    for label, run in zip(("cold", "warm"), data["runs"], strict=True):
        print(f"in one process ({label}): {run['total']:.2f} s, {run['written']:,} values, {run['queries']} queries")
        print(
            "    " + ", ".join(f"d{k} {v:.2f}" for k, v in sorted(run["directions"].items(), key=lambda i: int(i[0])))
        )


def through_workers(db: str, workers: int, chunk: int) -> None:
    env = {**db_env(db), "REDIS_URL": REDIS, "INDICATOR_CHUNK_MUNICIPALITIES": str(chunk), "LOG_LEVEL": "WARNING"}
    procs = [
        subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "monitoring",
                "worker",
                "-c",
                "1",
                "-P",
                "prefork",
                "-n",
                f"bench{i}@%h",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            start_new_session=True,
        )
        for i in range(workers)
    ]
    try:
        time.sleep(6)
        year = sh(
            PY,
            "-c",
            "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','monitoring.config.settings');"
            "django.setup();from monitoring.models import MonitoringPeriod as P;print(P.objects.current().year)",
            env=env,
        ).stdout.strip()
        t = time.perf_counter()
        result = sh(
            PY, "manage.py", "compute_indicators", "--period", year, "-v0", "--timeout", "900", env=env, check=False
        )
        elapsed = time.perf_counter() - t
        print(result.stdout.strip() or result.stderr[-2000:])
        print(f"through {workers} Celery workers, chunks of {chunk} municipalities: {elapsed:.1f} s wall")
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="region")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="reuse the scratch database when it exists")
    parser.add_argument("--workers-only", action="store_true", help="skip the in-process computation")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    db = f"bench_ind_{args.size}"
    ensure_db(db, args.size, args.keep)
    if not args.workers_only:
        in_process(db)
    if args.workers:
        through_workers(db, args.workers, args.chunk)
    if not args.keep:
        sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db, check=False)


if __name__ == "__main__":
    main()
