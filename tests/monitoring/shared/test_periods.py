import pytest
from django.core.exceptions import ValidationError

from monitoring import models
from monitoring.shared.periods import period_lock_open

pytestmark = pytest.mark.django_db


def test_period_lock_open_refuses_a_period_closed_since_it_was_read(world):
    stale = models.MonitoringPeriod.objects.get(pk=world.period.pk)  # read while open
    assert period_lock_open(period=stale).status == models.PeriodStatus.COLLECTING
    models.MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=models.PeriodStatus.CLOSED)
    with pytest.raises(ValidationError, match="Период мониторинга 2025 года закрыт"):
        period_lock_open(period=stale)  # the object still says "collecting": the database decides
