import io

import pytest
from openpyxl import Workbook, load_workbook

from monitoring.intake.package.error_report import BAD, error_workbook
from monitoring.intake.package.importer import package_import
from monitoring.services import period_create
from tests.monitoring.intake.package.test_importer import BAD as BAD_CORPUS

pytestmark = pytest.mark.django_db


def _problems(result):
    from dataclasses import asdict

    return [asdict(p) | {"text": str(p)} for p in result.problems]


def test_bad_cell_of_a_workbook_is_marked_and_commented(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Штатное расписание"
    ws.append(
        [
            "Код ОО",
            "Должность",
            "Ставок по штату",
            "Фактическая потребность в ставках",
            "Вакантных ставок",
            "Вакантных должностей",
        ]
    )
    ws.append(["000001", "учитель", 10, 10, 1, 1])
    ws.append(["000001", "воспитатель", 2, 2, 5, 1])
    ws.append(["=1+1", "психолог", 1, 1, 0, 0])
    ws["A4"].data_type = "s"  # text that looks like a formula, as a user may type it
    path = tmp_path / "шр.xlsx"
    wb.save(path)
    result = package_import(source=path, period=period_create(year=2025))
    assert not result.applied
    report = load_workbook(io.BytesIO(error_workbook(source=path, filename=path.name, problems=_problems(result))))
    assert report.sheetnames == ["Ошибки", "Штатное расписание"]
    sheet = report["Штатное расписание"]
    vacant = sheet["E3"]
    assert vacant.value == 5 and vacant.fill.start_color.rgb.endswith(BAD.start_color.rgb[-6:])
    assert "вакантных ставок больше, чем ставок по штату" in vacant.comment.text
    assert sheet["E2"].comment is None  # good cells stay clean
    # The formula-looking code is kept as text, not a formula.
    assert sheet["A4"].data_type == "s" and sheet["A4"].value == "=1+1"
    listed = [row for row in report["Ошибки"].iter_rows(min_row=2, values_only=True)]
    assert ("Штатное расписание", 3, "Вакантных ставок") in [r[:3] for r in listed]


def test_csv_upload_gets_a_workbook_copy_too():
    path = BAD_CORPUS / "cp1251-bad-value"
    result = package_import(source=path, period=period_create(year=2025))
    report = load_workbook(io.BytesIO(error_workbook(source=path, filename="пакет", problems=_problems(result))))
    cell = report["Организации"]["E2"]
    assert cell.value == "возможно" and "ожидается «да» или «нет»" in cell.comment.text


def test_sheet_names_excel_would_refuse_still_give_a_readable_report():
    """«Штат/расписание[1]» was a server error, a name with a control character an unreadable workbook (item 11)."""
    from monitoring.intake.package.error_report import error_workbook_from_sheets
    from monitoring.intake.package.reader import RawSheet

    names = [
        "Штат/расписание[1]", "Лист\x01", "'в кавычках'", "Очень длинное имя листа, длиннее тридцати одного",
        "Очень длинное имя листа, длиннее тридцати одного знака", "ошибки", "*?:", "",
    ]  # fmt: skip
    sheets = [RawSheet(name=name, headers=["Код"], rows=[(2, ["1"])]) for name in names]
    problems = [{"sheet": name, "row": 2, "column": "Код", "message": "плохо"} for name in names]
    report = load_workbook(io.BytesIO(error_workbook_from_sheets(sheets=sheets, problems=problems)))
    titles = report.sheetnames
    assert titles[0] == "Ошибки" and len(titles) == len(names) + 1
    assert len({t.lower() for t in titles}) == len(titles)
    assert titles[1] == "Штат_расписание_1_" and titles[2] == "Лист" and titles[3] == "в кавычках"
    assert all(0 < len(t) <= 31 for t in titles)
    # Each sheet still carries its marked cell, and the summary names the sheet as uploaded.
    assert all(report[t]["A2"].comment is not None for t in titles[1:])
    assert next(r[0] for r in report["Ошибки"].iter_rows(min_row=2, values_only=True)) == "Штат/расписание[1]"
