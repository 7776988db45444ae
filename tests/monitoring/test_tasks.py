"""Celery doors: eager on the embedded default, and through a real worker on Redis."""

from __future__ import annotations

import pytest

from monitoring import models
from monitoring.tasks import period_create_task


@pytest.mark.django_db
def test_period_task_runs_the_service_eagerly():
    period_id = period_create_task.delay(2030).get()
    period = models.MonitoringPeriod.objects.get(pk=period_id)
    assert period.year == 2030 and period.plan_items.count() == 9


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_period_task_through_a_real_worker():
    """A worker thread consuming from the real Redis broker writes to the test database."""
    from celery.contrib.testing.worker import start_worker

    from monitoring.config.celery import app

    assert not app.conf.task_always_eager
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        result = period_create_task.delay(2031)
        period_id = result.get(timeout=60)
        # Idempotent: a redelivered task changes nothing.
        assert period_create_task.delay(2031).get(timeout=60) == period_id
    assert models.MonitoringPeriod.objects.filter(year=2031).count() == 1
    assert models.MonitoringPlanItem.objects.filter(period_id=period_id).count() == 9
