"""Edits of a plan item: the analyst's, refused in Russian; «done» by the responsible user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from monitoring.models import PeriodStatus, PlanItemState, PlanObligation
from reports.plan.services import plan_item_mark_done, plan_item_set_state, plan_item_update
from tests.reports.plan.helpers import plan_item

pytestmark = pytest.mark.django_db


def _update(item, user, **over):
    values = {
        "deadline": dt.date(2025, 10, 31),
        "state": PlanItemState.IN_PROGRESS,
        "obligation": PlanObligation.SCHOOL_DATA,
        "grace_days": 10,
        "responsible": None,
        "municipalities": [],
        **over,
    }
    return plan_item_update(item=item, user=user, **values)


def test_the_analyst_edits_an_item(people):
    item = plan_item(people)
    _update(item, people.analyst, responsible=people.head_a, municipalities=[people.m2])
    item.refresh_from_db()
    assert item.deadline == dt.date(2025, 10, 31) and item.grace_days == 10
    assert item.state == PlanItemState.IN_PROGRESS and item.responsible == people.head_a
    assert list(item.municipalities.all()) == [people.m2]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        (
            {"deadline": dt.date(2027, 1, 15)},
            "deadline",
            "Срок пункта плана — дата 2025 или 2026 года (год периода или следующий).",
        ),
        (
            {"deadline": dt.date(2024, 12, 31)},
            "deadline",
            "Срок пункта плана — дата 2025 или 2026 года (год периода или следующий).",
        ),
        ({"grace_days": 91}, "grace_days", "Отсрочка до сообщения муниципалитету — от 0 до 90 дней."),
        ({"state": "lost"}, "state", "Неизвестное состояние пункта плана."),
        ({"obligation": "nope"}, "obligation", "Неизвестный вид обязательства."),
    ],
)
def test_bad_values_are_refused_in_russian(people, over, field, message):
    item = plan_item(people)
    with pytest.raises(ValidationError) as exc:
        _update(item, people.analyst, **over)
    assert exc.value.message_dict[field] == [message]
    item.refresh_from_db()
    assert item.deadline == dt.date(2025, 9, 30)


def test_a_teacher_is_never_made_responsible(people):
    with pytest.raises(ValidationError) as exc:
        _update(plan_item(people), people.analyst, responsible=people.teacher)
    assert "responsible" in exc.value.message_dict


@pytest.mark.parametrize("who", ["ministry", "municipal", "head_a", "teacher"])
def test_only_the_analyst_edits(people, who):
    with pytest.raises(PermissionDenied):
        _update(plan_item(people), getattr(people, who))


def test_the_responsible_user_marks_the_item_done_and_no_one_else(people):
    item = plan_item(people)
    item.responsible = people.head_b
    item.save()
    with pytest.raises(PermissionDenied):
        plan_item_mark_done(item=item, user=people.head_a)
    plan_item_mark_done(item=item, user=people.head_b)
    item.refresh_from_db()
    assert item.state == PlanItemState.DONE


def test_the_responsible_user_marks_it_in_progress_and_an_unknown_state_is_refused(people):
    item = plan_item(people)
    item.responsible = people.head_b
    item.save()
    plan_item_set_state(item=item, user=people.head_b, state=PlanItemState.IN_PROGRESS)
    item.refresh_from_db()
    assert item.state == PlanItemState.IN_PROGRESS
    with pytest.raises(ValidationError, match="Неизвестное состояние пункта плана"):
        plan_item_set_state(item=item, user=people.head_b, state="lost")


def test_a_deadline_may_run_into_the_next_year_while_data_are_collected(people):
    item = plan_item(people)
    _update(item, people.analyst, deadline=dt.date(2026, 2, 15))
    item.refresh_from_db()
    assert item.deadline == dt.date(2026, 2, 15)


def test_a_closed_periods_plan_is_not_changed(people):
    item = plan_item(people)
    type(people.period).objects.filter(pk=people.period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(ValidationError):
        _update(item, people.analyst)
    with pytest.raises(ValidationError):
        plan_item_set_state(item=item, user=people.analyst, state=PlanItemState.DONE)
    item.refresh_from_db()
    assert (item.state, item.deadline) == (PlanItemState.NOT_STARTED, dt.date(2025, 9, 30))
