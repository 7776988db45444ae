"""Celery doors of the computation: thin, idempotent, taking ids.

``run_computation_task`` fans a run out as a chord: one ``compute_chunk_task`` per
direction and chunk of municipalities, then ``finish_computation_task`` for the region's
rows. Recomputing a step writes the same rows again (upserts keyed by period, indicator,
org and breakdown), so a step retried after a lost worker (acks late) is harmless.

One direction: ``indicators.services`` imports this module at the top and sends its
tasks on commit; a task imports the services inside its body. The registered names stay
those of the functions before they were given their ``_task`` suffix (``name=``), so
messages already queued under them, chords in flight, the beat schedule and the
broker-outage re-sends keep working.
"""

from __future__ import annotations

from celery import chord, shared_task
from kombu.exceptions import OperationalError as BrokerError

from indicators.models import ComputationRun

# A step computes one direction for a chunk of municipalities: seconds on a region,
# minutes on a country; the limit stops a stuck query, not a slow honest step.
STEP_LIMITS = {"acks_late": True, "soft_time_limit": 20 * 60, "time_limit": 25 * 60}


@shared_task(name="indicators.tasks.run_computation", **STEP_LIMITS)
def run_computation_task(run_id: int) -> int:
    """Fan a queued run out; a second delivery (a re-send after a broker outage) finds it taken and does nothing."""
    # The services import this module at the top; importing them here keeps one direction.
    from indicators import services

    run = ComputationRun.objects.select_related("period").get(pk=run_id)
    plan = services.run_plan(run)
    if services.run_begin(run_id=run_id, steps=len(plan)) is None:
        return 0
    header = [compute_chunk_task.si(run_id, direction, chunk) for direction, chunk in plan]
    try:
        chord(header)(finish_computation_task.si(run_id).on_error(fail_computation_task.si(run_id)))
    except BrokerError:
        # The broker went away between taking this task and sending the steps: the run
        # goes back to the queue's waiting list and is sent again when the broker is back.
        services.run_requeue(run_id=run_id)
        raise
    return len(header)


@shared_task(name="indicators.tasks.compute_chunk", **STEP_LIMITS)
def compute_chunk_task(run_id: int, direction: int, municipality_ids: list[int] | None) -> int:
    # The services import this module at the top; importing them here keeps one direction.
    from indicators import services

    try:
        return services.run_chunk(run_id=run_id, direction=direction, municipality_ids=municipality_ids)
    except Exception as exc:
        services.run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="indicators.tasks.finish_computation", **STEP_LIMITS)
def finish_computation_task(run_id: int) -> str:
    # The services import this module at the top; importing them here keeps one direction.
    from indicators import services

    try:
        return services.run_finish(run_id=run_id).status
    except Exception as exc:
        services.run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="indicators.tasks.fail_computation")
def fail_computation_task(run_id: int) -> None:
    # The services import this module at the top; importing them here keeps one direction.
    from indicators import services

    services.run_fail(run_id=run_id, error="Один из шагов расчета завершился с ошибкой.")


@shared_task(name="indicators.tasks.fail_stale_runs", ignore_result=True)
def fail_stale_runs_task() -> list[int]:
    """Beat, every minute: runs whose worker was killed are marked failed instead of running forever."""
    # The services import this module at the top; importing them here keeps one direction.
    from indicators import services

    return services.runs_fail_stale()
