"""The demo's attestation register: about 8 % of each roster, consistent with the roster's categories, reproducible."""

from __future__ import annotations

import pytest
from django.db.models import F

from monitoring import models
from monitoring.demo import seed_demo

pytestmark = pytest.mark.django_db


def _register() -> list[tuple]:
    rows = models.Attestation.objects.order_by("period__year", "teacher__code", "applied_on")
    return list(rows.values_list("period__year", "teacher__code", "category", "applied_on", "decided_on", "result"))


def test_about_eight_percent_of_each_roster_apply_and_the_decisions_match_the_roster(demo):
    for period in models.MonitoringPeriod.objects.all():
        register = models.Attestation.objects.filter(period=period)
        roster = models.RosterEntry.objects.filter(period=period)
        applicants = register.values("teacher").distinct().count()
        teachers = roster.values("teacher").distinct().count()
        assert 0.06 <= applicants / teachers <= 0.10, (period.year, applicants, teachers)
        # Every applicant is on the period's roster.
        assert not register.exclude(teacher__roster_entries__period=period).exists()
        # An assigned category is the one the roster holds, dated the day of the decision.
        assigned = register.filter(result=models.AttestationResult.ASSIGNED)
        assert assigned.count() > applicants / 2
        consistent = assigned.filter(
            teacher__roster_entries__period=period,
            teacher__roster_entries__category=F("category"),
            teacher__roster_entries__category_date=F("decided_on"),
        )
        assert consistent.count() == assigned.count()
        assert not register.filter(decided_on__gt=period.end).exists()
    # The register holds every result (refused, withdrawn, waiting: a few of each).
    assert set(models.Attestation.objects.values_list("result", flat=True)) == set(models.AttestationResult.values)


def test_the_same_seed_gives_the_same_register_and_a_reset_wipes_it(demo):
    register = _register()
    assert register
    seed_demo(size="small", seed=1, reset=True)
    assert _register() == register
