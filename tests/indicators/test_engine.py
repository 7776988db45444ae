"""The engine's rules: values by unit, roll-up, every org unit, idempotence, chunks, constant queries, runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import engine, services
from indicators.catalog import catalog
from indicators.engine import compute_chunk, compute_period, compute_region, definitions_for, value_of
from indicators.models import ComputationRun, IndicatorValue, PeriodIndicator, RunStatus, Unit
from monitoring.demo import seed_demo
from monitoring.models import MonitoringPeriod, Municipality, PeriodStatus
from tests import factories
from tests.indicators.helpers import d, value

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("unit", "num", "den", "expected"),
    [
        (Unit.PERCENT, 2, 3, "66.67"),
        (Unit.PERCENT, 1, 800, "0.13"),  # 0.125: half-up, not to even
        (Unit.PERCENT, 1, 8, "12.50"),
        (Unit.PERCENT, 0, 5, "0.00"),
        (Unit.PERCENT, 0, 0, None),  # den = 0: empty, never 0 and never an error
        (Unit.AVERAGE, 7, 4, "1.75"),
        (Unit.AVERAGE, 2, 3, "0.67"),
        (Unit.AVERAGE, 5, 0, None),
        (Unit.COUNT, 12, None, "12"),
        (Unit.FLAG, 1, None, "1"),
    ],
)
def test_value_rules(unit, num, den, expected):
    result = value_of(unit, Decimal(num), None if den is None else Decimal(den))
    assert result == (None if expected is None else Decimal(expected))


def test_every_org_unit_of_each_level_gets_a_row(world):
    empty = factories.SchoolFactory(municipality=world.m2, code="000009")  # nobody on its roster
    compute_period(period=world.period, directions=[9])
    assert value(world.period, "9.2", "school", empty.code) == (d(0), d(0), None)
    assert value(world.period, "9.8", "school", empty.code) == (d(0), None, d(0))
    levels = set(IndicatorValue.objects.filter(indicator__code="9.2").values_list("level", "org_code"))
    assert levels == {
        ("school", "000001"),
        ("school", "000002"),
        ("school", "000003"),
        ("school", "000009"),
        ("municipality", "01"),
        ("municipality", "02"),
        ("region", "34"),
    }


def test_recomputing_is_idempotent_and_drops_rows_no_longer_produced(world):
    run = factories.CourseRunFactory(start=dt.date(2025, 3, 1), end=dt.date(2025, 4, 1))
    enrollment = factories.EnrollmentFactory(teacher=world.teacher_a, course=run)
    compute_period(period=world.period)
    first = set(IndicatorValue.objects.values_list("indicator__code", "level", "org_code", "breakdown", "value"))
    assert any(row[0] == "1.5" for row in first)
    compute_period(period=world.period)
    again = set(IndicatorValue.objects.values_list("indicator__code", "level", "org_code", "breakdown", "value"))
    assert again == first
    enrollment.delete()
    compute_period(period=world.period)
    assert not IndicatorValue.objects.filter(indicator__code="1.5").exists()


def test_chunks_by_municipality_give_the_same_values_as_one_pass(world):
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        factories.DiagnosticFactory(teacher=teacher, submit=True, scores={"ИКТ": 21})
    factories.StaffingRowFactory(period=world.period, school=world.school_b, positions_by_schedule=3)
    compute_period(period=world.period)
    whole = set(IndicatorValue.objects.values_list("indicator__code", "level", "org_code", "breakdown", "value"))
    IndicatorValue.objects.all().delete()
    definitions = definitions_for(world.period)
    for chunk in ([world.m1.pk], [world.m2.pk]):
        compute_chunk(period=world.period, definitions=definitions, municipality_ids=chunk)
    compute_region(period=world.period, definitions=definitions)
    chunked = set(IndicatorValue.objects.values_list("indicator__code", "level", "org_code", "breakdown", "value"))
    assert chunked == whole


def test_chunks_of_one_municipality_give_the_one_pass_values_on_the_demo():
    """Every direction on the small demo (teachers who changed schools, drafts, routes, entries of
    other years…): each chunk reads only its own teachers' rows and the values stay the same."""
    seed_demo(size="small", seed=3)
    period = MonitoringPeriod.objects.current()
    compute_period(period=period)
    columns = ("indicator__code", "level", "org_code", "breakdown", "numerator", "denominator", "value")
    whole = set(IndicatorValue.objects.filter(period=period).values_list(*columns))
    IndicatorValue.objects.all().delete()
    definitions = definitions_for(period)
    chunks = services.municipality_chunks(size=1)
    assert len(chunks) == Municipality.objects.count() > 1
    for chunk in chunks:
        compute_chunk(period=period, definitions=definitions, municipality_ids=chunk)
    compute_region(period=period, definitions=definitions)
    chunked = set(IndicatorValue.objects.filter(period=period).values_list(*columns))
    assert chunked == whole
    assert any(code == "1.9" and num for code, _, _, _, num, _, _ in whole)  # deficits were counted


def _region_of(schools: int, world) -> None:
    """``schools`` schools over the two municipalities, each with teachers and their records."""
    for n in range(schools):
        school = factories.SchoolFactory(municipality=world.m1 if n % 2 else world.m2)
        factories.StaffingRowFactory(period=world.period, school=school)
        for _ in range(2):
            teacher = factories.RosterEntryFactory(period=world.period, school=school).teacher
            factories.DiagnosticFactory(teacher=teacher, submit=True, scores={"ИКТ": 15})
            factories.RouteFactory(teacher=teacher)


def _queries(world) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        compute_period(period=world.period)
    return [q["sql"] for q in ctx.captured_queries]


def test_queries_do_not_grow_with_the_number_of_schools(world, django_assert_max_num_queries):
    _region_of(5, world)
    _queries(world)  # the first computation also creates the catalog's rows
    small = _queries(world)
    _region_of(45, world)
    large = _queries(world)
    # Bulk inserts are split by the backend's bind-parameter limit (999 per statement on
    # SQLite), so only the statements that read and delete are compared there; on
    # PostgreSQL one insert carries thousands of rows and every count is the same.
    reads = [q for q in small if not q.lstrip().upper().startswith("INSERT")]
    assert len([q for q in large if not q.lstrip().upper().startswith("INSERT")]) == len(reads)
    if connection.vendor == "postgresql":
        assert len(large) == len(small)
    with django_assert_max_num_queries(len(large)):
        compute_period(period=world.period)


def test_a_closed_period_is_computed_once_and_then_never_again_nor_extended(world, django_capture_on_commit_callbacks):
    world.period.status = PeriodStatus.CLOSED
    world.period.save()
    # Closed before it was ever computed: the first computation is allowed, with the catalog as it is.
    with django_capture_on_commit_callbacks(execute=True):
        services.computation_start(period=world.period)
    assert ComputationRun.objects.get().status == RunStatus.DONE
    PeriodIndicator.objects.filter(period=world.period, indicator__code="9.2").delete()
    assert "9.2" not in engine.period_edition(world.period)  # the catalog moved on; the closed edition did not
    with pytest.raises(services.ClosedPeriod):
        services.computation_start(period=world.period)
    assert ComputationRun.objects.count() == 1


def test_an_open_period_uses_the_catalog_with_its_default_targets(world):
    edition = engine.period_edition(world.period)
    assert set(edition) == {defn.code for defn in catalog()}
    assert edition["1.2"].target == Decimal(100)
    assert edition["9.3"].higher_is_better is False
    assert edition["9.3"].misses(Decimal("31")) and not edition["9.3"].misses(Decimal("30"))
    assert not edition["9.3"].misses(None)


def test_a_run_records_progress_timing_inputs_and_freshness(world, django_capture_on_commit_callbacks):
    assert services.is_stale(world.period)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.computation_start(period=world.period, user=world.analyst)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.steps_done == run.steps_total == len({d.direction for d in catalog()}) + 1
    assert set(run.timings) == {f"direction {n}" for n in {d.direction for d in catalog()}} | {"region"}
    assert run.values_written == IndicatorValue.objects.filter(period=world.period).count() > 0
    assert run.inputs["imports"] == []
    assert not services.is_stale(world.period)
    factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 4, 1), submit=True)
    assert services.is_stale(world.period)


def test_a_failing_step_marks_the_run_failed(world, monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("диск переполнен")

    monkeypatch.setattr(engine, "compute_region", broken)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.computation_start(period=world.period)
    run = ComputationRun.objects.get()
    assert run.status == RunStatus.FAILED and "диск переполнен" in run.error
