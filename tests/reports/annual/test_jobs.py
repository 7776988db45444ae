"""The annual report as a job: started from its page by region-wide roles only, a failure recorded, a real worker."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import AnnualReport, ReportStatus

pytestmark = pytest.mark.django_db


ALLOWED = {"analyst", "ministry"}


def test_each_role_against_the_report_pages(
    year, client, django_capture_on_commit_callbacks, settings, tmp_path, beside
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(year.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report-start"), {"period": 2025})
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    # The request only queued it: the build runs beside (the embedded default) or in a worker.
    assert report.status == ReportStatus.QUEUED and len(beside.pending) == 1
    beside.run()
    report.refresh_from_db()
    assert (report.status, report.progress) == (ReportStatus.DONE, 100) and report.pages >= 12
    told = client.get(response.url).content.decode()
    assert f"Годовой отчет за 2025 год (№{report.pk}) поставлен на формирование" in told
    assert "формируется" not in told  # the finished row below must not be contradicted
    for name, person in year.people.items():
        client.force_login(person)
        pages = [
            client.get(reverse("report-list")),
            client.get(reverse("report-status", args=[report.pk])),
            client.get(reverse("report-file", args=[report.pk, "pdf"])),
            client.get(reverse("report-file", args=[report.pk, "xlsx"])),
        ]
        with django_capture_on_commit_callbacks(execute=False):
            pages.append(client.post(reverse("report-start"), {"period": 2025}))
        codes = [p.status_code for p in pages]
        if name in ALLOWED:
            assert codes == [200, 200, 200, 200, 302], name
            assert b"".join(pages[2].streaming_content).startswith(b"%PDF")
        else:
            assert codes == [404] * 5, name
    # The analyst's second start queued a report; the ministry's click found it still queued.
    assert AnnualReport.objects.count() == 2
    client.force_login(year.ministry)
    assert client.get(reverse("report-file", args=[report.pk, "docx"])).status_code == 404
    assert client.get(reverse("report-file", args=[report.pk + 100, "pdf"])).status_code == 404


def _start_queries(client, django_capture_on_commit_callbacks) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("report-start"), {"period": 2025}).status_code == 302
    return len(queries)


def test_the_start_answers_before_the_build_and_its_queries_do_not_grow_with_data(
    year, client, django_capture_on_commit_callbacks, beside
):
    from tests import factories

    client.force_login(year.analyst)
    small = _start_queries(client, django_capture_on_commit_callbacks)
    AnnualReport.objects.update(status=ReportStatus.DONE)  # else the second start finds the first queued
    # Ten more municipalities with schools and staffing: the build reads more, the start must not.
    for n in range(10):
        municipality = factories.MunicipalityFactory(code=f"{50 + n}", name=f"Район {n}")
        school = factories.SchoolFactory(municipality=municipality, code=f"{900000 + n}")
        factories.StaffingRowFactory(period=year.period, school=school, vacant_positions=n)
    large = _start_queries(client, django_capture_on_commit_callbacks)
    assert large == small, (small, large)
    assert list(AnnualReport.objects.order_by("pk").values_list("status", flat=True)) == [
        ReportStatus.DONE,
        ReportStatus.QUEUED,
    ]
    assert len(beside.pending) == 2  # built beside the request, after it has answered


def test_quick_clicks_start_one_build_of_a_period(year, client, django_capture_on_commit_callbacks, beside):
    # The attack on issue 16: three quick «Сформировать отчет» clicks started three builds.
    import datetime as dt

    from django.utils import timezone

    from reports.annual import annual_start, jobs

    client.force_login(year.analyst)
    pages = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            pages.append(client.post(reverse("report-start"), {"period": 2025}, follow=True).content.decode())
    report = AnnualReport.objects.get()
    assert len(beside.pending) == 1
    assert f"Отчет за 2025 год уже формируется (№{report.pk})" in pages[1] and "уже формируется" in pages[2]
    # The service itself returns the period's report being built (a click racing the look above).
    AnnualReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    assert annual_start(period=year.period, user=year.ministry).pk == report.pk
    # Built (or lost long ago): the next start queues a new report.
    AnnualReport.objects.filter(pk=report.pk).update(
        created_at=timezone.now() - jobs.IN_PROGRESS_FOR_AT_MOST - dt.timedelta(minutes=1)
    )
    assert annual_start(period=year.period, user=year.ministry).pk != report.pk
    assert AnnualReport.objects.count() == 2


def test_a_failed_build_is_recorded(year, monkeypatch):
    from reports.annual import jobs

    def broken(**kwargs):
        raise RuntimeError("нет шрифта")

    monkeypatch.setattr(jobs, "annual_build", broken)
    report = AnnualReport.objects.create(period=year.period)
    jobs.annual_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "нет шрифта" in report.error


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_report_through_a_real_worker(year, settings, tmp_path):
    import time

    from celery.contrib.testing.worker import start_worker

    from monitoring.config.celery import app
    from reports.annual import annual_start

    assert not app.conf.task_always_eager and app.conf.broker_url.startswith("redis://")
    settings.MEDIA_ROOT = tmp_path
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        report = annual_start(period=year.period, user=year.ministry)  # autocommit: queued at once
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
                break
            time.sleep(0.2)
    assert report.status == ReportStatus.DONE, report.error
    assert report.progress == 100 and report.pages >= 12
    assert report.pdf.read().startswith(b"%PDF")


# -- a municipality's справка -----------------------------------------------------------


def _download(client, report, kind="pdf") -> bytes:
    response = client.get(reverse("report-file", args=[report.pk, kind]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_municipal_official_generates_their_spravka_naming_only_their_schools(
    year, client, django_capture_on_commit_callbacks, settings, tmp_path, beside
):
    # THE DONE-WHEN of issue 19: M1's official starts M1's справка; its PDF names schools A and C, not B nor M2.
    from tests.reports.annual.helpers import pdftext

    settings.MEDIA_ROOT = tmp_path
    client.force_login(year.municipal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spravka-start"), {"period": 2025})
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert (report.municipality, report.user, report.status) == (year.m1, year.municipal, ReportStatus.QUEUED)
    told = client.get(response.url).content.decode()
    assert f"Справка «Алексеевский муниципальный район» за 2025 год (№{report.pk}) поставлена" in told
    assert 'hx-get="' + reverse("report-status", args=[report.pk]) in told  # the row follows its progress
    beside.run()
    report.refresh_from_db()
    assert (report.status, report.progress, report.preliminary) == (ReportStatus.DONE, 100, True), report.error
    text = pdftext(_download(client, report))
    assert "Аналитическая справка по результатам мониторинга" in text
    assert "Алексеевский муниципальный район, 2025" in text
    assert "МКОУ «Алексеевская СШ»" in text and "МКОУ «Аржановская СШ»" in text
    assert "Быковская" not in text and "Быковский" not in text
    # Preliminary while collecting: on the title page and on every page's footer.
    assert "Предварительные данные: сбор данных за 2025 год не завершен" in text
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(_download(client, report))).pages]
    assert all("сбор данных за 2025 год не завершен" in page for page in pages)
    workbook = _download(client, report, "xlsx")
    cells = [
        str(v) for ws in load_workbook(io.BytesIO(workbook)) for row in ws.iter_rows(values_only=True) for v in row if v
    ]
    assert "МКОУ «Аржановская СШ»" in cells and not [c for c in cells if "Быков" in c]

    # Another municipality's справка is no door of theirs: refused, nothing queued.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("spravka-start"), {"period": 2025, "municipality": "02"}).status_code == 404
    assert AnnualReport.objects.count() == 1


def test_the_institute_generates_another_municipalitys_spravka_without_the_mark_once_closed(
    year, client, django_capture_on_commit_callbacks, settings, tmp_path, beside
):
    from tests.reports.annual.helpers import pdftext

    settings.MEDIA_ROOT = tmp_path
    year.period.status = "closed"
    year.period.save()
    client.force_login(year.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("spravka-start"), {"period": 2025, "municipality": "02"}).status_code == 302
    beside.run()
    report = AnnualReport.objects.get()
    assert (report.municipality, report.status, report.preliminary) == (year.m2, ReportStatus.DONE, False)
    text = pdftext(_download(client, report))
    assert "Быковский муниципальный район, 2025" in text and "МКОУ «Быковская СШ № 1»" in text
    assert "Алексеевская" not in text and "Аржановская" not in text and "Алексеевский" not in text
    assert "редварительн" not in text and "РЕДВАРИТЕЛЬН" not in text

    # M1's official neither lists nor downloads M2's справка; the ministry reads it, starts none.
    client.force_login(year.municipal)
    assert f"report-{report.pk}" not in client.get(reverse("spravka-list")).content.decode()
    for kind in ("pdf", "xlsx"):
        assert client.get(reverse("report-file", args=[report.pk, kind])).status_code == 404
    assert client.get(reverse("report-status", args=[report.pk])).status_code == 404
    client.force_login(year.ministry)
    assert f'id="report-{report.pk}"' in client.get(reverse("spravka-list")).content.decode()
    assert _download(client, report).startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("spravka-start"), {"period": 2025, "municipality": "02"}).status_code == 404
    assert AnnualReport.objects.count() == 1


def test_quick_clicks_start_one_spravka_and_the_regions_report_is_apart(
    year, client, django_capture_on_commit_callbacks
):
    from reports.annual import report_in_progress

    client.force_login(year.municipal)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(reverse("spravka-start"), {"period": 2025}, follow=True).content.decode()
    spravka = AnnualReport.objects.get()
    assert f"за 2025 год уже формируется (№{spravka.pk})" in page
    # The region's report of the same period is not the справка being built: it starts.
    assert report_in_progress(period=year.period) is None
    client.force_login(year.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("report-start"), {"period": 2025})
    assert AnnualReport.objects.filter(municipality__isnull=True).count() == 1
    assert report_in_progress(period=year.period, municipality=year.m1) == spravka
