"""«Аттестация»: the register of the period's attestations, read, refused cell by cell, merged or replaced, exported."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring import models
from monitoring.intake.package.exporter import package_export
from monitoring.intake.package.importer import package_import
from monitoring.intake.package.parsing import CellError
from monitoring.intake.package.sheets.attestation import parse_result
from monitoring.services import period_create
from tests.paths import SPEC

pytestmark = pytest.mark.django_db

SHEET = "Аттестация"
HEADER = "Код педагога,Категория,Дата заявления,Дата решения,Результат"


@pytest.fixture
def loaded():
    period = period_create(year=2025)
    result = package_import(source=SPEC / "sample-package.zip", period=period)
    assert result.applied, [str(p) for p in result.problems]
    return period


def _package(tmp_path, lines: list[str], name: str = "pkg"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{SHEET}.csv").write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return folder


def _register(period) -> list[tuple]:
    rows = models.Attestation.objects.filter(period=period).order_by("teacher__code", "applied_on")
    return list(rows.values_list("teacher__code", "category", "applied_on", "decided_on", "result"))


def _problems(result) -> list[str]:
    return [str(p) for p in result.problems if p.sheet == SHEET]


def test_results_are_read_in_any_case_and_by_the_long_labels_too():
    assert parse_result("установлена") == models.AttestationResult.ASSIGNED
    assert parse_result("  На   Рассмотрении ") == models.AttestationResult.PENDING
    assert parse_result("ОТКАЗАНО") == models.AttestationResult.REFUSED
    assert parse_result("Заявление отозвано") == models.AttestationResult.WITHDRAWN
    assert parse_result("") is None
    with pytest.raises(CellError) as refused:
        parse_result("assigned")
    assert str(refused.value) == "допустимые значения: «на рассмотрении», «установлена», «отказано», «отозвано»"


def test_the_sheet_is_read_into_the_register(loaded, tmp_path):
    folder = _package(
        tmp_path,
        [
            "T000001,высшая,15.01.2025,12.03.2025,Установлена",
            "T000002,Первая,2025-02-01,,на рассмотрении",
            "T000003,первая,01.03.2025,20.04.2025,отказано",
            "T000004,высшая,10.03.2025,,ОТОЗВАНО",
        ],
    )
    result = package_import(source=folder, period=loaded)
    assert result.applied, [str(p) for p in result.problems]
    assert result.sheets[SHEET].added == 4
    assert _register(loaded) == [
        ("T000001", "высшая", dt.date(2025, 1, 15), dt.date(2025, 3, 12), "assigned"),
        ("T000002", "первая", dt.date(2025, 2, 1), None, "pending"),
        ("T000003", "первая", dt.date(2025, 3, 1), dt.date(2025, 4, 20), "refused"),
        ("T000004", "высшая", dt.date(2025, 3, 10), None, "withdrawn"),
    ]
    # The import's preview names the teacher and shows the result by its label.
    added = {row["name"] for row in result.previews[SHEET]["added"]}
    assert any(name.startswith("Кузнецов Заур") for name in added)


def test_every_bad_cell_is_named_with_its_row_and_column(loaded, tmp_path):
    folder = _package(
        tmp_path,
        [
            "T000001,высшая,15.03.2025,12.03.2025,установлена",  # 2: decided before the application
            "T999999,первая,15.01.2025,,на рассмотрении",  # 3: not on the roster
            "T000002,вторая,15.01.2025,,на рассмотрении",  # 4: no such category
            "T000003,первая,15.01.2025,10.02.2025,на рассмотрении",  # 5: pending with a decision
            "T000004,первая,15.01.2025,,установлена",  # 6: assigned without a decision date
            "T000005,первая,31.02.2025,,отозвано",  # 7: no such day
            "T000006,первая,15.01.1999,,отозвано",  # 8: before 2000
            "T000007,первая,15.01.2099,,на рассмотрении",  # 9: not yet
            "T000008,первая,15.01.2025,,принято",  # 10: no such result
            "T000009,первая,,,отказано",  # 11: the application's date missing
            "T000001,первая,15.06.2023,,отозвано",  # 12: filed two years before the register's year
        ],
    )
    result = package_import(source=folder, period=loaded)
    assert not result.applied
    assert sorted(_problems(result), key=lambda text: int(text.split("строка ")[1].split(",")[0])) == [
        "Лист «Аттестация», строка 2, столбец «Дата решения»: решение не может быть принято раньше заявления "
        "(15.03.2025) (значение: «12.03.2025»)",
        "Лист «Аттестация», строка 3, столбец «Код педагога»: Педагога в списке периода с таким кодом нет "
        "ни в файле, ни в портале (значение: «T999999»)",
        "Лист «Аттестация», строка 4, столбец «Категория»: допустимые значения: «первая», «высшая» "
        "(значение: «вторая»)",
        "Лист «Аттестация», строка 5, столбец «Дата решения»: у заявления «на рассмотрении» не может быть даты "
        "решения: укажите результат решения или очистите дату (значение: «10.02.2025»)",
        "Лист «Аттестация», строка 6, столбец «Дата решения»: для результата «установлена» укажите дату решения "
        "аттестационной комиссии",
        "Лист «Аттестация», строка 7, столбец «Дата заявления»: такой даты нет в календаре (значение: «31.02.2025»)",
        "Лист «Аттестация», строка 8, столбец «Дата заявления»: дата заявления должна быть не раньше 2000 года "
        "(значение: «15.01.1999»)",
        "Лист «Аттестация», строка 9, столбец «Дата заявления»: дата еще не наступила (значение: «15.01.2099»)",
        "Лист «Аттестация», строка 10, столбец «Результат»: допустимые значения: «на рассмотрении», «установлена», "
        "«отказано», «отозвано» (значение: «принято»)",
        "Лист «Аттестация», строка 11, столбец «Дата заявления»: обязательное поле не заполнено",
        "Лист «Аттестация», строка 12, столбец «Дата заявления»: реестр 2025 года: дата заявления должна быть "
        "в 2024 или 2025 году (значение: «15.06.2023»)",
    ]
    assert _register(loaded) == []


def test_a_package_without_the_sheet_leaves_the_register_alone(loaded, tmp_path):
    register = _package(tmp_path, ["T000001,высшая,15.01.2025,12.03.2025,установлена"])
    assert package_import(source=register, period=loaded).applied
    before = _register(loaded)
    for replace in (False, True):
        result = package_import(source=SPEC / "sample-package.zip", period=loaded, replace=replace)
        assert result.applied and SHEET not in result.sheets
        assert _register(loaded) == before


def test_a_merge_keeps_the_rows_the_file_lacks_and_replace_removes_them(loaded, tmp_path):
    first = _package(
        tmp_path,
        ["T000001,высшая,15.01.2025,,на рассмотрении", "T000002,первая,01.02.2025,01.04.2025,установлена"],
        "first",
    )
    assert package_import(source=first, period=loaded).applied
    # The decision on T000001's application arrives: the same row (teacher and date) changes.
    decided = _package(tmp_path, ["T000001,высшая,15.01.2025,12.03.2025,установлена"], "decided")
    merged = package_import(source=decided, period=loaded)
    assert (merged.sheets[SHEET].changed, merged.sheets[SHEET].removed) == (1, 0)
    assert [(code, result) for code, _, _, _, result in _register(loaded)] == [
        ("T000001", "assigned"),
        ("T000002", "assigned"),
    ]
    replaced = package_import(source=decided, period=loaded, replace=True)
    assert (replaced.sheets[SHEET].unchanged, replaced.sheets[SHEET].removed) == (1, 1)
    assert [code for code, *_ in _register(loaded)] == ["T000001"]


def test_the_export_writes_the_register_back_as_the_import_reads_it(loaded, tmp_path):
    lines = [
        "T000001,высшая,15.01.2025,12.03.2025,установлена",
        "T000002,первая,01.02.2025,,на рассмотрении",
        "T000003,первая,01.03.2025,20.04.2025,отказано",
        "T000003,высшая,01.09.2025,,отозвано",
    ]
    assert package_import(source=_package(tmp_path, lines), period=loaded).applied
    package_export(period=loaded, path=tmp_path / "out", sheet_names=[SHEET])
    text = (tmp_path / "out" / f"{SHEET}.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == [HEADER, *lines]
    stored = _register(loaded)
    models.Attestation.objects.all().delete()
    again = package_import(source=tmp_path / "out", period=loaded)
    assert again.applied and again.sheets[SHEET].added == 4
    assert _register(loaded) == stored


def test_the_format_page_describes_the_sheet(client, world):
    client.force_login(world.analyst)
    html = client.get("/imports/format/").content.decode()
    sheet = html[html.index(f">{SHEET}</h2>") :]
    sheet = sheet[: sheet.index("</table>")]
    assert [c for c in HEADER.split(",") if f"<td>{c}</td>" in sheet] == HEADER.split(",")
    # Required: all but the decision's date.
    assert sheet.count("<td>да</td>") == 4
