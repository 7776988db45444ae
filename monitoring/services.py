"""Writes of the monitored world that span rows: periods and their plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from monitoring.models import MonitoringPeriod, MonitoringPlanItem, PeriodStatus

PLAN_TEMPLATE = Path(settings.BASE_DIR) / "fixtures" / "monitoring_plan.json"


def plan_template() -> list[dict]:
    """The plan rows of the regional order, as shipped in fixtures/monitoring_plan.json."""
    return json.loads(PLAN_TEMPLATE.read_text(encoding="utf-8"))["items"]


@transaction.atomic
def period_create(
    *,
    year: int,
    reference_date: dt.date | None = None,
    status: str = PeriodStatus.COLLECTING,
) -> MonitoringPeriod:
    """Create the monitoring period of ``year`` with its plan taken from the template.

    Idempotent: an existing period is returned as it is, and plan rows it already has
    are kept (staff may have edited them).
    """
    period, _ = MonitoringPeriod.objects.get_or_create(
        year=year,
        defaults={"reference_date": reference_date or dt.date(year, 12, 31), "status": status},
    )
    existing = set(period.plan_items.values_list("direction", flat=True))
    MonitoringPlanItem.objects.bulk_create(
        [
            MonitoringPlanItem(
                period=period,
                direction=item["direction"],
                indicators_scope=item["indicators_scope"],
                periodicity=item["periodicity"],
                responsible_name=item["responsible_name"],
                deadline=dt.date.fromisoformat(f"{year}-{item['deadline']}"),
            )
            for item in plan_template()
            if item["direction"] not in existing
        ]
    )
    return period
