"""Coverage of a campaign: invited, answered and their share by municipality and school, in the reader's scope."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deficits.models import Invitation
from deficits.questionnaire import campaigns, coverage
from tests import factories
from tests.deficits.questionnaire.campaign_helpers import campaign_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(world):
    """A roster campaign of the world's three teachers plus two at school A; two of school A answered."""
    for _ in range(2):
        factories.RosterEntryFactory(period=world.period, school=world.school_a)
    campaign = campaign_make(world.period)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    answered = campaign.invitations.filter(school=world.school_a).order_by("pk")[:2]
    Invitation.objects.filter(pk__in=[i.pk for i in answered]).update(answered=True)
    return campaign


def cells(result):
    return [(row.name, row.invited, row.answered, row.percent) for row in result.rows]


def test_the_region_by_municipality(world, running):
    result = coverage.campaign_coverage(campaign=running, user=world.analyst)
    assert cells(result) == [
        (world.m1.name, 4, 2, 50.0),
        (world.m2.name, 1, 0, 0.0),
    ]
    assert (result.total.invited, result.total.answered, result.total.percent) == (5, 2, 40.0)
    assert result.total.waiting == 3


def test_a_municipality_by_school(world, running):
    result = coverage.campaign_coverage(campaign=running, user=world.ministry, municipality=world.m1)
    assert cells(result) == [
        (world.school_a.name, 3, 2, 66.7),
        (world.school_c.name, 1, 0, 0.0),
    ]


def test_a_municipal_official_sees_their_municipality_only(world, running):
    result = coverage.campaign_coverage(campaign=running, user=world.municipal)
    assert cells(result) == [(world.m1.name, 4, 2, 50.0)]
    other = coverage.campaign_coverage(campaign=running, user=world.municipal, municipality=world.m2)
    assert other.rows == [] and other.total.invited == 0


def test_a_head_sees_their_school_only(world, running):
    result = coverage.campaign_coverage(campaign=running, user=world.head_a, municipality=world.m1)
    assert cells(result) == [(world.school_a.name, 3, 2, 66.7)]
    assert coverage.campaign_reaches(campaign=running, user=world.head_a)
    assert coverage.campaign_reaches(campaign=running, user=world.head_b)
    waiting = coverage.campaign_waiting(campaign=running, user=world.head_a)
    assert [i.school_id for i in waiting] == [world.school_a.pk]


def test_a_teacher_counts_their_own_invitation_only(world, running):
    # Invitations are scoped like any row about a teacher (the pages themselves are staff-only).
    assert coverage.campaign_coverage(campaign=running, user=world.teacher).total.invited == 1
    assert coverage.campaign_waiting(campaign=running, user=world.teacher).exclude(teacher=world.teacher_a).count() == 0


def test_a_campaign_outside_a_heads_school_is_not_theirs(world):
    campaign = campaign_make(world.period, target_kind="schools", target={"schools": [world.school_b.pk]})
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    assert not coverage.campaign_reaches(campaign=campaign, user=world.head_a)
    assert coverage.campaign_reaches(campaign=campaign, user=world.head_b)


def test_waiting_lists_the_unanswered_in_scope(world, running):
    waiting = coverage.campaign_waiting(campaign=running, user=world.municipal)
    assert {i.municipality_id for i in waiting} == {world.m1.pk}
    assert len(waiting) == 2
    assert not any(i.answered for i in waiting)


def _queries(user, campaign, municipality=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        coverage.campaign_coverage(campaign=campaign, user=user, municipality=municipality)
    return len(queries)


@pytest.mark.parametrize("role", ["analyst", "municipal", "head_a"])
def test_the_query_count_does_not_grow_with_the_schools(world, role):
    user = world.people[role]
    small = campaign_make(world.period)
    campaigns.campaign_open(campaign=small, user=world.analyst)
    before = (_queries(user, small), _queries(user, small, world.m1))
    for _ in range(12):
        school = factories.SchoolFactory(municipality=world.m1)
        factories.RosterEntryFactory(period=world.period, school=school)
        factories.RosterEntryFactory(period=world.period, school=factories.SchoolFactory())
    large = campaign_make(world.period)
    campaigns.campaign_open(campaign=large, user=world.analyst)
    assert large.invitations.count() == 3 + 24
    after = (_queries(user, large), _queries(user, large, world.m1))
    assert after == before
    assert max(after) <= 2
