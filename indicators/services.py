"""Computation runs: start one, plan its steps, record what it read, tell when values are stale.

A run is split into steps a Celery worker each takes: one per direction and chunk of
municipalities (the school and municipality rows), then one final step for the
region's rows. With eager Celery (the embedded default) the steps run in the caller.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from redis.exceptions import RedisError

from deficits.models import Diagnostic
from indicators import engine
from indicators.models import ComputationRun, PeriodIndicator, RunStatus, RunTrigger
from indicators.tasks import run_computation_task
from iom.models import RouteActivity, RouteEvent
from monitoring.models import (
    ImportJob,
    ImportStatus,
    MonitoringPeriod,
    Municipality,
    RosterEntry,
    School,
    SchoolSubmission,
    StaffingRow,
    SubmissionEvent,
    Teacher,
)
from monitoring.shared import extensions
from monitoring.shared.dispatch import send_on_commit

# Imports arrive in bursts (a municipality's schools one after another): a run starts
# this long after the first of them and covers all that came meanwhile.
DEBOUNCE_SECONDS = 120


class ClosedPeriod(Exception):
    """A closed period's values never change."""


def municipality_chunks(*, size: int | None = None) -> list[list[int] | None]:
    """Municipality id lists a run fans out over; [None] (one step for all) below the chunking size.

    ``size`` municipalities a chunk on average: as many chunks as that makes, cut so that each
    has about as many schools (a city's chunk would otherwise hold the workers' last step).
    """
    size = size or getattr(settings, "INDICATOR_CHUNK_MUNICIPALITIES", 0)
    rows = list(Municipality.objects.order_by("pk").annotate(n=Count("schools")).values_list("pk", "n"))
    if not size or len(rows) <= size:
        return [None]
    count = -(-len(rows) // size)
    total = sum(n for _, n in rows)
    chunks: list[list[int] | None] = []
    current: list[int] = []
    schools = 0
    for i, (pk, n) in enumerate(rows):
        left = count - len(chunks) - 1  # chunks still to open after the current one
        if current and left:
            share = total * (len(chunks) + 1) / count  # the schools the chunks so far should hold
            # Close the current chunk before this municipality when it would overshoot the share by more
            # than the chunk falls short of it, or when each municipality left must open its own chunk.
            if len(rows) - i == left or schools + n - share > share - schools:
                chunks.append(current)
                current = []
        current.append(pk)
        schools += n
    chunks.append(current)
    return chunks


def _inputs(period: MonitoringPeriod) -> dict:
    """What a run reads, recorded on it: the applied imports and the schools' submissions."""
    imports = list(
        ImportJob.objects.filter(period=period, status=ImportStatus.APPLIED).order_by("pk").values_list("pk", flat=True)
    )
    submissions = dict(
        SchoolSubmission.objects.filter(period=period).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {
        "imports": imports,
        "submissions": submissions,
        "data_changed_at": _iso(inputs_changed_at(period)),
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def inputs_changed_at(period: MonitoringPeriod) -> dt.datetime | None:
    """The latest moment the period's inputs changed through the portal's doors.

    Applied imports, submission steps, diagnostics submitted, route approvals and done
    marks, a change of the period's edition (a definition saved or removed, a target or
    threshold changed: each writes a historical row of its PeriodIndicator), and, while
    the period is open, a hand edit of a register row (a school's ШНОР flag or type
    changed in the admin changes who the indicators count).
    """
    moments = [
        ImportJob.objects.filter(period=period, applied_at__isnull=False).aggregate(m=Max("applied_at"))["m"],
        SubmissionEvent.objects.filter(submission__period=period).aggregate(m=Max("at"))["m"],
        # Submitted ones only (a draft has no submitted_at): the filter matches the partial index
        # diagnostic_submitted_in_period, so every dashboard's staleness check skips the wide rows.
        Diagnostic.objects.submitted()
        .filter(date__gte=period.start, date__lte=period.end)
        .aggregate(m=Max("submitted_at"))["m"],
        RouteEvent.objects.aggregate(m=Max("at"))["m"],
        RouteActivity.objects.filter(due__gte=period.start, due__lte=period.end).aggregate(m=Max("done_at"))["m"],
        PeriodIndicator.history.filter(period_id=period.pk).aggregate(m=Max("history_date"))["m"],
    ]
    if not period.is_closed:
        moments += _hand_edits_at()
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


# Registers whose rows people edit one at a time (admin, pages): each save writes a historical row
# (django-simple-history), so the newest history_date (an indexed column) is when one was last edited.
# Bulk paths (imports) write no history; they are counted through their ImportJob above.
HAND_EDITED_INPUTS = (Municipality, School, Teacher, RosterEntry, StaffingRow)


def _hand_edits_at() -> list[dt.datetime | None]:
    return [model.history.aggregate(m=Max("history_date"))["m"] for model in HAND_EDITED_INPUTS]


def last_run(period: MonitoringPeriod) -> ComputationRun | None:
    return ComputationRun.objects.filter(period=period, status=RunStatus.DONE).order_by("-created_at", "-pk").first()


def is_stale(period: MonitoringPeriod) -> bool:
    """Whether the stored values predate a change of their inputs (or were never computed)."""
    run = last_run(period)
    if run is None:
        return True
    changed = inputs_changed_at(period)
    return changed is not None and changed > run.created_at


def computation_start(
    *, period: MonitoringPeriod, user=None, trigger: str = RunTrigger.MANUAL, countdown: int | None = None
) -> ComputationRun:
    """Create a run and hand it to the workers once the caller's transaction commits."""
    if period.is_closed and last_run(period) is not None:
        # Computed once, a closed period's values are what its reports were built on.
        raise ClosedPeriod(f"Период {period.year} закрыт: его показатели не пересчитываются.")
    run = ComputationRun.objects.create(period=period, user=user, trigger=trigger, inputs=_inputs(period))
    # With the queue down the run stays queued and is sent again when it is back (monitoring.shared.dispatch).
    send_on_commit(run_computation_task, (run.pk,), countdown=countdown)
    return run


def computation_schedule_after_import(job: ImportJob) -> ComputationRun | None:
    """After an applied import: one run a little later, unless one is already waiting (debounce)."""
    period = job.period
    if period.is_closed and last_run(period) is not None:
        return None
    if ComputationRun.objects.filter(period=period, status=RunStatus.QUEUED).exists():
        return None
    return computation_start(period=period, user=job.user, trigger=RunTrigger.IMPORT, countdown=DEBOUNCE_SECONDS)


def run_plan(run: ComputationRun) -> list[tuple[int, list[int] | None]]:
    """(direction, municipality ids) of the run's chunk steps."""
    directions = sorted({d.direction for d in engine.definitions_for(run.period)})
    return [(direction, chunk) for direction in directions for chunk in municipality_chunks()]


def run_begin(*, run_id: int, steps: int) -> ComputationRun | None:
    """Mark a queued run running; None when it is not queued (a second delivery of its task finds it taken)."""
    with transaction.atomic():
        run = ComputationRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.QUEUED:
            return None
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.steps_total = steps + 1  # the chunks and the region's roll-up
        run.steps_done = 0
        run.save(update_fields=["status", "started_at", "steps_total", "steps_done"])
    _alive(run_id)
    return run


def run_requeue(*, run_id: int) -> None:
    """Put back a run whose steps could not be sent (the broker went away): it is sent again later."""
    ComputationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(status=RunStatus.QUEUED, started_at=None)


# A run's steps leave a sign of life in the cache when they start and end: a run that
# shows none for settings.INDICATOR_RUN_STALE_SECONDS lost its worker (killed mid-step,
# its message held unacked by Redis for an hour), as no step outlives its hard limit.
def _alive_key(run_id: int) -> str:
    return f"indicator-run-alive-{run_id}"


def _alive(run_id: int) -> None:
    try:
        cache.set(_alive_key(run_id), timezone.now().timestamp(), timeout=24 * 3600)
    except RedisError:
        pass  # a sign of life is a hint; the step itself must not fail for it


def _last_alive(run: ComputationRun) -> dt.datetime:
    try:
        stamp = cache.get(_alive_key(run.pk))
    except RedisError:
        stamp = None
    moments = [run.started_at or run.created_at]
    if stamp is not None:
        moments.append(dt.datetime.fromtimestamp(stamp, tz=dt.UTC))
    return max(moments)


def runs_fail_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Mark failed the running runs whose worker died (no step alive for the stale time); returns their ids.

    A new run can start anyway; this keeps the dead one from showing «Выполняется» forever,
    and its steps, should Redis deliver them again, then find it failed and do nothing.
    """
    now = now or timezone.now()
    stale = dt.timedelta(seconds=settings.INDICATOR_RUN_STALE_SECONDS)
    failed = []
    for run in ComputationRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=now - stale):
        if now - _last_alive(run) <= stale:
            continue
        error = "Расчет прерван: обработчик задач остановился посреди расчета. Запустите расчет снова."
        if ComputationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=error, finished_at=now
        ):
            failed.append(run.pk)
    return failed


def waiting_runs(window: tuple[dt.datetime, dt.datetime]):
    """Runs still queued (monitoring.shared.dispatch sends them again); an import's run counts after its debounce."""
    oldest, newest = window
    queued = ComputationRun.objects.filter(status=RunStatus.QUEUED).filter(
        (Q(created_at__range=window) & ~Q(trigger=RunTrigger.IMPORT))
        | Q(trigger=RunTrigger.IMPORT, created_at__range=(oldest, newest - dt.timedelta(seconds=DEBOUNCE_SECONDS)))
    )
    for pk in queued.values_list("pk", flat=True):
        yield run_computation_task, (pk,)


def _step_done(run_id: int, label: str, seconds: float, written: int) -> None:
    # Steps finish on several workers at once: the row is locked to add up their figures.
    with transaction.atomic():
        run = ComputationRun.objects.select_for_update().get(pk=run_id)
        run.timings[label] = round(run.timings.get(label, 0) + seconds, 3)
        run.steps_done += 1
        run.values_written += written
        run.save(update_fields=["timings", "steps_done", "values_written"])
    _alive(run_id)


def run_chunk(*, run_id: int, direction: int, municipality_ids: list[int] | None) -> int:
    """One chunk step: the direction's school and municipality rows for some municipalities (idempotent)."""
    run = ComputationRun.objects.select_related("period").get(pk=run_id)
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        return 0  # delivered again after the run ended (or was given up): nothing to add
    _alive(run_id)
    started = time.perf_counter()
    written = engine.compute_chunk(
        period=run.period,
        definitions=engine.definitions_for(run.period, [direction]),
        municipality_ids=municipality_ids,
        computed_at=run.created_at,
    )
    _step_done(run_id, f"direction {direction}", time.perf_counter() - started, written)
    return written


def run_finish(*, run_id: int) -> ComputationRun:
    """The final step: the region's rows, then the run is done (idempotent)."""
    run = ComputationRun.objects.select_related("period").get(pk=run_id)
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        return run  # delivered again: a done run is not finished twice, a given-up one not revived
    _alive(run_id)
    started = time.perf_counter()
    written = engine.compute_region(
        period=run.period, definitions=engine.definitions_for(run.period), computed_at=run.created_at
    )
    _step_done(run_id, "region", time.perf_counter() - started, written)
    run.refresh_from_db()
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    extensions.run("run_done", run)  # the findings (config/extensions.py)
    return run


def run_fail(*, run_id: int, error: str) -> None:
    ComputationRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, error=error[:5000], finished_at=timezone.now()
    )
