"""The annual report's data: values, changes against the previous period, measures judged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.annual import annual_data

pytestmark = pytest.mark.django_db


def test_the_data_has_the_values_and_changes(year):
    data = annual_data(period=year.period)
    section = data.sections[8]
    table = next(t for t in section.tables if any(c.code == "9.1" for c in t.columns))
    index = [c.code for c in table.columns].index("9.1")
    rows = {name: cells[index] for name, cells in table.rows}
    m1 = rows["Алексеевский муниципальный район"]
    assert (m1.value, m1.previous, m1.change) == (Decimal("75"), Decimal("60"), Decimal("15"))
    assert m1.better is True and m1.finding is True  # better than last year, still below 95
    assert [(j.measure.text, j.effect_label) for j in data.earlier_measures] == [
        ("Целевое обучение в педагогическом вузе", "достигнут")
    ]
    assert data.measures[0].effect is None  # 2026 has no values yet
