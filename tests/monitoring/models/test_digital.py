"""The digital environment's scores stay within 0-4 (see refusal.py)."""

from __future__ import annotations

import pytest

from monitoring import models
from tests import factories
from tests.monitoring.models.refusal import refused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["infrastructure", "tools", "usage", "professional_development"])
def test_digital_scores_above_four_arerefused(field):
    scores = {"infrastructure": 2, "tools": 2, "usage": 2, "professional_development": 2, field: 5}
    obj = models.DigitalEnvironmentScore(period=factories.PeriodFactory(), school=factories.SchoolFactory(), **scores)
    refused(obj, "Оценки цифровой среды должны быть целыми числами от 0 до 4.")
