"""A builder's definition checked by the XLSForm reader's rules (deficits.questionnaire.definition)."""

from __future__ import annotations

import pytest

from deficits.questionnaire.definition import DefinitionRefused, definition_check, form_clean
from tests.deficits.questionnaire.forms import definition, formula_looking, item, scoring


def test_a_good_definition_and_scoring_come_back_unchanged():
    clean, clean_scoring = form_clean(definition=definition(), scoring=scoring())
    assert clean == definition()
    assert clean_scoring == scoring()
    assert definition_check(definition(), scoring()) == []


def test_missing_keys_are_filled_and_unused_lists_dropped():
    raw = {
        "title": "Коротко",
        "sections": [{"name": "", "items": [{"name": "a", "type": "scale", "label": "A", "start": "1", "end": "3"}]}],
        "choice_lists": {"orphan": [{"name": "x", "label": "X"}]},
    }
    clean, clean_scoring = form_clean(definition=raw, scoring=None)
    assert clean["choice_lists"] == {}
    assert clean["sections"][0]["items"][0] == {
        **item("a", "scale", start=1, end=3, step=1),
        "label": "A",
    }
    assert clean_scoring == {}


def test_problems_name_the_section_item_and_field():
    bad = definition()
    bad["sections"][0]["items"][1]["relevant"] = "${nowhere} = 1"
    bad["sections"][1]["items"][1]["relevant"] = "${tired} >="
    bad["sections"][1]["items"][2]["label"] = ""
    bad["sections"][1]["items"][0]["constraint"] = "${role} = 'head'"
    problems = definition_check(bad)
    assert problems == [
        "Раздел 1 «about», вопрос «years», условие показа: условие ссылается на «nowhere»: такого вопроса выше нет",
        "Раздел 2 «load», вопрос «tired», ограничение: ограничение должно проверять сам ответ: «.»",
        "Раздел 2 «load», вопрос «rest», условие показа: условие оборвано: ожидается значение",
        "Раздел 2 «load», вопрос «why», текст: у вопроса нет текста",
    ]


def test_a_reference_to_a_later_item_is_refused():
    bad = definition()
    bad["sections"][0]["items"][0]["relevant"] = "${years} > 1"
    assert any("вопрос «role», условие показа" in p and "«years»" in p for p in definition_check(bad))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["sections"][0]["items"][0].update(type="slider"), "вопрос 1 «role»: неизвестный тип вопроса"),
        (lambda d: d["sections"][0]["items"][0].update(list=""), "вопрос 1 «role»: не выбран список вариантов"),
        (lambda d: d["choice_lists"].update(role=[]), "в списке вариантов «role» нет ни одного варианта"),
        (lambda d: d["sections"][1]["items"][0].update(step="x"), "границы и шаг шкалы — целые числа"),
        (lambda d: d["sections"][1]["items"][0].update(name="2bad"), "вопрос «2bad», имя: имя вопроса"),
        (
            lambda d: d["sections"][1]["items"][1].update(name="tired"),
            "вопрос «tired», имя: имя «tired» уже встречалось",
        ),
        (lambda d: d["sections"][1]["items"][0].update(end=0), "шкала от 0 до 0 с шагом 1 невозможна"),
        (lambda d: d["sections"][1]["items"][2].update(constraint=". > 1"), "ограничение задаётся только для чисел"),
        (lambda d: d["choice_lists"]["role"].append({"name": "head", "label": "Ещё"}), "вариант «head» повторяется"),
        (lambda d: d.update(sections=[]), "В анкете нет ни одного раздела."),
        (lambda d: d.update(sections="x"), "В анкете нет ни одного раздела."),
    ],
)
def test_each_rule_is_reported(change, expected):
    bad = definition()
    change(bad)
    problems = definition_check(bad)
    assert any(expected in p for p in problems), problems


def test_a_choice_problem_names_its_list_and_option():
    bad = definition()
    bad["choice_lists"]["role"][1]["label"] = ""
    assert definition_check(bad) == [
        "Список вариантов «role», вариант «head», текст: нужна подпись варианта (до 1000 символов)"
    ]


def test_unnamed_sections_cannot_merge_or_carry_a_title():
    bad = definition()
    bad["sections"][1]["name"] = ""
    assert definition_check(bad) == ["Раздел 2: у раздела с заголовком или условием должно быть имя."]
    bad = definition()
    bad["sections"] = [{"name": "", "items": [item("a")]}, {"name": "", "items": [item("b")]}]
    assert definition_check(bad) == ["Раздел 2: укажите имя раздела (без имени может быть только первый)."]


def test_not_a_definition_at_all():
    assert definition_check(["x"]) == ["Анкета не прочитана: ожидается описание анкеты."]
    with pytest.raises(DefinitionRefused):
        form_clean(definition="text")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["groups"][0]["items"].append("why"), "вопрос «why» — текст или дата"),
        (lambda s: s["groups"][0]["items"].append("ghost"), "вопроса «ghost» в анкете нет"),
        (lambda s: s["groups"][0]["bands"][1].update(min=3), "уровни «низкий» и «высокий» пересекаются"),
        (lambda s: s["groups"][0]["bands"][1].update(max="много"), "у уровня «высокий» границы должны быть числами"),
        (lambda s: s["groups"][1].update(code=""), "группа 2: не указан код группы"),
        (lambda s: s["groups"][1].update(code="EE"), "код группы повторяется"),
    ],
)
def test_scoring_problems_are_reported(change, expected):
    bad = scoring()
    change(bad)
    problems = definition_check(definition(), bad)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"groups": "x"}, "группы не прочитаны"),
        ({"groups": {"code": "EE"}}, "группы не прочитаны"),
        ({"bands": "x"}, "уровни не прочитаны"),
        ({"extra": 1}, "неизвестное поле «extra»"),
        ({"groups": None, "bands": None}, "группы не прочитаны: ожидается список, а пришло пустое значение"),
        ({"bands": None}, "общие уровни не прочитаны"),
        ([], "Подсчет баллов не прочитан"),
        (["groups"], "Подсчет баллов не прочитан"),
        ("x", "Подсчет баллов не прочитан"),
        (0, "Подсчет баллов не прочитан"),
        (False, "Подсчет баллов не прочитан"),
    ],
)
def test_a_scoring_of_the_wrong_shape_is_refused_not_emptied(bad, expected):
    problems = definition_check(definition(), bad)
    assert any(expected in p for p in problems), problems


def test_no_scoring_or_an_empty_one_means_not_scored():
    assert form_clean(definition=definition(), scoring=None)[1] == {}
    assert form_clean(definition=definition(), scoring={})[1] == {}
    assert form_clean(definition=definition(), scoring={"groups": [], "bands": []})[1] == {}


def test_texts_that_look_like_formulas_come_back_exactly():
    form, scores = formula_looking()
    assert form_clean(definition=form, scoring=scores) == (form, scores)
    assert definition_check(form, scores) == []
