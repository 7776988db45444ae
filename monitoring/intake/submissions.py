"""A school's data for a period: the head's staffing upload and the review workflow.

draft → submitted → returned / accepted. Accepted data is locked: a new upload is
refused until a reviewer withdraws the acceptance, which is recorded like every step.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from monitoring.intake.package.importer import ImportContext, ImportResult, package_import
from monitoring.intake.package.parsing import header_key
from monitoring.intake.package.registry import Problem, sheet_by_name
from monitoring.models import (
    Category,
    EducationLevel,
    MonitoringPeriod,
    Role,
    RosterEntry,
    School,
    SchoolSubmission,
    Sex,
    StaffingRow,
    SubmissionEvent,
    SubmissionStatus,
    Teacher,
)
from monitoring.models.scoping import can_see
from monitoring.shared.identity import TRANSFER_HINT
from monitoring.shared.periods import period_lock_open
from monitoring.shared.spreadsheets import text_row

STAFFING_SHEETS = {"Штатное расписание", "Педагоги"}


def _check_own_school(ctx: ImportContext) -> None:
    """A school's upload changes nothing outside that school.

    Every row names the school (any other code refuses the whole file), and a row of
    «Педагоги» may name only a teacher who is new to the portal or belongs to this
    school (see :func:`_check_teachers`).
    """
    for sheet_name in STAFFING_SHEETS:
        for row in ctx.package.get(sheet_name, []):
            code = row.values.get("school")
            if code != ctx.school.code:
                ctx.problem(
                    sheet_name,
                    row.number,
                    "Код ОО",
                    code,
                    f"можно загружать данные только своей организации (код ОО {ctx.school.code}); "
                    "файл отклонен целиком",
                )
    _check_teachers(ctx)


# What a school's upload may not change about a person the portal knows from another school.
IDENTITY_COLUMNS = (("full_name", "ФИО"), ("sex", "Пол"), ("birth_date", "Дата рождения"), ("snils", "СНИЛС"))


def school_teachers(*, school: School, period: MonitoringPeriod, codes: set[str]) -> dict[str, str]:
    """How each known teacher of ``codes`` stands to ``school`` in ``period`` (unknown codes are left out).

    - ``"own"``: on the school's roster for the period, or off every roster for the period with
      the school as their latest one before it — the school's own people;
    - ``"own-elsewhere"``: own, but on some other school's roster in another period (their
      card — name, birth date, СНИЛС — is shared with that school's history);
    - ``"foreign"``: on another school's roster for the period, with another school as their
      latest one, or known to the portal with no roster at all.

    One query for the teachers and one for their roster entries, whatever the number of codes.
    """
    teachers = dict(Teacher.objects.filter(code__in=codes).values_list("pk", "code"))
    entries: dict[int, list[tuple[int, int]]] = {pk: [] for pk in teachers}
    for teacher_id, school_id, year in RosterEntry.objects.filter(teacher_id__in=teachers).values_list(
        "teacher_id", "school_id", "period__year"
    ):
        entries[teacher_id].append((year, school_id))
    standing = {}
    for pk, code in teachers.items():
        this_period = {s for y, s in entries[pk] if y == period.year}
        earlier = sorted(((y, s) for y, s in entries[pk] if y < period.year), reverse=True)
        if this_period:
            own = this_period == {school.pk}
        else:
            own = bool(earlier) and earlier[0][1] == school.pk
        if not own:
            standing[code] = "foreign"
        elif any(s != school.pk for _, s in entries[pk]):
            standing[code] = "own-elsewhere"
        else:
            standing[code] = "own"
    return standing


def _check_teachers(ctx: ImportContext) -> None:
    """A roster row may not take over another school's teacher nor rewrite a shared person's card."""
    rows = ctx.package.get("Педагоги", [])
    if not rows:
        return
    standing = school_teachers(school=ctx.school, period=ctx.period, codes={r.values["code"] for r in rows})
    elsewhere = [r for r in rows if standing.get(r.values["code"]) == "own-elsewhere"]
    cards = {
        t["code"]: t
        for t in Teacher.objects.filter(code__in=[r.values["code"] for r in elsewhere]).values(
            "code", *(f for f, _ in IDENTITY_COLUMNS)
        )
    }
    for row in rows:
        code = row.values["code"]
        if standing.get(code) == "foreign":
            ctx.problem(
                "Педагоги",
                row.number,
                "Код педагога",
                code,
                "педагог с этим кодом уже есть в портале и не числится в вашей организации; " + TRANSFER_HINT,
            )
        elif code in cards:
            for field, title in IDENTITY_COLUMNS:
                if (row.values.get(field) or "") != (cards[code][field] or ""):
                    ctx.problem(
                        "Педагоги",
                        row.number,
                        title,
                        None,
                        "личные данные педагога, работавшего в других организациях, через загрузку организации "
                        "не меняются; исправить их может специалист института",
                    )


@transaction.atomic
def _set_status(*, submission: SchoolSubmission, status: str, user, comment: str = "") -> SchoolSubmission:
    period_lock_open(period=submission.period)
    submission.status = status
    if status == SubmissionStatus.SUBMITTED:
        submission.submitted_at = timezone.now()
        submission.submitted_by = user
    if status in (SubmissionStatus.RETURNED, SubmissionStatus.ACCEPTED) or comment:
        submission.comment = comment
    submission.save()
    SubmissionEvent.objects.create(submission=submission, status=status, user=user, comment=comment)
    return submission


def can_upload_staffing(*, user, school: School) -> bool:
    """A school's staffing file is uploaded by its head (or by institute staff on its behalf)."""
    return can_see(user=user, obj=school) and (user.is_superuser or user.role in (Role.SCHOOL_HEAD, Role.ANALYST))


def school_staffing_import(
    *, school: School, period: MonitoringPeriod, file, user, filename: str | None = None, dry_run: bool = False
) -> ImportResult:
    """A head's upload of `Штатное расписание` + `Педагоги` for their school; on success the school has submitted."""
    if not can_upload_staffing(user=user, school=school):
        raise PermissionDenied("Загружать данные этой организации вы не можете.")
    submission, _ = SchoolSubmission.objects.get_or_create(period=period, school=school)
    if submission.status == SubmissionStatus.ACCEPTED:
        result = ImportResult(applied=False)
        result.problems.append(
            Problem.about_file(
                filename,
                "данные организации за период уже приняты и закрыты для изменений; "
                "попросите проверяющего снять отметку о принятии",
            )
        )
        return result
    with transaction.atomic():
        result = package_import(
            source=file,
            period=period,
            user=user,
            replace=True,
            dry_run=dry_run,
            filename=filename,
            only_sheets=STAFFING_SHEETS,
            school=school,
            extra_check=_check_own_school,
        )
        if result.applied:
            _set_status(submission=submission, status=SubmissionStatus.SUBMITTED, user=user)
    return result


def _reviewer(user, submission: SchoolSubmission) -> None:
    reviewer_roles = (Role.ANALYST, Role.MUNICIPAL)
    if not (user.is_superuser or user.role in reviewer_roles) or not can_see(user=user, obj=submission):
        raise PermissionDenied("Проверять данные этой организации вы не можете.")


def submission_return(*, submission: SchoolSubmission, user, comment: str) -> SchoolSubmission:
    _reviewer(user, submission)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError("Вернуть на доработку можно только представленные данные.")
    if not comment.strip():
        raise ValidationError("Напишите, что нужно исправить: без комментария вернуть данные нельзя.")
    return _set_status(submission=submission, status=SubmissionStatus.RETURNED, user=user, comment=comment.strip())


def submission_accept(*, submission: SchoolSubmission, user, comment: str = "") -> SchoolSubmission:
    _reviewer(user, submission)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError("Принять можно только представленные данные.")
    return _set_status(submission=submission, status=SubmissionStatus.ACCEPTED, user=user, comment=comment.strip())


def submission_withdraw_acceptance(*, submission: SchoolSubmission, user, comment: str) -> SchoolSubmission:
    _reviewer(user, submission)
    if submission.status != SubmissionStatus.ACCEPTED:
        raise ValidationError("Снять отметку о принятии можно только с принятых данных.")
    if not comment.strip():
        raise ValidationError("Укажите причину, по которой снимается отметка о принятии.")
    return _set_status(submission=submission, status=SubmissionStatus.SUBMITTED, user=user, comment=comment.strip())


@dataclass(frozen=True)
class Template:
    filename: str
    content: bytes


def staffing_template(*, school: School, period: MonitoringPeriod) -> Template:
    """The head's workbook, prefilled with the school's data (this period's, else the latest), with dropdowns."""
    source_period = period
    if not RosterEntry.objects.filter(period=period, school=school).exists():
        latest = RosterEntry.objects.filter(school=school).order_by("-period__year").values("period_id").first()
        if latest:
            source_period = MonitoringPeriod.objects.get(pk=latest["period_id"])
    wb = Workbook()
    wb.remove(wb.active)
    yes_no = '"да,нет"'
    lists = {
        "Пол": f'"{",".join(Sex.values)}"',
        "Уровень образования": f'"{",".join(EducationLevel.values)}"',
        "Квалификационная категория": f'"{",".join(Category.values)}"',
        "Педагогическое образование": yes_no,
        "Образование соответствует профилю": yes_no,
        "Совместитель": yes_no,
    }
    for name in ("Штатное расписание", "Педагоги"):
        sheet = sheet_by_name(name)
        ws = wb.create_sheet(name)
        ws.append([c.title for c in sheet.columns])
        for column in sheet.columns:
            if column.required:
                cell = ws.cell(row=1, column=sheet.columns.index(column) + 1)
                cell.comment = Comment("Обязательный столбец", "Портал")
        if name == "Штатное расписание":
            rows = StaffingRow.objects.filter(period=source_period, school=school).order_by("position")
            for r in rows:
                row = [
                    school.code,
                    r.position,
                    r.positions_by_schedule,
                    r.actual_need,
                    r.vacant_positions,
                    r.vacant_posts,
                ]
                ws.append(text_row(ws, row))
            if not rows:
                ws.append([school.code, "учитель", None, None, None, None])
        else:
            for row in sheet.export_rows(source_period, school=school):
                ws.append(text_row(ws, row))  # names and texts the school typed: never formulas
        for index, column in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=1, column=index).column_letter
            ws.column_dimensions[letter].width = max(12, min(40, len(column.title) + 4))
            if column.title in lists:
                dv = DataValidation(type="list", formula1=lists[column.title], allow_blank=True)
                dv.error = "Выберите значение из списка"
                dv.errorTitle = "Недопустимое значение"
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}2000")
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return Template(filename=f"Штатное расписание {school.code} {period.year}.xlsx", content=buffer.getvalue())


def is_staffing_sheet(name: str) -> bool:
    return header_key(name) in {header_key(s) for s in STAFFING_SHEETS}
