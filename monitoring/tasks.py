"""Celery doors of the monitored world: thin, idempotent, taking plain ids."""

from celery import shared_task
from celery.signals import worker_ready

from monitoring.services import period_create


@shared_task(acks_late=True)
def period_create_task(year: int) -> int:
    """Open the monitoring period of ``year`` with its plan; returns its id (idempotent)."""
    return period_create(year=year).pk


@shared_task(acks_late=True)
def import_job_apply_task(job_id: int, user_id: int) -> str:
    """Apply a checked import job in the background; re-running an applied job does nothing."""
    from monitoring.imports import import_job_apply
    from monitoring.models import ImportJob, User

    job = import_job_apply(job=ImportJob.objects.get(pk=job_id), user=User.objects.get(pk=user_id))
    return job.status


@shared_task(acks_late=True)
def export_job_run_task(job_id: int) -> int:
    """Write a period's package export in the background (idempotent)."""
    from monitoring.imports import export_job_run

    return export_job_run(job_id=job_id).pk


@shared_task(acks_late=True)
def import_job_check_task(job_id: int) -> str:
    """Check an uploaded package in the background (a dry run); idempotent."""
    from monitoring.imports import import_job_check

    return import_job_check(job_id=job_id).status


@shared_task(ignore_result=True)
def redispatch_waiting_task() -> int:
    """Send again the work still waiting for a worker (beat, every minute): after a broker outage it runs."""
    from monitoring.shared.dispatch import redispatch_waiting

    return redispatch_waiting()


@worker_ready.connect(dispatch_uid="monitoring.tasks.redispatch_on_worker_ready")
def _redispatch_on_worker_ready(sender=None, **kwargs) -> None:
    # A worker coming up (often with the broker, after an outage or a deploy) collects
    # the waiting work at once instead of at beat's next minute.
    from monitoring.shared.dispatch import send

    send(redispatch_waiting_task)
