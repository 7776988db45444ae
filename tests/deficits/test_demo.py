import pytest
from django.utils import timezone

from deficits.models import Diagnostic, GroupResult
from monitoring.demo import seed_demo
from monitoring.models import MonitoringPeriod, RosterEntry

pytestmark = pytest.mark.django_db


def test_demo_diagnoses_most_of_each_roster_within_the_period():
    result = seed_demo(size="small", seed=2)
    assert result.counts["Diagnostic"] == Diagnostic.objects.count() > 0
    for period in MonitoringPeriod.objects.all():
        roster = RosterEntry.objects.filter(period=period).count()
        diagnosed = Diagnostic.objects.in_period(period).count()
        assert 0.4 * roster < diagnosed < 0.85 * roster
        assert not Diagnostic.objects.in_period(period).filter(date__gt=timezone.localdate()).exists()
    assert GroupResult.objects.count() == 6 * Diagnostic.objects.count()
    levels = set(GroupResult.objects.values_list("level", flat=True))
    assert levels == {"пороговый", "допустимый", "оптимальный"}
