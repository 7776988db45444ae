"""The school head's staffing upload and the review workflow around it."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from monitoring import models
from monitoring.submissions import (
    school_staffing_import,
    staffing_template,
    submission_accept,
    submission_return,
    submission_withdraw_acceptance,
)

pytestmark = pytest.mark.django_db


def _filled_template(world, *, staffing_rows, extra_teacher_school=None) -> io.BytesIO:
    template = staffing_template(school=world.school_a, period=world.period)
    wb = load_workbook(io.BytesIO(template.content))
    ws = wb["Штатное расписание"]
    ws.delete_rows(2, ws.max_row)
    for row in staffing_rows:
        ws.append(row)
    if extra_teacher_school:
        wb["Педагоги"].append(
            ["T0000099", "Новикова Елена Андреевна", "Ж", "03.04.1995", extra_teacher_school, "учитель"]
        )
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_template_is_prefilled_with_the_schools_roster_and_has_dropdowns(world):
    template = staffing_template(school=world.school_a, period=world.period)
    wb = load_workbook(io.BytesIO(template.content))
    assert wb.sheetnames == ["Штатное расписание", "Педагоги"]
    teachers = [row[0].value for row in wb["Педагоги"].iter_rows(min_row=2)]
    assert teachers == ["T0000001"]  # school A's teacher only, not B's or C's
    formulas = {dv.formula1 for dv in wb["Педагоги"].data_validations.dataValidation}
    assert '"М,Ж"' in formulas and '"нет,первая,высшая"' in formulas
    assert template.filename.endswith(".xlsx")


def test_head_uploads_and_the_school_is_submitted(world):
    file = _filled_template(
        world, staffing_rows=[["000001", "учитель", 20, 21, 1, 1], ["000001", "воспитатель", 4, 4, 0, 0]]
    )
    result = school_staffing_import(
        school=world.school_a, period=world.period, file=file, filename="шр.xlsx", user=world.head_a
    )
    assert result.applied, [str(p) for p in result.problems]
    assert models.StaffingRow.objects.filter(period=world.period, school=world.school_a).count() == 2
    submission = models.SchoolSubmission.objects.get(period=world.period, school=world.school_a)
    assert submission.status == models.SubmissionStatus.SUBMITTED and submission.submitted_by == world.head_a
    assert [e.status for e in submission.events.all()] == ["submitted"]


def test_head_naming_another_school_is_refused_whole(world):
    models.StaffingRow.objects.create(
        period=world.period,
        school=world.school_b,
        position="учитель",
        positions_by_schedule=8,
        actual_need=8,
        vacant_positions=0,
        vacant_posts=0,
    )
    file = _filled_template(
        world, staffing_rows=[["000001", "учитель", 20, 21, 1, 1], ["000002", "учитель", 1, 1, 0, 0]]
    )
    result = school_staffing_import(
        school=world.school_a, period=world.period, file=file, filename="шр.xlsx", user=world.head_a
    )
    assert not result.applied
    messages = [str(p) for p in result.problems]
    assert any(
        "Лист «Штатное расписание», строка 3, столбец «Код ОО»: можно загружать данные только своей "
        "организации (код ОО 000001); файл отклонен целиком" in m
        for m in messages
    ), messages
    assert not models.StaffingRow.objects.filter(school=world.school_a).exists()
    assert models.StaffingRow.objects.get(school=world.school_b).positions_by_schedule == 8
    assert not models.SchoolSubmission.objects.filter(school=world.school_a, status="submitted").exists()


def test_head_upload_with_a_teacher_of_another_school_is_refused(world):
    file = _filled_template(world, staffing_rows=[["000001", "учитель", 20, 21, 1, 1]], extra_teacher_school="000002")
    result = school_staffing_import(
        school=world.school_a, period=world.period, file=file, filename="шр.xlsx", user=world.head_a
    )
    assert not result.applied
    assert not models.Teacher.objects.filter(code="T0000099").exists()


def test_head_upload_cannot_carry_other_sheets(world, tmp_path):
    import zipfile

    archive = tmp_path / "pkg.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Муниципалитеты.csv", "Код,Наименование\n09,Новый район\n")
    result = school_staffing_import(school=world.school_a, period=world.period, file=archive, user=world.head_a)
    assert not result.applied and "этот лист нельзя загружать здесь" in str(result.problems[0])


def test_replace_in_a_head_upload_stays_inside_the_school(world):
    file = _filled_template(world, staffing_rows=[["000001", "учитель", 20, 21, 1, 1]])
    # The template carries teacher A only; teachers of B and C stay on the roster.
    assert school_staffing_import(
        school=world.school_a, period=world.period, file=file, user=world.head_a, filename="шр.xlsx"
    ).applied
    assert models.RosterEntry.objects.filter(period=world.period).count() == 3


def test_head_of_b_cannot_upload_for_a(world):
    file = _filled_template(world, staffing_rows=[["000001", "учитель", 20, 21, 1, 1]])
    with pytest.raises(PermissionDenied):
        school_staffing_import(
            school=world.school_a, period=world.period, file=file, user=world.head_b, filename="шр.xlsx"
        )


def test_review_workflow_and_lock(world):
    upload = lambda: _filled_template(world, staffing_rows=[["000001", "учитель", 20, 21, 1, 1]])  # noqa: E731
    assert school_staffing_import(
        school=world.school_a, period=world.period, file=upload(), user=world.head_a, filename="шр.xlsx"
    ).applied
    submission = models.SchoolSubmission.objects.get(period=world.period, school=world.school_a)
    with pytest.raises(ValidationError, match="без комментария"):
        submission_return(submission=submission, user=world.municipal, comment=" ")
    submission_return(submission=submission, user=world.municipal, comment="Проверьте вакансии")
    assert submission.status == "returned" and submission.comment == "Проверьте вакансии"
    assert school_staffing_import(
        school=world.school_a, period=world.period, file=upload(), user=world.head_a, filename="шр.xlsx"
    ).applied
    submission.refresh_from_db()
    with pytest.raises(PermissionDenied):
        submission_accept(submission=submission, user=world.head_a)
    submission_accept(submission=submission, user=world.analyst)
    locked = school_staffing_import(
        school=world.school_a, period=world.period, file=upload(), user=world.head_a, filename="шр.xlsx"
    )
    assert not locked.applied and "уже приняты" in str(locked.problems[0])
    submission_withdraw_acceptance(submission=submission, user=world.analyst, comment="Уточнение штатов")
    assert [e.status for e in submission.events.order_by("pk")] == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
        "submitted",
    ]


def test_municipal_of_another_municipality_cannot_review(world):
    submission = models.SchoolSubmission.objects.create(
        period=world.period, school=world.school_b, status="submitted", submitted_at="2025-10-01T10:00:00Z"
    )
    with pytest.raises(PermissionDenied):
        submission_accept(submission=submission, user=world.municipal)
