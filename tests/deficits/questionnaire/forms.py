"""Small questionnaire definitions and scorings shared by the authoring tests."""

from __future__ import annotations

import copy


def item(name: str, kind: str = "text", **extra) -> dict:
    base = {
        "name": name,
        "type": kind,
        "label": f"Вопрос {name}",
        "hint": "",
        "required": False,
        "relevant": "",
        "constraint": "",
        "constraint_message": "",
    }
    return {**base, **extra}


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
