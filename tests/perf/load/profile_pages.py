"""Where a load test's page spends its time: every page of the scenario, one role at a time, in process.

    python tests/perf/load/profile_pages.py [--repeat 3] [--only "school detail"] [--show-queries]

Uses the load test's database (portal_load, prepared by run_load.py) and the same URL plan.
For every (account, page group) it requests a few of the scenario's URLs through Django's
test client (force_login, no HTTP) and prints the best wall time, the number of SQL queries
and the time spent in them, and the SQL statements repeated most (an N+1 shows up as one
statement repeated per row). Timings in process are free of the HTTP server and of the other
users, so a page that is slow here is slow in itself, whatever the machine's load.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_load import PG_URL  # noqa: E402


def urls_for(username: str, account: dict, plan: dict) -> dict[str, list[str]]:
    schools, municipalities = account["schools"], account["municipalities"]
    own_school = account["school"]
    pages: dict[str, list[str]] = {"home": ["/"]}
    if account["role"] == "teacher":
        pages.update(
            {
                "my diagnostics": ["/diagnostics/"],
                "routes list": ["/routes/"],
                "teacher detail": [f"/teachers/{account['teacher']}/"],
            }
        )
        return pages
    pages.update(
        {
            "dashboard: overview": ["/indicators/"],
            "dashboard: direction": [f"/indicators/directions/{n}/" for n in (1, 3, 6, 9)],
            "dashboard: indicator": [f"/indicators/{code}/" for code in plan["indicators"][::9]],
            "school detail": [f"/schools/{own_school or code}/" for code in schools[:: max(1, len(schools) // 3)][:3]],
            "teacher list": ["/teachers/", "/teachers/?page=5"],
            "diagnostics results": ["/diagnostics/results/"]
            + ([f"/diagnostics/results/?municipality={municipalities[0]}"] if len(municipalities) > 1 else [])
            + ([f"/diagnostics/results/?school={schools[0]}"] if not own_school else []),
            "routes list": ["/routes/"],
            "letters list": ["/letters/"],
            "teacher detail": [f"/teachers/{code}/" for code in account["teachers"][:2]],
        }
    )
    if not own_school:
        pages.update(
            {
                "municipality list": ["/municipalities/"],
                "municipality detail": [f"/municipalities/{code}/" for code in municipalities[:2]],
                "school list": [
                    "/schools/",
                    "/schools/?page=3",
                    f"/schools/?municipality={account['municipality_pks'][0]}",
                ],
            }
        )
    return pages


def normalize(sql: str) -> str:
    return re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "'?'", sql))[:220]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="one page group")
    parser.add_argument("--user", help="one demo account")
    parser.add_argument("--show-queries", action="store_true", help="print the most repeated statements")
    parser.add_argument("--slowest", type=int, default=0, help="print this many slowest statements in full")
    parser.add_argument("--url", help="only this URL")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = PG_URL
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from run_load import child_plan

    from monitoring.models import User

    setup_test_environment()
    plan = child_plan()
    print(f"{'account':<10} {'page group':<22} {'best ms':>8} {'queries':>8} {'sql ms':>7}  url")
    for username, account in plan["accounts"].items():
        if args.user and username != args.user:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        for group, urls in urls_for(username, account, plan).items():
            if args.only and group != args.only:
                continue
            for url in urls:
                if args.url and url != args.url:
                    continue
                best, captured = None, None
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(url)
                        elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        print(f"{username:<10} {group:<22} status {response.status_code}  {url}")
                        break
                    if best is None or elapsed < best:
                        best, captured = elapsed, queries.captured_queries
                if best is None:
                    continue
                sql_ms = sum(float(q["time"]) for q in captured) * 1000
                print(f"{username:<10} {group:<22} {best:>8.0f} {len(captured):>8} {sql_ms:>7.0f}  {url}")
                if args.show_queries:
                    for sql, count in Counter(normalize(q["sql"]) for q in captured).most_common(3):
                        if count > 1:
                            print(f"{'':<12}x{count}: {sql}")
                for q in sorted(captured, key=lambda q: -float(q["time"]))[: args.slowest]:
                    print(f"{'':<12}{float(q['time']) * 1000:.0f} ms: {q['sql']}")


if __name__ == "__main__":
    main()
