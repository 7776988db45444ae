"""A constructed period whose plan chases people: everyone with an address, a head for school C."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring.models import MonitoringPlanItem, PlanObligation, Role
from tests import factories

DEADLINE = dt.date(2025, 9, 30)


@pytest.fixture
def people(world):
    for name, person in world.people.items():
        person.email = f"{name}@example.org"
        person.save(update_fields=["email"])
    world.head_c = factories.UserFactory(
        username="head_c", role=Role.SCHOOL_HEAD, school=world.school_c, email="head_c@example.org"
    )
    world.municipal_b = factories.UserFactory(
        username="municipal_b", role=Role.MUNICIPAL, municipality=world.m2, email="mb@example.org"
    )
    return world


def plan_item(world, *, direction=9, obligation=PlanObligation.SCHOOL_DATA, deadline=DEADLINE, grace_days=5, areas=()):
    item = MonitoringPlanItem.objects.create(
        period=world.period, direction=direction, deadline=deadline, obligation=obligation, grace_days=grace_days
    )
    item.municipalities.set(areas)
    return item
