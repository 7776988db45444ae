import datetime as dt
from decimal import Decimal

import pytest

from monitoring.package import parsing as p


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("000123", "000123"), (7.0, "7"), (7, "7"), ("  T01 ", "T01"), (None, None), ("", None)],
)
def test_codes_are_strings(cell, expected):
    assert p.parse_code(cell) == expected


def test_code_with_fraction_is_refused():
    with pytest.raises(p.CellError, match="без дробной части"):
        p.parse_code(7.5)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("да", True),
        ("Да", True),
        ("нет", False),
        ("1", True),
        ("0", False),
        ("true", True),
        ("FALSE", False),
        ("+", True),
        ("-", False),
        (None, None),
        ("", None),
        (True, True),
        (1, True),
        (0.0, False),
    ],
)
def test_booleans(cell, expected):
    assert p.parse_bool(cell) is expected


def test_bad_boolean_says_what_is_expected():
    with pytest.raises(p.CellError, match="ожидается «да» или «нет»"):
        p.parse_bool("может быть")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("14.02.2025", dt.date(2025, 2, 14)),
        ("2025-02-14", dt.date(2025, 2, 14)),
        ("4.2.2025", dt.date(2025, 2, 4)),
        (dt.datetime(2025, 2, 14, 0, 0), dt.date(2025, 2, 14)),
        (dt.date(2025, 2, 14), dt.date(2025, 2, 14)),
        ("2025-02-14 00:00:00", dt.date(2025, 2, 14)),
    ],
)
def test_dates(cell, expected):
    assert p.parse_date(cell) == expected


@pytest.mark.parametrize(("cell", "message"), [("31.02.2025", "такой даты нет"), ("14/02/2025", "ДД.ММ.ГГГГ")])
def test_bad_dates(cell, message):
    with pytest.raises(p.CellError, match=message):
        p.parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("25,07", Decimal("25.07")),
        ("25.07", Decimal("25.07")),
        (25.07, Decimal("25.07")),
        (12, Decimal(12)),
        ("1 234,5", Decimal("1234.5")),
    ],
)
def test_decimals(cell, expected):
    assert p.parse_decimal(cell) == expected


def test_ranges():
    assert p.ranged_int(0, 4)("4") == 4
    with pytest.raises(p.CellError, match="от 0 до 4"):
        p.ranged_int(0, 4)(5)
    with pytest.raises(p.CellError, match="целое число"):
        p.parse_int("2,5")
    with pytest.raises(p.CellError, match="больше 0"):
        p.ranged_decimal(0, exclusive_low=True)("0")


def test_lists_and_choices():
    assert p.parse_list("воспитание; оценка качества,ШНОР") == ["воспитание", "оценка качества", "ШНОР"]
    assert p.parse_list(None) == []
    level = p.choice(["школьный", "всероссийский"])
    assert level("Всероссийский ") == "всероссийский"
    with pytest.raises(p.CellError, match="допустимые значения: «школьный», «всероссийский»"):
        level("районный")
    # Dashes and ё are matched loosely, as people type them.
    assert p.choice(["учитель – учитель"])("учитель - учитель") == "учитель – учитель"


def test_header_key_ignores_case_and_spaces():
    assert p.header_key("  Код  ОО ") == p.header_key("код оо")
