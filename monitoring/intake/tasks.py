"""Celery doors of data intake: thin, idempotent, taking plain ids; and the finder of work left waiting.

The services (:mod:`.jobs`, :mod:`.exports`) import this module at the top and send
these tasks on commit; each task imports its service in its body, so the imports run
one way. The task names are those the tasks had in ``monitoring.tasks``: messages
already queued, and re-sends by name, keep finding them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from celery import shared_task
from django.db import transaction

from monitoring.models import ExportJob, ExportStatus, ImportJob, ImportStatus, User


@shared_task(name="monitoring.tasks.import_job_check_task", acks_late=True)
def import_job_check_task(job_id: int) -> str:
    """Check an uploaded package in the background (a dry run); idempotent."""
    # The service imports this module at the top; importing it here keeps one direction.
    from monitoring.intake.jobs import import_job_check

    return import_job_check(job_id=job_id).status


@shared_task(name="monitoring.tasks.import_job_apply_task", acks_late=True)
def import_job_apply_task(job_id: int, user_id: int) -> str:
    """Apply a checked import job in the background; re-running an applied job does nothing."""
    # The service imports this module at the top; importing it here keeps one direction.
    from monitoring.intake.jobs import import_job_apply

    job = import_job_apply(job=ImportJob.objects.get(pk=job_id), user=User.objects.get(pk=user_id))
    return job.status


@shared_task(name="monitoring.tasks.export_job_run_task", acks_late=True)
def export_job_run_task(job_id: int) -> int:
    """Write a period's package export in the background (idempotent)."""
    # The service imports this module at the top; importing it here keeps one direction.
    from monitoring.intake.exports import export_job_run

    return export_job_run(job_id=job_id).pk


def waiting_imports_and_exports(window: tuple[dt.datetime, dt.datetime]) -> Iterator[tuple]:
    """Uploads not yet checked, confirmed imports not being applied, exports not yet written.

    An entry of the store ``waiting_work`` (monitoring/config/extensions.py).
    """
    checking = ImportJob.objects.filter(status=ImportStatus.CHECKING, created_at__range=window)
    for pk in checking.values_list("pk", flat=True):
        yield import_job_check_task, (pk,)
    # A job being applied holds its row lock for the whole import (PostgreSQL): skip
    # those, so only confirmed jobs nobody works on are sent again.
    with transaction.atomic():
        confirmed = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ImportStatus.RUNNING, created_at__range=window, user__isnull=False)
            .values_list("pk", "user_id")
        )
    for pk, user_id in confirmed:
        yield import_job_apply_task, (pk, user_id)
    exports = ExportJob.objects.filter(status=ExportStatus.RUNNING, finished_at__isnull=True, created_at__range=window)
    for pk in exports.values_list("pk", flat=True):
        yield export_job_run_task, (pk,)
