"""The register of teachers attested in a period (the package's «Аттестация»), consistent with the roster.

About 8 % of a period's roster appear. Most of them (85 %, as far as the roster has them)
are teachers whose first or highest category is dated in the period's year: they were
attested in it, their application went to the commission some weeks before that date and
the decision is the category's date. The others applied and were refused, withdrew, or
still wait for the decision (applications of the year's last weeks).

The draws come from a generator of their own (seeded by the run's seed, the period and the
municipality), not the run's: the rest of the demo region is the same with or without this
register.
"""

from __future__ import annotations

import datetime as dt
import random

from monitoring import models
from monitoring.demo.geography import Muni
from monitoring.demo.run import DemoRun

CATEGORIES = (models.Category.FIRST, models.Category.HIGHEST)
# The share of a period's roster in its register, and of those the share whose category was set.
SHARE, ASSIGNED_SHARE = 0.08, 0.85
# The commission decides within two months of the application (at least about three weeks).
DECISION_DAYS = (21, 60)
# The other applicants: refused, waiting for the decision (applied in the year's last weeks), withdrawn.
_OTHER = ((models.AttestationResult.REFUSED, 45), (models.AttestationResult.PENDING, 35),
          (models.AttestationResult.WITHDRAWN, 20))  # fmt: skip


def _sought(rng: random.Random, category: str) -> str:
    """The category an applicant seeks: the next one, or the highest again."""
    if category == models.Category.HIGHEST or (category == models.Category.FIRST and rng.random() < 0.6):
        return models.AttestationCategory.HIGHEST
    return models.AttestationCategory.FIRST


def write_attestations(run: DemoRun, *, period: models.MonitoringPeriod, muni: Muni, roster) -> None:
    """The period's register for one municipality's roster (a person with two posts applies once)."""
    rng = random.Random(f"attestation:{run.seed}:{period.year}:{muni.code}")
    start, end = period.start, period.end
    people = list({person.pk: (person, post) for person, post in reversed(roster)}.values())[::-1]
    target = int(SHARE * len(people) + rng.random())
    # Attested in the year: their category is dated in it (the roster's first post says).
    dated = [
        i
        for i, (_, post) in enumerate(people)
        if post.category in CATEGORIES and post.category_date is not None and start <= post.category_date <= end
    ]
    assigned = set(rng.sample(dated, min(len(dated), round(target * ASSIGNED_SHARE))))
    attested = set(dated)
    others = [i for i, (_, post) in enumerate(people) if i not in attested and (post.experience or 0) >= 2]
    other = set(rng.sample(others, min(len(others), target - len(assigned))))
    results, weights = zip(*_OTHER, strict=True)
    for i, (person, post) in enumerate(people):
        if i in assigned:
            decided = post.category_date
            applied, category = decided - dt.timedelta(days=rng.randint(*DECISION_DAYS)), post.category
            result = models.AttestationResult.ASSIGNED
        elif i in other:
            category = _sought(rng, post.category)
            result = rng.choices(results, weights)[0]
            if result == models.AttestationResult.PENDING:
                applied, decided = end - dt.timedelta(days=rng.randint(0, DECISION_DAYS[0] - 1)), None
            else:
                applied = start + dt.timedelta(days=rng.randint(0, 290))
                decided = applied + dt.timedelta(days=rng.randint(*DECISION_DAYS))
                if result == models.AttestationResult.WITHDRAWN:
                    decided = None
        else:
            continue
        run.writer.add(
            models.Attestation(
                period_id=period.pk,
                teacher_id=person.pk,
                category=category,
                applied_on=applied,
                decided_on=decided,
                result=result,
            )
        )
