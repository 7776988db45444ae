"""The reports' lines of the home page: unread letters, findings, letters in work, annual reports (issue 16, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from reports import home
from reports.models import LetterReceipt
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 10, 1)


def _issued(world, number, **kwargs):
    letter = factories.LetterFactory(period=world.period, **kwargs)
    factories.letter_issue_as_stored(letter, number=number)
    return letter


def test_a_head_is_told_of_the_letters_they_have_not_read(world, media_root, django_assert_num_queries):
    read = _issued(world, "1/25", municipality=world.m1)
    _issued(world, "2/25", municipality=world.m1)
    _issued(world, "3/25", municipality=None)  # to the whole region
    _issued(world, "4/25", municipality=world.m2)  # another municipality's
    factories.LetterFactory(period=world.period, municipality=world.m1)  # a draft
    LetterReceipt.objects.create(letter=read, user=world.head_a)
    with django_assert_num_queries(1):
        assert home.unread_letter_count(user=world.head_a) == 2
    [line] = home.letter_and_report_todos(user=world.head_a, period=world.period, today=TODAY)
    assert line.count == 2 and line.url == "/letters/" and line.tone == "warning"


def test_no_unread_letters_is_said_plainly(world):
    [line] = home.letter_and_report_todos(user=world.municipal, period=world.period, today=TODAY)
    assert line.text == "Новых писем с адресными рекомендациями нет" and line.tone == ""


def test_the_institute_sees_findings_and_letters_in_work(world, media_root, django_assert_num_queries):
    factories.FindingFactory(period=world.period, school=world.school_a)
    factories.LetterFactory(period=world.period)
    _issued(world, "5/25")
    with django_assert_num_queries(2):
        findings, letters = home.letter_and_report_todos(user=world.analyst, period=world.period, today=TODAY)
    assert findings.count == 1 and findings.url == "/indicators/?period=2025"
    assert letters.count == 1 and letters.url == "/letters/"


def test_the_ministry_downloads_the_latest_report_of_each_period(world, media_root, django_assert_num_queries):
    old = factories.AnnualReportFactory(period=world.period)
    new = factories.AnnualReportFactory(period=world.period)
    earlier = factories.AnnualReportFactory(period=factories.PeriodFactory(year=2024, status="closed"))
    factories.AnnualReportFactory(period=world.period, status="running", pdf=None, xlsx=None)
    # A municipality's справка, newer and finished, is not the region's report.
    spravka = factories.AnnualReportFactory(period=world.period, municipality=world.m1)
    with django_assert_num_queries(1):
        lines = home.letter_and_report_todos(user=world.ministry, period=world.period, today=TODAY)
    assert [line.url for line in lines] == [f"/reports/annual/{new.pk}/pdf/", f"/reports/annual/{earlier.pk}/pdf/"]
    assert lines[0].items == (("PDF", f"/reports/annual/{new.pk}/pdf/"), ("XLSX", f"/reports/annual/{new.pk}/xlsx/"))
    assert lines[0].detail.startswith("предварительный") and lines[1].detail == ""
    assert old.pk not in {int(line.url.split("/")[3]) for line in lines}
    assert spravka.pk not in {int(line.url.split("/")[3]) for line in lines}


def test_the_ministry_is_told_when_the_periods_report_is_not_made_yet(world):
    [line] = home.letter_and_report_todos(user=world.ministry, period=world.period, today=TODAY)
    assert line.text == "Годовой отчет за 2025 год еще не сформирован" and line.url == "/reports/annual/"
