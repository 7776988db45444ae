"""The import service: samples load, re-imports change nothing, bad files change nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.apps import apps

from monitoring import models
from monitoring.intake.package import parsing as p
from monitoring.intake.package.exporter import package_export
from monitoring.intake.package.importer import package_import
from monitoring.services import period_create
from tests.paths import SPEC

pytestmark = pytest.mark.django_db


CORPUS = Path(__file__).resolve().parent / "corpus"
BAD = CORPUS / "bad"


def snapshot(period) -> tuple[dict[str, int], bytes]:
    """Row counts of every monitoring table and the period's full export: equal means unchanged."""
    counts = {m.__name__: m.objects.count() for m in apps.get_app_config("monitoring").get_models()}
    buffer = Path("/tmp") / f"snapshot-{period.year}-{id(counts)}.zip"
    package_export(period=period, path=buffer)
    data = buffer.read_bytes()
    buffer.unlink()
    return counts, data


@pytest.fixture
def period():
    return period_create(year=2025)


@pytest.fixture
def loaded(period):
    result = package_import(source=SPEC / "sample-package.zip", period=period)
    assert result.applied, [str(p) for p in result.problems]
    return period


def test_sample_zip_imports_every_monitoring_sheet(period):
    result = package_import(source=SPEC / "sample-package.zip", period=period)
    assert result.applied and not result.problems
    assert models.School.objects.count() == 9
    assert models.RosterEntry.objects.filter(period=period).count() == 80
    assert result.sheets["Педагоги"].added == 80
    assert result.sheets["Штатное расписание"].added == 20
    # Every sheet of the spec has a home now: the catalog and route sheets import too.
    assert not [w for w in result.warnings if w.message == "неизвестный лист пропущен"]
    assert {name: result.sheets[name].added for name in ("Программы ДПП", "Курсы", "Обучение", "ИОМ")} == {
        "Программы ДПП": 8,
        "Курсы": 16,
        "Обучение": 61,
        "ИОМ": 47,
    }
    assert result.sheets["Мероприятия ИОМ"].added == 114


def test_sample_workbook_gives_the_same_data_as_the_zip(loaded):
    before = snapshot(loaded)
    result = package_import(source=SPEC / "sample-package.xlsx", period=loaded)
    assert result.applied
    assert all(s.added == s.changed == s.removed == 0 for s in result.sheets.values())
    assert snapshot(loaded) == before


def test_reimport_is_idempotent(loaded):
    before = snapshot(loaded)
    result = package_import(source=SPEC / "sample-package.zip", period=loaded)
    assert result.applied
    assert all(s.added == s.changed == s.removed == 0 for s in result.sheets.values())
    # every monitoring, diagnostic, catalog and route row
    assert sum(s.unchanged for s in result.sheets.values()) == 202 + 76 + 8 + 16 + 61 + 47 + 114
    assert snapshot(loaded) == before


def test_values_follow_the_reading_rules(loaded):
    entry = models.RosterEntry.objects.get(period=loaded, teacher__code="T000001")
    assert entry.school.code == "000001"  # leading zeros kept
    assert entry.category == "высшая" and str(entry.category_date) == "2020-10-25"
    staffing = models.StaffingRow.objects.get(period=loaded, school__code="000003", position="учитель")
    assert str(staffing.actual_need) == "25.07" and str(staffing.vacant_positions) == "0.25"
    assoc = models.MethodicalAssociation.objects.get(period=loaded, code="МО-2")
    assert (assoc.criterion_state_policy, assoc.criterion_interaction) == (False, True)  # "Нет", "+"


def test_replace_mode_removes_what_the_package_no_longer_has(loaded, tmp_path):
    package_export(period=loaded, path=tmp_path / "full")
    lines = (tmp_path / "full" / "Конкурсы.csv").read_text(encoding="utf-8-sig").splitlines()
    only = tmp_path / "only"
    only.mkdir()
    (only / "Конкурсы.csv").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    kept = package_import(source=only, period=loaded)
    assert kept.sheets["Конкурсы"].unchanged == 2 and models.CompetitionEntry.objects.count() == 18
    replaced = package_import(source=only, period=loaded, replace=True)
    assert replaced.sheets["Конкурсы"].removed == 16
    assert models.CompetitionEntry.objects.filter(period=loaded).count() == 2


def test_replace_refuses_a_reference_to_a_teacher_it_would_remove(loaded, tmp_path):
    # The «Педагоги» sheet shortened, «Конкурсы» left whole: its rows name teachers the
    # replace would take off the period's roster (this was a KeyError at write time).
    package_export(period=loaded, path=tmp_path / "full")
    teachers = (tmp_path / "full" / "Педагоги.csv").read_text(encoding="utf-8-sig").splitlines()
    competitions = (tmp_path / "full" / "Конкурсы.csv").read_text(encoding="utf-8-sig").splitlines()
    named = {line.split(",")[0] for line in competitions[1:]}
    kept = [line for line in teachers[1:] if line.split(",")[0] not in named]
    folder = tmp_path / "short"
    folder.mkdir()
    (folder / "Педагоги.csv").write_text("\n".join([teachers[0], *kept]) + "\n", encoding="utf-8")
    (folder / "Конкурсы.csv").write_text("\n".join(competitions) + "\n", encoding="utf-8")
    before = snapshot(loaded)
    result = package_import(source=folder, period=loaded, replace=True)
    assert not result.applied
    problem = next(p for p in result.problems if p.sheet == "Конкурсы")
    assert problem.row == 2 and problem.column == "Код педагога" and problem.value in named
    assert "режим замены удалит его из портала" in problem.message
    assert snapshot(loaded) == before
    # Without replace the same folder is fine: the teachers stay on the roster.
    assert package_import(source=folder, period=loaded).applied


def test_dry_run_reports_changes_and_writes_nothing(period):
    result = package_import(source=SPEC / "sample-package.zip", period=period, dry_run=True)
    assert not result.applied and result.sheets["Педагоги"].added == 80
    assert not models.Teacher.objects.exists()


def _problems(result) -> list[str]:
    return [str(p) for p in result.problems]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong-headers", "Лист «Организации», строка 1, столбец «Код ОО»: нет обязательного столбца"),
        ("missing-column", "Лист «Педагоги», строка 1, столбец «Дата рождения»: нет обязательного столбца"),
        (
            "unknown-school",
            "Лист «Педагоги», строка 2, столбец «Код ОО»: Организации с таким кодом нет ни в файле, "
            "ни в портале (значение: «999999»)",
        ),
        (
            "vacant-over-schedule",
            "Лист «Штатное расписание», строка 2, столбец «Вакантных ставок»: вакантных ставок "
            "больше, чем ставок по штату (10) (значение: «12.5»)",
        ),
        ("future-date", "Лист «Конкурсы», строка 2, столбец «Дата»: дата еще не наступила (значение: «01.09.2099»)"),
        ("duplicate-teacher", "Лист «Педагоги», строка 3, столбец «Код педагога»: строка повторяет строку 2"),
        (
            "cp1251-bad-value",
            "Лист «Организации», строка 2, столбец «ШНОР»: ожидается «да» или «нет» "
            "(также 1/0, true/false, +/-) (значение: «возможно»)",
        ),
    ],
)
def test_bad_files_are_refused_with_the_place_and_change_nothing(loaded, case, expected):
    before = snapshot(loaded)
    result = package_import(source=BAD / case, period=loaded)
    assert not result.applied
    assert any(p.startswith(expected) for p in _problems(result)), _problems(result)
    assert snapshot(loaded) == before


def test_wrong_header_is_also_named_as_unknown(loaded):
    result = package_import(source=BAD / "wrong-headers", period=loaded)
    assert any(w.column == "Код школы" and "неизвестный столбец" in w.message for w in result.warnings)


def test_windows_1251_csv_with_semicolons_imports(loaded):
    result = package_import(source=BAD / "cp1251-semicolon", period=loaded)
    assert result.applied, _problems(result)
    school = models.School.objects.get(code="000010")
    assert school.name == "МБОУ «СОШ № 10; корпус 2»" and school.low_results


def test_one_bad_sheet_refuses_the_whole_package(loaded, tmp_path):
    # A good sheet and a bad one in the same zip: nothing of the good one lands either.
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Муниципалитеты.csv", "Код,Наименование\n09,Новый район\n")
        z.writestr("Штатное расписание.csv", (BAD / "vacant-over-schedule" / "Штатное расписание.csv").read_text())
    result = package_import(source=archive, period=loaded)
    assert not result.applied
    assert not models.Municipality.objects.filter(code="09").exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.xlsx", b"<!DOCTYPE html><html><body><table></table></body></html>", "веб-страница (HTML)"),
        ("empty.xlsx", b"", "пуст"),
    ],
)
def test_unreadable_files_get_a_clear_message(loaded, name, content, expected):
    before = snapshot(loaded)
    result = package_import(source=io.BytesIO(content), filename=name, period=loaded)
    assert not result.applied
    assert expected in " ".join(_problems(result))
    assert snapshot(loaded) == before


def test_zip_bomb_is_refused_before_reading(loaded, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("Педагоги.csv", "w", force_zip64=True) as entry:
            chunk = b"0" * (1 << 20)
            for _ in range(300):
                entry.write(chunk)
    before = snapshot(loaded)
    result = package_import(source=bomb, period=loaded)
    assert not result.applied and result.problems
    assert snapshot(loaded) == before


def test_libreoffice_workbooks_import(period):
    for name in ("libreoffice-sample.xlsx", "libreoffice-sample.ods", "libreoffice-sample.xls"):
        result = package_import(source=CORPUS / name, period=period)
        assert result.applied, (name, _problems(result))
        assert models.RosterEntry.objects.filter(period=period).count() == 80


def test_import_query_count_does_not_grow_with_rows(period, tmp_path, django_assert_max_num_queries):
    """Bulk writes: a package of 10 and of 200 teachers take the same number of queries."""

    def package(n: int, folder: Path) -> Path:
        folder.mkdir()
        (folder / "Регион.csv").write_text("Код,Наименование\n34,Волгоградская область\n", encoding="utf-8")
        (folder / "Муниципалитеты.csv").write_text("Код,Наименование\n01,Район\n", encoding="utf-8")
        (folder / "Организации.csv").write_text("Код ОО,Наименование,Код муниципалитета\n000001,Школа,01\n")
        rows = "\n".join(f"T{i:06d},Педагог {i},Ж,01.02.1985,000001,учитель" for i in range(n))
        (folder / "Педагоги.csv").write_text(
            "Код педагога,ФИО,Пол,Дата рождения,Код ОО,Должность\n" + rows + "\n", encoding="utf-8"
        )
        return folder

    small, large = package(10, tmp_path / "s"), package(200, tmp_path / "l")
    with django_assert_max_num_queries(60) as captured:
        assert package_import(source=small, period=period).applied
    models.RosterEntry.objects.all().delete()
    models.Teacher.objects.all().delete()
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert package_import(source=large, period=period).applied


@pytest.mark.parametrize(
    "parse",
    [p.parse_int, p.ranged_int(0, 4), p.parse_decimal, p.ranged_decimal(0), p.parse_code, p.parse_text],
    ids=["int", "ranged_int", "decimal", "ranged_decimal", "code", "text"],
)
@pytest.mark.parametrize(
    "raw",
    [
        [float(i % 4 + 1) for i in range(2000)] + [None],  # a workbook's column of answers
        [float(i % 4) for i in range(1999)] + [-0.0],  # 0.0 and -0.0: one key, two Decimals
        [float(i % 4) for i in range(1000)] + [True, 1, 1.0] * 10,  # equal keys of other types
    ],
    ids=["answers", "signed-zero", "mixed"],
)
def test_column_parse_gives_the_cell_by_cell_values(parse, raw):
    from monitoring.intake.package.importer import _parse_column

    try:
        expected = list(map(parse, raw))
    except p.CellError:
        with pytest.raises(p.CellError):
            _parse_column(parse, raw)
        return
    values, empty = _parse_column(parse, raw)
    assert [(type(v), repr(v)) for v in values] == [(type(v), repr(v)) for v in expected]
    assert empty == (None in expected)
