"""Celery doors of the monitored world: thin, idempotent, taking plain ids.

The period's creation and the re-send of waiting work; data intake's tasks are in
``monitoring.intake.tasks``. A task imports its service in its body, so that a service
may import its task at the top to send it on commit: the imports run one way.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from monitoring.shared.dispatch import redispatch_waiting, send


@shared_task(acks_late=True)
def period_create_task(year: int) -> int:
    """Open the monitoring period of ``year`` with its plan; returns its id (idempotent)."""
    # A service may import this module at the top to send its task; importing it here keeps one direction.
    from monitoring.services import period_create

    return period_create(year=year).pk


@shared_task(ignore_result=True)
def redispatch_waiting_task() -> int:
    """Send again the work still waiting for a worker (beat, every minute): after a broker outage it runs."""
    return redispatch_waiting()


@worker_ready.connect(dispatch_uid="monitoring.tasks.redispatch_on_worker_ready")
def _redispatch_on_worker_ready(sender=None, **kwargs) -> None:
    # A worker coming up (often with the broker, after an outage or a deploy) collects
    # the waiting work at once instead of at beat's next minute.
    send(redispatch_waiting_task)
