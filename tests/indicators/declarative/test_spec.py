"""spec.validate: a wrong definition is refused with a Russian message naming the wrong part."""

from __future__ import annotations

import pytest

from indicators.declarative.services import DefinitionRefused, definition_save
from indicators.declarative.spec import MAX_CONDITIONS, MAX_DEPTH, DefinitionInvalid, validate
from tests import factories


def base(**changes) -> dict:
    data = {
        "code": "Т.1",
        "title": "Доля педагогов, прошедших диагностику",
        "direction": 1,
        "unit": "percent",
        "population": "teachers",
        "numerator": [{"relation": "diagnostics", "op": "exists", "where": [{"field": "date", "op": "in_period"}]}],
    }
    data.update(changes)
    return data


def errors(**changes) -> list[str]:
    with pytest.raises(DefinitionInvalid) as refused:
        validate(base(**changes))
    return refused.value.errors


def only_error(**changes) -> str:
    found = errors(**changes)
    assert len(found) == 1, found
    return found[0]


def test_a_good_definition_is_normalized():
    spec = validate(base(code=" Т.1 ", title="  Доля   педагогов ", direction="1", target="80,5"))
    assert spec["code"] == "Т.1"
    assert spec["title"] == "Доля педагогов"
    assert spec["direction"] == 1
    assert spec["start"] == "school"
    assert spec["target"] == "80.5"
    assert spec["denominator"] == [] and spec["measure"] == "" and spec["breakdown"] == ""
    assert spec["numerator"][0] == {
        "relation": "diagnostics",
        "op": "exists",
        "where": [{"field": "date", "op": "in_period"}],
    }


def test_not_an_object():
    with pytest.raises(DefinitionInvalid) as refused:
        validate(["code"])
    assert refused.value.errors == ["Определение показателя должно быть объектом."]


def test_unknown_population_names_it():
    message = only_error(population="users")
    assert message.startswith("Совокупность:") and "«users»" in message


def test_a_population_reached_only_through_relations_is_not_counted():
    assert "«association_members»" in only_error(population="association_members")


def test_unknown_field_names_the_part_and_the_field():
    message = only_error(numerator=[{"field": "password", "op": "is", "value": True}])
    assert message.startswith("Числитель, условие 1:")
    assert "нет поля «password»" in message and "педагоги списка периода" in message


def test_unknown_field_inside_a_relation_names_the_relation():
    message = only_error(
        numerator=[{"relation": "enrollments", "op": "exists", "where": [{"field": "x", "op": "is", "value": True}]}]
    )
    assert message.startswith("Числитель, условие 1 («запись на курс»), условие 1:")
    assert "записи на курсы" in message and "«x»" in message


def test_unknown_relation():
    message = only_error(denominator=[{"relation": "letters", "op": "exists"}])
    assert message.startswith("Знаменатель, условие 1:") and "нет связи «letters»" in message


def test_wrong_relation_operator():
    message = only_error(numerator=[{"relation": "diagnostics", "op": "in"}])
    assert "для связи «диагностика» операция — «есть» или «нет»" in message


@pytest.mark.parametrize(
    ("condition", "said"),
    [
        ({"field": "part_time", "op": "gte", "value": 1}, "поле «совместитель» не знает операции «gte»"),
        ({"field": "workload", "op": "in_period"}, "поле «ставка» не знает операции «in_period»"),
        ({"field": "category_date", "op": "contains", "value": "20"}, "не знает операции «contains»"),
        ({"field": "category", "op": "eq", "value": "первая"}, "поле «квалификационная категория» не знает"),
        ({"field": "position", "op": "is", "value": True}, "поле «должность» не знает операции «is»"),
    ],
)
def test_wrong_operator_for_the_kind_lists_the_allowed_ones(condition, said):
    message = only_error(numerator=[condition])
    assert message.startswith("Числитель, условие 1:") and said in message
    assert "допустимы:" in message


@pytest.mark.parametrize(
    ("condition", "said"),
    [
        ({"field": "part_time", "op": "is", "value": "да"}, "(поле «совместитель»): значение — «да» или «нет»."),
        ({"field": "workload", "op": "gte", "value": "много"}, "(поле «ставка»): «много» — не число."),
        ({"field": "workload", "op": "gte", "value": True}, "(поле «ставка»): укажите число."),
        ({"field": "workload", "op": "gte", "value": "1e12"}, "(поле «ставка»): число вне допустимых пределов."),
        ({"field": "teacher.age", "op": "gte", "value": "35.5"}, "укажите целое число лет от 0 до 120."),
        ({"field": "teacher.age", "op": "gte", "value": 200}, "укажите целое число лет от 0 до 120."),
        ({"field": "category_date", "op": "within_years", "value": 0}, "число лет должно быть целым от 1 до 50."),
        ({"field": "category_date", "op": "within_years", "value": "пять"}, "число лет должно быть целым"),
        ({"field": "category", "op": "in", "value": []}, "выберите от 1 до 50 значений."),
        ({"field": "position", "op": "eq", "value": "  "}, "(поле «должность»): укажите текст до 200 знаков."),
        ({"field": "position", "op": "eq", "value": "у" * 201}, "укажите текст до 200 знаков."),
        ({"field": "position", "op": "in", "value": ["у" * 201]}, "значение длиннее 200 знаков."),
    ],
)
def test_bad_value_names_the_field(condition, said):
    message = only_error(denominator=[condition])
    assert message.startswith("Знаменатель, условие 1") and said in message


def test_unknown_choice_is_named():
    message = only_error(numerator=[{"field": "category", "op": "in", "value": ["первая", "вторая"]}])
    assert message == "Числитель, условие 1 (поле «квалификационная категория»): неизвестное значение «вторая»."


def test_unknown_tag_choice_is_named():
    message = only_error(
        population="enrollments",
        numerator=[{"field": "program.topic", "op": "in", "value": ["астрология"]}],
    )
    assert "(поле «тематика»): неизвестное значение «астрология»." in message


def test_too_deep():
    inner = {"field": "part_time", "op": "is", "value": True}
    for _ in range(MAX_DEPTH + 1):
        inner = {"any": [inner]}
    message = only_error(numerator=[inner])
    assert "слишком глубокая вложенность условий" in message and "(любое из)" in message


def test_too_deep_through_relations():
    where = [{"field": "status", "op": "in", "value": ["завершил"]}]
    nested = {"relation": "roster", "op": "exists", "where": [{"any": [{"relation": "enrollments", "where": where}]}]}
    message = only_error(population="schools", numerator=[{"any": [nested]}], unit="count")
    assert "слишком глубокая вложенность условий (не больше 3)" in message


def test_empty_any_group():
    assert only_error(numerator=[{"any": []}]) == "Числитель, условие 1: группа «любое из» пуста."


def test_too_many_conditions_is_said_once():
    conditions = [{"field": "part_time", "op": "is", "value": True}] * (MAX_CONDITIONS + 5)
    found = errors(numerator=conditions)
    assert found == [f"Слишком много условий: не больше {MAX_CONDITIONS} в одном показателе."]


def test_average_with_a_numerator():
    message = only_error(unit="average", measure="workload")
    assert message == "Числитель: для среднего значения условия задаются в знаменателе (кого учитывать)."


def test_average_without_a_measure():
    found = errors(unit="average", numerator=[])
    assert found == ["Показатель: для среднего значения выберите числовое поле, среднее которого считается."]


def test_measure_that_is_not_a_number_field():
    message = only_error(unit="count", numerator=[], measure="teacher.age")
    assert message.startswith("Показатель: «teacher.age» — не числовое поле")


def test_count_with_a_denominator():
    message = only_error(unit="count", denominator=[{"field": "part_time", "op": "is", "value": True}])
    assert message == "Знаменатель: у количества и признака наличия знаменателя нет."


@pytest.mark.parametrize("field", ["teacher.age", "category_date", "workload", "nonexistent"])
def test_breakdown_on_a_field_that_does_not_break_down(field):
    assert only_error(breakdown=field) == f"Разрез: по полю «{field}» разрез не строится."


def test_breakdown_on_a_choice_is_accepted():
    assert validate(base(breakdown="category"))["breakdown"] == "category"


@pytest.mark.parametrize("code", ["", ".1", "Т 1", "АБВГДЕЖЗИКЛ", 7, None, "Т;1"])
def test_bad_code(code):
    message = only_error(code=code)
    assert message.startswith("Код: от 1 до 10 знаков")


@pytest.mark.parametrize(
    ("changes", "starts"),
    [
        ({"title": " "}, "Наименование: укажите наименование показателя."),
        ({"title": "Д" * 501}, "Наименование: не длиннее 500 знаков."),
        ({"direction": 10}, "Направление: номер от 1 до 9."),
        ({"direction": True}, "Направление: номер от 1 до 9."),
        ({"unit": "ratio"}, "Единица: одна из"),
        ({"start": "country"}, "Уровень: школа, муниципалитет или регион."),
        ({"target": "восемьдесят"}, "Целевое значение: «восемьдесят» — не число."),
        ({"threshold": "NaN"}, "Порог тревоги: число вне допустимых пределов."),
        ({"higher_is_better": "да"}, "Направление оценки:"),
        ({"note": "п" * 2001}, "Пояснение: текст не длиннее 2000 знаков."),
        ({"formula": "1/0"}, "Неизвестные части определения: formula."),
    ],
)
def test_other_parts(changes, starts):
    assert only_error(**changes).startswith(starts)


def test_start_level_against_the_population():
    assert only_error(population="course_runs", start="school", numerator=[], unit="count").startswith(
        "Уровень: совокупность «курсы (потоки программ)» считается только для региона."
    )
    assert only_error(population="activists", start="school", numerator=[], unit="count").startswith(
        "Уровень: совокупность «методический актив» не относится к школам"
    )


def test_every_wrong_part_is_reported_at_once():
    found = errors(
        code="",
        direction=0,
        numerator=[{"field": "nope", "op": "is"}],
        denominator=[{"field": "category", "op": "in", "value": ["x"]}],
        breakdown="workload",
    )
    assert len(found) == 5
    assert [m.split(":")[0].split(",")[0] for m in found] == [
        "Код",
        "Направление",
        "Числитель",
        "Знаменатель",
        "Разрез",
    ]


@pytest.mark.django_db
def test_a_code_of_the_coded_catalog_is_refused_at_save():
    period = factories.PeriodFactory()
    with pytest.raises(DefinitionRefused) as refused:
        definition_save(period=period, data=base(code="1.2"), user=None, compute=False)
    assert str(refused.value) == "Код 1.2 занят показателем из кода портала; выберите другой код."


# --- after the attack: nothing in a condition is silently ignored; targets make sense ---------------


@pytest.mark.parametrize(
    "condition",
    [
        {"field": "position", "relation": "diagnostics", "op": "exists", "where": []},
        {"field": "part_time", "op": "is", "value": True, "evil": "x"},
        {"any": [{"field": "part_time", "op": "is", "value": True}], "field": "pk", "op": "raw"},
    ],
)
def test_a_condition_with_parts_it_does_not_use_is_refused(condition):
    message = only_error(numerator=[condition])
    assert message.startswith("Числитель, условие 1: лишние части условия:")


def test_an_empty_condition_says_what_is_missing():
    assert only_error(numerator=[{}]) == "Числитель, условие 1: условие пустое — выберите поле или связь и операцию."


def test_an_object_as_a_number_is_not_shown_as_python():
    assert only_error(target={"a": 1}) == "Целевое значение: значение — не число."


@pytest.mark.parametrize(
    ("changes", "start"),
    [
        ({"target": "500"}, "Целевое значение: для единицы «процент» — от 0 до 100."),
        ({"threshold": "-5"}, "Порог тревоги: для единицы «процент» — от 0 до 100."),
        ({"unit": "flag", "numerator": [], "target": "2"}, "Целевое значение: для единицы «наличие» — от 0 до 1."),
        ({"target": "50", "threshold": "90"}, "Порог тревоги: выше целевого значения"),
        ({"target": "90", "threshold": "50", "higher_is_better": False}, "Порог тревоги: ниже целевого значения"),
    ],
)
def test_targets_and_thresholds_within_the_unit_and_in_order(changes, start):
    assert only_error(**changes).startswith(start)


def test_a_consistent_target_and_threshold_pass():
    spec = validate(base(target="90", threshold="50"))
    assert (spec["target"], spec["threshold"]) == ("90", "50")
