"""After an applied import the period is recomputed by itself, once per burst; values are stale after a change of
their inputs, the period's edition (definitions, targets) among them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators import services
from indicators.declarative.services import definition_save
from indicators.models import ComputationRun, IndicatorValue, PeriodIndicator, RunStatus, RunTrigger
from monitoring import models
from monitoring.intake.jobs import import_job_apply, import_job_create
from monitoring.shared import extensions
from tests import factories
from tests.indicators.helpers import DECLARED, declared_spec
from tests.paths import SPEC

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "on_commit_now")]


@pytest.fixture
def world(world):
    models.Region.objects.update(code="R15")  # the sample package's region
    return world


def _apply(world):
    upload = SimpleUploadedFile("sample-package.zip", (SPEC / "sample-package.zip").read_bytes())
    job = import_job_create(kind=models.ImportKind.PACKAGE, period=world.period, user=world.analyst, file=upload)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.CHECKED, job.problems[:3]
    return import_job_apply(job=job, user=world.analyst)


def test_an_applied_import_schedules_a_run_that_computes_the_period(world):
    assert services.computation_schedule_after_import in extensions.callables("import_applied")
    job = _apply(world)
    assert job.status == models.ImportStatus.APPLIED and job.applied_at is not None
    run = ComputationRun.objects.get()
    assert (run.trigger, run.status, run.user) == ("import", RunStatus.DONE, world.analyst)
    assert run.inputs["imports"] == [job.pk]
    assert IndicatorValue.objects.filter(period=world.period, indicator__code="1.1", level="region").exists()
    assert not services.is_stale(world.period)


def test_imports_arriving_while_a_run_waits_join_it(world):
    waiting = ComputationRun.objects.create(period=world.period, trigger="import")  # queued, not yet started
    _apply(world)
    assert list(ComputationRun.objects.all()) == [waiting]
    assert services.is_stale(world.period)


def test_a_hand_edit_of_a_school_makes_the_open_periods_values_stale(world):
    # The institute flips a school's ШНОР flag in the admin: who the ШНОР indicators count changed.
    ComputationRun.objects.create(period=world.period, status=RunStatus.DONE, trigger="manual")
    assert not services.is_stale(world.period)
    school = models.School.objects.get(pk=world.school_a.pk)
    school.low_results = not school.low_results
    school.save()
    assert services.is_stale(world.period)


def test_a_hand_edit_leaves_a_closed_periods_values_as_computed(world):
    ComputationRun.objects.create(period=world.period, status=RunStatus.DONE, trigger="manual")
    models.MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=models.PeriodStatus.CLOSED)
    world.period.refresh_from_db()
    teacher = models.Teacher.objects.first()
    teacher.last_name = "Исправлена"
    teacher.save()
    assert not services.is_stale(world.period)


# -- the period's edition is an input too ----------------------------------------------------------


def test_a_definition_saved_or_a_target_changed_makes_the_values_stale(world):
    factories.DiagnosticFactory(teacher=world.teacher_a, submit=True, scores={"ИКТ": 21})
    # Saved with its computation (the builder's way): the run it starts is the one after the change.
    definition_save(period=world.period, data=declared_spec(), user=world.analyst)
    run = ComputationRun.objects.get()
    assert (run.trigger, run.get_trigger_display(), run.status) == (
        RunTrigger.DEFINITION,
        "после изменения показателя",
        RunStatus.DONE,
    )
    assert IndicatorValue.objects.filter(period=world.period, indicator__code=DECLARED, level="region").exists()
    assert not services.is_stale(world.period)
    # Saved again without computing: the stored values are not this definition's.
    definition_save(period=world.period, data=declared_spec(threshold="60"), user=world.analyst, compute=False)
    assert services.is_stale(world.period)
    services.computation_start(period=world.period, user=world.analyst)
    assert not services.is_stale(world.period)
    # A coded indicator's target changed (the admin saves the row): findings are judged anew by a run.
    setting = PeriodIndicator.objects.get(period=world.period, indicator__code="9.1")
    setting.target = Decimal("99")
    setting.save()
    assert services.is_stale(world.period)
    assert services.inputs_changed_at(world.period) == setting.history.latest().history_date


def test_another_periods_edition_leaves_this_ones_values_fresh(world):
    services.computation_start(period=world.period, user=world.analyst)
    other = factories.PeriodFactory(year=2026)
    definition_save(period=other, data=declared_spec(), user=world.analyst, compute=False)
    assert not services.is_stale(world.period) and services.is_stale(other)


def test_chunks_hold_about_as_many_schools_each(world, settings):
    """World: m1 has 2 schools, m2 one; two more municipalities with 6 and 1 schools."""
    m3, m4 = factories.MunicipalityFactory(code="03"), factories.MunicipalityFactory(code="04")
    for _ in range(6):
        factories.SchoolFactory(municipality=m3)
    factories.SchoolFactory(municipality=m4)
    ids = [world.m1.pk, world.m2.pk, m3.pk, m4.pk]
    # Two municipalities a chunk on average, so two chunks: of 3 and 7 schools (9 and 1 would be further from 5 each).
    assert services.municipality_chunks(size=2) == [ids[:2], ids[2:]]
    assert services.municipality_chunks(size=3) == [ids[:2], ids[2:]]  # still two chunks
    assert services.municipality_chunks(size=1) == [[pk] for pk in ids]
    assert services.municipality_chunks(size=4) == [None]  # one step for all
    settings.INDICATOR_CHUNK_MUNICIPALITIES = 0
    assert services.municipality_chunks() == [None]
