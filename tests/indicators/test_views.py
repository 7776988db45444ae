"""Dashboards tried by each fixed person: each sees their own unit and nothing beyond it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.engine import compute_period
from indicators.models import ComputationRun, RunStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(world):
    factories.RosterEntryFactory(period=world.period, school=world.school_a)  # school A: 2 teachers
    factories.StaffingRowFactory(period=world.period, school=world.school_a, vacant_positions=4)  # 60 %
    factories.StaffingRowFactory(period=world.period, school=world.school_b, vacant_positions=0)  # 100 %
    factories.StaffingRowFactory(period=world.period, school=world.school_c, vacant_positions=1)  # 90 %
    compute_period(period=world.period)
    return world


PAGES = [
    ("indicator-overview", ()),
    ("indicator-direction", (9,)),
    ("indicator-detail", ("9.1",)),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize(
    ("person", "status"),
    [("analyst", 200), ("ministry", 200), ("municipal", 200), ("head_a", 200), ("head_b", 200), ("teacher", 404)],
)
def test_every_dashboard_opens_for_staff_only(client, computed, name, args, person, status):
    client.force_login(computed.people[person])
    assert client.get(reverse(name, args=args)).status_code == status


def test_anonymous_is_sent_to_login(client, computed):
    for name, args in PAGES:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _names(response) -> set[str]:
    html = response.content.decode()
    candidates = {
        "Алексеевский муниципальный район",
        "Быковский муниципальный район",
        "МКОУ «Алексеевская СШ»",
        "МКОУ «Аржановская СШ»",
        "МКОУ «Быковская СШ № 1»",
    }
    return {c for c in candidates if c in html}


def test_ranking_and_findings_follow_the_scope(client, computed):
    client.force_login(computed.analyst)
    response = client.get(reverse("indicator-detail", args=["9.1"]))
    ranking = response.context["ranking"]
    # Municipalities, best first: M2 100 % (10 of 10), M1 75 % (15 of 20).
    assert [(r.code, str(r.value)) for r in ranking] == [("02", "100.0000"), ("01", "75.0000")]
    assert [r.code for r in response.context["findings"]] == ["01"]  # threshold 95
    schools = client.get(reverse("indicator-detail", args=["9.1"]), {"level": "school"}).context["ranking"]
    assert [r.code for r in schools] == ["000002", "000003", "000001"]

    client.force_login(computed.municipal)
    response = client.get(reverse("indicator-detail", args=["9.1"]))
    assert [r.code for r in response.context["ranking"]] == ["000003", "000001"]  # M1's schools only
    assert _names(response) == {"Алексеевский муниципальный район", "МКОУ «Аржановская СШ»", "МКОУ «Алексеевская СШ»"}

    client.force_login(computed.head_b)
    response = client.get(reverse("indicator-detail", args=["9.1"]))
    assert response.context["ranking"] == [] and _names(response) == {"МКОУ «Быковская СШ № 1»"}
    assert [v for _, v in response.context["history"]] == [100]


def test_overview_shows_the_users_own_unit(client, computed):
    client.force_login(computed.municipal)
    tiles = client.get(reverse("indicator-overview")).context["directions"][8][2]
    values = {t.definition.code: t.value for t in tiles}
    assert values["9.1"] == 75 and values["9.6"] == 20  # M1: (20 − 5) / 20; 10 + 10 positions
    client.force_login(computed.head_a)
    tiles = client.get(reverse("indicator-overview")).context["directions"][8][2]
    assert {t.definition.code: t.value for t in tiles}["9.1"] == 60
    assert next(t for t in tiles if t.definition.code == "9.1").finding


def test_direction_matrix_rows_are_the_users_units(client, computed):
    client.force_login(computed.analyst)
    response = client.get(reverse("indicator-direction", args=[9]))
    assert [row.name for row in response.context["matrix"].rows] == [
        "Алексеевский муниципальный район",
        "Быковский муниципальный район",
    ]
    client.force_login(computed.municipal)
    response = client.get(reverse("indicator-direction", args=[9]))
    assert [row.name for row in response.context["matrix"].rows] == [
        "МКОУ «Алексеевская СШ»",
        "МКОУ «Аржановская СШ»",
    ]


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a", "teacher"])
def test_only_the_institute_starts_a_computation(client, computed, person):
    client.force_login(computed.people[person])
    assert client.post(reverse("indicator-compute"), {"period": 2025}).status_code == 404
    assert not ComputationRun.objects.exists()


def test_analyst_starts_a_computation_and_sees_its_status(client, computed, django_capture_on_commit_callbacks):
    client.force_login(computed.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indicator-compute"), {"period": 2025})
    assert response.status_code == 302
    run = ComputationRun.objects.get()
    assert run.status == RunStatus.DONE and run.user == computed.analyst
    status = client.get(reverse("indicator-run", args=[run.pk])).content.decode()
    assert f"расчет №{run.pk}" in status and "hx-get" not in status  # finished: no more polling
