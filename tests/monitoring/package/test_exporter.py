"""Export: the same sheets the import reads, byte-identical twice, and a lossless round trip."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from monitoring import models
from monitoring.demo import DEMO_WIPES, seed_demo
from monitoring.package.exporter import package_export
from monitoring.package.importer import package_import
from monitoring.package.registry import sheets
from monitoring.services import period_create

pytestmark = pytest.mark.django_db


def _empty_the_database() -> None:
    # The apps to the right empty their own tables first (the DPO catalog is not tied to
    # a teacher, so deleting teachers alone would leave it behind).
    for wipe in DEMO_WIPES:
        wipe()
    models.User.objects.all().delete()
    models.MonitoringPeriod.objects.all().delete()  # cascades to every per-period row
    models.Teacher.objects.all().delete()
    models.School.objects.all().delete()
    models.Municipality.objects.all().delete()
    models.Region.objects.all().delete()


def _sheet_rows(path) -> dict[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
def test_demo_round_trips_through_an_empty_database(tmp_path, suffix):
    seed_demo(size="small", seed=3)
    year = models.MonitoringPeriod.objects.current().year
    first = tmp_path / f"first{suffix}"
    package_export(period=models.MonitoringPeriod.objects.get(year=year), path=first)
    teachers = models.RosterEntry.objects.filter(period__year=year).count()

    _empty_the_database()
    period = period_create(year=year)
    result = package_import(source=first, period=period)
    assert result.applied, [str(p) for p in result.problems[:5]]
    assert models.RosterEntry.objects.filter(period=period).count() == teachers

    second = tmp_path / f"second{suffix}"
    package_export(period=period, path=second)
    assert second.read_bytes() == first.read_bytes()


def test_two_exports_are_byte_identical_and_carry_every_sheet(tmp_path):
    seed_demo(size="small", seed=1)
    period = models.MonitoringPeriod.objects.current()
    package_export(period=period, path=tmp_path / "a.xlsx")
    package_export(period=period, path=tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    rows = _sheet_rows(tmp_path / "a.xlsx")
    assert list(rows) == [s.name for s in sheets()]
    for sheet in sheets():
        assert list(rows[sheet.name][0]) == [c.title for c in sheet.columns]
    codes = [r[0] for r in rows["Педагоги"][1:]]
    assert codes == sorted(codes)  # ordered by code


def test_formula_looking_text_is_never_a_formula(tmp_path):
    period = period_create(year=2025)
    region = models.Region.objects.create(code="34", name="Волгоградская область")
    mun = models.Municipality.objects.create(region=region, code="01", name='=HYPERLINK("http://x","y")')
    package_export(period=period, path=tmp_path / "p.xlsx")
    with zipfile.ZipFile(tmp_path / "p.xlsx") as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml  # no formula cell anywhere
    assert _sheet_rows(tmp_path / "p.xlsx")["Муниципалитеты"][1][1] == mun.name

    package_export(period=period, path=tmp_path / "csv")
    text = (tmp_path / "csv" / "Муниципалитеты.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    # …and the import reads the escaped text back as it was.
    mun.name = "другое"
    mun.save()
    assert package_import(source=tmp_path / "csv", period=period).applied
    mun.refresh_from_db()
    assert mun.name == '=HYPERLINK("http://x","y")'
