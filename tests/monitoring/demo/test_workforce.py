"""The demo's people: plausible ages, rosters that change from one year to the next, valid СНИЛС."""

from __future__ import annotations

import pytest

from monitoring import models

pytestmark = pytest.mark.django_db


def test_roster_ages_are_plausible(demo):
    for period in models.MonitoringPeriod.objects.all():
        roster = models.RosterEntry.objects.filter(period=period).select_related("teacher")
        ages = [entry.teacher.age_at(period.reference_date) for entry in roster]
        assert ages and min(ages) >= 18 and max(ages) <= 80
        # Indicators 9.2 and 9.3 need both ends of the age range.
        assert roster.young(period=period).exists()
        assert roster.pension_age(period=period).exists()


def test_rosters_change_from_one_year_to_the_next(demo):
    earlier, later = models.MonitoringPeriod.objects.order_by("year")
    rosters = models.RosterEntry.objects
    before = set(rosters.filter(period=earlier).values_list("teacher", flat=True))
    after = set(rosters.filter(period=later).values_list("teacher", flat=True))
    assert len(before & after) >= 0.8 * len(before)  # most people stay
    assert before - after  # some leave
    assert after - before  # and some arrive


def test_given_snils_are_valid(demo):
    snils = list(models.Teacher.objects.exclude(snils="").values_list("snils", flat=True))
    assert snils
    assert all(models.snils_is_valid(value) for value in snils)
