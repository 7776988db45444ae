"""The annual report's workbook: the same tables as the PDF; people's texts never become formulas."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from indicators.declarative.services import definition_save
from indicators.models import Indicator
from indicators.selectors import DIRECTIONS
from reports.annual import annual_build
from reports.models import LetterItem, Measure
from tests.indicators.helpers import DECLARED, DECLARED_TITLE, declared_spec
from tests.reports.annual.helpers import make_institute

pytestmark = pytest.mark.django_db


def test_the_xlsx_has_the_same_tables(year):
    book = load_workbook(io.BytesIO(annual_build(period=year.period).xlsx), read_only=True)
    assert {f"Направление {n}" for n in DIRECTIONS} | {"Проблемные зоны", "Рекомендации", "Меры"} <= set(
        book.sheetnames
    )
    rows = list(book["Направление 9"].iter_rows(values_only=True))
    head = next(r for r in rows if r[0] == "Муниципалитет")
    m1 = next(r for r in rows if r[0] == "Алексеевский муниципальный район")
    at = head.index("9.1 2025")
    assert (m1[at], m1[at + 1], m1[at + 2]) == (75, 60, 15)
    assert head[at + 1] == "9.1 2024"
    findings = list(book["Проблемные зоны"].iter_rows(values_only=True))
    assert {(r[0], r[3], r[5]) for r in findings if r[0] == "9.1"} == {
        ("9.1", "000001", 60),
        ("9.1", "000003", 90),
        ("9.1", "01", 75),
    }
    recommendations = [r[-1] for r in book["Рекомендации"].iter_rows(values_only=True)]
    assert "Разработать план привлечения молодых специалистов на вакантные должности." in recommendations
    measures = list(book["Меры"].iter_rows(values_only=True))
    after_header = measures[[r[0] for r in measures].index("Период") + 1 :]
    assert [r[-1] for r in after_header] == ["достигнут", "нет данных следующего периода"]


def test_the_xlsx_holds_formula_looking_texts_as_text(year):
    # openpyxl writes a string starting with "=" as a formula; people's texts must open as typed.
    LetterItem.objects.update(text='=HYPERLINK("http://x","y")')
    Measure.objects.filter(period=year.period).update(text="=cmd|' /C calc'!A0", responsible="@SUM(1)\x07")
    book = load_workbook(io.BytesIO(annual_build(period=year.period).xlsx))
    cells = {c.value: c.data_type for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells['=HYPERLINK("http://x","y")'] == "s"
    assert cells["=cmd|' /C calc'!A0"] == "s"
    assert cells["@SUM(1)"] == "s"  # the control character is dropped instead of breaking the file
    assert not [v for v, t in cells.items() if t == "f"]


def test_an_open_periods_workbook_is_marked_on_every_sheet(year):
    from reports.annual import annual_data, annual_xlsx

    book = load_workbook(io.BytesIO(annual_xlsx(annual_data(period=year.period))))
    assert book.sheetnames[0] == "Титульный лист"
    title = " ".join(str(r[0]) for r in book["Титульный лист"].iter_rows(values_only=True))
    assert "Северо-Осетинский республиканский институт" in title and "Владикавказ, " in title
    for sheet in book:
        assert sheet.cell(1, 1).value == "ПРЕДВАРИТЕЛЬНЫЕ ДАННЫЕ", sheet.title
        assert "сбор данных за 2025 год не завершен" in sheet.cell(1, 2).value
        assert sheet.oddHeader.center.text == "ПРЕДВАРИТЕЛЬНЫЕ ДАННЫЕ", sheet.title

    year.period.status = "closed"
    year.period.save()
    book = load_workbook(io.BytesIO(annual_xlsx(annual_data(period=year.period))))
    texts = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert not [t for t in texts if "редварительн" in t or "РЕДВАРИТЕЛЬН" in t]
    assert all(not sheet.oddHeader.center.text for sheet in book)


def test_the_xlsx_has_a_declarative_indicators_column_in_its_direction(declared):
    make_institute()
    book = load_workbook(io.BytesIO(annual_build(period=declared.period).xlsx), read_only=True)
    rows = list(book["Направление 1"].iter_rows(values_only=True))
    head = next(r for r in rows if r[0] == "Муниципалитет")
    m1 = next(r for r in rows if r[0] == "Алексеевский муниципальный район")
    assert m1[head.index(f"{DECLARED} 2025")] == 50
    legend = [r for r in rows if r and r[0] == DECLARED]
    assert legend and legend[0][1] == DECLARED_TITLE


def test_a_declarative_title_that_looks_like_a_formula_stays_text(declared):
    # The institute types its indicators' titles; the attack saved one as =HYPERLINK(…) and the
    # direction sheet's legend wrote it as a live formula.
    title = '=HYPERLINK("http://evil.example/","Открыть методичку")'
    revision = Indicator.objects.get(code=DECLARED).revision
    definition_save(period=declared.period, data=declared_spec(title=title), user=declared.analyst, revision=revision)
    make_institute()
    book = load_workbook(io.BytesIO(annual_build(period=declared.period).xlsx))
    cells = {c.value: c.data_type for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells[title] == "s"
    assert not [v for v, t in cells.items() if t == "f"]
