"""Celery doors of the computation: thin, idempotent, taking ids.

``run_computation`` fans a run out as a chord: one ``compute_chunk`` per direction
and chunk of municipalities, then ``finish_computation`` for the region's rows.
Recomputing a step writes the same rows again (upserts keyed by period, indicator,
org and breakdown), so a step retried after a lost worker (acks late) is harmless.
"""

from __future__ import annotations

from celery import chord, shared_task
from kombu.exceptions import OperationalError as BrokerError

from indicators import services

# A step computes one direction for a chunk of municipalities: seconds on a region,
# minutes on a country; the limit stops a stuck query, not a slow honest step.
STEP_LIMITS = {"acks_late": True, "soft_time_limit": 20 * 60, "time_limit": 25 * 60}


@shared_task(**STEP_LIMITS)
def run_computation(run_id: int) -> int:
    """Fan a queued run out; a second delivery (a re-send after a broker outage) finds it taken and does nothing."""
    from indicators.models import ComputationRun

    run = ComputationRun.objects.select_related("period").get(pk=run_id)
    plan = services.run_plan(run)
    if services.run_begin(run_id=run_id, steps=len(plan)) is None:
        return 0
    header = [compute_chunk.si(run_id, direction, chunk) for direction, chunk in plan]
    try:
        chord(header)(finish_computation.si(run_id).on_error(fail_computation.si(run_id)))
    except BrokerError:
        # The broker went away between taking this task and sending the steps: the run
        # goes back to the queue's waiting list and is sent again when the broker is back.
        services.run_requeue(run_id=run_id)
        raise
    return len(header)


@shared_task(**STEP_LIMITS)
def compute_chunk(run_id: int, direction: int, municipality_ids: list[int] | None) -> int:
    try:
        return services.run_chunk(run_id=run_id, direction=direction, municipality_ids=municipality_ids)
    except Exception as exc:
        services.run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(**STEP_LIMITS)
def finish_computation(run_id: int) -> str:
    try:
        return services.run_finish(run_id=run_id).status
    except Exception as exc:
        services.run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task
def fail_computation(run_id: int) -> None:
    services.run_fail(run_id=run_id, error="Один из шагов расчета завершился с ошибкой.")


@shared_task(ignore_result=True)
def fail_stale_runs() -> list[int]:
    """Beat, every minute: runs whose worker was killed are marked failed instead of running forever."""
    return services.runs_fail_stale()
