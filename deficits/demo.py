"""The deficits part of the demo region: diagnostics of most teachers in each period.

Registered as a step of monitoring.demo.seed_demo (monitoring imports nothing from the
apps to its right). Answers follow a per-teacher, per-group ability with noise, so
groups differ (ИКТ and КОРР weaker, as regional monitorings usually find) and most
teachers show a deficit somewhere.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from deficits.models import Diagnostic, DiagnosticKind, DiagnosticStatus, GroupResult
from deficits.scoring import active_instrument, instrument_spec, score_answers
from monitoring.models import RosterEntry

CHUNK = 5000
# Share of the roster diagnosed: the closed year, then the year being collected.
COVERAGE = (0.55, 0.7)
# Mean item score by group: weaker digital and special-needs competences.
GROUP_MEAN = {"МЕТ": 2.9, "ТЕХ": 2.8, "ИССЛ": 2.5, "ПРОЕКТ": 2.6, "ИКТ": 2.4, "КОРР": 2.3}


def seed_diagnostics(*, periods, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    instrument = active_instrument()
    spec = instrument_spec(instrument)
    rng = random.Random(seed * 7919 + 17)
    today = timezone.localdate()
    now = timezone.now()
    created = {"Diagnostic": 0, "GroupResult": 0}
    for index, period in enumerate(periods):
        before = created["Diagnostic"]
        coverage = COVERAGE[min(index, len(COVERAGE) - 1)]
        last_day = min(period.reference_date, today)
        span = (last_day - period.start).days
        teacher_ids = list(
            RosterEntry.objects.filter(period=period).order_by("teacher_id").values_list("teacher_id", flat=True)
        )
        for start in range(0, len(teacher_ids), CHUNK):
            diagnostics = []
            for teacher_id in teacher_ids[start : start + CHUNK]:
                if rng.random() > coverage:
                    continue
                answers = {}
                for group_code, codes in spec.groups:
                    ability = rng.gauss(GROUP_MEAN.get(group_code, 2.7), 0.55)
                    for code in codes:
                        answers[code] = min(4, max(1, round(rng.gauss(ability, 0.6))))
                date = period.start + dt.timedelta(days=rng.randint(0, max(0, span)))
                diagnostics.append(
                    Diagnostic(
                        teacher_id=teacher_id,
                        instrument=instrument,
                        date=date,
                        kind=DiagnosticKind.ENTRY,
                        answers=answers,
                        status=DiagnosticStatus.SUBMITTED,
                        submitted_at=now,
                    )
                )
            Diagnostic.objects.bulk_create(diagnostics, batch_size=2000)
            results = [
                GroupResult(
                    diagnostic_id=d.pk, group_code=s.group_code, score=s.score, level=s.level, is_deficit=s.is_deficit
                )
                for d in diagnostics
                for s in score_answers(spec=spec, answers=d.answers)
            ]
            GroupResult.objects.bulk_create(results, batch_size=5000)
            created["Diagnostic"] += len(diagnostics)
            created["GroupResult"] += len(results)
        log(f"  диагностики {period.year}: {created['Diagnostic'] - before}")
    return created
