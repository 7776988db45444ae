"""Presentations of a period's results: recorded by the institute, listed on the period page with the materials
each reader may open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reports import presentations
from reports.models import Presentation
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def materials(world):
    """The period's ready annual report, letters issued to M1 and to M2, and a draft."""
    report = factories.AnnualReportFactory(period=world.period, user=world.analyst, finished_at=timezone.now())
    to_m1 = factories.LetterFactory(period=world.period, municipality=world.m1, author=world.analyst, title="Письмо М1")
    to_m2 = factories.LetterFactory(period=world.period, municipality=world.m2, author=world.analyst, title="Письмо М2")
    draft = factories.LetterFactory(period=world.period, municipality=world.m1, author=world.analyst)
    factories.letter_issue_as_stored(to_m1, number="1/26")
    factories.letter_issue_as_stored(to_m2, number="2/26")
    return world, report, to_m1, to_m2, draft


def _save(world, **kw):
    values = {
        "user": world.analyst,
        "period": world.period,
        "date": "2026-09-14",
        "kind": "webinar",
        "title": "Итоги мониторинга 2025 года",
        "audience": "муниципальные органы управления образованием, руководители ОО",
    }
    return presentations.presentation_save(**(values | kw))


def test_the_institute_records_a_presentation_with_the_periods_materials(materials):
    world, report, to_m1, to_m2, _ = materials
    saved = _save(world, report=str(report.pk), letters=[to_m1.pk, str(to_m2.pk)])
    assert (saved.date, saved.kind, saved.report, saved.created_by) == (
        dt.date(2026, 9, 14),
        "webinar",
        report,
        world.analyst,
    )
    assert set(saved.letters.all()) == {to_m1, to_m2}
    again = _save(world, presentation=saved, title="Итоги (уточнено)", letters=[to_m1.pk])
    assert (again.pk, again.title, list(again.letters.all()), again.report) == (
        saved.pk,
        "Итоги (уточнено)",
        [to_m1],
        None,
    )
    for person in ("ministry", "municipal", "head_a", "teacher"):
        with pytest.raises(PermissionDenied):
            _save(world, user=world.people[person])
        with pytest.raises(PermissionDenied):
            presentations.presentation_delete(user=world.people[person], presentation=saved)
    presentations.presentation_delete(user=world.analyst, presentation=saved)
    assert not Presentation.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "party"}, "Выберите форму"),
        ({"date": "14/09/2026"}, "укажите дату"),
        ({"date": "2001-01-01"}, "Итоги 2025 года представляют с 01.01.2025 по 31.12.2027"),
        ({"date": "2028-01-01"}, "Итоги 2025 года представляют с 01.01.2025 по 31.12.2027"),
        ({"title": "  "}, "Укажите тему"),
        ({"audience": ""}, "Укажите участников"),
        ({"report": "abc"}, "выбраны неверно"),
        ({"letters": ["x"]}, "выбраны неверно"),
    ],
)
def test_bad_input_is_refused_in_russian(materials, change, message):
    world, *_ = materials
    with pytest.raises(ValidationError, match=message):
        _save(world, **change)
    assert not Presentation.objects.exists()


def test_only_the_periods_ready_report_and_issued_letters_are_materials(materials):
    world, *_, draft = materials
    other = factories.PeriodFactory(year=2024)
    elsewhere = factories.AnnualReportFactory(period=other, user=world.analyst)
    running = factories.AnnualReportFactory(period=world.period, user=world.analyst, status="running")
    for bad in (elsewhere, running):
        with pytest.raises(ValidationError, match="годового отчета"):
            _save(world, report=bad.pk)
    with pytest.raises(ValidationError, match="зарегистрированные письма"):
        _save(world, letters=[draft.pk])
    assert not Presentation.objects.exists()


def test_the_period_page_lists_presentations_with_the_materials_each_reader_may_open(client, materials):
    world, report, to_m1, to_m2, _ = materials
    _save(world, report=report.pk, letters=[to_m1.pk, to_m2.pk])
    url = reverse("period-detail", kwargs={"year": world.period.year})
    report_link = reverse("report-file", kwargs={"pk": report.pk, "kind": "pdf"})
    m1_link, m2_link = (reverse("letter-detail", kwargs={"pk": x.pk}) for x in (to_m1, to_m2))
    expected = {
        "analyst": {report_link, m1_link, m2_link},
        "ministry": {report_link, m1_link, m2_link},
        "municipal": {m1_link},
        "head_a": {m1_link},
        "head_b": {m2_link},
    }
    for name, links in expected.items():
        client.force_login(world.people[name])
        page = client.get(url).content.decode()
        assert "Итоги мониторинга 2025 года" in page and "Вебинар" in page, name
        shown = {link for link in (report_link, m1_link, m2_link) if f'href="{link}"' in page}
        assert shown == links, name
        assert ("Внести или изменить представления" in page) == (name == "analyst")


def test_the_institutes_page_adds_edits_and_deletes(client, materials):
    world, report, to_m1, *_ = materials
    url = reverse("presentation-list", kwargs={"year": world.period.year})
    client.force_login(world.municipal)
    assert client.get(url).status_code == 404
    client.force_login(world.analyst)
    assert client.get(url).status_code == 200
    data = {"date": "2026-09-14", "kind": "meeting", "title": "Совещание", "audience": "руководители ОО"}
    response = client.post(url, data | {"report": report.pk, "letters": [to_m1.pk]})
    assert response.status_code == 302
    saved = Presentation.objects.get()
    assert (saved.report, list(saved.letters.all())) == (report, [to_m1])
    # A refused form keeps what was typed.
    refused = client.post(url, data | {"title": "Второе", "date": "0001-01-01"})
    assert refused.status_code == 400 and "Второе" in refused.content.decode()
    edit = reverse("presentation-edit", kwargs={"year": world.period.year, "pk": saved.pk})
    assert client.post(edit, data | {"title": "Совещание (перенесено)"}).status_code == 302
    saved.refresh_from_db()
    assert (saved.title, saved.report, saved.letters.count()) == ("Совещание (перенесено)", None, 0)
    delete = reverse("presentation-delete", kwargs={"year": world.period.year, "pk": saved.pk})
    assert client.post(delete).status_code == 302
    assert not Presentation.objects.exists()
