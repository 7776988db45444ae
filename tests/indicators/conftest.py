"""Fixtures shared by the indicator tests (the export and the API read the same computed period)."""

from __future__ import annotations

import pytest

from indicators.engine import compute_period
from tests import factories
from tests.indicators.helpers import declared  # noqa: F401  (the fixture: Ж.5, declarative, computed)


# Two teachers with a deficit and one staffing row, computed. tests/indicators/test_views.py
# keeps a `computed` of its own (other values for its pages), which overrides this one there.
@pytest.fixture
def computed(world):
    for teacher in (world.teacher_a, world.teacher_b):
        factories.DiagnosticFactory(teacher=teacher, submit=True, scores={"ИКТ": 21})
    factories.StaffingRowFactory(period=world.period, school=world.school_a, positions_by_schedule="12.5")
    compute_period(period=world.period)
    return world
