"""The folds that tell one person from two (monitoring.shared.identity), on the cases the eye confuses."""

from __future__ import annotations

import pytest

from monitoring.shared.identity import fold_code, name_keys


@pytest.mark.parametrize(
    "code",
    [
        "T0000148",
        "t0000148",
        "T00000148",
        "Т0000148",  # Cyrillic Т
        "T-00О0148",  # Cyrillic О among the digits, a hyphen
        "T\u200b0000148",  # a zero-width space
        "Ｔ０００００１４８",  # full width
        "T 0000 148",
        "T\t0000148",  # a tab: not printable ASCII, the general path
        "T٠٠٠٠١٤٨",  # Arabic-Indic digits
    ],
)
def test_codes_that_read_alike_fold_alike(code):
    assert fold_code(code) == "T148"


@pytest.mark.parametrize("code", ["T0000149", "TT0000148", "T1480", "U0000148"])
def test_codes_that_read_apart_fold_apart(code):
    assert fold_code(code) != "T148"


def test_names_that_read_alike_share_a_key():
    plain = name_keys("Сазонова Нина Петровна")
    assert plain & name_keys("САЗОНОВА  НИНА ПЕТРОВНА")
    assert plain & name_keys("Сaзoнoва Нина Петровна")  # Latin a and o
    assert plain & name_keys("Нина Петровна Сазонова")  # another order of the words
    assert plain & name_keys("Сазо\u200bнова Нина Петровна")  # an invisible character inside a word
    # An invisible character standing for the space between two words.
    assert plain & name_keys("Сазонова\u200bНина Петровна")
    # Words run together: the letters alone.
    assert name_keys("Иванов-Петров Иван") & name_keys("ИвановПетров Иван")


def test_names_that_read_apart_share_no_key():
    assert not name_keys("Сазонова Нина Петровна") & name_keys("Сазонова Нина Павловна")
    assert not name_keys("Иванов Иван") & name_keys("Иванова Ивана")
