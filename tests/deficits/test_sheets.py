"""The `Диагностика` sheet: bulk results from an external form, scored by the same service."""

from __future__ import annotations

import pytest

from deficits.models import Diagnostic, GroupResult
from monitoring.package.importer import package_import
from monitoring.services import period_create
from tests.monitoring.package.test_importer import snapshot
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
