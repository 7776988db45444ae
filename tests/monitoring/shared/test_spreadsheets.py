"""Writing user text into workbooks: text stays text (no formula runs), and XML-illegal characters are dropped."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from monitoring.intake import submissions
from monitoring.intake.package.error_report import error_workbook
from monitoring.shared.spreadsheets import csv_text, put, sheet_value, text_row
from tests import factories

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)"]


def _reopen(wb) -> Workbook:
    buffer = io.BytesIO()
    wb.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("write_only", [False, True])
def test_text_row_keeps_formula_looking_text_as_text(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("Лист") if write_only else wb.active
    ws.append(text_row(ws, [*FORMULAS, 12, None, "обычный текст"]))
    row = next(_reopen(wb).worksheets[0].iter_rows())
    assert [c.value for c in row[:4]] == FORMULAS
    assert {c.data_type for c in row[:4]} == {"s"}
    assert (row[4].value, row[4].data_type) == (12, "n")


def test_without_the_helper_openpyxl_would_write_a_formula():
    # The reason for the helper: this is what a plain append does.
    wb = Workbook()
    wb.active.append([FORMULAS[0]])
    assert _reopen(wb).active["A1"].data_type == "f"


def test_put_protects_random_access_cells_and_drops_illegal_characters():
    wb = Workbook()
    put(wb.active, row=2, column=3, value="=1+1")
    put(wb.active, row=3, column=1, value="a\x00b\x1bc\ud800")
    ws = _reopen(wb).active
    assert (ws["C2"].value, ws["C2"].data_type) == ("=1+1", "s")
    assert ws["A3"].value == "abc"


def test_sheet_value_and_csv_text():
    assert sheet_value("ок\x01") == "ок" and sheet_value(5) == 5
    assert [csv_text(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert csv_text("текст") == "текст" and csv_text(-1) == -1


def test_error_report_copies_formulas_and_control_characters_as_text(tmp_path):
    path = tmp_path / "Педагоги.csv"
    path.write_text('Код педагога;ФИО\nT1;=HYPERLINK("http://x","y")\n', encoding="utf-8")
    problems = [
        {"sheet": "Педагоги", "row": 2, "column": "ФИО", "value": "=1+1", "message": "ошибка"},
        {"sheet": "Педагоги", "row": 2, "column": "ФИО", "value": "Иван\x01ов", "message": "ошибка"},
    ]
    with path.open("rb") as handle:
        content = error_workbook(source=handle, filename=path.name, problems=problems)
    book = load_workbook(io.BytesIO(content))
    cells = {c.value: c.data_type for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells['=HYPERLINK("http://x","y")'] == "s" and cells["=1+1"] == "s"
    assert "Иванов" in cells  # the control character was dropped, not a failed download
    assert "f" not in cells.values()


@pytest.mark.django_db
def test_staffing_template_writes_the_schools_texts_as_text(world):
    world.teacher_a.full_name = FORMULAS[0]
    world.teacher_a.save()
    factories.StaffingRowFactory(period=world.period, school=world.school_a, position="=1+1")
    book = load_workbook(io.BytesIO(submissions.staffing_template(school=world.school_a, period=world.period).content))
    cells = {c.value: c.data_type for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[FORMULAS[0]] == "s" and cells["=1+1"] == "s"
