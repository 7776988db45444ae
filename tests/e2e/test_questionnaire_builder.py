"""The analyst builds a questionnaire in the browser, sees it previewed with its skips, downloads its
XLSForm and uploads a broken one, which is refused with its places; the builder at a phone's width."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journeys import expect

pytestmark = pytest.mark.e2e

CODE = "e2e-load"
TITLE = "Нагрузка педагогов (проверка)"
ADD_ITEM = re.compile(r"^Добавить вопрос в раздел")


def _item(page, section: int, index: int):
    return page.locator(".qb-section").nth(section).locator(".qb-item").nth(index)


def test_analyst_builds_a_questionnaire_with_a_skip(journey, tmp_path):
    from deficits.questionnaire.xlsform import form_from_xlsform

    j = journey("questionnaire-1440", DESKTOP)
    page = j.page
    j.login("analyst")
    page.goto("/surveys/questionnaires/")
    page.get_by_role("link", name="Новая анкета").click()
    page.get_by_label("Код (латиницей)").fill(CODE)
    page.get_by_label("Название").fill(TITLE)
    page.get_by_label("Заголовок").fill("Нагрузка")

    page.get_by_role("button", name=ADD_ITEM).click()
    first = _item(page, 0, 0)
    first.get_by_label("Имя (латиницей)").fill("overtime")
    first.get_by_label("Текст вопроса").fill("Работаете ли вы сверх ставки?")
    first.get_by_role("button", name="Добавить вариант").click()
    first.get_by_role("button", name="Добавить вариант").click()
    first.get_by_label("Подпись").nth(0).fill("Да")
    first.get_by_label("Подпись").nth(1).fill("Нет")

    page.get_by_role("button", name=ADD_ITEM).click()
    second = _item(page, 0, 1)
    second.get_by_label("Тип").select_option("number")
    second = _item(page, 0, 1)  # the card is drawn anew for its type
    second.get_by_label("Имя (латиницей)").fill("hours")
    second.get_by_label("Текст вопроса").fill("Сколько часов в неделю сверх ставки?")
    # A mistake first: the condition reads a question that is not above it.
    second.get_by_label("Условие показа").fill("${ghost} = '1'")
    second.get_by_label("Ограничение").fill(". >= 0 and . <= 40")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#builder-errors")).to_contain_text(
        "Раздел 1 «s1», вопрос «hours», условие показа: условие ссылается на «ghost»"
    )
    # Nothing typed was lost: the card is back with the text.
    second = _item(page, 0, 1)
    expect(second.get_by_label("Текст вопроса")).to_have_value("Сколько часов в неделю сверх ставки?")
    second.get_by_label("Условие показа").fill("${overtime} = '1'")
    page.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator("#survey-preview")).to_contain_text(
        "Показывается, если «Работаете ли вы сверх ставки?» = «Да» ${overtime} = '1'"
    )
    j.shot("detail")

    path = j.download(lambda: page.get_by_role("link", name="XLSForm редакции 1").click(), tmp_path)
    definition, scoring = form_from_xlsform(source=io.BytesIO(path.read_bytes()), filename=path.name)
    items = definition["sections"][0]["items"]
    assert [(i["name"], i["type"], i["relevant"]) for i in items] == [
        ("overtime", "single", ""),
        ("hours", "number", "${overtime} = '1'"),
    ]
    assert scoring == {}

    # A broken workbook: refused with its sheet, row and column; the questionnaire keeps its edition.
    book = openpyxl.load_workbook(path)
    book["survey"]["F4"] = "${nowhere} > 1"  # hours' relevant (row 4: begin_group, overtime, hours)
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    page.get_by_role("link", name="Загрузить редакцию из XLSForm").click()
    page.get_by_label("Файл XLSForm").set_input_files(broken)
    page.get_by_role("button", name="Загрузить").click()
    expect(page.locator("#upload-errors")).to_contain_text(
        "Лист «survey», строка 4, столбец F («relevant»): условие ссылается на «nowhere»"
    )
    j.shot("refused")

    phone = journey("questionnaire-390", PHONE)
    phone.login("analyst")
    phone.page.goto(f"/surveys/questionnaires/{CODE}/edit/")
    expect(_item(phone.page, 0, 1).get_by_label("Текст вопроса")).to_have_value("Сколько часов в неделю сверх ставки?")
    phone.shot("builder")
