"""Benchmark: import the region-size data package on PostgreSQL, against a bare read floor.

    python tests/perf/bench_import.py [--size region] [--keep]

1. seeds the demo of the given size into a scratch database and exports its latest
   period as one .xlsx workbook (the package a region's institute would upload);
2. measures the floor: python-calamine reading every sheet of that workbook, nothing else;
3. imports the workbook into a second, empty scratch database with `import_package`
   in a child process and reports wall time and peak memory (ru_maxrss).

Goal (issue "data package"): the whole import within 5x the calamine floor and under
1 GB peak memory. Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432/{}"


def sh(*args: str, db: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if db:
        env["DATABASE_URL"] = PG.format(db)
    return subprocess.run(args, cwd=ROOT, env=env, check=check, capture_output=True, text=True)


def fresh_db(name: str) -> None:
    sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", name)
    sh(PY, "manage.py", "migrate", "-v0", db=name)


def calamine_floor(path: Path) -> tuple[float, int, int]:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    book = CalamineWorkbook.from_path(str(path))
    rows = cells = 0
    for name in book.sheet_names:
        data = book.get_sheet_by_name(name).to_python()
        rows += len(data)
        cells += sum(len(r) for r in data)
    return time.perf_counter() - started, rows, cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="region")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args()
    source, target = f"bench_src_{args.size}", f"bench_dst_{args.size}"
    workbook = Path(f"/tmp/bench-package-{args.size}.xlsx")

    fresh_db(source)
    t = time.perf_counter()
    sh(PY, "manage.py", "seed_demo", "--size", args.size, db=source)
    print(f"seed_demo --size {args.size}: {time.perf_counter() - t:.1f} s")
    year = sh(PY, "-c", "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','monitoring.settings');"
              "django.setup();from monitoring.models import MonitoringPeriod as P;print(P.objects.current().year)",
              db=source).stdout.strip()
    t = time.perf_counter()
    sh(PY, "manage.py", "export_package", "--period", year, str(workbook), db=source)
    print(f"export_package: {time.perf_counter() - t:.1f} s, {workbook.stat().st_size / 1e6:.1f} MB")

    floor, rows, cells = calamine_floor(workbook)
    print(f"floor (python-calamine bare read): {floor:.2f} s for {rows:,} rows, {cells:,} cells")

    fresh_db(target)
    # The child reports its own peak, so seeding and exporting do not count.
    runner = (
        "import os,sys,resource,django;os.environ.setdefault('DJANGO_SETTINGS_MODULE','monitoring.settings');"
        "django.setup();from django.core.management import call_command;"
        f"call_command('import_package','{workbook}','--period','{year}',verbosity=0);"
        "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    t = time.perf_counter()
    result = sh(PY, "-c", runner, db=target, check=False)
    elapsed = time.perf_counter() - t
    peak_mb = int(result.stdout.split("PEAK_KB")[-1].split()[0]) / 1024 if "PEAK_KB" in result.stdout else -1
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit("import failed")
    print("\n".join(line for line in result.stdout.splitlines() if "Загружено" in line))
    print(f"import_package: {elapsed:.2f} s = {elapsed / floor:.1f}x the floor (goal <= 5x); "
          f"peak RSS {peak_mb:.0f} MB (goal < 1024 MB)")
    if not args.keep:
        for name in (source, target):
            sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name, check=False)


if __name__ == "__main__":
    main()
