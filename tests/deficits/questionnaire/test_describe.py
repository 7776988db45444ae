"""Conditions told in words (deficits.questionnaire.describe): labels for names, choices by their label."""

from __future__ import annotations

import pytest

from deficits.questionnaire.describe import condition_text
from tests.deficits.questionnaire.forms import definition


def form():
    d = definition()
    d["sections"][0]["items"][0]["label"] = "Ваша должность"
    d["sections"][1]["items"][0]["label"] = "Насколько вы устаете к концу недели? " * 3
    return d


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${role} = 'teacher'", "«Ваша должность» = «Учитель»"),
        ("'head' != ${role}", "«Руководитель» ≠ «Ваша должность»"),
        ("${years} >= 5 and ${years} < 10.50", "«Вопрос years» ≥ 5 и «Вопрос years» < 10.5"),
        (
            "${role} = 'head' or (${years} > 1 and not(${role} = ''))",
            "«Ваша должность» = «Руководитель» или («Вопрос years» > 1 и не (на «Ваша должность» нет ответа))",
        ),
        (
            "(${years} > 1 or ${years} < 0) and ${role} != ''",
            "(«Вопрос years» > 1 или «Вопрос years» < 0) и на «Ваша должность» дан ответ",
        ),
        ("selected(${role}, 'teacher')", "в «Ваша должность» выбрано «Учитель»"),
        ("count-selected(${role}) > 1", "число выбранных в «Ваша должность» > 1"),
        (". >= 0 and . <= 60", "ответ ≥ 0 и ответ ≤ 60"),
        ("${ghost} = 'x'", "«ghost» = «x»"),
        ("${role} = ", "${role} = "),  # does not parse: as it is
    ],
)
def test_conditions_read_as_words(text, expected):
    assert condition_text(text, form()) == expected


def test_long_labels_are_cut():
    told = condition_text("${tired} >= 2", form())
    assert told.startswith("«Насколько вы устаете к концу недели?") and "…» ≥ 2" in told
    assert len(told) < 80
