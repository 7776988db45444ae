import datetime as dt

import pytest

from monitoring import models
from monitoring.services import period_create, plan_template

pytestmark = pytest.mark.django_db


def test_period_create_builds_the_plan_of_the_regional_order():
    period = period_create(year=2026)
    assert period.reference_date == dt.date(2026, 12, 31)
    items = list(period.plan_items.order_by("direction"))
    assert [i.direction for i in items] == list(range(1, 10))
    staffing = items[8]
    assert staffing.get_direction_display() == "Выявление кадровых потребностей"
    assert staffing.deadline == dt.date(2026, 9, 15)
    assert staffing.responsible_name == "Проректор по учебно-методической работе"


def test_period_create_is_idempotent_and_keeps_edits():
    period = period_create(year=2026)
    item = period.plan_items.get(direction=2)
    item.responsible_name = "Исполняющий обязанности руководителя ЦНППМ"
    item.save()
    again = period_create(year=2026)
    assert again.pk == period.pk
    assert models.MonitoringPlanItem.objects.filter(period=period).count() == 9
    assert again.plan_items.get(direction=2).responsible_name == "Исполняющий обязанности руководителя ЦНППМ"


def test_plan_template_covers_the_nine_directions():
    assert sorted(item["direction"] for item in plan_template()) == [d.value for d in models.Direction]
