"""The organisations' invariants are refused with a clear Russian message (see refusal.py)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.monitoring.models.refusal import refused

pytestmark = pytest.mark.django_db


def test_school_inn_digits():
    school = factories.SchoolFactory.build(municipality=factories.MunicipalityFactory(), inn="12345")
    refused(school, "ИНН должен состоять из 10 или 12 цифр.")
