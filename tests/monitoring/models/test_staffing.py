"""The staffing rows' invariants are refused with a clear Russian message (see refusal.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories
from tests.monitoring.models.refusal import refused

pytestmark = pytest.mark.django_db


def test_staffing_vacant_more_than_schedule_isrefused():
    row = factories.StaffingRowFactory.build(
        period=factories.PeriodFactory(),
        school=factories.SchoolFactory(),
        positions_by_schedule=Decimal("5"),
        vacant_positions=Decimal("5.5"),
    )
    refused(row, "Вакантных ставок не может быть меньше нуля или больше, чем ставок по штату.")


def test_staffing_vacant_equal_to_schedule_is_allowed():
    row = factories.StaffingRowFactory(positions_by_schedule=Decimal("5"), vacant_positions=Decimal("5"))
    row.full_clean()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("positions_by_schedule", "Число ставок по штату не может быть отрицательным."),
        ("actual_need", "Фактическая потребность в ставках не может быть отрицательной."),
    ],
)
def test_staffing_negative_numbers_arerefused(field, message):
    row = factories.StaffingRowFactory.build(
        period=factories.PeriodFactory(),
        school=factories.SchoolFactory(),
        vacant_positions=Decimal("0"),
        **{field: Decimal("-1")},
    )
    refused(row, message)


def test_staffing_one_row_per_school_position_period():
    row = factories.StaffingRowFactory(position="учитель")
    dup = factories.StaffingRowFactory.build(period=row.period, school=row.school, position="учитель")
    refused(dup, "Для этой должности в школе уже есть строка штатного расписания за период.")
