"""What the plan pages show: per item the counts done/late in the reader's scope, per unit its reminders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from monitoring.models import MonitoringPeriod, MonitoringPlanItem, School
from reports.models import Notice
from reports.plan.obligations import Unit, units_for_item
from reports.plan.reminders import STEP_WORDS


@dataclass
class ItemRow:
    item: MonitoringPlanItem
    overdue: bool
    total: int
    done: int
    late: int


@dataclass
class UnitRow:
    unit: Unit
    late: bool
    reminders: list[tuple[str, dt.datetime]] = field(default_factory=list)


def plan_rows(*, period: MonitoringPeriod, user, today: dt.date) -> list[ItemRow]:
    """Every item of the period with its units counted in ``user``'s scope."""
    schools = School.objects.visible_to(user)
    rows = []
    items = period.plan_items.select_related("responsible", "period").prefetch_related("municipalities")
    for item in items.order_by("direction"):
        units = units_for_item(item=item, schools=schools, today=today)
        rows.append(
            ItemRow(
                item=item,
                overdue=item.is_overdue(today),
                total=len(units),
                done=sum(u.done for u in units),
                late=sum(u.is_late(today) for u in units),
            )
        )
    return rows


def unit_rows(*, item: MonitoringPlanItem, user, today: dt.date) -> list[UnitRow]:
    """The units of an item in ``user``'s scope, late first, each with the reminders sent about it."""
    units = units_for_item(item=item, schools=School.objects.visible_to(user), today=today)
    sent = defaultdict(list)
    prefix = f"plan:{item.pk}:"
    notices = Notice.objects.filter(key__startswith=prefix).order_by("created_at").values_list("key", "created_at")
    for key, at in notices:
        parts = key.split(":")
        if len(parts) == 4:
            sent[parts[2]].append((STEP_WORDS.get(parts[3], parts[3]), at))
    rows = []
    for unit in units:
        seen, reminders = set(), []
        # Several recipients of a unit are reminded at once: each step is listed once.
        for word, at in sent.get(unit.key, []):
            if word not in seen:
                seen.add(word)
                reminders.append((word, at))
        rows.append(UnitRow(unit=unit, late=unit.is_late(today), reminders=reminders))
    rows.sort(key=lambda r: (not r.late, r.unit.done))
    return rows
