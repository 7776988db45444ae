"""Benchmark: a campaign of 30,000 responses to a 60-item questionnaire — its results page and exports.

    python tests/perf/bench_surveys.py [--responses 30000] [--requests 40] [--db portal_results]
                                       [--anonymous] [--profile]

1. creates a scratch PostgreSQL database (``test_<db>``, dropped at the end) and fills it
   with a synthetic region: 40 municipalities, 1,000 schools of the four types, one teacher
   per response; a named campaign of a 60-item questionnaire (20 single choices, 10 multiple
   choices, 20 scales, 4 numbers, 2 dates, 4 long texts; 3 scored groups) and its responses
   (random answers from a fixed seed, a few items skipped), then builds the tallies the way a
   recount does (``tallies_rebuild``) and analyses the tables;
2. requests the results page as a signed-in institute analyst (Django's test client, the
   whole view and template) ``--requests`` times after one warm-up, and the same for a
   municipal official and for a cross-tabulation by municipality; prints median and p95;
3. downloads the xlsx export (the analyst's: every column, every row) and the CSV, timing
   each to its last byte.

Goals (issue 18): results page p95 under 300 ms on PostgreSQL, the xlsx export under 10 s.
A missed goal exits with status 1.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432/{}"
PAGE_P95_GOAL = 0.300
XLSX_GOAL = 10.0
KINDS = ["общеобразовательная", "дошкольная", "дополнительного образования", "профессиональная"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=30_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db", default="portal_results")
    parser.add_argument("--anonymous", action="store_true", help="an anonymous campaign (no person columns)")
    parser.add_argument("--profile", action="store_true", help="print a profile of one results page and stop")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = PG.format(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    assert connection.vendor == "postgresql", "the benchmark runs on PostgreSQL"
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        return run(args.responses, args.requests, args.profile, args.anonymous)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def definition_of_60_items() -> tuple[dict, dict]:
    lists = {
        "agree": [
            {"name": f"a{n}", "label": label}
            for n, label in enumerate(
                ["Полностью согласен", "Скорее согласен", "Затрудняюсь ответить", "Скорее не согласен", "Не согласен"]
            )
        ],
        "often": [{"name": f"o{n}", "label": f"Вариант {n}"} for n in range(6)],
    }
    items = []
    for n in range(20):
        items.append({"name": f"s{n}", "type": "single", "label": f"Утверждение {n}", "list": "agree"})
    for n in range(10):
        items.append({"name": f"m{n}", "type": "multiple", "label": f"Что из перечисленного {n}", "list": "often"})
    for n in range(20):
        items.append({"name": f"r{n}", "type": "scale", "label": f"Оценка {n}", "start": 1, "end": 5, "step": 1})
    for n in range(4):
        items.append({"name": f"n{n}", "type": "number", "label": f"Число {n}", "integer": True})
    for n in range(2):
        items.append({"name": f"d{n}", "type": "date", "label": f"Дата {n}"})
    for n in range(4):
        items.append({"name": f"t{n}", "type": "long_text", "label": f"Комментарий {n}"})
    sections = [{"name": f"sec{k}", "title": f"Раздел {k}", "items": items[k * 15 : (k + 1) * 15]} for k in range(4)]
    bands = [
        {"name": "низкий", "min": 0, "max": 14},
        {"name": "средний", "min": 15, "max": 24},
        {"name": "высокий", "min": 25, "max": 100, "flag": True},
    ]
    scoring = {
        "groups": [
            {"code": f"g{k}", "name": f"Шкала {k}", "items": [f"r{n}" for n in range(k * 6, k * 6 + 6)]}
            for k in range(3)
        ],
        "bands": bands,
    }
    return {"title": "Анкета из 60 вопросов", "sections": sections, "choice_lists": lists}, scoring


def answers_for(rng: random.Random, items: list[dict]) -> dict:
    out = {}
    for item in items:
        if rng.random() < 0.05:
            continue  # skipped (skip logic, an optional item)
        kind = item["type"]
        if kind == "single":
            out[item["name"]] = f"a{min(int(rng.triangular(0, 5, 1)), 4)}"
        elif kind == "multiple":
            out[item["name"]] = [f"o{n}" for n in range(6) if rng.random() < 0.3]
        elif kind == "scale":
            out[item["name"]] = rng.randint(1, 5)
        elif kind == "number":
            out[item["name"]] = rng.randint(0, 40)
        elif kind == "date":
            out[item["name"]] = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        elif rng.random() < 0.3:
            out[item["name"]] = rng.choice(["Больше времени на методическую работу", "Меньше отчетов", "=1+1"])
    return out


def seed(responses: int, anonymous: bool = False):
    import datetime as dt

    from django.db import connection

    from deficits.models import (
        Campaign,
        CampaignStatus,
        Invitation,
        Questionnaire,
        QuestionnaireEdition,
        Response,
        TargetKind,
    )
    from deficits.questionnaire.results import form_items
    from deficits.questionnaire.scoring import score_answers
    from deficits.questionnaire.tallies import tallies_rebuild
    from monitoring.models import MonitoringPeriod, Municipality, Region, Role, School, Teacher, User

    rng = random.Random(18)
    t = time.perf_counter()
    region = Region.objects.first() or Region.objects.create(code="34", name="Волгоградская область")
    period = MonitoringPeriod.objects.create(year=2025, reference_date=dt.date(2025, 9, 1))
    munis = Municipality.objects.bulk_create(
        [Municipality(region=region, code=f"{n:02d}", name=f"Муниципальный район № {n:02d}") for n in range(1, 41)]
    )
    schools = School.objects.bulk_create(
        [
            School(municipality=munis[n % 40], code=f"{n:06d}", name=f"МОУ «Школа № {n}»", kind=KINDS[n % 7 % 4])
            for n in range(1, 1001)
        ]
    )
    teachers = Teacher.objects.bulk_create(
        [
            Teacher(code=f"T{n:07d}", full_name=f"Педагог Номер {n}", sex="Ж", birth_date=dt.date(1980, 5, 17))
            for n in range(responses)
        ],
        batch_size=5000,
    )
    definition, scoring = definition_of_60_items()
    questionnaire = Questionnaire.objects.create(code="bench-60", title="Анкета из 60 вопросов")
    edition = QuestionnaireEdition.objects.create(
        questionnaire=questionnaire, version=1, definition=definition, scoring=scoring
    )
    campaign = Campaign.objects.create(
        edition=edition,
        period=period,
        title="Опрос педагогов региона",
        opens=dt.date(2025, 10, 1),
        closes=dt.date(2025, 10, 31),
        target_kind=TargetKind.ROSTER,
        anonymous=anonymous,
        # Closed: an anonymous campaign's answers are read only then (results.withheld).
        status=CampaignStatus.CLOSED,
    )
    items = form_items(definition)
    # Schools weighted unevenly (a city's schools answer more): groups of every size.
    weights = [1 + (n % 40) ** 1.5 for n in range(len(schools))]
    at = dt.datetime(2025, 10, 5, 9, 0, tzinfo=dt.UTC)
    batch, invited = [], []
    for n, teacher in enumerate(teachers):
        school = rng.choices(schools, weights)[0]
        answers = answers_for(rng, items)
        # Each respondent was invited (a municipal official reads the campaigns that reached them).
        invited.append(
            Invitation(
                campaign=campaign, teacher=teacher, school=school, municipality_id=school.municipality_id,
                nonce=str(n), answered=True,
            )
        )
        batch.append(
            Response(
                campaign=campaign,
                edition=edition,
                anonymous=anonymous,
                teacher=None if anonymous else teacher,
                school=None if anonymous else school,
                submitted_at=None if anonymous else at,
                municipality_id=school.municipality_id,
                school_kind=school.kind,
                role="head" if n % 40 == 0 else "teacher",
                answers=answers,
                scores=score_answers(definition=definition, scoring=scoring, answers=answers),
            )
        )
        if len(batch) == 2000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)
    Invitation.objects.bulk_create(invited, batch_size=2000)
    print(f"seeded {responses:,} responses × {len(items)} items: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    rows = tallies_rebuild(campaign=campaign)
    print(f"tallies_rebuild: {rows:,} tally rows in {time.perf_counter() - t:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analyst = User.objects.create_user(username="bench-analyst", password="x", role=Role.ANALYST)
    municipal = User.objects.create_user(
        username="bench-municipal", password="x", role=Role.MUNICIPAL, municipality=munis[5]
    )
    return campaign, analyst, municipal


def timed(client, url: str, n: int) -> list[float]:
    client.get(url)  # warm-up (templates, the first query plans)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times.append(time.perf_counter() - t)
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]  # the nearest rank


def download(client, url: str) -> tuple[float, int]:
    t = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    size = sum(len(chunk) for chunk in response.streaming_content)
    return time.perf_counter() - t, size


def run(responses: int, requests: int, profile: bool = False, anonymous: bool = False) -> int:
    from django.test import Client
    from django.urls import reverse

    campaign, analyst, municipal = seed(responses, anonymous)
    client = Client()
    missed = []
    page = reverse("survey-results", args=[campaign.pk])
    figures = {}
    client.force_login(analyst)
    if profile:
        import cProfile
        import pstats

        client.get(page)
        profiler = cProfile.Profile()
        profiler.runcall(client.get, page)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        profiler = cProfile.Profile()
        profiler.runcall(download, client, reverse("survey-results-export", args=[campaign.pk, "xlsx"]))
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return 0
    figures["results page, analyst (region)"] = timed(client, page, requests)
    crosstab = reverse("survey-results-crosstab", args=[campaign.pk]) + "?item=s3&by=municipality"
    figures["cross-tab by municipality, analyst"] = timed(client, crosstab, requests)
    client.force_login(municipal)
    figures["results page, municipal official"] = timed(client, page, requests)
    for label, times in figures.items():
        line = f"{label}: median {statistics.median(times) * 1000:.0f} ms, p95 {p95(times) * 1000:.0f} ms"
        line += f" over {len(times)} requests (goal p95 < {PAGE_P95_GOAL * 1000:.0f} ms)"
        print(line)
        if p95(times) >= PAGE_P95_GOAL:
            missed.append(label)
    client.force_login(analyst)
    xlsx_time, xlsx_size = download(client, reverse("survey-results-export", args=[campaign.pk, "xlsx"]))
    print(f"xlsx export: {xlsx_time:.1f} s, {xlsx_size / 1e6:.1f} MB (goal < {XLSX_GOAL:.0f} s)")
    if xlsx_time >= XLSX_GOAL:
        missed.append("xlsx export")
    csv_time, csv_size = download(client, reverse("survey-results-export", args=[campaign.pk, "csv"]))
    print(f"csv export: {csv_time:.1f} s, {csv_size / 1e6:.1f} MB")
    one, five, _ = os.getloadavg()
    print(f"load {one:.2f}/{five:.2f} on {os.cpu_count()} cores")
    if missed:
        print("MISSED: " + ", ".join(missed))
        return 1
    print("all goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
