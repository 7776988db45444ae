"""The school head's staffing upload and the review workflow around it."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from monitoring import models
from monitoring.intake.submissions import (
    school_staffing_import,
    staffing_template,
    submission_accept,
    submission_return,
    submission_withdraw_acceptance,
)
from tests import factories

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


# --- a school's upload changes nothing outside the school (issue 14, item 1) ---------


def _upload_with_rows(world, rows) -> io.BytesIO:
    """School A's template with extra «Педагоги» rows (code, name, sex, birth date, school, position)."""
    template = staffing_template(school=world.school_a, period=world.period)
    wb = load_workbook(io.BytesIO(template.content))
    ws = wb["Штатное расписание"]
    ws.delete_rows(2, ws.max_row)
    ws.append(["000001", "учитель", 20, 21, 1, 1])
    for row in rows:
        wb["Педагоги"].append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _import_a(world, file, *, dry_run=False):
    return school_staffing_import(
        school=world.school_a, period=world.period, file=file, filename="шр.xlsx", user=world.head_a, dry_run=dry_run
    )


def _state(world):
    teacher = models.Teacher.objects.values("full_name", "birth_date", "sex", "snils")
    return (
        sorted(models.RosterEntry.objects.values_list("teacher__code", "school__code", "period__year")),
        {t.code: teacher.get(pk=t.pk) for t in models.Teacher.objects.all()},
    )


def test_head_cannot_take_over_another_schools_teacher(world):
    """The reported attack: teacher B's code with another name and birth date, under school A's code."""
    models.SchoolSubmission.objects.create(
        period=world.period, school=world.school_b, status="accepted", submitted_at="2025-10-01T10:00:00Z"
    )
    before = _state(world)
    file = _upload_with_rows(world, [["T0000002", "Захватов Иван", "М", "01.01.1990", "000001", "учитель"]])
    for dry_run in (True, False):
        file.seek(0)
        result = _import_a(world, file, dry_run=dry_run)
        assert not result.applied
        messages = [str(p) for p in result.problems]
        assert any(
            "Лист «Педагоги», строка 3, столбец «Код педагога»: педагог с этим кодом уже есть в портале и не "
            "числится в вашей организации; перевести педагога в вашу организацию может муниципальный координатор" in m
            for m in messages
        ), messages
    assert _state(world) == before  # teacher B still at school B, name and birth date unchanged


def test_head_cannot_claim_a_teacher_whose_latest_school_is_another(world):
    """Off every roster this period, but last at school B: still school B's until someone moves them."""
    earlier = factories.PeriodFactory(year=2024)
    moved = factories.TeacherFactory(code="T0000050", full_name="Орлова Вера Павловна")
    factories.RosterEntryFactory(period=earlier, teacher=moved, school=world.school_b)
    unrostered = factories.TeacherFactory(code="T0000051", full_name="Лебедева Нина Ивановна")
    before = _state(world)
    rows = [
        ["T0000050", "Орлова Вера Павловна", "Ж", "17.05.1980", "000001", "учитель"],
        ["T0000051", unrostered.full_name, "Ж", "17.05.1980", "000001", "учитель"],
    ]
    result = _import_a(world, _upload_with_rows(world, rows))
    assert not result.applied
    refused = {(p.row, p.column) for p in result.problems}
    assert refused == {(3, "Код педагога"), (4, "Код педагога")}
    assert _state(world) == before


def test_a_returning_teacher_of_the_school_is_added_but_a_shared_card_is_not_rewritten(world):
    """Last year at school A (and once at school B): back on A's roster, their card kept as it is."""
    earlier, older = factories.PeriodFactory(year=2024), factories.PeriodFactory(year=2023)
    back = factories.TeacherFactory(code="T0000060", full_name="Морозова Юлия Олеговна")
    factories.RosterEntryFactory(period=earlier, teacher=back, school=world.school_a)
    factories.RosterEntryFactory(period=older, teacher=back, school=world.school_b)
    renamed = [["T0000060", "Морозова-Иная Юлия", "Ж", "17.05.1980", "000001", "учитель"]]
    result = _import_a(world, _upload_with_rows(world, renamed))
    assert not result.applied
    assert [(p.row, p.column) for p in result.problems] == [(3, "ФИО")]
    same = [["T0000060", "Морозова Юлия Олеговна", "Ж", "17.05.1980", "000001", "учитель"]]
    result = _import_a(world, _upload_with_rows(world, same))
    assert result.applied, [str(p) for p in result.problems]
    assert models.RosterEntry.objects.get(period=world.period, teacher=back).school == world.school_a
    assert models.Teacher.objects.get(code="T0000060").full_name == "Морозова Юлия Олеговна"


def test_the_schools_own_teacher_can_still_be_corrected(world):
    """Teacher A has only ever been at school A: the head fixes a typo in the name."""
    out = _upload_with_rows(world, [])
    wb = load_workbook(out)
    wb["Педагоги"]["B2"] = "Петрова Анна Ивановна (испр.)"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    assert _import_a(world, out).applied
    assert models.Teacher.objects.get(code="T0000001").full_name == "Петрова Анна Ивановна (испр.)"


def test_the_roster_write_of_a_school_upload_never_moves_another_schools_row(world):
    """Below the check: the sheet's write matches only the school's rows, so a slip refuses instead of moving."""
    from django.db import IntegrityError

    from monitoring.intake.package.importer import package_import

    before = _state(world)
    file = _upload_with_rows(world, [["T0000002", "Захватов Иван", "М", "01.01.1990", "000001", "учитель"]])
    with pytest.raises(IntegrityError):
        package_import(
            source=file,
            filename="шр.xlsx",
            period=world.period,
            user=world.head_a,
            replace=True,
            only_sheets={"Педагоги", "Штатное расписание"},
            school=world.school_a,  # no extra_check: the write itself must hold
        )
    assert _state(world) == before


# --- a closed period takes no data (issue 14, item 6) -------------------------------


def test_a_job_checked_while_open_and_confirmed_after_closing_changes_nothing(world, media_root, on_commit_now):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from monitoring.intake import jobs

    file = _upload_with_rows(world, [])
    job = jobs.import_job_create(
        kind=models.ImportKind.STAFFING,
        period=world.period,
        user=world.head_a,
        file=SimpleUploadedFile("шр.xlsx", file.getvalue()),
        school=world.school_a,
    )
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CHECKED, job.problems
    models.MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=models.PeriodStatus.CLOSED)
    jobs.import_job_confirm(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.REFUSED
    assert any("Период мониторинга 2025 года закрыт" in p["text"] for p in job.problems), job.problems
    assert not models.StaffingRow.objects.filter(school=world.school_a).exists()
    assert not models.SchoolSubmission.objects.filter(school=world.school_a, status="submitted").exists()


def test_with_every_period_closed_the_head_upload_page_takes_nothing(world, client, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    models.MonitoringPeriod.objects.update(status=models.PeriodStatus.CLOSED)
    client.force_login(world.head_a)
    page = client.get("/schools/000001/staffing/upload/")
    assert "Сбор данных закрыт" in page.content.decode() and "Проверить файл" not in page.content.decode()
    upload = SimpleUploadedFile("шр.xlsx", _upload_with_rows(world, []).getvalue())
    response = client.post("/schools/000001/staffing/upload/", {"file": upload}, follow=True)
    assert "все периоды мониторинга закрыты" in response.content.decode()
    assert not models.ImportJob.objects.exists()
    assert not models.StaffingRow.objects.exists()


def test_reviewing_a_closed_periods_submission_is_refused(world):
    submission = models.SchoolSubmission.objects.create(
        period=world.period, school=world.school_a, status="submitted", submitted_at="2025-10-01T10:00:00Z"
    )
    models.MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=models.PeriodStatus.CLOSED)
    with pytest.raises(ValidationError, match="закрыт"):
        submission_accept(submission=submission, user=world.analyst)
    submission.refresh_from_db()
    assert submission.status == "submitted" and not submission.events.exists()


def test_a_new_row_with_another_teachers_snils_is_refused_without_naming_them(world):
    # The attack: a new teacher T0999001 with the СНИЛС of another school's teacher was applied,
    # and the portal then had two cards of one person.
    models.Teacher.objects.filter(code="T0000002").update(snils="112-233-445 95")
    row = ["T0999001", "Новикова Елена Андреевна", "Ж", "03.04.1995", "000001", "учитель"]
    row += [""] * 9 + ["112-233-445 95"]
    result = _import_a(world, _upload_with_rows(world, [row]))
    assert not result.applied
    # The other teacher's code is not named to a school.
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (3, "СНИЛС", "этот СНИЛС в портале указан у другого педагога")
    ]
    assert not models.Teacher.objects.filter(code="T0999001").exists()


def test_two_rows_of_a_file_never_share_a_snils(world):
    first = ["T0999001", "Новикова Елена Андреевна", "Ж", "03.04.1995", "000001", "учитель", *[""] * 9]
    second = ["T0999002", "Петрова Анна Ивановна", "Ж", "03.04.1996", "000001", "учитель", *[""] * 9]
    result = _import_a(world, _upload_with_rows(world, [[*first, "112-233-445 95"], [*second, "112-233-445 95"]]))
    assert [(p.row, p.column, p.message) for p in result.problems] == [(4, "СНИЛС", "этот СНИЛС уже указан в строке 3")]


def test_two_teachers_never_share_a_snils_in_the_database(world):
    from django.db import IntegrityError, transaction

    models.Teacher.objects.filter(code="T0000001").update(snils="112-233-445 95")
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Teacher.objects.filter(code="T0000002").update(snils="112-233-445 95")
    models.Teacher.objects.filter(code__in=["T0000002", "T0000003"]).update(snils="")  # empty is no one's


LOOK_ALIKES = [
    *("t0000002", "Т0000002", "т0000002", "T0000 002", "Τ0000002", "T-0000002", "T00000002", "T0O00002"),
    # The third attack: a Hangul filler, Cherokee and Coptic letters, Arabic-Indic digits, l for 1, B for 8.
    *("Ꭲ0000002", "Ⲧ0000002", "T٠٠٠٠٠٠٢", "T000000Z", "ᴛ0000002", "T000D002"),
]
# Characters no one sees, or full-width forms: the very code T0000002, refused as another school's teacher.
INVISIBLE = [
    *("Ｔ０００００02", "T0000002\u200b", "\ufeffT0000002", "T0000\u2060002", "T0000002\u0301", "ᵀ0000002"),
    *("T0000002\u3164", "T0000002\u2800"),  # a Hangul filler, a Braille blank
]


@pytest.mark.parametrize("code", LOOK_ALIKES + INVISIBLE)
def test_a_code_that_reads_as_a_known_teachers_code_is_refused(world, code):
    # The attacks: «t0000148», «Т0000148» (Cyrillic Т), «T0000148» with a zero-width space and
    # more made a second card of head2's teacher T0000148.
    row = [code, "Сазонова Нина Сергеевна", "Ж", "03.04.1985", "000001", "учитель"]
    result = _import_a(world, _upload_with_rows(world, [row]))
    assert not result.applied
    assert [(p.row, p.column) for p in result.problems] == [(3, "Код педагога")]
    message = result.problems[0].message
    if code in LOOK_ALIKES:  # named as the code it reads as, or refused for letters of another script
        assert "«T0000002»" in message or "латинскими буквами" in message, message
    else:
        assert "не числится в вашей организации" in message, message
    assert models.Teacher.objects.count() == 3


def test_a_new_code_for_a_known_person_is_refused(world):
    known = models.Teacher.objects.get(code="T0000002")
    row = ["T0999001", known.full_name, known.sex, known.birth_date.strftime("%d.%m.%Y"), "000001", "учитель"]
    result = _import_a(world, _upload_with_rows(world, [row]))
    assert [(p.row, p.column) for p in result.problems] == [(3, "ФИО")]
    assert "уже есть в портале под другим кодом" in result.problems[0].message


def test_a_snils_in_other_digits_is_the_same_snils(world):
    # Full-width digits passed the checksum and slipped past the duplicate check.
    models.Teacher.objects.filter(code="T0000002").update(snils="112-233-445 95")
    row = ["T0999001", "Новикова Елена Андреевна", "Ж", "03.04.1995", "000001", "учитель", *[""] * 9]
    result = _import_a(world, _upload_with_rows(world, [[*row, "１１２-２３３-４４５ ９５"]]))
    assert ("СНИЛС", "этот СНИЛС в портале указан у другого педагога") in {
        (p.column, p.message) for p in result.problems
    }
    arabic = ["T0999003", "Петрова Анна", "Ж", "03.04.1995", "000001", "учитель", *[""] * 9, "١١٢-٢٣٣-٤٤٥ ٩٥"]
    result = _import_a(world, _upload_with_rows(world, [arabic]))
    assert [p.column for p in result.problems] == ["СНИЛС"] and "контрольного числа" in result.problems[0].message


@pytest.mark.parametrize(
    "name",
    ["{upper}", "{swapped}", "{zwsp}", "{latin_a}"],
)
def test_a_known_person_is_known_whatever_the_case_script_or_order_of_their_name(world, name):
    # The third attack: «САЗОНОВА НИНА СЕРГЕЕВНА», е for ё, a zero-width space, Latin «a» inside.
    known = models.Teacher.objects.get(code="T0000002")
    words = known.full_name.split()
    variants = {
        "{upper}": known.full_name.upper(),
        "{swapped}": " ".join([words[1], words[0], *words[2:]]),
        "{zwsp}": words[0][:2] + "\u200b" + known.full_name[2:],
        "{latin_a}": known.full_name.replace("а", "a", 1),
    }
    row = ["T0999001", variants[name], known.sex, known.birth_date.strftime("%d.%m.%Y"), "000001", "учитель"]
    result = _import_a(world, _upload_with_rows(world, [row]))
    assert [(p.row, p.column) for p in result.problems] == [(3, "ФИО")], result.problems


def test_one_person_twice_in_a_file_is_refused(world):
    first = ["T0999004", "Орлова Вера Павловна", "Ж", "03.04.1990", "000001", "учитель"]
    result = _import_a(world, _upload_with_rows(world, [first, ["T0999005", *first[1:]], ["T0999OO4", *first[1:]]]))
    assert [(p.row, p.column) for p in result.problems] == [(4, "ФИО"), (5, "Код педагога")]


def test_the_institutes_package_reports_the_same_people_as_warnings(world):
    # The institute's package may hold true namesakes: it is told, not refused.
    import io as _io

    from monitoring.intake.package.importer import package_import

    known = models.Teacher.objects.get(code="T0000002")
    born = known.birth_date.strftime("%d.%m.%Y")
    csv = (
        "Код педагога,ФИО,Пол,Дата рождения,Код ОО,Должность\n"
        f"T00000002,Новая Анна Ивановна,Ж,03.04.1990,000001,учитель\n"
        f"T0999007,{known.full_name.upper()},{known.sex},{born},000001,учитель\n"
    ).encode()
    result = package_import(
        source=_io.BytesIO(csv), filename="Педагоги.csv", period=world.period, user=world.analyst, dry_run=True
    )
    assert not result.problems, result.problems
    found = {(w.row, w.column): w.message for w in result.warnings}
    assert "«T0000002»" in found[(2, "Код педагога")]
    assert "под кодом «T0000002»" in found[(3, "ФИО")]


def test_a_schools_own_card_may_not_be_rewritten_into_another_known_person(world):
    # The fourth attack: the head edits their own T0000001 into the ФИО and birth date of
    # another school's teacher, making two cards of one person.
    other = models.Teacher.objects.get(code="T0000002")
    wb = load_workbook(io.BytesIO(staffing_template(school=world.school_a, period=world.period).content))
    ws = wb["Штатное расписание"]
    ws.delete_rows(2, ws.max_row)
    ws.append(["000001", "учитель", 20, 21, 1, 1])
    teachers = wb["Педагоги"]
    teachers.cell(row=2, column=2, value=other.full_name.upper())
    teachers.cell(row=2, column=4, value=other.birth_date.strftime("%d.%m.%Y"))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    result = _import_a(world, out)
    assert [(p.row, p.column) for p in result.problems] == [(2, "ФИО")], result.problems
    assert models.Teacher.objects.get(code="T0000001").full_name != other.full_name.upper()


@pytest.mark.parametrize("spelled", ["Greek", "small-caps", "filler-as-space", "braille-as-space"])
def test_a_known_person_spelled_with_other_scripts_or_blanks_is_known(world, spelled):
    known = models.Teacher.objects.get(code="T0000002")
    first, *rest = known.full_name.split()
    variants = {
        "Greek": known.full_name.replace("а", "α").replace("о", "ο"),
        "small-caps": known.full_name.replace("с", "ᴄ").replace("о", "ᴏ"),
        "filler-as-space": first + "\u3164" + " ".join(rest),
        "braille-as-space": first + "\u2800" + " ".join(rest),
    }
    row = ["T0999011", variants[spelled], known.sex, known.birth_date.strftime("%d.%m.%Y"), "000001", "учитель"]
    result = _import_a(world, _upload_with_rows(world, [row]))
    assert [(p.row, p.column) for p in result.problems] == [(3, "ФИО")], result.problems
