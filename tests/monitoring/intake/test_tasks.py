"""Intake's Celery doors: a file that kills its reader, a step that kills its worker."""

from __future__ import annotations

import pytest
from django.utils import timezone

from monitoring import models
from monitoring.intake.tasks import import_job_apply_task, import_job_check_task, waiting_imports_and_exports
from monitoring.tasks import period_create_task
from tests.paths import SPEC

# --- a file that kills its reader, a step that kills its worker ----------------------------

ABORTING_READER = "import os\ndef read(*args):\n    os.abort()"


def _checking_job(world, name="пакет.xlsx", **fields) -> models.ImportJob:
    from django.core.files.base import ContentFile

    job = models.ImportJob(
        kind=models.ImportKind.PACKAGE, period=world.period, user=world.analyst, original_name=name, **fields
    )
    job.status = fields.get("status", models.ImportStatus.CHECKING)
    job.file.save(name, ContentFile((SPEC / "sample-package.xlsx").read_bytes()), save=False)
    job.save()
    return job


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
def test_a_file_that_kills_the_reader_ends_the_check_refused(world, monkeypatch):
    from monitoring.intake.package import isolation

    monkeypatch.setattr(isolation, "READER_CODE", ABORTING_READER)
    job = _checking_job(world)
    assert import_job_check_task.delay(job.pk).get() == "refused"
    job.refresh_from_db()
    assert job.status == "refused" and job.attempts == 1
    assert "«пакет.xlsx» не удалось прочитать" in job.problems[0]["text"]
    # Refused is final: beat's re-send finds nothing to send again.
    assert not list(waiting_imports_and_exports((job.created_at, timezone.now())))


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
def test_a_check_interrupted_three_times_is_refused_not_sent_again(world):
    # Three workers started on it and none finished (each died with its child process).
    job = _checking_job(world, attempts=3)
    assert import_job_check_task.delay(job.pk).get() == "refused"
    job.refresh_from_db()
    assert job.attempts == 4 and "проверка файла прерывалась 3 раза" in job.problems[0]["text"]
    assert not list(waiting_imports_and_exports((job.created_at, timezone.now())))


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
def test_an_apply_interrupted_three_times_is_refused(world):
    job = _checking_job(world, status=models.ImportStatus.RUNNING, attempts=3)
    assert import_job_apply_task.delay(job.pk, world.analyst.pk).get() == "refused"
    job.refresh_from_db()
    assert "загрузка данных прерывалась 3 раза" in job.problems[0]["text"]
    assert not models.School.objects.filter(code="000009").exists()  # nothing of the package went in


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
def test_a_check_after_a_restart_still_runs(world):
    models.Region.objects.update(code="R15")  # the sample package's region
    job = _checking_job(world, attempts=2)  # two workers were restarted in the middle of it
    assert import_job_check_task.delay(job.pk).get() == "checked"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("media_root")
def test_a_prefork_worker_survives_a_file_that_kills_the_reader(world, monkeypatch):
    """The production pool: the task runs in a daemonic prefork child, which starts the reader's child."""
    from celery.contrib.testing.worker import start_worker

    from monitoring.config.celery import app
    from monitoring.intake.package import isolation

    monkeypatch.setattr(isolation, "READER_CODE", ABORTING_READER)  # inherited by the forked pool
    job = _checking_job(world)
    with start_worker(app, pool="prefork", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        assert import_job_check_task.delay(job.pk).get(timeout=90) == "refused"
        # The same pool process serves the next task: it was not killed.
        assert period_create_task.delay(2032).get(timeout=90)
    job.refresh_from_db()
    assert job.status == "refused" and "не удалось прочитать" in job.problems[0]["text"]


# --- a confirm answers at once --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root", "on_commit_now")
def test_without_a_broker_the_confirm_leaves_the_apply_to_a_background_thread(world, beside):
    # Issue 16, item 12: a head's confirm took 1.1 s, the whole import run inside the request.
    from monitoring.intake import jobs
    from tests.monitoring.intake.test_jobs import _job, _upload

    job = _job(world, _upload(world))
    assert job.status == models.ImportStatus.CHECKED
    jobs.import_job_confirm(job=job, user=world.head_a)
    job.refresh_from_db()
    assert job.status == models.ImportStatus.RUNNING
    assert [name for name, _ in beside.pending] == [f"import-apply-{job.pk}"]
    assert not models.StaffingRow.objects.filter(school=world.school_a).exists()  # nothing applied yet
    beside.run()
    job.refresh_from_db()
    assert job.status == models.ImportStatus.APPLIED
    assert models.StaffingRow.objects.filter(school=world.school_a).exists()
