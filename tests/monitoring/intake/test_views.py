"""The import pages: upload, preview, confirm, history, the head's upload, and review — per role."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import models
from tests.monitoring.intake.package.test_importer import BAD, SPEC

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "on_commit_now")]


@pytest.fixture
def world(world):
    # The sample package is of region R15; the portal serves one region.
    models.Region.objects.update(code="R15")
    return world


def _upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_analyst_checks_then_confirms_a_package(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.analyst)
    response = client.post(
        reverse("import-list"), {"period": world.period.pk, "file": _upload(SPEC / "sample-package.zip")}
    )
    job = models.ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "checked"
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Файл проверен, ошибок нет" in page and "Подтвердить загрузку" in page
    assert not models.School.objects.filter(code="000009").exists()  # nothing written by the check
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "applied"
    assert models.RosterEntry.objects.filter(period=world.period, teacher__code="T000080").exists()
    # The kept file downloads as it was uploaded.
    kept = client.get(reverse("import-file", args=[job.pk]))
    assert b"".join(kept.streaming_content) == (SPEC / "sample-package.zip").read_bytes()


def test_refused_package_shows_sheet_row_column_and_changes_nothing(client, world):
    client.force_login(world.analyst)
    path = BAD / "vacant-over-schedule" / "Штатное расписание.csv"
    client.post(reverse("import-list"), {"period": world.period.pk, "file": _upload(path)})
    job = models.ImportJob.objects.get()
    assert job.status == "refused"
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Файл не загружен" in page and "Вакантных ставок" in page and "<td>2</td>" in page
    assert "Подтвердить загрузку" not in page
    client.post(reverse("import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "refused"
    assert not models.StaffingRow.objects.exists()


def test_wrong_extension_is_refused_by_the_form(client, world):
    client.force_login(world.analyst)
    response = client.post(
        reverse("import-list"), {"period": world.period.pk, "file": SimpleUploadedFile("../../etc/passwd.txt", b"x")}
    )
    assert "Нужен файл .xlsx" in response.content.decode()
    assert not models.ImportJob.objects.exists()


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a"])
def test_only_the_institute_uploads_packages(client, world, person):
    client.force_login(world.people[person])
    page = client.get(reverse("import-list"))
    assert page.status_code == 200 and "Пакет данных мониторинга" not in page.content.decode()
    response = client.post(
        reverse("import-list"), {"period": world.period.pk, "file": _upload(SPEC / "sample-package.zip")}
    )
    assert response.status_code == 403
    assert not models.ImportJob.objects.exists()


def test_teacher_has_no_import_pages(client, world):
    client.force_login(world.teacher)
    assert client.get(reverse("import-list")).status_code == 404
    assert client.get(reverse("staffing-template", args=["000001"])).status_code == 404


def _template_with(client, rows) -> SimpleUploadedFile:
    wb = load_workbook(io.BytesIO(client.get(reverse("staffing-template", args=["000001"])).content))
    ws = wb["Штатное расписание"]
    ws.delete_rows(2, ws.max_row)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("штатное.xlsx", out.getvalue())


def test_head_journey_mistake_then_correction(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.head_a)
    bad = _template_with(client, [["000001", "учитель", 10, 10, 12, 1]])
    client.post(reverse("staffing-upload", args=["000001"]), {"file": bad})
    job = models.ImportJob.objects.get()
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "вакантных ставок больше, чем ставок по штату" in page
    good = _template_with(client, [["000001", "учитель", 10, 10, 1, 1]])
    client.post(reverse("staffing-upload", args=["000001"]), {"file": good})
    job = models.ImportJob.objects.order_by("-pk").first()
    assert job.status == "checked"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=[job.pk]))
    assert models.SchoolSubmission.objects.get(school=world.school_a, period=world.period).status == "submitted"
    assert "Представлено" in client.get(reverse("school-detail", args=["000001"])).content.decode()


def test_other_head_cannot_see_or_use_a_job(client, world):
    client.force_login(world.head_a)
    client.post(reverse("staffing-upload", args=["000001"]), {"file": _template_with(client, [])})
    job = models.ImportJob.objects.get()
    client.force_login(world.head_b)
    assert client.get(reverse("import-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("import-file", args=[job.pk])).status_code == 404
    assert client.post(reverse("import-confirm", args=[job.pk])).status_code == 404
    assert client.get(reverse("staffing-upload", args=["000001"])).status_code == 404
    assert job.pk not in [j.pk for j in client.get(reverse("import-list")).context["page"]]


def test_municipal_reviews_on_the_school_page(client, world):
    submission = models.SchoolSubmission.objects.create(
        period=world.period, school=world.school_a, status="submitted", submitted_at="2025-10-01T10:00:00Z"
    )
    client.force_login(world.municipal)
    response = client.post(reverse("submission-review", args=["000001"]), {"action": "return", "comment": ""})
    assert "без комментария вернуть данные нельзя" in client.get(response["Location"]).content.decode()
    client.post(reverse("submission-review", args=["000001"]), {"action": "accept"})
    submission.refresh_from_db()
    assert submission.status == "accepted"
    client.force_login(world.head_a)
    assert (
        client.post(reverse("submission-review", args=["000001"]), {"action": "withdraw", "comment": "x"}).status_code
        == 403
    )
    submission.refresh_from_db()
    assert submission.status == "accepted"  # a head cannot review


def test_a_refused_review_says_why_and_keeps_the_comment(client, world):
    # The attack on the restructured portal: a comment over 2000 characters was answered
    # «Выберите действие.» and thrown away.
    models.SchoolSubmission.objects.create(
        period=world.period, school=world.school_a, status="submitted", submitted_at="2025-10-01T10:00:00Z"
    )
    client.force_login(world.municipal)
    long = "Не хватает данных по вакансиям. " * 80
    response = client.post(reverse("submission-review", args=["000001"]), {"action": "return", "comment": long})
    page = client.get(response["Location"]).content.decode()
    assert "Решение не сохранено. Комментарий: Убедитесь, что это значение содержит не более 2000 символов" in page
    assert long.strip() in page  # back in the field
    assert models.SchoolSubmission.objects.get().status == "submitted"
    # Shown once: the next visit starts empty.
    assert long.strip() not in client.get(reverse("school-detail", args=["000001"])).content.decode()


def test_an_upload_into_a_closed_period_says_so(client, world):
    # The attack on the restructured portal: a period closed while the page was open was
    # refused with no word (only a red frame) and the file gone from the field.
    closed = models.MonitoringPeriod.objects.create(
        year=2024, reference_date="2024-12-31", status=models.PeriodStatus.CLOSED
    )
    client.force_login(world.analyst)
    response = client.post(
        reverse("import-list"),
        {"period": closed.pk, "file": _upload(BAD / "vacant-over-schedule" / "Штатное расписание.csv")},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not models.ImportJob.objects.exists()
    assert "Этот период закрыт или не существует" in page
    assert "выберите файл еще раз" in page


def test_error_report_downloads_within_scope(client, world):
    client.force_login(world.analyst)
    client.post(
        reverse("import-list"),
        {"period": world.period.pk, "file": _upload(BAD / "vacant-over-schedule" / "Штатное расписание.csv")},
    )
    job = models.ImportJob.objects.get()
    response = client.get(reverse("import-error-report", args=[job.pk]))
    assert response.status_code == 200
    report = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "вакантных ставок больше" in report["Штатное расписание"]["E2"].comment.text
    client.force_login(world.head_b)
    assert client.get(reverse("import-error-report", args=[job.pk])).status_code == 404


def test_region_export_runs_in_the_background_and_downloads_in_scope(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("export-start"), {"period": world.period.pk, "format": "zip"})
    job = models.ExportJob.objects.get()
    assert job.status == "applied"
    response = client.get(reverse("export-file", args=[job.pk]))
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "Педагоги.csv" in archive.namelist()
    assert "Петрова Анна Ивановна" in archive.read("Педагоги.csv").decode("utf-8-sig")
    for person in ("municipal", "head_a", "teacher"):
        client.force_login(world.people[person])
        assert client.get(reverse("export-file", args=[job.pk])).status_code == 404
        assert client.post(reverse("export-start"), {"period": world.period.pk, "format": "zip"}).status_code == 403
    assert models.ExportJob.objects.count() == 1


def test_an_export_that_cannot_be_written_ends_failed_and_says_so(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    # The attack on the restructured portal: text the workbook writer refused left the job
    # «готовится…» forever (and answered 500 on the embedded default).
    from monitoring.intake import exports

    def broken(**kwargs):
        raise ValueError("cannot be used in worksheets")

    monkeypatch.setattr(exports, "package_export", broken)
    client.force_login(world.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("export-start"), {"period": world.period.pk, "format": "xlsx"})
    assert response.status_code == 302
    job = models.ExportJob.objects.get()
    assert job.status == models.ExportStatus.FAILED and job.finished_at is not None
    page = client.get(reverse("import-list")).content.decode()
    assert "не удалось выгрузить" in page
    assert client.get(reverse("export-file", args=[job.pk])).status_code == 404
    # Run again (a re-sent task), it stays as it ended.
    assert exports.export_job_run(job_id=job.pk).status == models.ExportStatus.FAILED


def test_a_job_being_checked_shows_progress_and_polls(client, world):
    from django.core.cache import cache

    from monitoring.intake.jobs import progress_key

    job = models.ImportJob.objects.create(
        kind="package", period=world.period, user=world.analyst, original_name="пакет.xlsx", status="checking"
    )
    cache.set(progress_key(job.pk), {"sheet": "Педагоги", "done": 4, "total": 16})
    client.force_login(world.analyst)
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Файл проверяется" in page and "Педагоги: 4 из 16" in page and "width: 25%" in page
    assert f'hx-get="{reverse("import-detail", args=[job.pk])}"' in page
    # The poll answers with the status fragment only.
    fragment = client.get(reverse("import-detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-status"')


@pytest.mark.parametrize(
    ("status", "problems", "shown", "hidden"),
    [
        ("checked", [], "Подтвердить загрузку", "Ошибки"),
        ("refused", [{"sheet": "Педагоги", "row": 3, "column": "Пол", "value": "Х", "message": "выберите М или Ж",
          "text": "Педагоги, строка 3, «Пол»: выберите М или Ж"}],
         "выберите М или Ж", "Подтвердить загрузку"),
    ],
)  # fmt: skip
def test_the_poll_that_sees_the_check_end_brings_the_verdict(client, world, status, problems, shown, hidden):
    # The page polls the status fragment while a worker checks the file; when the check ends, the
    # fragment swapped in must carry the confirm button or the errors, or the user sees neither
    # until they reload the page (found by the browser journeys, tests/e2e).
    job = models.ImportJob.objects.create(
        kind="package", period=world.period, user=world.analyst, original_name="пакет.xlsx", status=status,
        problems=problems,
    )  # fmt: skip
    client.force_login(world.analyst)
    fragment = client.get(reverse("import-detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-status"') and "hx-get" not in fragment
    assert shown in fragment and hidden not in fragment
    if status == "checked":
        assert reverse("import-confirm", args=[job.pk]) in fragment and "csrfmiddlewaretoken" in fragment


# --- uploads are read by workers, never by a page --------------------------------------


def _refuse_reading_here(monkeypatch, upload_name: str) -> list[str]:
    """Make any read of the upload in this process fail the test; returns what was tried."""
    from django.db.models.fields.files import FieldFile

    from monitoring.intake.package import isolation, reader

    tried: list[str] = []

    def forbidden(*args, **kwargs):
        tried.append("read")
        raise AssertionError("a page read an uploaded file")

    original_open = FieldFile.open

    def guarded_open(self, mode="rb"):
        if self.name == upload_name:
            tried.append(self.name)
            raise AssertionError("a page opened the uploaded file")
        return original_open(self, mode)

    monkeypatch.setattr(FieldFile, "open", guarded_open)
    for module, name in ((reader, "read_package"), (reader, "read_package_in_process"), (isolation, "read_isolated")):
        monkeypatch.setattr(module, name, forbidden)
    return tried


def test_the_error_report_is_written_at_check_time_and_served_without_reading_the_upload(client, world, monkeypatch):
    client.force_login(world.analyst)
    path = BAD / "vacant-over-schedule" / "Штатное расписание.csv"
    client.post(reverse("import-list"), {"period": world.period.pk, "file": _upload(path)})
    job = models.ImportJob.objects.get()
    assert job.status == "refused" and job.error_report  # the worker kept the marked copy
    tried = _refuse_reading_here(monkeypatch, job.file.name)
    response = client.get(reverse("import-error-report", args=[job.pk]))
    report = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert response.status_code == 200 and not tried
    assert "вакантных ставок больше" in report["Штатное расписание"]["E2"].comment.text


def test_a_job_without_a_stored_report_gets_the_list_of_problems_without_reading_the_upload(client, world, monkeypatch):
    client.force_login(world.analyst)
    path = BAD / "vacant-over-schedule" / "Штатное расписание.csv"
    client.post(reverse("import-list"), {"period": world.period.pk, "file": _upload(path)})
    job = models.ImportJob.objects.get()
    models.ImportJob.objects.filter(pk=job.pk).update(error_report="")  # as for a job checked before reports were kept
    tried = _refuse_reading_here(monkeypatch, job.file.name)
    report = load_workbook(io.BytesIO(client.get(reverse("import-error-report", args=[job.pk])).content))
    assert not tried and report.sheetnames == ["Ошибки"]
    assert "вакантных ставок больше" in " ".join(str(c.value) for row in report["Ошибки"].iter_rows() for c in row)


def test_a_staffing_file_that_kills_the_reader_ends_refused(client, world, monkeypatch):
    # The head's upload killed the web process under runserver and left the job «checking».
    from monitoring.intake.package import isolation

    monkeypatch.setattr(isolation, "READER_CODE", "import os\ndef read(*args):\n    os.abort()")
    client.force_login(world.head_a)
    client.post(reverse("staffing-upload", args=["000001"]), {"file": _template_with(client, [])})
    job = models.ImportJob.objects.get()
    assert job.status == "refused" and not job.error_report
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "не удалось прочитать: программа чтения таблиц аварийно завершилась" in page


@pytest.mark.parametrize("who, url", [("head_a", ("staffing-upload", ["000001"])), ("analyst", ("import-list", []))])
def test_every_file_input_of_an_upload_page_has_its_label(client, world, who, url):
    # axe-core found the head's file input without a label (a screen reader says only "button").
    client.force_login(getattr(world, who))
    page = client.get(reverse(url[0], args=url[1])).content.decode()
    inputs = re.findall(r'<input[^>]*type="file"[^>]*id="([^"]+)"', page)
    assert inputs
    for input_id in inputs:
        assert re.search(rf'<label[^>]*for="{input_id}"[^>]*>\s*Файл', page), input_id


def test_every_select_of_the_import_and_school_pages_has_a_name(client, world):
    # axe (select-name) on the review: the export's selects had labels tied to nothing (and the
    # upload form's «id_period» twice), the review's action select no name at all.
    import re

    models.SchoolSubmission.objects.create(
        period=world.period, school=world.school_a, status="submitted", submitted_at="2025-10-01T10:00:00Z"
    )
    client.force_login(world.analyst)
    page = client.get(reverse("import-list")).content.decode()
    ids = re.findall(r'<select[^>]*id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) >= 3
    for select_id in ids:
        assert f'for="{select_id}"' in page
    client.force_login(world.municipal)
    school = client.get(reverse("school-detail", args=["000001"])).content.decode()
    action = '<select name="action" class="form-select form-select-sm" aria-label="Решение по данным организации">'
    assert action in school


def test_the_import_page_labels_its_controls_and_warns_of_replace_mode(client, world):
    # Issue 16, item 11: «ПериодМониторинг 2025 года» ran together, no link to the format,
    # and «Режим замены» sat inline without a warning.
    client.force_login(world.analyst)
    page = client.get(reverse("import-list")).content.decode()
    label = r'<label class="form-label" for="id_period">Период</label>\s*<select[^>]*class="form-select"'
    assert re.search(label, page)
    assert 'class="form-control"' in page and 'type="file"' in page
    replace = re.search(r'<div class="border border-warning[^"]*">(.*?)</div>\s*</div>\s*</div>', page, re.S).group(1)
    assert 'name="replace"' in replace and 'aria-describedby="replace-help"' in replace
    assert "Удаляет из портала записи выбранного периода" in replace
    assert reverse("import-format") in page
    fmt = client.get(reverse("import-format")).content.decode()
    assert "Педагоги" in fmt and "Код педагога" in fmt and "Штатное расписание" in fmt


def _head_upload(client, world, file):
    client.force_login(world.head_a)
    client.post(reverse("staffing-upload", args=[world.school_a.code]), {"file": file})
    return models.ImportJob.objects.latest("pk")


def test_a_heads_preview_names_the_removed_teacher_and_asks_to_tick_her(client, world):
    from tests.monitoring.intake.test_jobs import _dropping_t0000009

    job = _head_upload(client, world, _dropping_t0000009(world))
    assert job.status == "checked", job.problems
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Орлова Вера Павловна" in page and 'name="remove_teachers"' in page
    assert "Удалить 1 педагога: Орлова Вера Павловна" in page
    # Unticked, the confirm is refused with a message and nothing changes.
    refused = client.post(reverse("import-confirm", args=[job.pk]), follow=True).content.decode()
    assert "Загрузка не подтверждена" in refused
    job.refresh_from_db()
    assert job.status == "checked"
    client.post(reverse("import-confirm", args=[job.pk]), {"remove_teachers": "1"})
    job.refresh_from_db()
    assert job.status == "applied"
    # Issue 16, item 10: after applying the headers still said «Добавить/Изменить».
    done = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Удалено: 1" in done and "Орлова Вера Павловна" in done
    assert "Удалить: " not in done and "Добавить" not in done and "Изменить" not in done


def test_sheets_with_changes_come_first_and_the_rest_on_one_line(client, world):
    from tests.monitoring.intake.test_jobs import _upload as school_upload

    def half_time(ws):
        header = [c.value for c in ws[1]]
        ws.cell(row=2, column=header.index("Ставка") + 1, value=0.5)

    # The school's staffing row is already as the file has it: that sheet does not change.
    models.StaffingRow.objects.create(
        period=world.period,
        school=world.school_a,
        position="учитель",
        positions_by_schedule=20,
        actual_need=21,
        vacant_positions=1,
        vacant_posts=1,
    )
    job = _head_upload(client, world, school_upload(world, edit=half_time))
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert "Петрова Анна Ивановна: <span>Ставка: <del>1</del> → <ins>0,5</ins></span>" in page
    assert re.findall(r'<h3 class="h6 card-title">([^<]+)</h3>', page) == ["Педагоги"]
    assert "Без изменений: Штатное расписание (1 строка)." in page
    # No line of zeros: the unchanged sheet has no counts of its own.
    assert "Добавить: 0" not in page and "<td>0</td>" not in page
