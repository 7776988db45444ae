import io

import pytest
from openpyxl import Workbook, load_workbook

from monitoring.package.error_report import BAD, error_workbook
from monitoring.package.importer import package_import
from monitoring.services import period_create
from tests.monitoring.package.test_importer import BAD as BAD_CORPUS

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
