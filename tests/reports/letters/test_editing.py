"""Editing a draft: texts, items, order; what the composer refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports import letters
from tests import factories
from tests.pdfs import pdf_text
from tests.reports.letters.helpers import (
    HEADS_9,
    VACANT_AC,
    _items,
    _propose,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_a_draft_is_edited_reordered_extended_and_trimmed(staffed):
    letter = _propose(staffed, "school_heads", staffed.m1)
    first, second = letter.items.filter(kind="conclusion").order_by("order")
    letters.letter_update(
        letter=letter,
        user=staffed.analyst,
        title="Новый заголовок",
        items=[{"id": first.pk, "text": "Исправленный вывод", "order": 5}],
        add=[{"kind": "recommendation", "addressee": "school_heads", "text": "Дополнительная рекомендация"}],
    )
    assert [(k, o, t) for k, _, o, t in _items(letter)] == [
        ("conclusion", 1, VACANT_AC),
        ("conclusion", 2, "Исправленный вывод"),
        ("recommendation", 1, HEADS_9),
        ("recommendation", 2, "Дополнительная рекомендация"),
    ]
    letters.letter_move(letter=letter, user=staffed.analyst, item_id=first.pk, delta=-1)
    letters.letter_update(letter=letter, user=staffed.analyst, remove=[second.pk])
    assert [t for k, _, _, t in _items(letter) if k == "conclusion"] == ["Исправленный вывод"]
    letter.refresh_from_db()
    assert letter.title == "Новый заголовок"
    with pytest.raises(ValidationError):
        letters.letter_update(
            letter=letter, user=staffed.analyst, add=[{"kind": "recommendation", "text": "без адресата"}]
        )
    with pytest.raises(PermissionDenied):
        letters.letter_update(letter=letter, user=staffed.municipal, title="Чужое")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "Заголовок\x00"}, "недопустимые символы"),
        ({"addressee_line": "А" * 501}, "не более 500"),
        ({"items": [{"id": "²", "text": "т"}]}, "целым числом"),
        ({"items": [{"order": 10**30}]}, "от 1 до 10000"),
        ({"add": [{"kind": "recommendation", "addressee": "school_heads", "text": "т\x1b"}]}, "Текст пункта"),
    ],
)
def test_update_refuses_control_characters_oversize_and_odd_numbers(world, change, message):
    # The composer's service takes plain strings (from the page and the API): PostgreSQL cannot store NUL,
    # a too long line or a 30-digit order would fail in the database instead of telling the author.
    letter = factories.LetterFactory(period=world.period, municipality=world.m1)
    item = factories.LetterItemFactory(letter=letter)
    for row in change.get("items", []):
        row.setdefault("id", item.pk)
    with pytest.raises(ValidationError) as info:
        letters.letter_update(letter=letter, user=world.analyst, **change)
    assert message in " ".join(info.value.messages)
    letter.refresh_from_db()
    assert letter.title == "Об итогах мониторинга" and list(letter.items.values_list("text", flat=True)) == [item.text]


@pytest.mark.parametrize(
    ("typed", "number", "day"),
    [("№ 12-34 от 01.02.2026", "12-34", "01.02.2026"), ("№12-34", "12-34", None),
     ("No. 7 от 03.03.2026 г.", "7", "03.03.2026"), ("12-34 от 01.02.2026", "12-34", "01.02.2026"),
     ("Note 5", "Note 5", None), ("№ б/н", "б/н", None), ("12-34 от 31.02.2026", "12-34 от 31.02.2026", None)],
)  # fmt: skip
def test_a_reference_typed_whole_splits_into_number_and_date(staffed, typed, number, day):
    # Issue 16, item 2: the field invited «№ 12-34» and the PDF read «на № № 12-34»; number and
    # date are two fields now, and a date typed after the number goes to the date.
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(letter=letter, user=staffed.analyst, reply_to=typed)
    letter.refresh_from_db()
    assert (letter.reply_to, letter.reply_to_date and f"{letter.reply_to_date:%d.%m.%Y}") == (number, day)
    html = letters.letter_html(letter=letter, draft=True)
    assert f"на № {number} от {day or '_____'}" in html and "№ №" not in html


def test_the_reference_date_is_its_own_field(staffed):
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(letter=letter, user=staffed.analyst, reply_to="12-34", reply_to_date="2025-02-01")
    letter.refresh_from_db()
    assert (letter.reply_to, letter.reply_to_date) == ("12-34", dt.date(2025, 2, 1))
    assert "на № 12-34 от 01.02.2025" in pdf_text(letters.letter_render(letter=letter, draft=True))
    with pytest.raises(ValidationError, match=r"Дата письма «32\.01\.2025» не распознана"):
        letters.letter_update(letter=letter, user=staffed.analyst, reply_to_date="32.01.2025")
    letters.letter_update(letter=letter, user=staffed.analyst, reply_to_date="")
    letter.refresh_from_db()
    assert (letter.reply_to, letter.reply_to_date) == ("12-34", None)


def test_the_preview_shows_the_reference_and_the_closing_the_pdf_prints(staffed, client):
    # Issue 16, item 2: «Просмотр» showed neither, yet the PDF printed both.
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(
        letter=letter,
        user=staffed.analyst,
        reply_to="12-34",
        reply_to_date="2026-02-01",
        closing="Просим сообщить о принятых мерах.",
    )
    letter.refresh_from_db()
    client.force_login(staffed.analyst)
    page = client.get(f"/letters/{letter.pk}/").content.decode()
    pdf = letters.letter_html(letter=letter, draft=True)
    for printed in ("на № 12-34 от 01.02.2026", "Просим сообщить о принятых мерах."):
        assert printed in pdf and printed in page


def test_saving_a_letter_costs_the_same_queries_however_many_items(staffed):
    """Issue 16, item 12: a save wrote every item with a guard query and a history row each (1.15 s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def save_cost(letter) -> int:
        letter.refresh_from_db()
        rows = [{"id": i.pk, "text": i.text + " (уточнено)", "order": i.order} for i in letter.items.all()]
        with CaptureQueriesContext(connection) as ctx:
            letters.letter_update(letter=letter, user=staffed.analyst, title="Новый заголовок", items=rows)
        assert all(i.text.endswith("(уточнено)") for i in letter.items.all())
        return len(ctx.captured_queries)

    small = _propose(staffed, "school_heads", staffed.m1)
    large = _propose(staffed, "school_heads", staffed.m1)
    for n in range(12):
        letters.letter_update(letter=large, user=staffed.analyst, add=[{"kind": "conclusion", "text": f"Вывод {n}"}])
    assert large.items.count() >= small.items.count() + 12
    assert save_cost(small) == save_cost(large)
    # Each change is still in the history, by whom it was made.
    item = large.items.first()
    assert item.history.first().history_user == staffed.analyst and item.history.first().text.endswith("(уточнено)")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "31.12.1899", dt.date(2101, 1, 1)])
def test_the_reply_date_stays_within_the_portals_years(staffed, day):
    letter = _propose(staffed, "school_heads", staffed.m1)
    with pytest.raises(ValidationError, match="год должен быть от 1900 до 2100"):
        letters.letter_update(letter=letter, user=staffed.analyst, reply_to="12-34", reply_to_date=day)
    letter.refresh_from_db()
    assert (letter.reply_to, letter.reply_to_date) == ("", None)
    letters.letter_update(letter=letter, user=staffed.analyst, reply_to_date="01.01.1900")
    letter.refresh_from_db()
    assert letter.reply_to_date == dt.date(1900, 1, 1)
