"""Benchmark: what refusing a small hostile workbook costs through the real import path.

    python tests/perf/bench_hostile.py [--keep]

Builds the hostile files in code (tests/monitoring/intake/package/hostile.py: one cell at A1 and
one at XFD1048576, a lying <dimension>, an edited .xls DIMENSIONS record, an .ods row
repeated 6,000 times with a cell repeated 16,000 times, and variants), then uploads each
one as the import page does (``jobs.import_job_create``; the check runs eagerly, as
with no Redis) in a fresh process on a scratch SQLite database, and measures the wall
time of the upload-to-verdict and the peak resident memory of the importing process and
of the reading child it starts. Each must end refused, naming its sheet, within 10 s and
600 MB (the importing process and its child together). Before the extent checks these
files aborted the process or took up to 9.5 GB and 44 s.

Prints a table; exits 1 when a file is not refused or exceeds a limit. Needs no services.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LIMIT_SECONDS = 10.0
LIMIT_MB = 600.0


def child(path: str, filename: str) -> None:
    """Upload one file through the import door in this fresh process; print the verdict and the cost."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring.config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from monitoring import models
    from monitoring.intake import jobs
    from monitoring.services import period_create

    period = models.MonitoringPeriod.objects.filter(year=2025).first() or period_create(year=2025)
    user, _ = models.User.objects.get_or_create(username="bench-analyst", defaults={"role": models.Role.ANALYST})
    peaks: list[int] = []

    class Peaks(logging.Handler):
        # The reading child reports its own high-water mark (VmHWM); this process's
        # RUSAGE_CHILDREN would count the memory the child was forked with.
        def emit(self, record):
            if record.args and "peak" in record.msg:
                peaks.append(record.args[-1])

    isolation_log = logging.getLogger("monitoring.intake.package.isolation")
    isolation_log.setLevel(logging.INFO)
    isolation_log.addHandler(Peaks())
    upload = SimpleUploadedFile(filename, Path(path).read_bytes())
    started = time.perf_counter()
    job = jobs.import_job_create(kind=models.ImportKind.PACKAGE, period=period, user=user, file=upload)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    print(
        "BENCH",
        json.dumps(
            {
                "status": job.status,
                "message": (job.problems or [{}])[0].get("text", ""),
                "seconds": seconds,
                "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "child_kb": max(peaks, default=0) * 1024,
            },
            ensure_ascii=False,
        ),
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("PATH", "FILENAME"), help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    from tests.monitoring.intake.package.hostile import HOSTILE

    scratch = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}", MEDIA_ROOT=str(scratch / "media"))
    env.pop("REDIS_URL", None)  # the check runs in the uploading process, as under runserver
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    header = (
        f"{'file':<34} {'bytes':>7} {'verdict':<8} {'seconds':>7} {'importer MB':>11} {'reader MB':>9} {'total MB':>8}"
    )
    print(header)
    print("-" * len(header))
    failures = []
    for case in HOSTILE:
        path = scratch / case.filename
        path.write_bytes(case.build())
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(path), case.filename],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode or "BENCH" not in result.stdout:
            print(f"{case.label:<34} the importing process died (status {result.returncode})")
            print(result.stderr[-2000:])
            failures.append(case.label)
            continue
        data = json.loads(result.stdout.split("BENCH", 1)[1])
        importer_mb, reader_mb = data["self_kb"] / 1024, data["child_kb"] / 1024
        total = importer_mb + reader_mb
        named = case.words in data["message"] and (case.sheet is None or f"«{case.sheet}»" in data["message"])
        ok = data["status"] == "refused" and named and data["seconds"] < LIMIT_SECONDS and total < LIMIT_MB
        print(
            f"{case.label:<34} {path.stat().st_size:>7} {data['status']:<8} {data['seconds']:>7.2f} "
            f"{importer_mb:>11.0f} {reader_mb:>9.0f} {total:>8.0f}{'' if ok else '  <-- FAIL'}"
        )
        if not ok:
            failures.append(case.label)
            print(f"    {data['message']}")
    print(f"\nlimits: refused, naming the sheet, under {LIMIT_SECONDS:.0f} s and {LIMIT_MB:.0f} MB (importer + reader)")
    if not args.keep:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
