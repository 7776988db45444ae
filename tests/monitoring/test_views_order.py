"""The core's lists show organisations in the natural Russian order of their names (issue 16, item 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitoring.models import Municipality
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbered(world):
    # Codes in another order than the names, as a region's registry numbers them.
    Municipality.objects.filter(pk=world.m2.pk).update(name="город Волжский")
    factories.MunicipalityFactory(code="00", name="Жирновский муниципальный район")
    for code, name in (("000010", "Школа № 10"), ("000011", "Школа № 2"), ("000012", "школа № 1")):
        factories.SchoolFactory(municipality=world.m1, code=code, name=name)
    return world


def test_municipality_list_is_in_name_order(client, numbered):
    client.force_login(numbered.analyst)
    rows = client.get(reverse("municipality-list")).context["rows"]
    assert [m.name for m, _ in rows] == [
        "Алексеевский муниципальный район",
        "город Волжский",
        "Жирновский муниципальный район",
    ]


def test_schools_are_listed_by_name_with_numbers_by_value(client, numbered):
    client.force_login(numbered.analyst)
    expected = ["МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»", "школа № 1", "Школа № 2", "Школа № 10"]
    page = client.get(reverse("municipality-detail", args=[numbered.m1.code])).context["page"]
    assert [s.name for s in page] == expected
    page = client.get(reverse("school-list")).context["page"]
    # By municipality («Алексеевский…» before «город Волжский»), then by the school's name.
    assert [s.name for s in page] == [*expected, "МКОУ «Быковская СШ № 1»"]
