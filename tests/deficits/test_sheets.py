"""The `Диагностика` sheet: bulk results from an external form, scored by the same service."""

from __future__ import annotations

import json

import pytest

from deficits.models import Diagnostic, GroupResult, Instrument
from deficits.scoring import DEFAULT_INSTRUMENT, instrument_load
from monitoring.intake.package.importer import package_import
from monitoring.services import period_create
from tests.monitoring.intake.package.test_importer import snapshot
from tests.paths import SPEC

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    period = period_create(year=2025)
    result = package_import(source=SPEC / "sample-package.zip", period=period)
    assert result.applied, [str(p) for p in result.problems[:5]]
    return period, result


def test_sample_diagnostics_are_imported_and_scored(loaded):
    _, result = loaded
    assert result.sheets["Диагностика"].added == 76
    first = Diagnostic.objects.get(teacher__code="T000001", date="2025-02-14")
    assert first.kind == "входная" and first.imported and first.status == "submitted"
    # МЕТ answers of that row: 1,1,2,1,2,3,2,3,3,2 = 20 -> "допустимый", a deficit.
    met = GroupResult.objects.get(diagnostic=first, group_code="МЕТ")
    assert (met.score, met.level, met.is_deficit) == (20, "допустимый", True)
    proj = GroupResult.objects.get(diagnostic=first, group_code="ПРОЕКТ")
    assert (proj.score, proj.level, proj.is_deficit) == (40, "оптимальный", False)
    assert GroupResult.objects.count() == 76 * 6


def test_reimport_changes_nothing(loaded):
    period, _ = loaded
    before = snapshot(period), GroupResult.objects.count()
    again = package_import(source=SPEC / "sample-package.xlsx", period=period)
    assert again.sheets["Диагностика"].unchanged == 76 and again.sheets["Диагностика"].added == 0
    assert (snapshot(period), GroupResult.objects.count()) == before


def test_item_out_of_scale_is_refused_with_its_place(loaded, tmp_path):
    period, _ = loaded
    header = "Код педагога,Дата,Вид," + ",".join(
        f"{g}-{i}" for g in ("МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР") for i in range(1, 11)
    )
    row = ["T000001", "01.03.2025", "промежуточная"] + ["3"] * 60
    row[3 + 14] = "5"  # ТЕХ-5
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "Диагностика.csv").write_text(header + "\n" + ",".join(row) + "\n", encoding="utf-8")
    before = Diagnostic.objects.count()
    result = package_import(source=folder, period=period)
    assert not result.applied
    assert any(
        str(p).startswith("Лист «Диагностика», строка 2, столбец «ТЕХ-5»: ожидается целое число от 1 до 4")
        for p in result.problems
    ), [str(p) for p in result.problems]
    assert Diagnostic.objects.count() == before


GROUPS = ("МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР")
HEADER = "Код педагога,Дата,Вид," + ",".join(f"{g}-{i}" for g in GROUPS for i in range(1, 11))


def _diagnostics_folder(tmp_path, rows: list[tuple[str, str, str, list[int]]]):
    folder = tmp_path / "pkg"
    folder.mkdir()
    lines = [HEADER] + [",".join([code, date, kind, *map(str, answers)]) for code, date, kind, answers in rows]
    (folder / "Диагностика.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_changed_and_new_diagnostics_are_scored_with_their_own_edition(loaded, tmp_path):
    period, _ = loaded
    old = Diagnostic.objects.get(teacher__code="T000001", date="2025-02-14")
    # Edition 2 becomes the active one and is stricter: 27 is "пороговый" in it, "допустимый" in edition 1.
    data = json.loads(DEFAULT_INSTRUMENT.read_text(encoding="utf-8"))
    data["version"] = 2
    data["bands"] = [
        {"name": "пороговый", "min": 10, "max": 29, "deficit": True},
        {"name": "оптимальный", "min": 30, "max": 40, "deficit": False},
    ]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    v2 = instrument_load(path=path)
    met_27 = [3] * 7 + [2] * 3 + [4] * 50  # МЕТ sums to 27, every other group to 40
    folder = _diagnostics_folder(
        tmp_path, [("T000001", "14.02.2025", "входная", met_27), ("T000001", "01.03.2025", "итоговая", met_27)]
    )
    result = package_import(source=folder, period=period)
    assert result.applied, [str(p) for p in result.problems[:5]]
    counts = result.sheets["Диагностика"]
    assert (counts.added, counts.changed, counts.unchanged) == (1, 1, 0)
    old.refresh_from_db()
    assert old.instrument_id != v2.pk and old.answers["МЕТ-1"] == 3
    new = Diagnostic.objects.get(teacher__code="T000001", date="2025-03-01")
    assert new.instrument_id == v2.pk and new.imported and new.status == "submitted"
    assert new.answers == dict(zip([f"{g}-{i}" for g in GROUPS for i in range(1, 11)], met_27, strict=True))
    results = {
        (r.diagnostic_id, r.group_code): (r.score, r.level, r.is_deficit)
        for r in GroupResult.objects.filter(diagnostic__in=[old, new])
    }
    assert results[(old.pk, "МЕТ")] == (27, "допустимый", True)
    assert results[(new.pk, "МЕТ")] == (27, "пороговый", True)
    assert results[(new.pk, "КОРР")] == (40, "оптимальный", False)
    assert len(results) == 12
    assert Instrument.objects.get(pk=old.instrument_id).version == 1


def test_replace_removes_diagnostics_of_the_period_not_in_the_package(loaded, tmp_path):
    period, _ = loaded
    kept = Diagnostic.objects.get(teacher__code="T000001", date="2025-02-14")
    answers = [kept.answers[f"{g}-{i}"] for g in GROUPS for i in range(1, 11)]
    in_period = Diagnostic.objects.filter(date__gte=period.start, date__lte=period.end).count()
    before_period = Diagnostic.objects.filter(date__lt=period.start).count()
    assert in_period > 1 and before_period > 0
    folder = _diagnostics_folder(tmp_path, [("T000001", "14.02.2025", "входная", answers)])
    result = package_import(source=folder, period=period, replace=True)
    counts = result.sheets["Диагностика"]
    assert (counts.added, counts.changed, counts.removed, counts.unchanged) == (0, 0, in_period - 1, 1)
    assert list(Diagnostic.objects.filter(date__gte=period.start, date__lte=period.end)) == [kept]
    assert Diagnostic.objects.filter(date__lt=period.start).count() == before_period
    assert GroupResult.objects.filter(diagnostic=kept).count() == 6
