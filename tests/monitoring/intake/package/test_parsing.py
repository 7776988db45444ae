import datetime as dt
from decimal import Decimal

import pytest

from monitoring.intake.package import parsing as p


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


def test_a_list_cell_holds_a_few_short_items():
    # The attack: one «Предметы» cell of 5,000 subjects, or of one 30,000-character subject.
    from monitoring.intake.package.parsing import MAX_LIST_ITEM, MAX_LIST_ITEMS, CellError, parse_list

    assert parse_list("; ".join(f"предмет {i}" for i in range(MAX_LIST_ITEMS)))[-1] == f"предмет {MAX_LIST_ITEMS - 1}"
    with pytest.raises(CellError, match="в ячейке 51 значение, а можно не более 50"):
        parse_list("; ".join(f"предмет {i}" for i in range(MAX_LIST_ITEMS + 1)))
    assert parse_list("а" * MAX_LIST_ITEM) == ["а" * MAX_LIST_ITEM]
    with pytest.raises(CellError, match="длиннее допустимого: 201 символ, а можно не более 200"):
        parse_list("физика; " + "а" * (MAX_LIST_ITEM + 1))


@pytest.mark.parametrize("cell", ["01.01.0001", "0001-01-01", "31.12.9999", "31.12.1899", dt.date(2101, 1, 1)])
def test_a_date_outside_the_monitorings_years_is_refused(cell):
    # The attack: a course ending 31.12.9999 and a category dated 01.01.0001 were stored.
    with pytest.raises(p.CellError, match="ожидается дата между 1900 и 2100 годами"):
        p.parse_date(cell)
    assert p.parse_date("01.01.1900") == dt.date(1900, 1, 1) and p.parse_date("31.12.2100") == dt.date(2100, 12, 31)


@pytest.mark.parametrize("cell", ["Арт\x01емьева", "Иванов\x1b[31m", "Петров\x7f", "\x00"])
def test_text_with_control_characters_is_refused(cell):
    # The attack on the restructured portal: a name holding \x01 and ESC was imported without a
    # word and then broke every workbook export.
    with pytest.raises(p.CellError, match="управляющие символы"):
        p.parse_text(cell)


def test_text_keeps_its_words_and_folds_whitespace():
    assert p.parse_text("  Иванов\tИван\nИванович ") == "Иванов Иван Иванович"
    assert p.parse_text(" \t ") is None
