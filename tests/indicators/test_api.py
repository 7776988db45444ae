"""The indicators' endpoints of /api/v1/: indicator values and computation runs, per role; and a whole
exchange through the API: a package uploaded, checked, confirmed, computed, read back as export_indicators."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from indicators.models import ComputationRun, Indicator, IndicatorValue, RunStatus
from monitoring import models
from tests import factories
from tests.api import assert_constant_queries, rows, token_client
from tests.indicators.test_export import _csv
from tests.paths import SPEC

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PEOPLE = ["analyst", "ministry", "municipal", "head_a", "head_b", "teacher"]
VALUES = "/api/v1/indicator-values/"
RUNS = "/api/v1/computation-runs/"


def _export(year: int) -> list[list[str]]:
    """export_indicators' rows, without the header line."""
    return _csv(year)[1:]


def _all_pages(client, **params) -> tuple[list[list[str]], int]:
    """Every row of the indicator values, page after page as a system reads them, and the number of pages."""
    got, url, pages = [], VALUES, 0
    query = params
    while url:
        response = client.get(url, query)
        got += [list(row.values()) for row in rows(response)]
        url, query, pages = response.json()["next"], None, pages + 1
    return got, pages


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] and any("а" <= ch <= "я" for ch in body["detail"].lower()), body  # a Russian message
    return body


# -- indicator values ----------------------------------------------------------------

# The org units each person's rows are about (indicator 1.2 has a row at every level).
UNITS = {
    "analyst": {("school", "000001"), ("school", "000002"), ("school", "000003"), ("municipality", "01"),
                ("municipality", "02"), ("region", "34")},
    "ministry": {("school", "000001"), ("school", "000002"), ("school", "000003"), ("municipality", "01"),
                 ("municipality", "02"), ("region", "34")},
    "municipal": {("school", "000001"), ("school", "000003"), ("municipality", "01")},
    "head_a": {("school", "000001")},
    "head_b": {("school", "000002")},
    "teacher": set(),
}  # fmt: skip


@pytest.mark.parametrize("person", PEOPLE)
def test_each_role_reads_the_values_of_its_scope(computed, person):
    client = token_client(computed.people[person])
    got = rows(client.get(VALUES, {"period": 2025, "indicator": "1.2", "page_size": 100}))
    assert {(r["level"], r["org"]) for r in got} == UNITS[person]
    everything = {(r[1], r[2]) for r in _all_pages(client, period=2025)[0]}
    assert everything == UNITS[person]  # no other unit's rows under any indicator


def test_values_filter_by_period_indicator_level_org_and_direction(computed):
    client = token_client(computed.analyst)
    export = _export(2025)
    assert _all_pages(client, period=2025, direction=9)[0] == [r for r in export if r[0].startswith("9.")]
    assert _all_pages(client, period=2025, org="000003")[0] == [r for r in export if r[2] == "000003"]
    one = rows(client.get(VALUES, {"period": 2025, "indicator": "1.2", "level": "municipality"}))
    assert [(r["indicator"], r["org"]) for r in one] == [("1.2", "01"), ("1.2", "02")]
    assert rows(client.get(VALUES, {"period": 2024})) == []


def test_without_a_period_the_values_are_the_current_periods(computed):
    older = factories.PeriodFactory(year=2024)
    IndicatorValue.objects.create(
        period=older, indicator=Indicator.objects.get(code="1.2"), level="region", org_code="34",
        numerator=Decimal(1), denominator=Decimal(2), value=Decimal(50), computed_at=timezone.now(),
    )  # fmt: skip
    client = token_client(computed.analyst)
    assert _all_pages(client)[0] == _export(2025)  # 2025 is the current period, not a mix of both
    assert _all_pages(client, period=2024)[0] == [["1.2", "region", "34", "", "1", "2", "50.00"]]


@pytest.mark.parametrize(
    "params", [{"period": "abc"}, {"level": "планета"}, {"direction": "девять"}, {"page_size": "x", "page": "0"}]
)
def test_bad_value_filters_are_json_errors_in_russian(computed, params):
    response = token_client(computed.analyst).get(VALUES, params)
    _error(response, 404 if "page" in params else 400)


def _more_schools(world, count: int):
    """New schools of M2 with a stored row of 1.2 each (as a computation would write them)."""
    indicator = Indicator.objects.get(code="1.2")

    def grow():
        for n in range(count):
            school = factories.SchoolFactory(municipality=world.m2, code=f"0009{n:02d}")
            IndicatorValue.objects.create(
                period=world.period, indicator=indicator, level="school", org_code=school.code, school=school,
                municipality=world.m2, numerator=Decimal(1), denominator=Decimal(1), value=Decimal(100),
                computed_at=timezone.now(),
            )  # fmt: skip

    return grow


def test_value_and_run_lists_keep_their_queries_constant(computed, django_assert_max_num_queries):
    client = token_client(computed.analyst)
    assert_constant_queries(client, VALUES, _more_schools(computed, 6), params={"period": 2025, "indicator": "1.2"})
    ComputationRun.objects.create(period=computed.period, user=computed.analyst, status=RunStatus.DONE)

    def more_runs():
        for _ in range(6):
            ComputationRun.objects.create(period=computed.period, user=computed.ministry, trigger="import")

    assert_constant_queries(client, RUNS, more_runs)
    with django_assert_max_num_queries(4):  # the token (two), count, page (the indicators joined)
        rows(client.get(VALUES, {"period": 2025, "page_size": 1000}))
    with django_assert_max_num_queries(4):  # the token (two), count, page (period and user joined)
        rows(client.get(RUNS))


# -- computation runs ----------------------------------------------------------------


@pytest.mark.parametrize("person", PEOPLE)
def test_runs_are_read_by_every_staff_reader_and_no_teacher(world, person):
    done = ComputationRun.objects.create(
        period=world.period, user=world.analyst, status=RunStatus.DONE, steps_total=10, steps_done=10,
        started_at=timezone.now() - dt.timedelta(seconds=30), finished_at=timezone.now(),
        timings={"direction 1": 1.5, "region": 0.25}, values_written=42,
    )  # fmt: skip
    failed = ComputationRun.objects.create(period=world.period, status=RunStatus.FAILED, error="диск переполнен")
    client = token_client(world.people[person])
    response = client.get(RUNS)
    if person == "teacher":  # the dashboards are staff pages; runs are region-wide, not a teacher's
        _error(response, 403)
        assert client.get(f"{RUNS}{done.pk}/").status_code == 403
        return
    # Newest first; a run is the region's, read by every staff reader.
    assert [r["id"] for r in rows(response)] == [failed.pk, done.pk]
    one = client.get(f"{RUNS}{done.pk}/").json()
    assert (one["status"], one["steps_done"], one["steps_total"], one["percent"]) == ("done", 10, 10, 100)
    assert one["timings"] == {"direction 1": 1.5, "region": 0.25} and one["seconds"] == pytest.approx(30, abs=1)
    assert (one["period"], one["user"], one["values_written"], one["error"]) == (2025, "analyst", 42, "")
    assert one["inputs"] == {"imports": [], "submissions": {}, "data_changed_at": None}
    assert client.get(f"{RUNS}{failed.pk}/").json()["error"] == "диск переполнен"
    assert [r["id"] for r in rows(client.get(RUNS, {"status": "failed"}))] == [failed.pk]
    assert rows(client.get(RUNS, {"period": 2024})) == []


def test_the_institute_starts_a_run_and_polls_it_until_done(computed, django_capture_on_commit_callbacks):
    client = token_client(computed.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUNS, {"period": 2025}, format="json")
    assert response.status_code == 201, response.content
    started = response.json()
    assert started["period"] == 2025 and started["user"] == "analyst" and started["status"] == "queued"
    run = _poll(client, f"{RUNS}{started['id']}/", until=("done", "failed"))
    assert run["status"] == "done", run["error"]
    assert run["steps_done"] == run["steps_total"] > 1 and run["percent"] == 100 and run["finished_at"]
    assert run["values_written"] == IndicatorValue.objects.filter(period=computed.period).count()
    assert ComputationRun.objects.get().user == computed.analyst  # the dashboard button's service, same record


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a", "head_b", "teacher"])
def test_only_the_institute_starts_a_run(world, person):
    response = token_client(world.people[person]).post(RUNS, {"period": 2025}, format="json")
    body = _error(response, 403)
    assert body["code"] == "permission_denied"
    assert not ComputationRun.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "period"),
        ({"period": "двадцать"}, "period"),
        ({"period": 1999}, "Периода 1999 нет"),
        ({"period": 10**12}, "period"),
        ({"period": None}, "period"),
        ([1, 2], ""),
    ],
)
def test_bad_start_bodies_are_400_in_russian(world, body, message):
    response = token_client(world.analyst).post(RUNS, body, format="json")
    error = _error(response, 400)
    assert error["code"] == "invalid" and message in error["detail"]
    assert not ComputationRun.objects.exists()


def test_a_malformed_json_body_is_a_400(world):
    response = token_client(world.analyst).post(RUNS, "{period:", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert not ComputationRun.objects.exists()


def test_a_computed_closed_period_is_not_recomputed(computed, django_capture_on_commit_callbacks):
    client = token_client(computed.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(RUNS, {"period": 2025}, format="json").status_code == 201
    computed.period.status = models.PeriodStatus.CLOSED
    computed.period.save()
    response = client.post(RUNS, {"period": 2025}, format="json")
    body = _error(response, 409)
    assert body == {"code": "closed_period", "detail": "Период 2025 закрыт: его показатели не пересчитываются."}
    assert ComputationRun.objects.count() == 1


def _poll(client, url: str, *, until: tuple[str, ...], seconds: float = 60) -> dict:
    """GET ``url`` until its status is one of ``until`` (what another system would do)."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        if body["status"] in until or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


# -- the whole exchange ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_package_uploaded_through_the_api_is_computed_and_read_back_as_the_export(world):
    """Upload → checked → confirm → applied → the run it schedules → the values, page by page, as exported.

    A transactional test: every background step is handed over on commit, as in production
    (the tasks run eagerly in the test process, so each poll finds its step finished).
    """
    models.Region.objects.update(code="R15")  # the sample package's region
    client = token_client(world.analyst)
    package = SimpleUploadedFile("sample-package.zip", (SPEC / "sample-package.zip").read_bytes())

    created = client.post("/api/v1/import-jobs/", {"period": 2025, "file": package}, format="multipart")
    assert created.status_code == 201, created.content
    job_url = f"/api/v1/import-jobs/{created.json()['id']}/"
    job = _poll(client, job_url, until=("checked", "refused"))
    assert job["status"] == "checked" and job["problem_count"] == 0, client.get(f"{job_url}errors/").json()[:3]
    assert not IndicatorValue.objects.exists()  # a check writes nothing, computes nothing

    assert client.post(f"{job_url}confirm/").status_code == 200
    job = _poll(client, job_url, until=("applied", "refused"))
    assert job["status"] == "applied" and job["applied_at"]

    # The applied import scheduled a run of the period (indicators.services.computation_schedule_after_import).
    runs = rows(client.get(RUNS, {"period": 2025}))
    assert [(r["trigger"], r["user"]) for r in runs] == [("import", "analyst")]
    run = _poll(client, f"{RUNS}{runs[0]['id']}/", until=("done", "failed"))
    assert run["status"] == "done", run["error"]
    assert run["inputs"]["imports"] == [job["id"]]

    export = _export(2025)
    got, pages = _all_pages(client, period=2025, page_size=200)
    assert pages == -(-len(export) // 200) > 1  # read in several pages
    assert got == export
    assert run["values_written"] == len(export)


def test_with_the_queue_down_a_run_is_kept_and_the_caller_told(world, monkeypatch, on_commit_now):
    from monitoring.shared.dispatch import QUEUE_DOWN_MESSAGE
    from tests.broker import broker_down

    client = token_client(world.analyst)
    with broker_down(monkeypatch) as tried:
        response = client.post("/api/v1/computation-runs/", {"period": 2025}, format="json")
    assert tried == ["indicators.tasks.run_computation"]
    assert response.status_code == 201 and response.json()["warning"] == QUEUE_DOWN_MESSAGE
    assert ComputationRun.objects.get().status == RunStatus.QUEUED  # waiting for the re-send
