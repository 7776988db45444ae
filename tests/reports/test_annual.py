"""The annual report: the PDF's sections and figures, the xlsx tables, the command, the job and who reaches it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from indicators.engine import compute_period, ensure_indicators
from indicators.selectors import DIRECTIONS
from reports.annual import annual_build, annual_data
from reports.findings import findings_refresh
from reports.models import AnnualReport, Issuer, Letter, LetterItem, Measure, ReportStatus
from tests import factories
from tests.pdfs import pdf_fonts, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world):
    """2024 and 2025 computed for direction 9; a letter issued and measures taken in 2025, one of 2024 judged."""
    before = factories.PeriodFactory(year=2024)
    # 9.1, the share of staffed positions: M1 2024 = 12/20 = 60 %, 2025 = 15/20 = 75 %.
    for period, vacant_a, vacant_c in ((before, 6, 2), (world.period, 4, 1)):
        factories.StaffingRowFactory(period=period, school=world.school_a, vacant_positions=vacant_a)
        factories.StaffingRowFactory(period=period, school=world.school_c, vacant_positions=vacant_c)
        factories.StaffingRowFactory(period=period, school=world.school_b, vacant_positions=0)
        compute_period(period=period, directions=[9])
    findings_refresh(period=world.period)
    issuer = Issuer.objects.create(
        kind="institute",
        name="ГАУ ДПО «Институт развития образования»",
        signatory_position="Ректор",
        signatory_name="А. Б. Ректоров",
    )
    letter = Letter.objects.create(
        period=world.period, issuer=issuer, addressee="school_heads", addressee_line="Руководителям ОО",
        title="Адресные рекомендации по итогам мониторинга кадровых потребностей", signatory_position="Ректор",
        signatory_name="А. Б. Ректоров", status="issued", number="565/1", issued_on=dt.date(2025, 7, 23),
        pdf_sha256="0" * 64,
    )  # fmt: skip
    LetterItem.objects.create(
        letter=letter, kind="recommendation", addressee="school_heads", order=1,
        text="Разработать план привлечения молодых специалистов на вакантные должности.",
    )  # fmt: skip
    indicator = ensure_indicators()["9.1"]
    Measure.objects.create(
        period=before, text="Целевое обучение в педагогическом вузе", responsible="Начальник управления",
        due=dt.date(2025, 6, 1), indicator=indicator, level="municipality", org_code="01", municipality=world.m1,
        baseline=Decimal("60"), target=Decimal("70"),
    )  # fmt: skip
    Measure.objects.create(
        period=world.period, text="Конкурс на вакантные должности", responsible="Иванов И. И.",
        due=dt.date(2026, 6, 1), indicator=indicator, level="school", org_code="000001", school=world.school_a,
        municipality=world.m1, baseline=Decimal("60"), target=Decimal("90"),
    )  # fmt: skip
    return world


def pdftext(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


def test_the_data_has_the_values_and_changes(year):
    data = annual_data(period=year.period)
    section = data.sections[8]
    table = next(t for t in section.tables if any(c.code == "9.1" for c in t.columns))
    index = [c.code for c in table.columns].index("9.1")
    rows = {name: cells[index] for name, cells in table.rows}
    m1 = rows["Алексеевский муниципальный район"]
    assert (m1.value, m1.previous, m1.change) == (Decimal("75"), Decimal("60"), Decimal("15"))
    assert m1.better is True and m1.finding is True  # better than last year, still below 95
    assert [(j.measure.text, j.effect_label) for j in data.earlier_measures] == [
        ("Целевое обучение в педагогическом вузе", "достигнут")
    ]
    assert data.measures[0].effect is None  # 2026 has no values yet


def test_the_pdf_has_every_direction_and_the_figures(year):
    built = annual_build(period=year.period)
    assert built.pdf.startswith(b"%PDF") and built.pages >= 12
    text = pdftext(built.pdf)
    for number, title in DIRECTIONS.items():
        assert f"{number}. {title}" in text
    assert "Содержание" in text and "Годовой отчет" in text
    # M1's 9.1 and its change against 2024 (the text layer reads a cell's two lines apart).
    assert "Алексеевский муниципальный район 75,0" in text and "+15,0" in text
    assert "565/1" in text and "Разработать план привлечения молодых специалистов" in text
    assert "Целевое обучение в педагогическом вузе" in text and "достигнут" in text
    assert "Алексеевский муниципальный район — 2" in text  # 9.1's findings: two schools of M1
    pages = pdf_pages(built.pdf)
    assert len(pages) == built.pages
    assert {(round(w), round(h)) for w, h in pages} == {(595, 842)}  # A4 portrait, every page
    fonts = pdf_fonts(built.pdf)
    assert fonts and all("+PT-" in name for name in fonts), fonts  # only the shipped faces: no fallback glyphs


def test_the_xlsx_has_the_same_tables(year):
    book = load_workbook(io.BytesIO(annual_build(period=year.period).xlsx), read_only=True)
    assert {f"Направление {n}" for n in DIRECTIONS} | {"Проблемные зоны", "Рекомендации", "Меры"} <= set(
        book.sheetnames
    )
    rows = list(book["Направление 9"].iter_rows(values_only=True))
    head = rows[1]
    m1 = next(r for r in rows if r[0] == "Алексеевский муниципальный район")
    at = head.index("9.1 2025")
    assert (m1[at], m1[at + 1], m1[at + 2]) == (75, 60, 15)
    assert head[at + 1] == "9.1 2024"
    findings = list(book["Проблемные зоны"].iter_rows(values_only=True))
    assert {(r[0], r[3], r[5]) for r in findings if r[0] == "9.1"} == {
        ("9.1", "000001", 60),
        ("9.1", "000003", 90),
        ("9.1", "01", 75),
    }
    recommendations = [r[-1] for r in book["Рекомендации"].iter_rows(values_only=True)]
    assert "Разработать план привлечения молодых специалистов на вакантные должности." in recommendations
    measures = list(book["Меры"].iter_rows(values_only=True))
    assert [r[-1] for r in measures[1:]] == ["достигнут", "нет данных следующего периода"]


def test_the_command_writes_both_files(year, tmp_path):
    out, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    stdout = io.StringIO()
    call_command("annual_report", period=2025, out=str(out), xlsx=str(xlsx), stdout=stdout)
    assert out.read_bytes().startswith(b"%PDF") and xlsx.stat().st_size > 1000
    assert "стр." in stdout.getvalue()


def test_the_command_refuses_an_unknown_period(world, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("annual_report", period=1999, out=str(tmp_path / "x.pdf"))


ALLOWED = {"analyst", "ministry"}


def test_each_role_against_the_report_pages(year, client, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(year.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report-start"), {"period": 2025})
    assert response.status_code == 302
    report = AnnualReport.objects.get()
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
    assert AnnualReport.objects.count() == 1 + len(ALLOWED)
    client.force_login(year.ministry)
    assert client.get(reverse("report-file", args=[report.pk, "docx"])).status_code == 404
    assert client.get(reverse("report-file", args=[report.pk + 100, "pdf"])).status_code == 404


def test_a_failed_build_is_recorded(year, monkeypatch):
    from reports import annual

    def broken(**kwargs):
        raise RuntimeError("нет шрифта")

    monkeypatch.setattr(annual, "annual_build", broken)
    report = AnnualReport.objects.create(period=year.period)
    annual.annual_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "нет шрифта" in report.error


def test_the_admin_lists_measures_notices_and_reports(year, client):
    from reports.models import Notice

    Notice.objects.create(user=year.head_a, key="k", text="Уведомление руководителю")
    AnnualReport.objects.create(period=year.period)
    client.force_login(year.analyst)
    for model in ("measure", "notice", "annualreport"):
        assert client.get(reverse(f"admin:reports_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:reports_measure_add")).status_code == 200
    assert client.get(reverse("admin:reports_notice_add")).status_code == 403
    assert client.get(reverse("admin:reports_annualreport_add")).status_code == 403
    # Ministry officials read measures in the admin but do not change them.
    client.force_login(year.ministry)
    measure = Measure.objects.first()
    page = client.get(reverse("admin:reports_measure_change", args=[measure.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_the_build_reports_its_progress(year):
    seen: list[int] = []
    annual_build(period=year.period, progress=seen.append)
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] >= 90


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


def test_the_xlsx_holds_formula_looking_texts_as_text(year):
    # openpyxl writes a string starting with "=" as a formula; people's texts must open as typed.
    LetterItem.objects.update(text='=HYPERLINK("http://x","y")')
    Measure.objects.filter(period=year.period).update(text="=cmd|' /C calc'!A0", responsible="@SUM(1)\x07")
    book = load_workbook(io.BytesIO(annual_build(period=year.period).xlsx))
    cells = {c.value: c.data_type for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells['=HYPERLINK("http://x","y")'] == "s"
    assert cells["=cmd|' /C calc'!A0"] == "s"
    assert cells["@SUM(1)"] == "s"  # the control character is dropped instead of breaking the file
    assert not [v for v, t in cells.items() if t == "f"]
