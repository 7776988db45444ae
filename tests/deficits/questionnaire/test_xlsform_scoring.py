"""The XLSForm workbook's optional scoring sheet (deficits.questionnaire.xlsform_scoring): read, written, refused."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from deficits.questionnaire import xlsform_from_questionnaire
from deficits.questionnaire.xlsform import form_from_xlsform
from tests.deficits.questionnaire.test_xlsform import refused, workbook

SCORING_SHEET = [
    ["group", "group_label", "item", "band", "min", "max", "flag"],
    ["LOAD", "Нагрузка", "tired", "", None, None, ""],
    ["LOAD", "", "years", "", None, None, ""],
    ["LOAD", "", "", "низкий", 0, 10, ""],
    ["LOAD", "", "", "высокий", 11, 70.5, "yes"],
    ["", "", "", "общий", 0, 100, ""],
]


def scored_workbook(path: Path, rows) -> Path:
    workbook(path)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("scoring")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_scoring_sheet_is_read_into_groups_and_bands(tmp_path):
    definition, scoring = form_from_xlsform(source=scored_workbook(tmp_path / "s.xlsx", SCORING_SHEET))
    assert scoring == {
        "groups": [
            {
                "code": "LOAD",
                "name": "Нагрузка",
                "items": ["tired", "years"],
                "bands": [
                    {"name": "низкий", "min": 0, "max": 10, "flag": False},
                    {"name": "высокий", "min": 11, "max": 70.5, "flag": True},
                ],
            }
        ],
        "bands": [{"name": "общий", "min": 0, "max": 100, "flag": False}],
    }
    again = form_from_xlsform(
        source=io.BytesIO(xlsform_from_questionnaire(questionnaire=definition, scoring=scoring)), filename="a.xlsx"
    )
    assert again == (definition, scoring)


def test_a_workbook_without_a_scoring_sheet_has_no_scoring(tmp_path):
    assert form_from_xlsform(source=workbook(tmp_path / "plain.xlsx"))[1] == {}


def test_a_broken_scoring_sheet_is_refused_with_places(tmp_path):
    rows = [
        SCORING_SHEET[0],
        ["LOAD", "", "why", "", None, None, ""],  # a text: no points
        ["LOAD", "", "", "низкий", "ноль", 10, ""],
        ["LOAD", "", "", "", 0, 10, ""],
        ["LOAD", "", "", "x", 0, 10, "может"],
        ["", "Без кода", "tired", "", None, None, ""],
    ]
    problems = refused(scored_workbook(tmp_path / "bad.xlsx", rows))
    assert problems == [
        "Лист «scoring», строка 3, столбец E («min»): граница уровня «низкий» должна быть числом",
        "Лист «scoring», строка 4, столбец D («band»): не указано название уровня",
        "Лист «scoring», строка 5, столбец G («flag»): ожидается «yes» или пусто",
        "Лист «scoring», строка 6, столбец A («group»): не указан код группы",
    ]
    rows = [SCORING_SHEET[0], ["LOAD", "", "why", "", None, None, ""]]
    assert refused(scored_workbook(tmp_path / "text.xlsx", rows)) == [
        "Лист «scoring»: Группа 1 «LOAD»: вопрос «why» — текст или дата, баллы по нему не считаются."
    ]
