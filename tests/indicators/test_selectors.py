"""The dashboards' selectors: units in the natural Russian order of their names; the period's indicators read once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.catalog import catalog
from indicators.engine import compute_period
from indicators.selectors import period_definitions
from monitoring.models import Municipality
from tests import factories
from tests.indicators.helpers import DECLARED, declare

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


def test_the_dashboards_queries_do_not_grow_with_the_declarative_indicators(client, declared):
    client.force_login(declared.analyst)
    pages = [
        (reverse("indicator-overview"), {}),
        (reverse("indicator-direction", args=[1]), {"chart": DECLARED}),
        (reverse("indicator-detail", args=[DECLARED]), {}),
    ]

    def queries() -> list[int]:
        counts = []
        for url, params in pages:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, params).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    queries()  # the session's first reads
    few = queries()
    for code in ("Ж.6", "Ж.7", "Ж.8"):
        declare(declared, code=code)
    assert (
        len(period_definitions(declared.period).of_direction(1)) == len([d for d in catalog() if d.direction == 1]) + 4
    )
    assert queries() == few
