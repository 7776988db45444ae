"""The queue down: the import and export doors keep the job, say so, and the job runs once the queue is back."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from celery.app.task import Task
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from monitoring import models
from monitoring.intake.tasks import import_job_check_task
from monitoring.shared import dispatch
from monitoring.tasks import _redispatch_on_worker_ready, period_create_task
from tests.broker import broker_down
from tests.monitoring.intake.package.test_importer import SPEC

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "on_commit_now")]

LATER = dt.timedelta(minutes=2)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the re-send marks live in the cache
    yield
    cache.clear()


@pytest.fixture
def world(world):
    models.Region.objects.update(code="R15")  # the sample package's region
    return world


def _package() -> SimpleUploadedFile:
    return SimpleUploadedFile("sample-package.zip", (SPEC / "sample-package.zip").read_bytes())


def _upload(client, world):
    return client.post(reverse("import-list"), {"period": world.period.pk, "file": _package()})


def test_send_tries_briefly_and_does_not_wait_on_the_result_store(monkeypatch):
    seen = {}

    def record(self, args=None, kwargs=None, **options):
        seen.update(options, name=self.name, args=args)

    monkeypatch.setattr(Task, "apply_async", record)
    assert dispatch.send(period_create_task, (2030,), countdown=5) is True
    assert seen["name"] == "monitoring.tasks.period_create_task" and seen["args"] == (2030,)
    assert seen["countdown"] == 5 and seen["ignore_result"] is True
    # Bounded: three tries about a quarter of a second apart, not kombu's default loop.
    assert seen["retry"] is True and seen["retry_policy"]["max_retries"] <= 3
    assert seen["retry_policy"]["interval_max"] <= 0.5


def test_a_refused_send_is_logged_and_told_to_the_watching_door(monkeypatch, caplog):
    with broker_down(monkeypatch) as tried, caplog.at_level(logging.WARNING, logger="monitoring.shared.dispatch"):
        assert dispatch.send(period_create_task, (2030,)) is False  # nobody watching: no error either
        with dispatch.watch() as queue:
            assert not queue.down
            dispatch.send(import_job_check_task, (7,))
    assert queue.down and queue.failed == ["monitoring.tasks.import_job_check_task"]
    assert tried == ["monitoring.tasks.period_create_task", "monitoring.tasks.import_job_check_task"]
    assert "queue unavailable: monitoring.tasks.import_job_check_task(7,)" in caplog.text
    with dispatch.watch() as later:
        pass
    assert not later.down  # each door's watch starts clean


def test_an_upload_while_the_queue_is_down_is_kept_and_the_user_told(client, world, monkeypatch):
    client.force_login(world.analyst)
    with broker_down(monkeypatch) as tried:
        response = _upload(client, world)
        page = client.get(response.url).content.decode()
    job = models.ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("import-detail", args=[job.pk])
    assert tried == ["monitoring.tasks.import_job_check_task"]
    assert dispatch.QUEUE_DOWN_MESSAGE in page and "Файл проверяется" in page
    assert job.status == models.ImportStatus.CHECKING and job.file.read() == (SPEC / "sample-package.zip").read_bytes()


def test_confirm_and_export_while_the_queue_is_down(client, world, monkeypatch):
    client.force_login(world.analyst)
    _upload(client, world)  # queue up: checked at once (eager)
    job = models.ImportJob.objects.get()
    assert job.status == models.ImportStatus.CHECKED
    with broker_down(monkeypatch):
        confirmed = client.post(reverse("import-confirm", args=[job.pk]), follow=True).content.decode()
        exported = client.post(reverse("export-start"), {"period": world.period.pk, "format": "zip"}, follow=True)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.RUNNING and dispatch.QUEUE_DOWN_MESSAGE in confirmed
    export = models.ExportJob.objects.get()
    assert export.status == models.ExportStatus.RUNNING and not export.file
    text = exported.content.decode()
    assert dispatch.QUEUE_DOWN_MESSAGE in text and "Выгрузка запущена" not in text


def test_the_heads_staffing_upload_while_the_queue_is_down(client, world, monkeypatch):
    client.force_login(world.head_a)
    template = client.get(reverse("staffing-template", args=["000001"])).content
    with broker_down(monkeypatch):
        response = client.post(
            reverse("staffing-upload", args=["000001"]),
            {"file": SimpleUploadedFile("staffing.xlsx", template)},
            follow=True,
        )
    assert dispatch.QUEUE_DOWN_MESSAGE in response.content.decode()
    assert models.ImportJob.objects.get().status == models.ImportStatus.CHECKING


def test_the_import_page_shows_a_job_while_the_cache_is_down(client, world, monkeypatch):
    client.force_login(world.analyst)
    with broker_down(monkeypatch):
        _upload(client, world)
    job = models.ImportJob.objects.get()

    def down(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("monitoring.intake.jobs.cache.get", down)
    poll = client.get(reverse("import-detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "Файл проверяется" in poll.content.decode()


def test_waiting_jobs_run_once_the_queue_is_back(client, world, monkeypatch):
    client.force_login(world.analyst)
    with broker_down(monkeypatch):
        _upload(client, world)
        client.post(reverse("export-start"), {"period": world.period.pk, "format": "zip"})
        # Still down a minute later: nothing is lost, and the next round tries again.
        assert dispatch.redispatch_waiting(now=timezone.now() + LATER) == 0
    job, export = models.ImportJob.objects.get(), models.ExportJob.objects.get()
    assert (job.status, export.status) == (models.ImportStatus.CHECKING, models.ExportStatus.RUNNING)
    # Back, but the work is under a minute old: it may still be on its way, not sent again.
    assert dispatch.redispatch_waiting() == 0
    assert dispatch.redispatch_waiting(now=timezone.now() + LATER) == 2
    job.refresh_from_db()
    export.refresh_from_db()
    assert job.status == models.ImportStatus.CHECKED and job.summary
    assert export.status == models.ExportStatus.READY and export.file


def test_a_confirmed_import_nobody_applies_is_sent_again_with_its_uploader(client, world, monkeypatch):
    client.force_login(world.analyst)
    _upload(client, world)
    job = models.ImportJob.objects.get()
    with broker_down(monkeypatch):
        client.post(reverse("import-confirm", args=[job.pk]))
    assert models.ImportJob.objects.get().status == models.ImportStatus.RUNNING
    assert dispatch.redispatch_waiting(now=timezone.now() + LATER) == 1
    job.refresh_from_db()
    assert job.status == models.ImportStatus.APPLIED
    assert models.RosterEntry.objects.filter(period=world.period, teacher__code="T000080").exists()


def test_work_is_sent_again_once_per_window_and_given_up_after_a_day(client, world, monkeypatch):
    client.force_login(world.analyst)
    with broker_down(monkeypatch):
        _upload(client, world)
    sent = []
    monkeypatch.setattr(Task, "apply_async", lambda self, args=None, kwargs=None, **o: sent.append((self.name, args)))
    assert dispatch.redispatch_waiting(now=timezone.now() + LATER) == 1
    assert dispatch.redispatch_waiting(now=timezone.now() + LATER) == 0  # still queued: not multiplied
    assert sent == [("monitoring.tasks.import_job_check_task", (models.ImportJob.objects.get().pk,))]
    cache.clear()
    assert dispatch.redispatch_waiting(now=timezone.now() + dt.timedelta(days=2)) == 0  # failing for a day: left


def test_a_worker_coming_up_collects_the_waiting_work(monkeypatch):
    sent = []
    monkeypatch.setattr(Task, "apply_async", lambda self, args=None, kwargs=None, **o: sent.append(self.name))
    _redispatch_on_worker_ready(sender=None)
    assert sent == ["monitoring.tasks.redispatch_waiting_task"]


def test_beat_runs_the_redispatch_every_minute(settings):
    from celery.schedules import crontab

    from monitoring.config.celery import app

    entries = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["monitoring.tasks.redispatch_waiting_task"] == crontab()
    assert "monitoring.tasks.redispatch_waiting_task" in app.tasks


def test_work_beside_the_request_runs_after_the_answer_in_its_own_thread_and_closes_its_connections(
    monkeypatch,
):
    import threading

    seen, closed = [], threading.Event()
    monkeypatch.setattr(dispatch, "BESIDE_DELAY", 0)
    monkeypatch.setattr(dispatch.connections, "close_all", closed.set)
    dispatch.run_beside(lambda: seen.append(threading.current_thread().name), name="annual-report-7")
    assert closed.wait(10)
    assert seen == ["annual-report-7"]


def test_with_a_broker_work_beside_the_request_goes_to_a_worker(settings, monkeypatch, beside):
    sent = []
    monkeypatch.setattr(dispatch, "send", lambda task, args, countdown=None: sent.append((task.name, args)))
    period_create_task.app.conf.task_always_eager = False  # a broker's setup (tests/conftest.py restores it)
    with_commit = []
    monkeypatch.setattr(dispatch.transaction, "on_commit", with_commit.append)
    dispatch.send_beside_on_commit(period_create_task, (2031,), name="never-a-thread")
    for callback in with_commit:
        callback()
    assert sent == [(period_create_task.name, (2031,))] and not beside.pending
