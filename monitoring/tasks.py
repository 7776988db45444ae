"""Celery doors of the monitored world: thin, idempotent, taking plain ids."""

from celery import shared_task

from monitoring.services import period_create


@shared_task(acks_late=True)
def period_create_task(year: int) -> int:
    """Open the monitoring period of ``year`` with its plan; returns its id (idempotent)."""
    return period_create(year=year).pk
