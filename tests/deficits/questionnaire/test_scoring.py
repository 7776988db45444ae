"""Scoring a questionnaire's answers: sums per group, bands, and the checks of a scoring against its form."""

from __future__ import annotations

import pytest

from deficits.questionnaire.scoring import score_answers, scoring_check

FORM = {
    "sections": [
        {
            "name": "",
            "title": "",
            "relevant": "",
            "items": [
                {"name": "q1", "type": "scale", "start": 0, "end": 6, "step": 1},
                {"name": "q2", "type": "single", "list": "freq"},
                {"name": "q3", "type": "multiple", "list": "signs"},
                {"name": "note", "type": "text"},
            ],
        }
    ],
    "choice_lists": {"freq": [{"name": "0", "label": "никогда"}, {"name": "3", "label": "часто"}]},
}
BANDS = [
    {"name": "низкий", "min": 0, "max": 4, "flag": False},
    {"name": "высокий", "min": 5, "max": 20, "flag": True},
]
SCORING = {"groups": [{"code": "ЭИ", "name": "Истощение", "items": ["q1", "q2", "q3"]}], "bands": BANDS}


def test_a_group_sums_its_answers_and_takes_the_band_its_sum_falls_in():
    scores = score_answers(definition=FORM, scoring=SCORING, answers={"q1": 2, "q2": "3", "q3": ["a", "b"]})
    assert scores == {"ЭИ": {"score": 7, "level": "высокий", "flag": True}}


def test_a_skipped_item_adds_nothing():
    scores = score_answers(definition=FORM, scoring=SCORING, answers={"q1": 4})
    assert scores == {"ЭИ": {"score": 4, "level": "низкий", "flag": False}}


def test_a_group_with_its_own_bands_uses_them():
    scoring = {
        "groups": [{"code": "A", "items": ["q1"], "bands": [{"name": "всё", "min": 0, "max": 6, "flag": True}]}],
        "bands": BANDS,
    }
    assert score_answers(definition=FORM, scoring=scoring, answers={"q1": 6})["A"]["level"] == "всё"


def test_no_scoring_no_scores():
    assert score_answers(definition=FORM, scoring={}, answers={"q1": 3}) == {}


@pytest.mark.parametrize(
    ("scoring", "message"),
    [
        ({"groups": []}, "нет ни одной группы"),
        ({"groups": [{"code": "A", "items": ["nope"]}]}, "вопроса «nope» в анкете нет"),
        ({"groups": [{"code": "A", "items": ["note"]}]}, "баллы по нему не считаются"),
        ({"groups": [{"code": "A", "items": ["q1"]}, {"code": "A", "items": ["q2"]}]}, "код группы повторяется"),
        (
            {"groups": [{"code": "A", "items": ["q1"]}], "bands": [{"name": "x", "min": 5, "max": 1}]},
            "нижняя граница больше верхней",
        ),
        (
            {
                "groups": [{"code": "A", "items": ["q1"]}],
                "bands": [{"name": "x", "min": 0, "max": 5}, {"name": "y", "min": 5, "max": 9}],
            },
            "пересекаются",
        ),
    ],
)
def test_a_scoring_that_does_not_fit_its_form_is_named(scoring, message):
    problems = scoring_check(definition=FORM, scoring=scoring)
    assert any(message in p for p in problems), problems


def test_a_fitting_scoring_has_no_problems():
    assert scoring_check(definition=FORM, scoring=SCORING) == []
