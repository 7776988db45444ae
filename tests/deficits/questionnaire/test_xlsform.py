"""XLSForm workbooks in and out (deficits.questionnaire.xlsform): sections, skips, round trip, refusals with places."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from deficits.questionnaire import FormRefused, holds, parse, questionnaire_from_xlsform, xlsform_from_questionnaire
from deficits.questionnaire.xlsform import form_from_xlsform
from tests.deficits.questionnaire.forms import formula_looking

SURVEY = [
    ["type", "name", "label::Русский (ru)", "hint", "required", "relevant", "constraint", "appearance", "parameters"],
    ["start", "started", "", "", "", "", "", "", ""],
    ["select_one role", "role", "Ваша должность", "", "yes", "", "", "", ""],
    ["integer", "years", "Стаж, лет", "Полных лет", "yes", "", ". >= 0 and . <= 60", "", ""],
    ["begin_group", "load", "Нагрузка", "", "", "${role} = 'teacher'", "", "", ""],
    ["range", "tired", "Насколько вы устаёте к концу недели?", "", "yes", "", "", "", "start=1 end=5 step=1"],
    ["select_multiple subjects", "subjects", "Предметы", "", "", "", "", "", ""],
    ["text", "why", "Почему?", "", "", "${tired} >= 4 and selected(${subjects}, 'math')", "", "multiline", ""],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["date", "since", "С какого времени?", "", "", "", "", "", ""],
    ["decimal", "rate", "Ставка", "", "", "${years} > 0", ". > 0", "", ""],
    ["text", "note", "Что ещё?", "", "", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::Русский (ru)"],
    ["role", "teacher", "Учитель"],
    ["role", "head", "Руководитель"],
    ["subjects", "math", "Математика"],
    ["subjects", 1, "Чтение"],  # a number cell: the value «1»
    ["unused", "x", "Не используется"],
]
SETTINGS = [["form_title", "form_id", "version"], ["Выгорание педагогов", "burnout", 2026]]


def workbook(path: Path, survey=SURVEY, choices=CHOICES, settings=SETTINGS) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        if rows is None:
            continue
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def refused(path: Path) -> list[str]:
    with pytest.raises(FormRefused) as caught:
        questionnaire_from_xlsform(source=path, filename=path.name)
    return [str(problem) for problem in caught.value.problems]


def test_a_form_with_a_group_and_skip_logic_becomes_sections_of_items(tmp_path):
    form = questionnaire_from_xlsform(source=workbook(tmp_path / "burnout.xlsx"))
    assert (form["title"], form["form_id"], form["version"]) == ("Выгорание педагогов", "burnout", "2026")
    assert [(s["name"], s["title"], s["relevant"]) for s in form["sections"]] == [
        ("", "", ""),
        ("load", "Нагрузка", "${role} = 'teacher'"),
        ("", "", ""),
    ]
    items = {item["name"]: item for section in form["sections"] for item in section["items"]}
    assert list(items) == ["role", "years", "tired", "subjects", "why", "since", "rate", "note"]  # «start» skipped
    assert items["role"] == {
        "type": "single",
        "list": "role",
        "name": "role",
        "label": "Ваша должность",
        "hint": "",
        "required": True,
        "relevant": "",
        "constraint": "",
        "constraint_message": "",
    }
    assert (items["years"]["type"], items["years"]["integer"], items["years"]["constraint"]) == (
        "number",
        True,
        ". >= 0 and . <= 60",
    )
    assert (items["tired"]["type"], items["tired"]["start"], items["tired"]["end"], items["tired"]["step"]) == (
        "scale",
        1,
        5,
        1,
    )
    assert items["why"]["type"] == "long_text" and items["note"]["type"] == "text"
    assert items["rate"]["integer"] is False and items["since"]["type"] == "date"
    assert form["choice_lists"] == {
        "role": [{"name": "teacher", "label": "Учитель"}, {"name": "head", "label": "Руководитель"}],
        "subjects": [{"name": "math", "label": "Математика"}, {"name": "1", "label": "Чтение"}],
    }
    # The skips read as the form says: «why» only for the tired mathematician.
    why = parse(items["why"]["relevant"])
    assert holds(why, {"tired": 5, "subjects": ["math"]})
    assert not holds(why, {"tired": 3, "subjects": ["math"]})


def test_exported_and_imported_again_it_is_the_same_questionnaire(tmp_path):
    form = questionnaire_from_xlsform(source=workbook(tmp_path / "burnout.xlsx"))
    again_path = tmp_path / "again.xlsx"
    again_path.write_bytes(xlsform_from_questionnaire(questionnaire=form))
    assert questionnaire_from_xlsform(source=again_path) == form
    # And the exported workbook is an XLSForm a person reads: the group's rows frame its items.
    survey = openpyxl.load_workbook(io.BytesIO(again_path.read_bytes()))["survey"]
    types = [row[0] for row in survey.iter_rows(min_row=2, values_only=True)]
    assert types[2:6] == ["begin_group", "range", "select_multiple subjects", "text"] and types[6] == "end_group"


def test_a_broken_form_is_refused_with_the_sheet_row_and_column_of_each_problem(tmp_path):
    survey = [list(row) for row in SURVEY]
    survey[3][0] = "geopoint"  # row 4: an unknown type
    survey[7][5] = "${nowhere} = 1"  # row 8: skip logic on an item that does not exist above
    survey[10][6] = ". >"  # row 11: a constraint that does not parse
    survey[9][1] = "role"  # row 10: a name used twice
    choices = [list(row) for row in CHOICES] + [["role", "head", "Ещё раз"]]  # row 7: a choice twice
    problems = refused(workbook(tmp_path / "broken.xlsx", survey=survey, choices=choices))
    assert "Лист «choices», строка 7, столбец B («name»): вариант «head» повторяется в списке «role»" in problems
    assert any(
        p.startswith("Лист «survey», строка 4, столбец A («type»): тип «geopoint» не поддерживается") for p in problems
    )
    assert any(
        p.startswith("Лист «survey», строка 8, столбец F («relevant»): условие ссылается на «nowhere»")
        for p in problems
    )
    assert any(p.startswith("Лист «survey», строка 11, столбец G («constraint»): условие оборвано") for p in problems)
    assert "Лист «survey», строка 10, столбец B («name»): имя «role» уже встречалось выше" in problems


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda s: s.pop(8), "группа «load» не закрыта"),
        (lambda s: s.insert(5, ["begin_group", "inner", "Внутри", "", "", "", "", "", ""]), "вложенные группы"),
        (lambda s: s[2].__setitem__(0, "select_one colours"), "списка «colours» нет"),
        (lambda s: s[5].__setitem__(8, "start=5 end=1"), "шкала от 5 до 1"),
        (lambda s: s[3].__setitem__(4, "maybe"), "ожидается «yes» или пусто"),
        (lambda s: s[2].__setitem__(5, ". = 'x'"), "только в ограничении"),
        (lambda s: s[3].__setitem__(6, "${role} = 'x'"), "должно проверять сам ответ"),
        (lambda s: s[11].__setitem__(6, ". != ''"), "только для чисел"),
        (lambda s: s[2].__setitem__(1, "роль"), "латинские буквы"),
        (lambda s: s[2].__setitem__(5, "${years} > 1"), "такого вопроса выше нет"),  # read before it is asked
    ],
)
def test_each_kind_of_mistake_is_named(tmp_path, change, said):
    survey = [list(row) for row in SURVEY]
    change(survey)
    problems = refused(workbook(tmp_path / "form.xlsx", survey=survey))
    assert any(said in p for p in problems), problems


def test_a_workbook_without_the_survey_sheet_or_a_hostile_file_is_refused(tmp_path):
    assert refused(workbook(tmp_path / "no-survey.xlsx", survey=None)) == [
        "Лист «survey»: в книге нет листа «survey» с вопросами анкеты"
    ]
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    (problem,) = refused(junk)
    assert problem.startswith("Лист «junk.xlsx»:") and "junk.xlsx" in problem.split(":", 1)[1]


def test_a_kobo_style_form_in_two_languages_reads_its_russian_labels(tmp_path):
    survey = [
        ["type", "name", "label::English (en)", "label::Русский (ru)", "hint::English (en)", "required"],
        ["begin group", "about", "About you", "О себе", "", ""],
        ["select_one yn", "young", "Under 35?", "Вам меньше 35 лет?", "Tick one", True],
        ["end group", "", "", "", "", ""],
    ]
    choices = [
        ["list_name", "name", "label::English (en)", "label::Русский (ru)"],
        ["yn", "yes", "Yes", "Да"],
        ["yn", "no", "No", "Нет"],
    ]
    form = questionnaire_from_xlsform(
        source=workbook(tmp_path / "kobo.xlsx", survey=survey, choices=choices, settings=None)
    )
    (section,) = form["sections"]
    assert (section["name"], section["title"], form["title"]) == ("about", "О себе", "Анкета")
    (item,) = section["items"]
    assert (item["label"], item["hint"], item["required"]) == ("Вам меньше 35 лет?", "Tick one", True)
    assert form["choice_lists"]["yn"] == [{"name": "yes", "label": "Да"}, {"name": "no", "label": "Нет"}]


def test_a_written_workbook_keeps_formula_looking_texts_as_text_cells(tmp_path):
    form, scores = formula_looking()
    book = xlsform_from_questionnaire(questionnaire=form, scoring=scores)
    sheets = openpyxl.load_workbook(io.BytesIO(book))
    cells = [cell for sheet in sheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert sheets["settings"]["A2"].value == "=2+2"
    # Read back through the isolated reader (as an upload is), the texts are the same.
    path = tmp_path / "анкета.xlsx"
    path.write_bytes(book)
    assert form_from_xlsform(source=str(path), filename=path.name) == (form, scores)
