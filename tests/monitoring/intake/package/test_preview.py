"""An import's preview names its rows: added, changed (before → after) and removed (intake.package.preview).

Issue 16, item 4: a head removed one teacher and the preview said «Педагоги: удалить 1»
without naming her; no preview said which rows or fields change.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from monitoring import models
from monitoring.intake.package.preview import shown
from monitoring.intake.submissions import school_staffing_import, staffing_template
from tests import factories

pytestmark = pytest.mark.django_db


def _school_file(world, edit) -> SimpleUploadedFile:
    wb = load_workbook(io.BytesIO(staffing_template(school=world.school_a, period=world.period).content))
    staffing = wb["Штатное расписание"]
    staffing.delete_rows(2, staffing.max_row)
    staffing.append(["000001", "учитель", 20, 21, 1, 1])
    edit(wb["Педагоги"])
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("шр.xlsx", out.getvalue())


def _row_of(ws, code: str) -> int:
    return next(c.row for c in ws["A"] if c.value == code)


def test_a_schools_preview_names_the_added_changed_and_removed_teachers(world):
    factories.RosterEntryFactory(
        period=world.period,
        school=world.school_a,
        teacher=factories.TeacherFactory(code="T0000009", full_name="Орлова Вера Павловна"),
    )

    def edit(ws):
        header = [c.value for c in ws[1]]
        ws.cell(row=_row_of(ws, "T0000001"), column=header.index("Ставка") + 1, value=0.5)
        ws.cell(row=_row_of(ws, "T0000001"), column=header.index("ФИО") + 1, value="Петрова Анна Игоревна")
        ws.delete_rows(_row_of(ws, "T0000009"))
        new = ["T0000777", "Новикова Дарья Львовна", "Ж", "03.04.1990", "000001", "учитель"]
        ws.append(new + [None] * (len(header) - len(new)))

    result = school_staffing_import(
        school=world.school_a,
        period=world.period,
        file=_school_file(world, edit),
        user=world.head_a,
        filename="шр.xlsx",
        dry_run=True,
    )
    assert result.ok, result.problems
    teachers = result.previews["Педагоги"]
    assert teachers["added"] == [{"name": "Новикова Дарья Львовна"}]
    assert teachers["removed"] == [{"name": "Орлова Вера Павловна"}]
    # One line for the teacher, her card's change and her roster row's together, under the file's column titles.
    [changed] = teachers["changed"]
    assert changed["name"] == "Петрова Анна Игоревна"
    fields = {f["column"]: (f["before"], f["after"]) for f in changed["fields"]}
    assert fields == {"ФИО": ("Петрова Анна Ивановна", "Петрова Анна Игоревна"), "Ставка": ("1", "0,5")}
    # A dry run: nothing written, the removed teacher's row restored.
    assert models.RosterEntry.objects.filter(teacher__code="T0000009", school=world.school_a).exists()
    assert not models.Teacher.objects.filter(code="T0000777").exists()


def test_references_and_choices_are_shown_by_name(world):
    # A roster row is its teacher's full name; a school moved to reads by its name, a category by its label.
    from monitoring.intake.package.preview import _Names

    sample = [[{"teacher_id": world.teacher_a.pk, "school_id": world.school_a.pk}], [{"school_id": world.school_c.pk}]]
    names = _Names(models.RosterEntry, sample)
    assert names.row({"period_id": world.period.pk, "teacher_id": world.teacher_a.pk}, ("teacher_id",)) == (
        "Петрова Анна Ивановна"
    )
    assert names.value("school_id", world.school_c.pk) == "МКОУ «Аржановская СШ»"
    assert names.value("category", models.Category.FIRST) == models.Category.FIRST.label
    assert names.value("category_date", None) == "—"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "да"),
        (dt.date(2024, 9, 1), "01.09.2024"),
        (Decimal("0.50"), "0,5"),
        (Decimal("20"), "20"),
        (["математика", "физика"], "математика, физика"),
    ],
)
def test_values_are_shown_as_a_person_reads_them(value, text):
    assert shown(value) == text
