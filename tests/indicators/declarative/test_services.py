"""The declarative services' own guarantees: the preview reads only what the user may see."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.declarative.services import preview
from tests import factories
from tests.indicators.helpers import declared_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def diagnosed(world):
    """Teacher A (school A, M1) and teacher B (school B, M2) diagnosed in 2025; C (school C, M1) not."""
    for teacher in (world.teacher_a, world.teacher_b):
        factories.DiagnosticFactory(teacher=teacher, submit=True, scores={"ИКТ": 21})
    return world


def test_a_region_wide_reader_previews_the_region(diagnosed):
    shown = preview(period=diagnosed.period, data=declared_spec(), user=diagnosed.analyst)
    assert not shown.partial
    assert (shown.numerator, shown.denominator) == (2, 3)
    assert {name for name, _ in shown.top} == {diagnosed.m1.name, diagnosed.m2.name}


def test_a_municipal_official_previews_their_own_municipality_only(diagnosed):
    # The same definition read as M1's official: M2's diagnosed teacher is outside the scope and
    # counts nowhere in what the preview returns (the one scoping function decides).
    shown = preview(period=diagnosed.period, data=declared_spec(), user=diagnosed.municipal)
    assert shown.partial
    assert (shown.numerator, shown.denominator, shown.value) == (1, 2, Decimal("50.00"))
    assert [name for name, _ in shown.top] == [diagnosed.m1.name]


def test_a_region_only_indicator_is_not_previewed_outside_the_region_wide_roles(diagnosed):
    shown = preview(period=diagnosed.period, data=declared_spec(start="region"), user=diagnosed.municipal)
    assert shown.errors and shown.value is None
