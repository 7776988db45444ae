"""Export: the same sheets the import reads, byte-identical twice, and a lossless round trip.

The round trip is the spec's promise (data-package.md, "Export"): the export of a period
carries every row stored for it and every row its indicators read, so that the export
alone, imported into an empty portal, computes the same indicators (export_indicators'
CSV) and exports again byte for byte. The packages tested reach back three years before
the period (and a year after it): runs and enrollments of earlier years (3.16 counts
retraining completed in any year up to the period's end), routes begun earlier and ended
before the period or planned after it, diagnostics of earlier years.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from deficits.models import Campaign, Diagnostic
from indicators.declarative.services import catalog_adopt
from indicators.engine import compute_period
from indicators.models import IndicatorCatalog, PeriodIndicator
from iom.models import CourseRun, Route
from monitoring import models
from monitoring.demo import seed_demo
from monitoring.intake.package.exporter import package_export
from monitoring.intake.package.importer import package_import
from monitoring.intake.package.registry import sheets
from monitoring.services import period_create
from monitoring.shared import extensions
from tests import factories
from tests.paths import SPEC

pytestmark = pytest.mark.django_db


def _empty_the_database() -> None:
    # The apps to the right empty their own tables first (the DPO catalog is not tied to
    # a teacher, so deleting teachers alone would leave it behind).
    for wipe in extensions.callables("demo_wipes"):
        wipe()
    models.User.objects.all().delete()
    models.MonitoringPeriod.objects.all().delete()  # cascades to every per-period row
    models.Teacher.objects.all().delete()
    models.School.objects.all().delete()
    models.Municipality.objects.all().delete()
    models.Region.objects.all().delete()
    assert not CourseRun.objects.exists() and not Diagnostic.objects.exists()


def _sheet_rows(path) -> dict[str, list[tuple]]:
    """Every sheet of a package (a workbook or a zip of CSV), header row first."""
    path = Path(path)
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    with zipfile.ZipFile(path) as archive:
        return {
            Path(name).stem: [tuple(r) for r in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")))]
            for name in archive.namelist()
        }


def _row_counts(path) -> dict[str, int]:
    return {name: len(rows) - 1 for name, rows in _sheet_rows(path).items()}


def _indicators(period) -> str:
    """The period computed, as the spec's export_indicators CSV."""
    compute_period(period=period)
    out = io.StringIO()
    call_command("export_indicators", period=period.year, stdout=out)
    return out.getvalue()


def _three_years_back(period) -> dict[str, set]:
    """Rows of the three years before the period (and one planned after it) for teachers on its roster.

    Returns the natural keys the period's export must carry, by sheet. Teachers without
    pedagogical education retrained in earlier years count in 3.16 of the period.
    """
    y = period.year
    entries = list(models.RosterEntry.objects.filter(period=period).select_related("teacher").order_by("teacher__code"))
    t = [e.teacher for e in entries[:6]]
    models.RosterEntry.objects.filter(pk__in=[e.pk for e in entries[:4]]).update(pedagogical_education=False)

    retraining = factories.ProgramFactory(code="ПП-РЕТРО", kind="ПП", hours=288, positions=["учитель"], groups=["МЕТ"])
    short = factories.ProgramFactory(code="ПК-РЕТРО", kind="ПК", hours=36, groups=["ИКТ"], e_learning=True)
    runs = [
        factories.CourseRunFactory(
            code="К-РЕТРО-1", program=retraining, start=dt.date(y - 3, 2, 1), end=dt.date(y - 3, 6, 30)
        ),
        factories.CourseRunFactory(
            code="К-РЕТРО-2", program=retraining, start=dt.date(y - 2, 9, 1), end=dt.date(y - 2, 12, 20)
        ),
        # A cohort nobody on the roster took, and one of the next year: the catalog's, exported too.
        factories.CourseRunFactory(
            code="К-РЕТРО-3", program=short, start=dt.date(y - 2, 3, 1), end=dt.date(y - 2, 3, 20)
        ),
        factories.CourseRunFactory(
            code="К-РЕТРО-4", program=short, start=dt.date(y + 1, 2, 1), end=dt.date(y + 1, 2, 20)
        ),
        # Begun the year before, ending in the period.
        factories.CourseRunFactory(
            code="К-РЕТРО-5", program=retraining, start=dt.date(y - 1, 9, 1), end=dt.date(y, 5, 30)
        ),
    ]
    enrollments = [
        factories.EnrollmentFactory(teacher=t[0], course=runs[0], satisfaction=5),
        factories.EnrollmentFactory(teacher=t[1], course=runs[1], satisfaction=3),
        factories.EnrollmentFactory(teacher=t[2], course=runs[1], status="отчислен", final_attestation=False),
        factories.EnrollmentFactory(teacher=t[3], course=runs[4], satisfaction=4),
        factories.EnrollmentFactory(teacher=t[4], course=runs[0]),
    ]
    diagnostics = [
        factories.DiagnosticFactory(teacher=t[i], date=dt.date(year, 3, 1 + i), submit=True, scores={"ИКТ": 21 + i})
        for i in range(6)
        for year in (y - 3, y - 2)
    ]
    # Taken early in the next year (the route planned from then rests on it).
    diagnostics.append(factories.DiagnosticFactory(teacher=t[2], date=dt.date(y + 1, 1, 1), submit=True))
    ended = factories.RouteFactory(teacher=t[0], start=dt.date(y - 3, 3, 5), end=dt.date(y - 2, 3, 4))
    running = factories.RouteFactory(
        teacher=t[1], start=dt.date(y - 2, 4, 1), end=dt.date(y + 1, 3, 31), status="draft", corrected=True
    )
    planned = factories.RouteFactory(
        teacher=t[2], start=dt.date(y + 1, 1, 2), end=dt.date(y + 2, 1, 1), status="submitted"
    )
    activities = [
        factories.RouteActivityFactory(
            route=ended, kind="курс", program=retraining, due=dt.date(y - 3, 6, 30), done=True
        ),
        factories.RouteActivityFactory(route=ended, due=dt.date(y - 2, 1, 15), done=True),
        factories.RouteActivityFactory(route=running, kind="экспертная деятельность", due=dt.date(y - 1, 5, 1)),
        factories.RouteActivityFactory(route=running, kind="курс", program=short, due=dt.date(y, 10, 1), done=True),
        factories.RouteActivityFactory(route=running, kind="наставничество", due=dt.date(y, 11, 1)),
        factories.RouteActivityFactory(route=planned, kind="методическое мероприятие", due=dt.date(y + 1, 6, 1)),
    ]
    dmy = "{:%d.%m.%Y}".format
    return {
        "Курсы": {(r.code,) for r in runs},
        "Обучение": {(e.teacher.code, e.course.code) for e in enrollments},
        "Диагностика": {(d.teacher.code, dmy(d.date)) for d in diagnostics},
        "ИОМ": {(r.teacher.code, dmy(r.start)) for r in (ended, running, planned)},
        "Мероприятия ИОМ": {(a.route.teacher.code, dmy(a.route.start), a.kind, dmy(a.due)) for a in activities},
    }


# The columns that name a row of the look-back sheets (the activities': teacher, route start, kind, due).
KEY_COLUMNS = {"Курсы": (0,), "Обучение": (0, 1), "Диагностика": (0, 1), "ИОМ": (0, 1), "Мероприятия ИОМ": (0, 1, 2, 5)}


def _missing(path, expected: dict[str, set]) -> dict[str, set]:
    """Of the ``expected`` keys by sheet, those the package lacks."""
    rows = _sheet_rows(path)
    missing = {}
    for name, keys in expected.items():
        found = {tuple(str(r[i]) for i in KEY_COLUMNS[name]) for r in rows[name][1:]}
        if keys - found:
            missing[name] = keys - found
    return missing


@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
def test_a_three_year_portal_round_trips_through_an_empty_database(tmp_path, suffix):
    seed_demo(size="small", seed=3)
    year = models.MonitoringPeriod.objects.current().year
    period = models.MonitoringPeriod.objects.get(year=year)
    expected = _three_years_back(period)
    # Heads' submissions (8.6) are the portal's own workflow, not rows of any sheet; so are the
    # questionnaires' campaigns and responses (the demo's burnout screening).
    models.SchoolSubmission.objects.all().delete()
    Campaign.objects.all().delete()
    before = _indicators(period)
    retrained = next(line for line in before.splitlines() if line.startswith("3.16,region,"))
    assert int(retrained.split(",")[4]) >= 2  # t0 and t1 of the earlier years at least
    first = tmp_path / f"first{suffix}"
    package_export(period=period, path=first)
    again = tmp_path / f"again{suffix}"
    package_export(period=period, path=again)
    assert again.read_bytes() == first.read_bytes()
    assert _missing(first, expected) == {}
    counts = _row_counts(first)
    assert counts["Курсы"] == CourseRun.objects.count()
    assert counts["ИОМ"] == Route.objects.filter(teacher__roster_entries__period=period).count()

    # The institute's own indicators (the demo adopts a shipped catalog) are not rows of the
    # package: the new period adopts the same catalogs again, as the institute would.
    adopted = set(
        PeriodIndicator.objects.filter(period=period, indicator__catalog__isnull=False).values_list(
            "indicator__catalog__slug", flat=True
        )
    )
    _empty_the_database()
    period = period_create(year=year)
    for catalog in IndicatorCatalog.objects.filter(slug__in=adopted):
        catalog_adopt(period=period, catalog=catalog, user=None, compute=False)
    result = package_import(source=first, period=period)
    assert result.applied, [str(p) for p in result.problems[:5]]
    assert _indicators(period) == before

    second = tmp_path / f"second{suffix}"
    package_export(period=period, path=second)
    assert _row_counts(second) == counts
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
def test_an_imported_package_comes_back_whole_and_computes_the_same(tmp_path, suffix):
    # The spec's sample, imported for 2025, holds runs of 2024 and routes begun from 2022 to 2026.
    source = SPEC / f"sample-package{suffix}"
    period = period_create(year=2025)
    assert package_import(source=source, period=period).applied
    before = _indicators(period)
    first = tmp_path / f"first{suffix}"
    package_export(period=period, path=first)
    # The export carries every sheet; those the sample lacks (optional ones: «Аттестация») come empty.
    sample = _row_counts(SPEC / "sample-package.zip")
    assert _row_counts(first) == {s.name: sample.get(s.name, 0) for s in sheets()}

    _empty_the_database()
    period = period_create(year=2025)
    assert package_import(source=first, period=period).applied
    assert _indicators(period) == before
    second = tmp_path / f"second{suffix}"
    package_export(period=period, path=second)
    assert second.read_bytes() == first.read_bytes()


def test_the_export_reads_each_sheet_in_a_fixed_number_of_queries(tmp_path):
    period = period_create(year=2025)
    assert package_import(source=SPEC / "sample-package.zip", period=period).applied
    with CaptureQueriesContext(connection) as few:
        package_export(period=period, path=tmp_path / "few.zip")
    _three_years_back(period)
    with CaptureQueriesContext(connection) as more:
        package_export(period=period, path=tmp_path / "more.zip")
    assert sum(_row_counts(tmp_path / "more.zip").values()) > sum(_row_counts(tmp_path / "few.zip").values())
    assert len(more) == len(few)


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


def test_text_with_control_characters_already_stored_still_exports(tmp_path):
    # The attack on the restructured portal: a name holding \x01 and ESC (stored before the
    # import refused them) made every workbook export fail. XML cannot carry them: dropped.
    period = period_create(year=2025)
    region = models.Region.objects.create(code="34", name="Волгоградская область")
    models.Municipality.objects.create(region=region, code="01", name="Арт\x01\x1b[31mемьевский район")
    package_export(period=period, path=tmp_path / "p.xlsx")
    assert _sheet_rows(tmp_path / "p.xlsx")["Муниципалитеты"][1][1] == "Арт[31mемьевский район"
