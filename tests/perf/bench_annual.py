"""Benchmark: the annual report (PDF and xlsx) of the region-size demo on PostgreSQL.

    python tests/perf/bench_annual.py [--db bench_annual_region] [--year Y]

1. a scratch database: reused when it exists; otherwise copied from the indicator
   benchmark's ``bench_ind_region`` when that one is there (the same seeded and
   computed demo, copied so that database is left as it is), else seeded afresh with
   ``seed_demo --size region`` and computed;
2. in a child process: the period's findings, then — inside a transaction rolled
   back at the end — measures and an issued letter of the size a region produces
   (three measures per municipality in each of the two periods, a letter with twenty
   recommendations), then the report is built as the Celery job builds it;
3. prints the build time, the child process's peak memory (its ru_maxrss) and the page count.

Goal (issue "findings, letters, annual report"): under 60 s and under 1 GB peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432/{}"
SOURCE = "bench_ind_region"


def sh(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env={**os.environ, **(env or {})}, check=check, capture_output=True, text=True
    )


def db_env(db: str) -> dict:
    return {"DATABASE_URL": PG.format(db), "LOG_LEVEL": "WARNING"}


def exists(db: str) -> bool:
    found = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'")
    return found.stdout.strip() == "1"


def ensure_db(db: str) -> None:
    if exists(db):
        print(f"reusing {db}")
    elif exists(SOURCE):
        sh("createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", SOURCE, db)
        print(f"copied {SOURCE} into {db}")
    else:
        sh("createdb", "-h", "127.0.0.1", "-U", "postgres", db)
        sh(PY, "manage.py", "migrate", "-v0", env=db_env(db))
        t = time.perf_counter()
        sh(PY, "manage.py", "seed_demo", "--size", "region", env=db_env(db))
        print(f"seed_demo --size region: {time.perf_counter() - t:.1f} s")
    sh(PY, "manage.py", "migrate", "-v0", env=db_env(db))


def child(year: int | None) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring.config.settings")
    django.setup()
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction

    from indicators.engine import compute_period, ensure_indicators
    from indicators.models import IndicatorValue, Level
    from indicators.selectors import previous_period
    from monitoring.models import MonitoringPeriod, Municipality, School
    from reports.annual import annual_build
    from reports.findings import findings_refresh
    from reports.models import Issuer, Letter, LetterItem, Measure

    period = MonitoringPeriod.objects.get(year=year) if year else MonitoringPeriod.objects.current()
    before = previous_period(period)
    for p in filter(None, (before, period)):
        if not IndicatorValue.objects.filter(period=p).exists():
            compute_period(period=p)
        findings_refresh(period=p)

    class Rollback(Exception):
        pass

    out = {"period": period.year, "schools": School.objects.count()}
    try:
        with transaction.atomic():
            indicators = ensure_indicators()
            for p in filter(None, (before, period)):
                rows = []
                for m in Municipality.objects.all():
                    for code in ("1.2", "7.1", "9.1"):
                        rows.append(
                            Measure(
                                period=p,
                                text=f"Мера по показателю {code} для {m.name}",
                                responsible="Начальник управления образования",
                                due=dt.date(p.year + 1, 6, 1),
                                indicator=indicators[code],
                                level=Level.MUNICIPALITY,
                                org_code=m.code,
                                municipality=m,
                                baseline=Decimal("50"),
                                target=Decimal("80"),
                            )
                        )
                Measure.objects.bulk_create(rows)
            issuer = Issuer.objects.create(
                kind="institute",
                name="ГАУ ДПО «Институт развития образования»",
                signatory_position="Ректор",
                signatory_name="А. Б. Ректоров",
            )
            letter = Letter.objects.create(
                period=period,
                issuer=issuer,
                addressee="school_heads",
                addressee_line="Руководителям ОО",
                title="Адресные рекомендации по итогам мониторинга",
                signatory_position="Ректор",
                signatory_name="А. Б. Ректоров",
                status="issued",
                number="bench-1",
                issued_on=dt.date(period.year, 7, 1),
                pdf_sha256="0" * 64,
            )
            LetterItem.objects.bulk_create(
                LetterItem(
                    letter=letter, kind="recommendation", addressee="school_heads", order=i, text=f"Рекомендация {i}"
                )
                for i in range(20)
            )
            out["measures"] = Measure.objects.count()
            t = time.perf_counter()
            built = annual_build(period=period)
            out["seconds"] = time.perf_counter() - t
            out["pages"] = built.pages
            out["pdf_bytes"] = len(built.pdf)
            out["xlsx_bytes"] = len(built.xlsx)
            raise Rollback
    except Rollback:
        pass
    # Peak resident memory of this process (kilobytes on Linux), setup included.
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH", json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="bench_annual_region")
    parser.add_argument("--year", type=int)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.year)
        return
    ensure_db(args.db)
    extra = ["--year", str(args.year)] if args.year else []
    started = time.perf_counter()
    result = sh(PY, __file__, "--child", *extra, env=db_env(args.db), check=False)
    wall = time.perf_counter() - started
    if result.returncode or "BENCH" not in result.stdout:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit("the report failed")
    data = json.loads(result.stdout.split("BENCH", 1)[1])
    peak_mb = data["peak_mb"]
    print(f"period {data['period']}: {data['schools']:,} schools, {data['measures']} measures")
    print(
        f"annual report: {data['seconds']:.1f} s (child process {wall:.1f} s with setup), "
        f"peak {peak_mb:.0f} MB, {data['pages']} pages, "
        f"PDF {data['pdf_bytes'] / 1e6:.1f} MB, xlsx {data['xlsx_bytes'] / 1e3:.0f} kB"
    )
    ok = data["seconds"] < 60 and peak_mb < 1024
    print("goal (< 60 s, < 1 GB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
