from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring import models
from monitoring.plausibility import plausibility_warnings
from tests import factories

pytestmark = pytest.mark.django_db


def _staff(period, school, positions):
    factories.StaffingRowFactory(
        period=period, school=school, position="учитель", positions_by_schedule=Decimal(positions), vacant_positions=0
    )


def _roster(period, school, n):
    for _ in range(n):
        factories.RosterEntryFactory(period=period, school=school)


@pytest.fixture
def years(world):
    last = factories.PeriodFactory(year=2024)
    return last, world.period


def test_tenfold_positions_jump_is_flagged(world, years):
    last, now = years
    _staff(last, world.school_b, 25)
    _staff(now, world.school_b, 250)
    _staff(last, world.school_c, 20)
    _staff(now, world.school_c, 22)
    texts = [(w.school_code, w.message) for w in plausibility_warnings(period=now)]
    assert ("000002", "Ставок по штату 250 против 25 в 2024 году — проверьте, нет ли опечатки.") in texts
    assert not [t for t in texts if t[0] == "000003" and "Ставок по штату 22" in t[1]]


def test_roster_that_halves_is_flagged(world, years):
    last, now = years
    _roster(last, world.school_c, 10)
    _roster(now, world.school_c, 4)  # plus teacher C of the world fixture: 5 of 10
    messages = [w.message for w in plausibility_warnings(period=now) if w.school_code == "000003"]
    assert "В списке педагогов 5 чел. против 10 в 2024 году." in messages


def test_small_changes_and_small_schools_are_not_flagged(world, years):
    last, now = years
    _roster(last, world.school_b, 3)  # below the base size
    _staff(last, world.school_a, 10)
    _staff(now, world.school_a, 12)
    assert [w for w in plausibility_warnings(period=now) if "против" in w.message] == []


def test_far_from_region_median_is_flagged(world, years):
    _, now = years
    for school, positions in ((world.school_a, 1), (world.school_b, 1), (world.school_c, 40)):
        _staff(now, school, positions)  # each school has one teacher on the roster
    flagged = {w.school_code for w in plausibility_warnings(period=now) if "медиане по региону" in w.message}
    assert flagged == {"000003"}


def test_warnings_show_beside_the_data_for_reviewers_in_scope(client, world, years):
    last, now = years
    _staff(last, world.school_b, 25)
    _staff(now, world.school_b, 250)
    client.force_login(world.analyst)
    assert "250 против 25" in client.get(reverse("school-detail", args=["000002"])).content.decode()
    assert "250 против 25" in client.get(reverse("period-detail", args=[now.year])).content.decode()
    client.force_login(world.municipal)  # school B is in another municipality
    assert "250 против 25" not in client.get(reverse("period-detail", args=[now.year])).content.decode()


def test_query_count_does_not_grow_with_schools(world, years, django_assert_max_num_queries):
    _, now = years
    with django_assert_max_num_queries(8) as first:
        plausibility_warnings(period=now)
    for _ in range(20):
        school = factories.SchoolFactory(municipality=world.m1)
        _staff(now, school, 10)
    with django_assert_max_num_queries(len(first.captured_queries)):
        plausibility_warnings(period=now)
    assert models.School.objects.count() == 23
