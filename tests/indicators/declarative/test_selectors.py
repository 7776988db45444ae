"""What the builder offers (indicators.declarative.selectors) is what validation accepts; definitions in words."""

from __future__ import annotations

import pytest

from indicators.declarative.selectors import describe, vocabulary_for_builder
from indicators.declarative.spec import validate
from tests.indicators.declarative.conftest import UPBRINGING

VOCAB = vocabulary_for_builder()


def _sample(field: dict, op: str):
    if op in VOCAB["no_value"]:
        return None
    if op in VOCAB["years"]:
        return 3
    if field["kind"] == "bool":
        return True
    if field["choices"]:
        return [field["choices"][0][0]]
    if field["kind"] in ("tag",) or op == "in":
        return ["учитель"]
    return "1" if field["kind"] == "number" else "учитель"


def _base(population: str, start: str) -> dict:
    return {"code": "T.1", "title": "Проба", "direction": 1, "unit": "count", "population": population, "start": start}


@pytest.mark.parametrize("population", VOCAB["countable"])
def test_every_field_operator_measure_breakdown_and_start_offered_is_accepted(population):
    offered = VOCAB["populations"][population]
    start = offered["starts"][0]
    for group in offered["groups"]:
        for field in group["fields"]:
            for op in VOCAB["operators"][field["kind"]]:
                condition = {"field": field["name"], "op": op}
                if (value := _sample(field, op)) is not None:
                    condition["value"] = value
                validate({**_base(population, start), "numerator": [condition]})
            if field["measurable"]:
                validate({**_base(population, start), "unit": "average", "measure": field["name"]})
            if field["breakdown"]:
                validate({**_base(population, start), "breakdown": field["name"]})
    for relation in offered["relations"]:
        validate({**_base(population, start), "numerator": [{"relation": relation["name"], "op": "exists"}]})
    for level in offered["starts"]:
        validate(_base(population, level))


def test_the_definition_reads_back_in_words():
    words = describe(UPBRINGING)
    assert words["Совокупность"] == "педагоги списка периода"
    assert words["Числитель"] == (
        "есть «запись на курс», такая что статус обучения одно из «завершил» и курс: окончание в году периода"
        " и программа: тематика одна из «воспитание»"
    )
    assert words["Знаменатель"] == "—" and words["Цель"] == "80"
