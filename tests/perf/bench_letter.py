"""Benchmark: render one addressed-recommendation letter to PDF.

    python tests/perf/bench_letter.py [--repeat 5]

Builds a realistic letter in a scratch test database (the embedded SQLite unless
DATABASE_URL says otherwise): a municipality's 40 schools, 12 conclusions each listing
the schools that miss, and 3 × 7 recommendations grouped by addressee (a справка, the
largest shape a letter takes), then times ``reports.letters.rendering.letter_render`` — the first
render (fonts loaded cold) and the median of the next ones.

Goal (issue 7): one letter under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        run(args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(repeat: int) -> None:
    import logging

    from reports import letters
    from reports.models import LetterItem
    from tests import factories
    from tests.pdfs import pdf_pages

    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.WARNING)
    analyst = factories.UserFactory(username="bench-analyst")
    period = factories.PeriodFactory(year=2025)
    municipality = factories.MunicipalityFactory(code="77", name="Городской округ город-герой Волгоград")
    schools = [
        factories.SchoolFactory(municipality=municipality, code=f"{770000 + n}", name=f"МОУ «Средняя школа № {n}»")
        for n in range(1, 41)
    ]
    letter = letters.letter_propose(
        period=period,
        issuer=factories.institute_issuer(),
        addressee=["municipal", "school_heads", "institute"],
        municipality=municipality,
        user=analyst,
    )
    items = []
    for n in range(12):
        names = ", ".join(s.name for s in schools[n : n + 3 + n * 2])
        items.append(
            LetterItem(
                letter=letter,
                kind="conclusion",
                order=n + 1,
                text=f"Вывод № {n + 1}: показатель ниже порога в ОО: {names}.",
            )
        )
    for kind in ("municipal", "school_heads", "institute"):
        for n in range(7):
            items.append(
                LetterItem(
                    letter=letter,
                    kind="recommendation",
                    addressee=kind,
                    order=n + 1,
                    text="Обеспечить повышение квалификации педагогических работников с учетом выявленных "
                    f"профессиональных дефицитов и результатов мониторинга (рекомендация {n + 1}).",
                )
            )
    LetterItem.objects.bulk_create(items)

    times = []
    content = b""
    for _ in range(repeat + 1):
        t = time.perf_counter()
        content = letters.letter_render(letter=letter, draft=False)
        times.append(time.perf_counter() - t)
    pages = len(pdf_pages(content))
    warm = statistics.median(times[1:]) if len(times) > 1 else times[0]
    print(f"letter PDF: {pages} pages, {len(content) / 1024:.0f} KiB")
    print(f"first render (cold): {times[0]:.3f} s; median of {repeat} warm renders: {warm:.3f} s (goal < 1 s)")


if __name__ == "__main__":
    main()
