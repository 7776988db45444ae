"""The dashboards' selectors list units in the natural Russian order of their names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.engine import compute_period
from monitoring.models import Municipality
from tests import factories

pytestmark = pytest.mark.django_db


def test_direction_matrix_rows_sort_case_and_number_aside(client, world):
    # Reported: «город Волжский» listed after «Жирновский» (upper case sorted first).
    Municipality.objects.filter(pk=world.m1.pk).update(name="Жирновский муниципальный район")
    Municipality.objects.filter(pk=world.m2.pk).update(name="город Волжский")
    factories.StaffingRowFactory(period=world.period, school=world.school_a, vacant_positions=4)
    factories.StaffingRowFactory(period=world.period, school=world.school_b, vacant_positions=0)
    compute_period(period=world.period, directions=[9])
    client.force_login(world.analyst)
    response = client.get(reverse("indicator-direction", args=[9]))
    assert [row.name for row in response.context["matrix"].rows] == [
        "город Волжский",
        "Жирновский муниципальный район",
    ]


def test_ranking_ties_are_broken_by_the_natural_name_order(client, world):
    # Two schools with the same value: «№ 2» before «№ 10».
    world.school_a.name, world.school_c.name = "Школа № 10", "Школа № 2"
    world.school_a.save(), world.school_c.save()
    factories.StaffingRowFactory(period=world.period, school=world.school_a, vacant_positions=1)
    factories.StaffingRowFactory(period=world.period, school=world.school_c, vacant_positions=1)
    compute_period(period=world.period, directions=[9])
    client.force_login(world.municipal)
    ranking = client.get(reverse("indicator-detail", args=["9.1"])).context["ranking"]
    assert [r.name for r in ranking] == ["Школа № 2", "Школа № 10"]
