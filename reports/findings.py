"""Findings: the org units whose indicator value misses the period's alert threshold.

Recomputed after every indicator run (the store ``run_done``, monitoring/config/extensions.py): the rows of
a period are replaced as a whole, so a unit that recovered disappears from them. Only
rows without a breakdown are judged: a threshold is set on the indicator's value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from indicators.models import IndicatorValue, Level, PeriodIndicator
from monitoring.models import MonitoringPeriod, Municipality, School
from reports.models import Finding


@transaction.atomic
def findings_refresh(*, period: MonitoringPeriod) -> int:
    settings = {
        pi.indicator_id: pi
        for pi in PeriodIndicator.objects.filter(period=period, threshold__isnull=False).select_related("indicator")
    }
    names = {
        Level.SCHOOL: dict(School.objects.values_list("code", "name")),
        Level.MUNICIPALITY: dict(Municipality.objects.values_list("code", "name")),
    }
    rows = []
    values = IndicatorValue.objects.filter(
        period=period, indicator_id__in=settings, breakdown="", value__isnull=False, level__in=list(names)
    ).values_list("indicator_id", "level", "org_code", "school_id", "municipality_id", "value")
    for indicator_id, level, org, school_id, municipality_id, value in values.iterator(chunk_size=10000):
        setting = settings[indicator_id]
        if setting.misses(value):
            rows.append(
                Finding(
                    period=period,
                    indicator_id=indicator_id,
                    level=level,
                    org_code=org,
                    org_name=names[level].get(org, org),
                    school_id=school_id,
                    municipality_id=municipality_id,
                    value=value,
                    threshold=setting.threshold,
                    higher_is_better=setting.higher_is_better,
                )
            )
    Finding.objects.filter(period=period).delete()
    Finding.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def findings_after_run(run) -> None:
    findings_refresh(period=run.period)


@dataclass
class FindingGroup:
    """The findings of one indicator at one level: how many units and which."""

    indicator_code: str
    indicator_title: str
    level: str
    threshold: object
    higher_is_better: bool
    units: list[Finding] = field(default_factory=list)
    # The indicator's direction and place, as stored on it (a declarative code such as «Ж.5» says neither).
    direction: int = 0
    order: int = 0

    @property
    def count(self) -> int:
        return len(self.units)

    @property
    def names(self) -> str:
        return ", ".join(f.org_name for f in self.units)


def grouped_findings(*, period: MonitoringPeriod, user, municipality: Municipality | None = None) -> list[FindingGroup]:
    """Findings in the user's scope (optionally one municipality's), grouped by indicator and level."""
    qs = Finding.objects.visible_to(user).filter(period=period).select_related("indicator")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    groups: dict[tuple, FindingGroup] = {}
    for f in qs.order_by("indicator__order", "level", "org_name"):
        k = (f.indicator.code, f.level)
        if k not in groups:
            groups[k] = FindingGroup(
                f.indicator.code,
                f.indicator.title,
                f.level,
                f.threshold,
                f.higher_is_better,
                direction=f.indicator.direction,
                order=f.indicator.order,
            )
        groups[k].units.append(f)
    order = defaultdict(int, {Level.SCHOOL: 0, Level.MUNICIPALITY: 1})
    return sorted(groups.values(), key=lambda g: (g.order, g.indicator_code, order[g.level]))
