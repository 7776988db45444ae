"""The indicator_catalog command: load, export, adopt, list — each a door to the catalog services."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from indicators.declarative.shipped import SHIPPED_DIR
from indicators.models import Indicator, IndicatorCatalog, IndicatorValue, PeriodIndicator
from monitoring.models import PeriodStatus

pytestmark = pytest.mark.django_db
SMOLENSK = SHIPPED_DIR / "smolensk-2020.json"


def run(*args) -> str:
    out = io.StringIO()
    call_command("indicator_catalog", *args, stdout=out)
    return out.getvalue()


def test_load_list_export(tmp_path):
    assert "smolensk-2020: загружен, показателей 3" in run("load", str(SMOLENSK))
    assert run("list").splitlines() == [
        "smolensk-2020\t3\tМониторинг качества дополнительного профессионального образования педагогических "
        "работников (Смоленская область)"
    ]
    target = tmp_path / "out.json"
    run("export", "smolensk-2020", "-o", str(target))
    exported = json.loads(target.read_text(encoding="utf-8"))
    shipped = json.loads(SMOLENSK.read_text(encoding="utf-8"))
    assert exported["catalog"] == shipped["catalog"]
    assert [i["code"] for i in exported["indicators"]] == ["С.1", "С.2", "С.3"]
    assert exported["indicators"][1]["numerator"] == shipped["indicators"][1]["numerator"]
    # The texts travel with the file.
    key = lambda t: (t["indicator"], t["kind"], t["addressee"], t["text"])  # noqa: E731
    assert sorted(map(key, exported["texts"])) == sorted(map(key, shipped["texts"]))
    # Without -o the file goes to stdout.
    assert json.loads(run("export", "smolensk-2020"))["catalog"]["slug"] == "smolensk-2020"


def test_load_shipped_twice():
    first = run("load", "--shipped")
    assert first.count(": загружен") == 5
    assert run("load", "--shipped").count(": без изменений") == 5
    assert IndicatorCatalog.objects.count() == 5


def test_adopt_into_a_period_and_compute(world, django_capture_on_commit_callbacks):
    run("load", str(SMOLENSK))
    with django_capture_on_commit_callbacks(execute=True):
        assert "принято показателей 3; расчет запущен" in run("adopt", "smolensk-2020", "--year", "2025")
    assert PeriodIndicator.objects.filter(period=world.period, indicator__catalog__slug="smolensk-2020").count() == 3
    # The computation ran once the adoption committed (Celery is eager in tests).
    assert IndicatorValue.objects.filter(period=world.period, indicator__code="С.1").exists()


def test_adopt_without_computing(world):
    run("load", str(SMOLENSK))
    assert run("adopt", "smolensk-2020", "--year", "2025", "--no-compute").endswith("принято показателей 3\n")


def test_refusals_are_command_errors(tmp_path, world):
    bad = tmp_path / "bad.json"
    data = json.loads(SMOLENSK.read_text(encoding="utf-8"))
    data["indicators"][0]["population"] = "users"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Показатель 1 \(С\.1\): Совокупность: «users»"):
        run("load", str(bad))
    with pytest.raises(CommandError, match="Набора «smolensk-2020» нет"):
        run("adopt", "smolensk-2020", "--year", "2025")
    run("load", str(SMOLENSK))
    world.period.status = PeriodStatus.CLOSED
    world.period.save()
    with pytest.raises(CommandError, match="Период 2025 закрыт"):
        run("adopt", "smolensk-2020", "--year", "2025")
    with pytest.raises(CommandError, match="Периода 2031 нет"):
        run("adopt", "smolensk-2020", "--year", "2031")
    with pytest.raises(CommandError, match="Укажите файл"):
        run("load")


def test_load_a_known_catalog_only_with_replace(tmp_path):
    run("load", str(SMOLENSK))
    data = json.loads(SMOLENSK.read_text(encoding="utf-8"))
    data["indicators"] = data["indicators"][:2]
    data["texts"] = [t for t in data.get("texts", []) if t["indicator"] in {"С.1", "С.2"}]
    smaller = tmp_path / "smaller.json"
    smaller.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Набор .* \(smolensk-2020\) уже есть в портале"):
        run("load", str(smaller))
    assert IndicatorCatalog.objects.get(slug="smolensk-2020").indicators.count() == 3
    assert "smolensk-2020: загружен, показателей 2" in run("load", str(smaller), "--replace")
    assert Indicator.objects.get(code="С.3").catalog is None
