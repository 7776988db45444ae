"""The plan tests' constructed item (the ``people`` fixture lives in tests/reports/conftest.py)."""

from __future__ import annotations

import datetime as dt

from monitoring.models import MonitoringPlanItem, PlanObligation

DEADLINE = dt.date(2025, 9, 30)


def plan_item(world, *, direction=9, obligation=PlanObligation.SCHOOL_DATA, deadline=DEADLINE, grace_days=5, areas=()):
    item = MonitoringPlanItem.objects.create(
        period=world.period, direction=direction, deadline=deadline, obligation=obligation, grace_days=grace_days
    )
    item.municipalities.set(areas)
    return item
