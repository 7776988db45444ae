"""Import jobs end in a final state with a message, whatever the file holds (monitoring.intake.jobs).

Found by an attempt to break the portal: a head's upload with a 300-character name, 1E+308
staff positions or a workload of 10^6 failed the database write, and a 300,000-row upload
made a list of problems larger than PostgreSQL takes in one message; each job stayed
«проверяется» until the worker gave up on it half an hour later.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, OperationalError
from openpyxl import load_workbook

from monitoring import models
from monitoring.intake import jobs
from monitoring.intake.package import importer
from monitoring.intake.package.sheets import TeacherSheet
from monitoring.intake.submissions import staffing_template

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "on_commit_now")]


def _upload(world, *, staffing=(), teachers=(), edit=None) -> SimpleUploadedFile:
    """School A's template: the given «Штатное расписание» rows (or one good one), extra «Педагоги» rows,
    and ``edit(sheet)`` applied to «Педагоги»."""
    wb = load_workbook(io.BytesIO(staffing_template(school=world.school_a, period=world.period).content))
    ws = wb["Штатное расписание"]
    ws.delete_rows(2, ws.max_row)
    for row in staffing or [["000001", "учитель", 20, 21, 1, 1]]:
        ws.append(row)
    for row in teachers:
        wb["Педагоги"].append(row)
    if edit is not None:
        edit(wb["Педагоги"])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("шр.xlsx", out.getvalue())


def _job(world, file) -> models.ImportJob:
    job = jobs.import_job_create(
        kind=models.ImportKind.STAFFING, period=world.period, user=world.head_a, file=file, school=world.school_a
    )
    job.refresh_from_db()
    return job


def test_values_the_database_cannot_store_are_refused_as_cells(world):
    teacher = ["T0000777", "Я" * 300, "Ж", "03.04.1990", "000001", "учитель", "", "", "", "", "нет", "", 5, "", "1E+6"]
    staffing = [["000001", "учитель", "1E+308", 21, 1, 2**31], ["000001", "д" * 300, 1, 1, 0, 0]]
    job = _job(world, _upload(world, staffing=staffing, teachers=[teacher]))
    assert job.status == models.ImportStatus.REFUSED
    cells = {(p["sheet"], p["row"], p["column"]) for p in job.problems}
    assert cells == {
        ("Педагоги", 3, "ФИО"),
        ("Педагоги", 3, "Ставка"),
        ("Штатное расписание", 2, "Ставок по штату"),
        ("Штатное расписание", 2, "Вакантных должностей"),
        ("Штатное расписание", 3, "Должность"),
    }, job.problems
    assert not models.Teacher.objects.filter(code="T0000777").exists()
    assert not models.StaffingRow.objects.filter(school=world.school_a).exists()


def test_a_step_that_raises_ends_refused_with_a_message(world, monkeypatch):
    def broken(job, *, dry_run):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(jobs, "_run", broken)
    job = _job(world, _upload(world))
    assert job.status == models.ImportStatus.REFUSED
    assert "ошибка портала" in job.problems[0]["text"] and str(job.pk) in job.problems[0]["text"]


def test_an_apply_that_raises_ends_refused_and_writes_nothing(world, monkeypatch):
    job = _job(world, _upload(world))
    assert job.status == models.ImportStatus.CHECKED

    def write_then_fail(self, rows, ctx):
        models.StaffingRow.objects.create(
            period=world.period,
            school=world.school_a,
            position="x",
            positions_by_schedule=1,
            actual_need=1,
            vacant_positions=0,
            vacant_posts=0,
        )
        raise DataError("value too long for type character varying(255)")

    monkeypatch.setattr(TeacherSheet, "write", write_then_fail)
    jobs.import_job_confirm(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.REFUSED
    assert "не помещается в поле портала" in job.problems[0]["text"]
    assert not models.StaffingRow.objects.filter(school=world.school_a).exists()
    assert models.SchoolSubmission.objects.get(school=world.school_a).status != models.SubmissionStatus.SUBMITTED


def test_a_database_gone_away_leaves_the_step_to_be_sent_again(world, monkeypatch):
    def unreachable(job, *, dry_run):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(jobs, "_run", unreachable)
    with pytest.raises(OperationalError):
        _job(world, _upload(world))
    job = models.ImportJob.objects.get()
    assert job.status == models.ImportStatus.CHECKING and job.attempts == 1  # the dispatcher sends it again


def test_the_list_of_problems_is_capped_and_says_how_many_more(world, monkeypatch):
    monkeypatch.setattr(jobs, "MAX_PROBLEMS", 5)
    teachers = [[f"T09{i:05}", "", "Ж", "03.04.1990", "000001", "учитель"] for i in range(12)]
    job = _job(world, _upload(world, teachers=teachers))
    assert job.status == models.ImportStatus.REFUSED
    assert len(job.problems) == 6
    assert job.problems[-1]["text"] == (
        "Показаны первые 5 ошибок; еще 7 не показаны. Исправьте показанные и загрузите файл снова."
    )


def test_a_school_upload_longer_than_any_school_is_refused_before_its_check(world, monkeypatch):
    monkeypatch.setattr(importer, "SCHOOL_MAX_ROWS", 3)
    checked = []
    monkeypatch.setattr(TeacherSheet, "check", lambda self, rows, ctx: checked.append(rows))
    teachers = [[f"T09{i:05}", "Иванова Анна", "Ж", "03.04.1990", "000001", "учитель"] for i in range(4)]
    job = _job(world, _upload(world, teachers=teachers))
    assert job.status == models.ImportStatus.REFUSED and not checked
    assert job.problems[0]["sheet"] == "Педагоги"
    assert "в листе 5 строк с данными, а у одной организации их не бывает больше 3" in job.problems[0]["text"]


def test_a_preview_gone_stale_is_shown_again_instead_of_applied(world):
    # The attack: the head checks an unchanged template (nothing to add, change or remove);
    # the institute then moves a teacher into the school; the head's replace-mode confirm
    # removed that teacher's new row, which the preview never showed.
    from monitoring.services import roster_transfer

    job = _job(world, _upload(world))
    assert job.status == models.ImportStatus.CHECKED
    assert job.summary["Педагоги"] == {"added": 0, "changed": 0, "removed": 0, "unchanged": 1}
    assert job.plan_digest
    moved = models.Teacher.objects.get(code="T0000003")
    roster_transfer(teacher=moved, period=world.period, school=world.school_a, user=world.analyst)

    jobs.import_job_confirm(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CHECKED
    assert job.summary["Педагоги"]["removed"] == 1
    assert job.warnings[0]["text"] == jobs.OUTDATED and job.preview_outdated
    assert models.RosterEntry.objects.get(teacher=moved, period=world.period).school == world.school_a
    assert models.SchoolSubmission.objects.get(school=world.school_a).status != models.SubmissionStatus.SUBMITTED

    # Confirmed again, with the new preview seen (and its removal ticked), it does what it now says.
    jobs.import_job_confirm(job=job, user=world.head_a, removals_acknowledged=True)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.APPLIED
    assert not models.RosterEntry.objects.filter(teacher=moved, period=world.period).exists()


def test_a_preview_whose_counts_hold_but_rows_differ_is_shown_again(world):
    # The second attack: the head's file drops teacher X (preview: remove 1); the institute
    # moves X out and T0000003 in; the confirm removed T0000003 instead, with the same count.
    from monitoring.services import roster_transfer
    from tests import factories

    leaving = factories.RosterEntryFactory(
        period=world.period, school=world.school_a, teacher=factories.TeacherFactory(code="T0000009")
    ).teacher
    job = _job(
        world, _upload(world, edit=lambda ws: ws.delete_rows(next(c.row for c in ws["A"] if c.value == "T0000009")))
    )
    assert job.summary["Педагоги"]["removed"] == 1
    roster_transfer(teacher=leaving, period=world.period, school=world.school_c, user=world.analyst)
    arrived = models.Teacher.objects.get(code="T0000003")
    roster_transfer(teacher=arrived, period=world.period, school=world.school_a, user=world.analyst)

    jobs.import_job_confirm(job=job, user=world.head_a, removals_acknowledged=True)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CHECKED and job.warnings[0]["text"] == jobs.OUTDATED
    assert job.summary["Педагоги"]["removed"] == 1  # the same count, another teacher
    assert models.RosterEntry.objects.get(teacher=arrived, period=world.period).school == world.school_a


def test_a_value_changed_meanwhile_is_not_silently_undone(world):
    # The edit variant: the file sets T0000001's workload; meanwhile the institute writes that
    # value itself and changes another field of the row; the confirm reverted it unseen.
    def half_time(ws):
        header = [c.value for c in ws[1]]
        ws.cell(row=2, column=header.index("Ставка") + 1, value=0.5)

    job = _job(world, _upload(world, edit=half_time))
    assert job.status == models.ImportStatus.CHECKED, (job.status, job.problems, job.summary)
    assert job.summary["Педагоги"]["changed"] == 1
    models.RosterEntry.objects.filter(teacher__code="T0000001", period=world.period).update(
        workload="0.5", experience_years=33
    )
    jobs.import_job_confirm(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CHECKED
    assert models.RosterEntry.objects.get(teacher__code="T0000001", period=world.period).experience_years == 33


def test_a_schools_upload_is_confirmed_by_the_one_who_uploaded_it_only(world):
    # The attack on the restructured portal: the institute confirmed a head's unconfirmed upload
    # (a teacher removed), and the school's history said the head had submitted it.
    job = _job(world, _upload(world))
    assert job.status == models.ImportStatus.CHECKED
    for person in ("analyst", "municipal", "ministry"):
        with pytest.raises(PermissionDenied, match="только тот, кто ее загрузил"):
            jobs.import_job_confirm(job=job, user=world.people[person])
        with pytest.raises(PermissionDenied):
            jobs.import_job_apply(job=job, user=world.people[person])
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CHECKED
    assert not models.SchoolSubmission.objects.filter(status=models.SubmissionStatus.SUBMITTED).exists()
    jobs.import_job_confirm(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.APPLIED


def _dropping_t0000009(world):
    # School A has a second teacher, whom the head's file leaves out: the upload removes her.
    from tests import factories

    factories.RosterEntryFactory(
        period=world.period,
        school=world.school_a,
        teacher=factories.TeacherFactory(code="T0000009", full_name="Орлова Вера Павловна"),
    )
    return _upload(world, edit=lambda ws: ws.delete_rows(next(c.row for c in ws["A"] if c.value == "T0000009")))


def test_a_heads_removals_are_named_and_confirmed_by_ticking_them(world):
    # Issue 16, item 4: «Педагоги: удалить 1» without naming her, and a confirm that removed her unasked.
    from django.core.exceptions import ValidationError

    job = _job(world, _dropping_t0000009(world))
    assert job.preview["Педагоги"]["removed"] == [{"name": "Орлова Вера Павловна"}]
    assert jobs.removal_acknowledgement(job) == "Удалить 1 педагога: Орлова Вера Павловна"
    with pytest.raises(ValidationError, match="Отметьте «Удалить 1 педагога: Орлова Вера Павловна»"):
        jobs.import_job_confirm(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CHECKED
    assert models.RosterEntry.objects.filter(teacher__code="T0000009", period=world.period).exists()

    jobs.import_job_confirm(job=job, user=world.head_a, removals_acknowledged=True)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.APPLIED
    assert not models.RosterEntry.objects.filter(teacher__code="T0000009", period=world.period).exists()
    # The applied job still names what it did.
    assert job.preview["Педагоги"]["removed"] == [{"name": "Орлова Вера Павловна"}]


def test_a_cancelled_job_is_discarded_and_never_confirmed(world):
    job = _job(world, _dropping_t0000009(world))
    stored = job.file.name
    assert job.file.storage.exists(stored)
    with pytest.raises(PermissionDenied):
        jobs.import_job_cancel(job=job, user=world.head_b)
    jobs.import_job_cancel(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CANCELLED
    assert not job.file and job.preview == {} and not job.plan_digest
    assert not job.file.storage.exists(stored)
    # A confirm sent from a page opened before the cancel does nothing; an apply is refused.
    jobs.import_job_confirm(job=job, user=world.head_a, removals_acknowledged=True)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CANCELLED
    with pytest.raises(PermissionDenied, match="отменена"):
        jobs.import_job_apply(job=job, user=world.head_a)
    assert models.RosterEntry.objects.filter(teacher__code="T0000009", period=world.period).exists()


def test_an_applied_job_cannot_be_cancelled_even_by_the_institute(world):
    from django.core.exceptions import ValidationError

    job = _job(world, _upload(world))
    jobs.import_job_confirm(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.APPLIED
    with pytest.raises(ValidationError, match="нельзя отменить"):
        jobs.import_job_cancel(job=job, user=world.analyst)


def test_the_database_refuses_a_cancelled_job_that_keeps_its_preview(world):
    from django.db import IntegrityError, transaction

    job = _job(world, _upload(world))
    with pytest.raises(IntegrityError), transaction.atomic():
        models.ImportJob.objects.filter(pk=job.pk).update(status=models.ImportStatus.CANCELLED)


def test_a_preview_hides_personal_values_from_officials_and_puts_changed_sheets_first(world):
    from tests import factories

    change = {"column": "Дата рождения", "before": "01.02.1980", "after": "01.02.1981", "personal": True}
    job = factories.ImportJobFactory(
        period=world.period,
        user=world.analyst,
        kind=models.ImportKind.PACKAGE,
        status=models.ImportStatus.CHECKED,
        summary={
            "Организации": {"added": 0, "changed": 0, "removed": 0, "unchanged": 3},
            "Педагоги": {"added": 0, "changed": 1, "removed": 0, "unchanged": 5},
        },
        preview={"Педагоги": {"added": [], "changed": [{"name": "Петрова Анна Ивановна", "fields": [change]}]}},
    )
    seen = jobs.job_preview(job=job, user=world.ministry)
    assert [s["name"] for s in seen["changed"]] == ["Педагоги"]
    assert [s["name"] for s in seen["unchanged"]] == ["Организации"]
    [changed] = [k for k in seen["changed"][0]["kinds"] if k["kind"] == "changed"]
    assert changed["rows"][0]["fields"][0] | {"personal": True} == change | {"before": "скрыто", "after": "скрыто"}
    own = jobs.job_preview(job=job, user=world.analyst)["changed"][0]["kinds"][1]
    assert own["rows"][0]["fields"][0]["after"] == "01.02.1981"
