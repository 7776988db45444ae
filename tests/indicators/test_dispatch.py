"""Computations and the queue: started while it is down, sent again, delivered twice, left by a dead worker."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.app.task import Task
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from indicators import services
from indicators.models import ComputationRun, IndicatorValue, RunStatus
from indicators.tasks import fail_stale_runs_task, run_computation_task
from monitoring.shared import dispatch, extensions
from tests import factories
from tests.broker import broker_down

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]

LATER = dt.timedelta(minutes=2)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # re-send marks and the runs' signs of life live in the cache
    yield
    cache.clear()


@pytest.fixture
def world(world):
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        factories.DiagnosticFactory(teacher=teacher, submit=True)
    return world


def _values():
    return set(IndicatorValue.objects.values_list("indicator__code", "level", "org_code", "breakdown", "value"))


def test_a_computation_started_while_the_queue_is_down_waits_and_runs_when_it_is_back(client, world, monkeypatch):
    client.force_login(world.analyst)
    with broker_down(monkeypatch) as tried:
        response = client.post(reverse("indicator-compute"), {"period": 2025})
        page = client.get(response.url).content.decode()
    run = ComputationRun.objects.get()
    assert response.status_code == 302 and tried == ["indicators.tasks.run_computation"]
    assert f"Расчет показателей за 2025 год (№{run.pk}): {dispatch.QUEUE_DOWN_MESSAGE}" in page
    assert "год запущен" not in page
    assert run.status == RunStatus.QUEUED and not IndicatorValue.objects.exists()
    assert f"Расчет №{run.pk} ожидает запуска" in page  # the dashboard shows it waiting

    assert dispatch.redispatch_waiting(now=timezone.now() + LATER) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and IndicatorValue.objects.filter(period=world.period).exists()


def test_the_command_says_the_run_waits_for_the_queue(world, monkeypatch):
    with broker_down(monkeypatch), pytest.raises(CommandError, match="Очередь задач временно недоступна"):
        call_command("compute_indicators", "--period", "2025", verbosity=0)
    assert ComputationRun.objects.get().status == RunStatus.QUEUED


def test_an_imports_run_is_sent_again_only_after_its_debounce(world):
    manual = ComputationRun.objects.create(period=world.period, trigger="manual")
    after_import = ComputationRun.objects.create(period=world.period, trigger="import")
    ComputationRun.objects.create(period=world.period, status=RunStatus.RUNNING)
    now = timezone.now()

    def waiting(at):
        oldest, newest = at - dispatch.GIVE_UP_AFTER, at - dispatch.WAITING_AFTER
        return [args[0] for _, args in services.waiting_runs((oldest, newest))]

    assert waiting(now) == []
    assert waiting(now + LATER) == [manual.pk]  # the import's run is still in its two minutes
    assert sorted(waiting(now + LATER + dt.timedelta(seconds=services.DEBOUNCE_SECONDS))) == [
        manual.pk,
        after_import.pk,
    ]


def test_a_run_delivered_twice_is_computed_once(world):
    run = services.computation_start(period=world.period)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    before = (run.steps_done, run.values_written, run.finished_at)
    expected = _values()
    assert run_computation_task.apply((run.pk,)).get() == 0  # the second delivery finds it taken
    run.refresh_from_db()
    assert (run.steps_done, run.values_written, run.finished_at) == before and run.steps_done == run.steps_total
    assert _values() == expected


def test_steps_that_cannot_be_sent_put_the_run_back_in_the_queue(world, monkeypatch):
    def refused(header):
        raise OperationalError("Connection refused.")

    run = ComputationRun.objects.create(period=world.period)
    with monkeypatch.context() as patch:
        patch.setattr("indicators.tasks.chord", refused)
        with pytest.raises(OperationalError):
            run_computation_task(run.pk)  # the worker took the run, then lost the broker
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.started_at is None
    assert dispatch.redispatch_waiting(now=timezone.now() + LATER) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_a_run_whose_worker_died_is_marked_failed_and_its_late_steps_do_nothing(world, settings):
    settings.INDICATOR_RUN_STALE_SECONDS = 600
    dead = ComputationRun.objects.create(period=world.period)
    assert services.run_begin(run_id=dead.pk, steps=9)
    alive = ComputationRun.objects.create(period=world.period)
    services.run_begin(run_id=alive.pk, steps=9)
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    ComputationRun.objects.filter(pk__in=[dead.pk, alive.pk]).update(started_at=hour_ago)
    cache.delete(services._alive_key(dead.pk))  # its worker was killed an hour ago: no sign of life since
    services.run_chunk(run_id=alive.pk, direction=1, municipality_ids=None)  # a step just ran

    assert fail_stale_runs_task.apply().get() == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == RunStatus.FAILED and dead.error.startswith("Расчет прерван")
    assert alive.status == RunStatus.RUNNING
    # Redis delivers the killed step again an hour later: the given-up run stays as it is.
    IndicatorValue.objects.all().delete()
    assert services.run_chunk(run_id=dead.pk, direction=1, municipality_ids=None) == 0
    assert services.run_finish(run_id=dead.pk).status == RunStatus.FAILED
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and not IndicatorValue.objects.exists()


def test_beat_fails_stale_runs_every_minute(settings):
    from celery.schedules import crontab

    from monitoring.config.celery import app

    entries = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["indicators.tasks.fail_stale_runs"] == crontab()
    assert "indicators.tasks.fail_stale_runs" in app.tasks
    assert extensions.callables("waiting_work").count(services.waiting_runs) == 1


def test_a_send_refused_by_the_broker_does_not_reach_the_caller(world, monkeypatch):
    # The import hook schedules a run from a worker: a refused send there must not fail the import.
    def refuse(self, *args, **kwargs):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    run = services.computation_start(period=world.period, trigger="import", countdown=120)
    assert ComputationRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
