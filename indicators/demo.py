"""The indicators part of the demo: every period computed, so dashboards show values and trends.

Registered as the last step of monitoring.demo.seed_demo; it runs the same service as
the period page's button (a computation run per period), eagerly when Celery is eager.
"""

from __future__ import annotations

from collections.abc import Callable

from indicators.models import ComputationRun, IndicatorValue, RunStatus
from indicators.services import run_begin, run_chunk, run_finish, run_plan
from monitoring.demo import wipe
from monitoring.models import RosterEntry

# Above this many roster rows (the national demo) seeding leaves the computation to the
# workers: `compute_indicators` or the period page, which fan it out.
SEED_COMPUTE_LIMIT = 200_000


def seed_indicators(*, periods, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    if RosterEntry.objects.count() > SEED_COMPUTE_LIMIT:
        log("  показатели не рассчитывались: запустите compute_indicators (расчет идет через Celery)")
        return {}
    for period in sorted(periods, key=lambda p: p.year):
        # The steps run here, in the seeding transaction, whether or not workers are up.
        run = ComputationRun.objects.create(period=period, trigger="demo")
        plan = run_plan(run)
        run_begin(run_id=run.pk, steps=len(plan))
        for direction, chunk in plan:
            run_chunk(run_id=run.pk, direction=direction, municipality_ids=chunk)
        run = run_finish(run_id=run.pk)
        log(f"  показатели {period.year}: {run.values_written} значений за {run.seconds:.1f} с")
    return {
        "ComputationRun": ComputationRun.objects.filter(status=RunStatus.DONE).count(),
        "IndicatorValue": IndicatorValue.objects.count(),
    }


def wipe_indicators() -> dict[str, int]:
    return {
        "IndicatorValue": wipe(IndicatorValue.objects.all()),
        "ComputationRun": wipe(ComputationRun.objects.all()),
    }
