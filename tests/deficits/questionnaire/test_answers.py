"""Answers checked against a questionnaire's form: each type, required items, skip logic, constraints."""

from __future__ import annotations

import copy

import pytest

from deficits.questionnaire import answers as answers_module
from deficits.questionnaire.answers import (
    CONSTRAINT_DEFAULT,
    REQUIRED,
    answers_clean,
    answers_walk,
    expression_json,
    form_compile,
)
from deficits.questionnaire.logic import parse
from tests.deficits.questionnaire.answering import TEACHER_ANSWERS, definition, item


def _form(*items, lists=None):
    return {
        "title": "t",
        "sections": [{"name": "s", "title": "S", "relevant": "", "items": list(items)}],
        "choice_lists": lists or {"yn": [{"name": "yes", "label": "Да"}, {"name": "no", "label": "Нет"}]},
    }


def _one(spec, value):
    clean, errors = answers_clean(definition=_form(spec), answers={spec["name"]: value})
    return clean.get(spec["name"]), errors.get(spec["name"])


def test_a_teachers_full_answers_are_stored_in_their_types():
    clean, errors = answers_clean(definition=definition(), answers=TEACHER_ANSWERS)
    assert errors == {}
    assert clean == {
        "role": "teacher",
        "years": 12,
        "subjects": ["math", "rus"],
        "math_hours": 4.5,
        "b1": 3,
        "b2": 4,
    }


@pytest.mark.parametrize(
    ("value", "stored", "error"),
    [
        ("yes", "yes", None),
        (["no", "yes"], None, "Выберите один вариант."),  # two posted: refused, never one of them taken
        (["yes", "yes"], "yes", None),  # the same one twice is still one
        (["yes", ""], "yes", None),
        ("maybe", None, "Выберите один из предложенных вариантов."),
        ("", None, None),
    ],
)
def test_single_choice(value, stored, error):
    assert _one(item("q", "single", list="yn"), value) == (stored, error)


@pytest.mark.parametrize(
    ("value", "stored", "error"),
    [
        (["no", "yes"], ["yes", "no"], None),  # kept in the list's order
        ("yes", ["yes"], None),
        (["yes", "yes"], None, "Каждый вариант можно выбрать один раз."),
        (["yes", "other"], None, "Выберите варианты из предложенных."),
        ([], None, None),
    ],
)
def test_multiple_choice(value, stored, error):
    assert _one(item("q", "multiple", list="yn"), value) == (stored, error)


@pytest.mark.parametrize(
    ("value", "stored", "error"),
    [
        ("2", 2, None),
        (4, 4, None),
        ("0", None, "Выберите значение шкалы от 2 до 10."),
        ("3", None, "Выберите значение шкалы от 2 до 10."),  # off the step
        ("2.5", None, "Выберите значение шкалы от 2 до 10."),
        ("12", None, "Выберите значение шкалы от 2 до 10."),
        ("пять", None, "Выберите значение шкалы от 2 до 10."),
    ],
)
def test_scale_on_its_step(value, stored, error):
    assert _one(item("q", "scale", start=2, end=10, step=2), value) == (stored, error)


@pytest.mark.parametrize(
    ("integer", "value", "stored", "error"),
    [
        (True, "17", 17, None),
        (True, " 1 200 ", 1200, None),
        (True, "1.5", None, "Введите целое число."),
        (True, "abc", None, "Введите целое число."),
        (False, "1,25", 1.25, None),
        (False, "3.0", 3, None),
        (False, "-0.5", -0.5, None),
        (False, "abc", None, "Введите число."),
        (False, "1e400", None, "Слишком большое число."),
        (False, "NaN", None, "Введите число."),
        (False, "0.1234567", None, "Не больше 6 знаков после запятой."),
        (True, "10000000000", None, "Слишком большое число."),
        # Other scripts' digits (Arabic-Indic, full-width) are refused as a browser's number field does.
        (True, "٣", None, "Введите целое число."),
        (True, "１２", None, "Введите целое число."),
        (False, "٣٫٥", None, "Введите число."),
    ],
)
def test_number_integer_or_decimal(integer, value, stored, error):
    assert _one(item("q", "number", integer=integer), value) == (stored, error)


@pytest.mark.parametrize(
    ("value", "stored", "error"),
    [
        ("2025-09-01", "2025-09-01", None),
        ("01.09.2025", None, "Введите дату в виде ГГГГ-ММ-ДД."),
        ("2025-02-30", None, "Введите дату в виде ГГГГ-ММ-ДД."),
        ("1812-09-07", None, "Дата должна быть между 01.01.1900 и 31.12.2100."),
    ],
)
def test_date(value, stored, error):
    assert _one(item("q", "date"), value) == (stored, error)


def test_texts_are_stripped_and_bounded():
    assert _one(item("q", "text"), "  ответ \r\n ") == ("ответ", None)
    assert _one(item("q", "text"), "я" * 1000) == ("я" * 1000, None)
    assert _one(item("q", "text"), "я" * 1001) == (None, "Ответ длиннее 1000 символов: сократите его.")
    assert _one(item("q", "long_text"), "а\r\nб" * 2000)[1] is None
    assert _one(item("q", "long_text"), "я" * 10001) == (None, "Ответ длиннее 10000 символов: сократите его.")


def test_texts_lose_their_control_characters_but_tabs_and_newlines():
    assert _one(item("q", "text"), "a\x00b\x07c\x1b") == ("abc", None)
    assert _one(item("q", "long_text"), "строка\r\nвторая\tколонка\x00") == ("строка\nвторая\tколонка", None)
    assert _one(item("q", "text"), "\x00\x01") == (None, None)  # nothing left: no answer


def test_a_single_valued_item_posted_twice_is_refused():
    assert _one(item("q", "number", integer=True), ["1", "2"]) == (None, "Введите один ответ.")
    assert _one(item("q", "text"), ["да", "нет"]) == (None, "Введите один ответ.")
    assert _one(item("q", "scale", start=1, end=5, step=1), ["3"]) == (3, None)


def test_required_only_when_shown():
    _, errors = answers_clean(definition=definition(), answers={})
    assert errors == {"role": REQUIRED, "years": REQUIRED}  # subjects and the burnout page: hidden
    _, errors = answers_clean(definition=definition(), answers={"role": "teacher", "years": "3"})
    assert errors == {"subjects": REQUIRED, "b1": REQUIRED, "b2": REQUIRED}
    _, errors = answers_clean(definition=definition(), answers={"role": "head", "years": "3"})
    assert errors == {}


def test_a_changed_earlier_answer_drops_what_it_now_hides():
    # Answered as a teacher, then the role changed to head: subjects, hours and the whole
    # burnout section are hidden, and their old answers do not survive.
    clean, errors = answers_clean(definition=definition(), answers={**TEACHER_ANSWERS, "role": "head", "short": "ок"})
    assert errors == {}
    assert clean == {"role": "head", "years": 12, "short": "ок"}


def test_an_item_hidden_by_an_invalid_earlier_answer_is_not_shown():
    walk = answers_walk(form=form_compile(definition()), answers={**TEACHER_ANSWERS, "subjects": ["math", "bio"]})
    assert "math_hours" not in walk.items  # selected() reads the stored answers: none for subjects
    assert walk.errors == {"subjects": "Выберите варианты из предложенных."}
    assert walk.sections == [0, 1, 2]


def test_unknown_names_are_ignored():
    clean, errors = answers_clean(definition=definition(), answers={"role": "head", "years": 1, "hack": "x"})
    assert clean == {"role": "head", "years": 1}
    assert errors == {}


def test_constraint_with_its_message_or_the_default():
    spec = item("q", "number", constraint=". >= 0 and . <= 60", constraint_message="От 0 до 60")
    assert _one(spec, "61") == (None, "От 0 до 60")
    assert _one(spec, "60") == (60, None)
    assert _one({**spec, "constraint_message": ""}, "-1") == (None, CONSTRAINT_DEFAULT)
    assert _one(spec, "") == (None, None)  # an unanswered optional item is not checked


def test_a_constraint_may_read_earlier_answers():
    spec = _form(item("total", "number"), item("part", "number", constraint=". <= ${total}"))
    assert answers_clean(definition=spec, answers={"total": "5", "part": "6"})[1] == {"part": CONSTRAINT_DEFAULT}
    assert answers_clean(definition=spec, answers={"total": "5", "part": "5"}) == ({"total": 5, "part": 5}, {})


def test_expressions_are_parsed_once_per_definition(monkeypatch):
    calls = []
    real = answers_module.parse
    monkeypatch.setattr(answers_module, "parse", lambda text: calls.append(text) or real(text))
    spec = copy.deepcopy(definition())
    spec["title"] = "parsed once"  # a definition no other test compiled
    for _ in range(3):
        answers_clean(definition=spec, answers=TEACHER_ANSWERS)
    assert len(calls) == 4  # years' constraint, subjects', math_hours' and the section's relevance
    spec["sections"][0]["items"][1]["constraint"] = ". >= 1"
    answers_clean(definition=spec, answers=TEACHER_ANSWERS)
    assert len(calls) == 8  # an edited definition is compiled anew, never read from a stale cache


def test_expression_json_keeps_the_tree():
    node = parse("${a} >= 2 and selected(${b}, 'x')")
    assert expression_json(node) == {
        "k": "and",
        "v": None,
        "a": [
            {"k": ">=", "v": None, "a": [{"k": "ref", "v": "a", "a": []}, {"k": "literal", "v": {"n": "2"}, "a": []}]},
            {
                "k": "call",
                "v": "selected",
                "a": [{"k": "ref", "v": "b", "a": []}, {"k": "literal", "v": "x", "a": []}],
            },
        ],
    }
    assert expression_json(None) is None
