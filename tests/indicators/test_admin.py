"""The period's targets and thresholds: edited by the institute only, never for a closed period."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.engine import period_edition
from indicators.models import PeriodIndicator
from monitoring.models import PeriodStatus

pytestmark = pytest.mark.django_db


def _change(client, setting, **data):
    url = reverse("admin:indicators_periodindicator_change", args=[setting.pk])
    return client.post(url, {"target": "", "threshold": "", "higher_is_better": "on", **data})


def test_analyst_sets_a_periods_target_and_threshold(client, world):
    setting = period_edition(world.period)["9.1"]
    client.force_login(world.analyst)
    assert _change(client, setting, target="100", threshold="97").status_code == 302
    setting.refresh_from_db()
    assert (setting.target, setting.threshold) == (Decimal(100), Decimal(97))


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a"])
def test_others_only_read(client, world, person):
    setting = period_edition(world.period)["9.1"]
    client.force_login(world.people[person])
    assert _change(client, setting, target="1").status_code == 403
    setting.refresh_from_db()
    assert setting.target == Decimal(100)


def test_a_closed_periods_targets_stay(client, world):
    setting = period_edition(world.period)["9.1"]
    world.period.status = PeriodStatus.CLOSED
    world.period.save()
    client.force_login(world.analyst)
    assert _change(client, setting, target="1").status_code == 403
    assert PeriodIndicator.objects.get(pk=setting.pk).target == Decimal(100)
