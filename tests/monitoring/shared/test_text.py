"""The free-text checks of doors without a Django form field (letter composer, services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from monitoring.shared.text import clean_date, clean_int, clean_text


@pytest.mark.parametrize(
    "value",
    ["ок", "  с пробелами  ", "\u202eRTL", "е\u0301", "👩‍🏫", '=HYPERLINK("x")', "строка\nвторая\tтаб"],
)
def test_clean_text_keeps_what_people_type(value):
    assert clean_text(value, label="Текст") == value.strip()


def test_clean_text_takes_a_browser_s_line_breaks_as_newlines():
    # A letter's introduction saved untouched from the composer came back with CRLF, so its history
    # recorded a change nobody made (found by the browser journeys, tests/e2e).
    assert clean_text("Первая\r\nвторая\rтретья\r\n", label="Вступление") == "Первая\nвторая\nтретья"
    assert clean_text("абв\r\n" * 3, label="Вступление", max_length=11) == "абв\nабв\nабв"


@pytest.mark.parametrize(("value", "message"), [
    ("a\x00b", "недопустимые символы"), ("a\x1b", "недопустимые символы"), ("\ud800", "недопустимые символы"),
    ("x" * 11, "не более 10 символов"), (["list"], "должно быть текстом"), (5, "должно быть текстом"),
    ("   ", "Заполните поле"),
])  # fmt: skip
def test_clean_text_refuses_in_russian_naming_the_field(value, message):
    with pytest.raises(ValidationError) as info:
        clean_text(value, label="Заголовок", max_length=10, required=True)
    assert message in info.value.messages[0] and "Заголовок" in info.value.messages[0]


@pytest.mark.parametrize(("value", "expected"), [("7", 7), (" 12 ", 12), (3, 3)])
def test_clean_int_accepts_plain_numbers(value, expected):
    assert clean_int(value, label="Номер", minimum=1, maximum=100) == expected


@pytest.mark.parametrize("value", ["²", "١٢", "abc", "9" * 5000, "1.5", True, None, 2.0, "0", "101", "-3"])
def test_clean_int_refuses_what_is_not_a_small_whole_number(value):
    with pytest.raises(ValidationError) as info:
        clean_int(value, label="Номер", minimum=1, maximum=100)
    assert "Номер" in info.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-07-14", dt.date(2026, 7, 14)),
        (" 14.07.2026 ", dt.date(2026, 7, 14)),
        (dt.date(2026, 7, 14), dt.date(2026, 7, 14)),
    ],
)
def test_clean_date_reads_iso_and_russian_dates(value, expected):
    assert clean_date(value, label="Дата") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("14/07/2026", "укажите дату"),
        ("", "укажите дату"),
        (None, "укажите дату"),
        (20260714, "укажите дату"),
        (dt.datetime(2026, 7, 14, 10, 0), "укажите дату"),
        ("1899-12-31", "год должен быть от 1900 до 2100"),
        ("31.02.2026", "укажите дату"),
    ],
)
def test_clean_date_refuses_in_russian_naming_the_field(value, message):
    with pytest.raises(ValidationError, match=message) as refused:
        clean_date(value, label="Дата заседания")
    assert "«Дата заседания»" in refused.value.messages[0]
