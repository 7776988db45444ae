"""A computation run through a real Celery worker on Redis: the chord completes, values match."""

from __future__ import annotations

import time

import pytest

from indicators import services
from indicators.engine import compute_period
from indicators.models import ComputationRun, IndicatorValue, RunStatus
from tests import factories


def _values():
    return set(IndicatorValue.objects.values_list("indicator__code", "level", "org_code", "breakdown", "value"))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_run_through_a_real_worker_gives_the_in_process_values(world, settings):
    from celery.contrib.testing.worker import start_worker

    from monitoring.config.celery import app

    assert not app.conf.task_always_eager and app.conf.broker_url.startswith("redis://")
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        factories.DiagnosticFactory(teacher=teacher, submit=True, scores={"КОРР": 19})
    factories.StaffingRowFactory(period=world.period, school=world.school_a)
    compute_period(period=world.period)
    expected = _values()
    IndicatorValue.objects.all().delete()

    # One step per direction and municipality, as a country-size database would run.
    settings.INDICATOR_CHUNK_MUNICIPALITIES = 1
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        run = services.computation_start(period=world.period, user=world.analyst)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (RunStatus.DONE, RunStatus.FAILED):
                break
            time.sleep(0.2)
    assert run.status == RunStatus.DONE, run.error
    directions = len({key.split()[1] for key in run.timings if key.startswith("direction")})
    assert run.steps_total == run.steps_done == directions * 2 + 1  # two municipalities, then the region
    assert _values() == expected
    assert ComputationRun.objects.count() == 1
