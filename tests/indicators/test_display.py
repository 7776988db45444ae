"""An indicator's numbers with their units: values, changes, scales, chart axes, standings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.catalog import definition
from indicators.declarative.services import definition_save
from indicators.display import ALERT, MINUS, REACHED, SHORT, axis, change_text, standing, unit_short, value_text
from indicators.engine import definition_for
from indicators.models import PeriodIndicator
from tests.indicators.helpers import declared_spec

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("code", "value", "text"),
    [
        ("9.1", Decimal("83.3333"), f"83,33{NBSP}%"),  # a percentage
        ("4.3", Decimal("2.55"), f"2,55 из{NBSP}4"),  # a 0–4 score gets its scale
        ("1.1", Decimal("15"), f"15{NBSP}человек"),  # a count of people
        ("2.3", Decimal("5"), f"5{NBSP}организаций"),  # a count of organisations
        ("9.6", Decimal("12.50"), f"12,5{NBSP}ед."),  # staff positions
        ("3.11", Decimal("1"), "есть"),  # a flag
        ("9.1", None, "—"),
    ],
)
def test_a_value_reads_with_its_unit(code, value, text):
    assert value_text(definition(code), value) == text


@pytest.mark.parametrize(
    ("code", "delta", "text"),
    [
        ("9.1", Decimal("18"), f"+18{NBSP}п.п."),  # a change of a percentage is in percentage points
        ("9.1", Decimal("-1.3"), f"\u22121,3{NBSP}п.п."),  # a true minus sign
        ("4.3", Decimal("0.15"), f"+0,15{NBSP}балла"),  # a fraction of a point: genitive singular
        ("1.1", Decimal("54"), f"+54{NBSP}человека"),  # Russian plural rules (the catalog): 2–4 …
        ("1.1", Decimal("55"), f"+55{NBSP}человек"),  # … and 5–20
        ("9.1", Decimal("0"), f"±0{NBSP}п.п."),
        ("3.11", Decimal("1"), ""),  # a flag has no change in numbers
    ],
)
def test_a_change_reads_with_its_unit(code, delta, text):
    assert change_text(definition(code), delta) == text


def test_units_as_headers_say_what_is_measured():
    assert unit_short(definition("9.1")) == "%"
    assert unit_short(definition("4.4")) == "баллы из 4"
    assert unit_short(definition("8.3")) == "мероприятий"


def test_axes_start_at_zero_and_a_percentage_ends_at_100():
    assert axis(definition("9.1")) == {"min": 0, "max": 100, "suffix": " %"}
    assert axis(definition("4.5")) == {"min": 0, "max": 4, "suffix": ""}
    assert axis(definition("1.1")) == {"min": 0, "suffix": ""}


@pytest.mark.parametrize(
    ("value", "higher", "expected"),
    [
        (Decimal("60"), True, ALERT),  # below the threshold 70
        (Decimal("80"), True, SHORT),  # above the threshold, below the target 90
        (Decimal("90"), True, REACHED),
        (Decimal("95"), False, ALERT),  # lower is better: above the threshold 70 is an alert
        (Decimal("50"), False, SHORT),  # … and above the target 40 falls short of it
        (Decimal("40"), False, REACHED),
        (None, True, ""),
    ],
)
def test_a_value_stands_against_the_target_and_the_threshold(value, higher, expected):
    setting = PeriodIndicator(target=Decimal("90") if higher else Decimal("40"), threshold=Decimal("70"))
    setting.higher_is_better = higher
    assert standing(setting, value) == expected


def test_without_target_or_threshold_nothing_is_coloured():
    assert standing(PeriodIndicator(), Decimal("10")) == ""
    assert standing(None, Decimal("10")) == ""


@pytest.mark.django_db
def test_a_declarative_count_says_what_its_rows_are_and_a_sum_says_nothing(world):
    # Through the period's edition, as the pages read it: a count of schools, then a sum of staff positions.
    definition_save(
        period=world.period,
        data=declared_spec(code="Ж.6", unit="count", population="schools", numerator=[], target="", threshold=""),
        user=world.analyst,
        compute=False,
    )
    definition_save(
        period=world.period,
        data=declared_spec(
            code="Ж.7",
            unit="count",
            population="staffing_rows",
            numerator=[],
            measure="positions_by_schedule",
            target="",
            threshold="",
        ),
        user=world.analyst,
        compute=False,
    )
    schools, positions = definition_for(world.period, "Ж.6"), definition_for(world.period, "Ж.7")
    assert (value_text(schools, 3), change_text(schools, Decimal(-1)), unit_short(schools)) == (
        f"3{NBSP}организации",
        f"{MINUS}1{NBSP}организация",
        "организаций",
    )
    assert (value_text(positions, Decimal("12.5")), unit_short(positions)) == ("12,5", "количество")
    assert axis(schools) == {"min": 0, "suffix": ""}
