"""Additions to the vocabulary for the shipped catalogs: «ни одно из» on text fields."""

from __future__ import annotations

import pytest

from indicators.declarative.spec import DefinitionInvalid, validate
from indicators.declarative.vocabulary import OPERATORS, Kind

ACADEMY = "ФГАОУ ДПО «Академия Минпросвещения России»"


def definition(condition: dict) -> dict:
    return {
        "code": "Т.1",
        "title": "Доля педагогов, обученных вне перечня организаций",
        "direction": 3,
        "unit": "percent",
        "population": "teachers",
        "numerator": [{"relation": "enrollments", "op": "exists", "where": [condition]}],
    }


def test_text_fields_take_none_of_a_list():
    assert OPERATORS[Kind.TEXT]["not_in"] == "ни одно из"
    spec = validate(definition({"field": "program.provider", "op": "not_in", "value": [f" {ACADEMY} "]}))
    assert spec["numerator"][0]["where"] == [{"field": "program.provider", "op": "not_in", "value": [ACADEMY]}]


def test_none_of_needs_a_list_of_texts():
    with pytest.raises(DefinitionInvalid) as refused:
        validate(definition({"field": "program.provider", "op": "not_in", "value": []}))
    assert refused.value.errors == [
        "Числитель, условие 1 («запись на курс»), условие 1 (поле «организация ДПО»): выберите от 1 до 50 значений."
    ]
