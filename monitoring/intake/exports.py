"""Export jobs: a whole period's data package written by a worker and downloaded through a scoped view.

A job is saved «running» and its task sent on commit; the worker writes the file and
marks the job ``ExportStatus.READY``. A role without personal data gets a file without
birth dates and СНИЛС, and sees only its own exports.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils import timezone

from monitoring.intake.package.exporter import package_export
from monitoring.intake.tasks import export_job_run_task
from monitoring.models import ExportJob, ExportStatus, MonitoringPeriod, Role
from monitoring.models.scoping import can_see_personal_data
from monitoring.shared.dispatch import send_on_commit

log = logging.getLogger(__name__)


def export_job_start(*, period: MonitoringPeriod, user, fmt: str) -> ExportJob:
    """Queue an export of the whole period; a worker writes the file (streamed row by row)."""
    if not (user.is_superuser or user.role in (Role.ANALYST, Role.MINISTRY)):
        raise PermissionDenied("Выгружать пакет данных всего региона могут специалисты института и министерства.")
    job = ExportJob.objects.create(period=period, user=user, format=fmt)
    send_on_commit(export_job_run_task, (job.pk,))
    return job


def exports_visible(user) -> QuerySet[ExportJob]:
    """Export jobs whose files ``user`` may download: a role without personal data gets only its own.

    Another's export carries birth dates and СНИЛС; one's own was written without them (export_job_run).
    """
    jobs = ExportJob.objects.visible_to(user)
    return jobs if can_see_personal_data(user) else jobs.filter(user=user)


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the export file of a job; idempotent (a finished job is left as it is)."""
    job = ExportJob.objects.select_related("period").get(pk=job_id)
    if job.status != ExportStatus.RUNNING:
        return job
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"Пакет данных {job.period.year}.{job.format}"
            # A ministry official's file leaves birth dates and СНИЛС empty (personal data, 152-ФЗ).
            package_export(period=job.period, path=path, personal_data=can_see_personal_data(job.user))
            with path.open("rb") as handle:
                job.file.save(f"{job.period.year}-{job.pk}.{job.format}", File(handle), save=False)
    except DatabaseError:
        raise  # the database went away: the task is sent again, the job still «running»
    except Exception:
        # Data the writer cannot put in a file: the job ends, said on the page, instead of
        # «готовится…» forever (and, in the embedded default, a server error).
        log.exception("export job %s failed", job.pk)
        job.status = ExportStatus.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        return job
    job.status = ExportStatus.READY
    job.finished_at = timezone.now()
    job.save()
    return job
