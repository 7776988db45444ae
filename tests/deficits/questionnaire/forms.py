"""Small questionnaire definitions and scorings shared by the authoring tests."""

from __future__ import annotations

import copy

from tests.deficits.questionnaire.answering import item

DEFINITION = {
    "title": "Выгорание педагогов",
    "form_id": "burnout",
    "version": "1",
    "sections": [
        {
            "name": "about",
            "title": "О вас",
            "relevant": "",
            "items": [
                item("role", "single", list="role", required=True),
                item("years", "number", integer=True, constraint=". >= 0 and . <= 60"),
            ],
        },
        {
            "name": "load",
            "title": "Нагрузка",
            "relevant": "${role} = 'teacher'",
            "items": [
                item("tired", "scale", start=0, end=4, step=1),
                item("rest", "scale", start=0, end=4, step=1, relevant="${tired} >= 2"),
                item("why", "long_text"),
            ],
        },
    ],
    "choice_lists": {"role": [{"name": "teacher", "label": "Учитель"}, {"name": "head", "label": "Руководитель"}]},
}
SCORING = {
    "groups": [
        {
            "code": "EE",
            "name": "Истощение",
            "items": ["tired", "rest"],
            "bands": [
                {"name": "низкий", "min": 0, "max": 3, "flag": False},
                {"name": "высокий", "min": 4, "max": 8, "flag": True},
            ],
        },
        {"code": "YR", "name": "Стаж", "items": ["years"], "bands": []},
    ],
    "bands": [{"name": "любой", "min": 0, "max": 100, "flag": False}],
}


def definition() -> dict:
    return copy.deepcopy(DEFINITION)


def scoring() -> dict:
    return copy.deepcopy(SCORING)


def formula_looking() -> tuple[dict, dict]:
    """The shared form with a text that a spreadsheet would take for a formula in every place a text goes."""
    form, scores = definition(), scoring()
    form["title"] = "=2+2"
    form["sections"][0]["title"] = "=A1"
    form["sections"][0]["items"][0]["label"] = "=СУММ(1;2)"
    form["sections"][0]["items"][0]["hint"] = "+7 (999) 000-00-00"
    form["sections"][0]["items"][1]["constraint_message"] = "=неверно"
    form["choice_lists"]["role"][0]["label"] = "=Учитель"
    form["choice_lists"]["role"][1]["label"] = "-Руководитель"
    scores["groups"][0]["name"] = "=Истощение"
    scores["groups"][0]["bands"][0]["name"] = "@низкий"
    scores["bands"][0]["name"] = "=любой"
    return form, scores
