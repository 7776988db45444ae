"""The period's and the plan's invariants, and which period is the current one."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring import models
from tests import factories
from tests.monitoring.models.refusal import refused

pytestmark = pytest.mark.django_db


def test_plan_has_one_row_per_direction():
    period = factories.PeriodFactory()
    models.MonitoringPlanItem.objects.create(period=period, direction=1, deadline=dt.date(2025, 11, 1))
    refused(
        models.MonitoringPlanItem(period=period, direction=1, deadline=dt.date(2025, 11, 1)),
        "В плане периода это направление уже есть.",
    )


def test_period_current_prefers_open_period():
    factories.PeriodFactory(year=2024, status=models.PeriodStatus.CLOSED)
    open_period = factories.PeriodFactory(year=2025)
    factories.PeriodFactory(year=2026, status=models.PeriodStatus.CLOSED)
    assert models.MonitoringPeriod.objects.current() == open_period
