"""A submitted school submission has its time (see refusal.py)."""

from __future__ import annotations

import pytest

from monitoring import models
from tests import factories
from tests.monitoring.models.refusal import refused

pytestmark = pytest.mark.django_db


def test_submitted_submission_needs_time():
    obj = models.SchoolSubmission(
        period=factories.PeriodFactory(), school=factories.SchoolFactory(), status=models.SubmissionStatus.SUBMITTED
    )
    refused(obj, "У представленных данных должна быть дата представления.")
