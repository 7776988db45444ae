"""Writes of the plan: the analyst edits an item; the analyst or its responsible user marks it done."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from monitoring.models import MonitoringPlanItem, PlanItemState, PlanObligation, Role
from monitoring.models.scoping import can_write_region
from monitoring.shared.periods import period_lock_open

MAX_GRACE_DAYS = 90


def can_edit_item(user) -> bool:
    return can_write_region(user)


def can_mark_done(*, user, item: MonitoringPlanItem) -> bool:
    return can_write_region(user) or bool(
        user and user.is_authenticated and user.is_active and item.responsible_id == user.pk
    )


@transaction.atomic
def plan_item_update(
    *,
    item: MonitoringPlanItem,
    user,
    deadline: dt.date,
    state: str,
    obligation: str,
    grace_days: int,
    responsible=None,
    municipalities=(),
) -> MonitoringPlanItem:
    """Change an item's deadline, state, obligation, responsible user, organisations and grace days."""
    if not can_edit_item(user):
        raise PermissionDenied("Пункт плана изменяют только сотрудники института.")
    # A closed period's plan is history: its items (and so its reminders) no longer change.
    period_lock_open(period=item.period)
    errors = {}
    year = item.period.year
    # Data of a year are often collected early in the next one: a deadline may run into it.
    if not isinstance(deadline, dt.date) or deadline.year not in (year, year + 1):
        errors["deadline"] = f"Срок пункта плана — дата {year} или {year + 1} года (год периода или следующий)."
    if state not in PlanItemState.values:
        errors["state"] = "Неизвестное состояние пункта плана."
    if obligation not in PlanObligation.values:
        errors["obligation"] = "Неизвестный вид обязательства."
    if not isinstance(grace_days, int) or not 0 <= grace_days <= MAX_GRACE_DAYS:
        errors["grace_days"] = f"Отсрочка до сообщения муниципалитету — от 0 до {MAX_GRACE_DAYS} дней."
    if responsible is not None and (not responsible.is_active or responsible.role == Role.TEACHER):
        errors["responsible"] = "Ответственным назначается действующий сотрудник, не педагог."
    if errors:
        raise ValidationError(errors)
    item.deadline = deadline
    item.state = state
    item.obligation = obligation
    item.grace_days = grace_days
    item.responsible = responsible
    item.full_clean(exclude=["period", "municipalities"])
    item.save()
    item.municipalities.set(municipalities)
    return item


@transaction.atomic
def plan_item_set_state(*, item: MonitoringPlanItem, user, state: str) -> MonitoringPlanItem:
    """The responsible user (or the analyst) says where the item stands; «done» stops its reminders."""
    if not can_mark_done(user=user, item=item):
        raise PermissionDenied("Состояние пункта плана отмечает ответственный за него или сотрудник института.")
    period_lock_open(period=item.period)
    if state not in PlanItemState.values:
        raise ValidationError("Неизвестное состояние пункта плана.")
    if item.state != state:
        item.state = state
        item.save(update_fields=["state"])
    return item


def plan_item_mark_done(*, item: MonitoringPlanItem, user) -> MonitoringPlanItem:
    """The item is done: its reminders stop."""
    return plan_item_set_state(item=item, user=user, state=PlanItemState.DONE)
