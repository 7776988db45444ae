"""Audit history of letters: who changed what through the composer, on the letter page and in the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reports import audit, letters
from reports.models import Letter, LetterItem
from tests import factories
from tests.reports.letters.helpers import _signer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def draft(world):
    """A draft of the institute to the school heads of M1, with one recommendation."""
    letter = Letter.objects.create(
        period=world.period,
        issuer=factories.institute_issuer(),
        addressee="school_heads",
        municipality=world.m1,
        addressee_line="Руководителям общеобразовательных организаций",
        title="Об итогах мониторинга",
        signatory_position="Ректор",
        signatory_name="И. И. Иванов",
    )
    LetterItem.objects.create(
        letter=letter, kind="recommendation", addressee="school_heads", order=1, text="Организовать курсы."
    )
    return letter


def _history_block(response) -> str:
    html = response.content.decode()
    assert 'id="letter-history"' in html, "the letter page shows no «История изменений»"
    return html.split('id="letter-history"', 1)[1].split("</table>", 1)[0]


def test_an_edit_through_the_composer_is_recorded_with_its_author_and_fields(client, world, draft):
    world.analyst.first_name, world.analyst.last_name = "Анна", "Аналитикова"
    world.analyst.save()
    client.force_login(world.analyst)
    item = draft.items.get()
    form = {"title": "Об итогах мониторинга 2025 года", f"item-{item.pk}-text": "Организовать курсы ДПП."}
    form["revision"] = draft.revision  # the editor's form carries the revision it opened
    assert client.post(reverse("letter-edit", args=[draft.pk]), form).status_code == 302

    latest = draft.history.first()
    assert latest.history_type == "~" and latest.history_user == world.analyst
    assert LetterItem.history.filter(id=item.pk).first().history_user == world.analyst

    block = _history_block(client.get(reverse("letter-detail", args=[draft.pk])))
    assert "Анна Аналитикова" in block
    assert "письмо</td><td>изменено: заголовок" in block
    assert "пункт 1</td><td>изменено: текст" in block
    assert "создано" in block  # the factory's rows, made without a request: «система»
    assert "система" in block


def test_a_save_that_changes_nothing_is_not_listed(world, draft):
    draft.save()
    changes = audit.letter_changes(letter=draft)
    assert [(c.what, c.action) for c in changes] == [("пункт 1", "создано"), ("письмо", "создано")]


def test_the_history_block_is_for_the_institute_only(client, world, staffed_issued):
    letter = staffed_issued
    for person, shown in (("analyst", True), ("ministry", False), ("municipal", False), ("head_a", False)):
        client.force_login(world.people[person])
        response = client.get(reverse("letter-detail", args=[letter.pk]))
        assert response.status_code == 200
        assert ('id="letter-history"' in response.content.decode()) is shown, person


@pytest.fixture
def staffed_issued(world, draft):
    letters.letter_approve(letter=draft, revision=draft.revision, user=_signer(world))
    # Issued as letter_issue leaves it, without rendering a PDF (an update: the frozen guard and
    # the history see no save, which is not what this fixture is about).
    Letter.objects.filter(pk=draft.pk).update(
        status="issued", number="01-05/1", issued_on=dt.date(2026, 3, 2), pdf="letters/x.pdf", pdf_sha256="0" * 64
    )
    return Letter.objects.get(pk=draft.pk)


def test_admin_history_of_a_letter_follows_its_scope(client, world, draft):
    url = reverse("admin:reports_letter_history", args=[draft.pk])
    client.force_login(world.analyst)
    page = client.get(url)
    assert page.status_code == 200 and "Об итогах мониторинга" in page.content.decode()
    # A draft is the institute's: a school head (even of M1) sees neither the letter nor its history.
    client.force_login(world.head_a)
    assert client.get(url).status_code == 404
    version = draft.history.first().history_id
    assert client.get(reverse("admin:reports_letter_simple_history", args=[draft.pk, version])).status_code == 404


def test_a_past_version_is_read_never_saved_back(client, world, draft):
    old_title = draft.title
    draft.title = "Новый заголовок"
    draft.save()
    first = draft.history.earliest("history_date").history_id
    url = reverse("admin:reports_letter_simple_history", args=[draft.pk, first])
    client.force_login(world.analyst)
    page = client.get(url)
    assert page.status_code == 200 and old_title in page.content.decode()
    assert client.post(url, {"title": old_title}).status_code == 403
    draft.refresh_from_db()
    assert draft.title == "Новый заголовок"


def test_every_tracked_letter_field_has_a_russian_label():
    # The history block names changed fields by their labels: «approved by» once showed there.
    import re

    from reports.models import Letter

    # Django's default label is the field's name in lower-case English words; acronyms (PDF) are fine.
    english = [
        f.name
        for f in Letter._meta.concrete_fields
        if f.name != "id" and re.fullmatch(r"[a-z0-9 _]+", str(f.verbose_name))
    ]
    assert english == []
