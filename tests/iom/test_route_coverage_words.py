"""The routes-per-school page says its counts in Russian grammar (issue 16, item 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_one_school_without_any_route_is_said_in_the_singular(client, world):
    # Reported: «ИОМ не разработаны ни одному педагогу в 1 организациях».
    factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 3, 1), submit=True, scores={"ИКТ": 20})
    client.force_login(world.analyst)
    html = client.get(reverse("route-list")).content.decode()
    assert "ни одному педагогу в 1 организации:" in html
    assert "1 организациях" not in html
