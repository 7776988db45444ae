"""Editing a draft: texts, items, order; what the composer refuses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports import letters
from tests import factories
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
    ("typed", "kept"),
    [("№ 12-34 от 01.02.2026", "12-34 от 01.02.2026"), ("№12-34", "12-34"), ("No. 7 от 03.03.2026", "7 от 03.03.2026"),
     ("12-34 от 01.02.2026", "12-34 от 01.02.2026"), ("Note 5", "Note 5"), ("№ б/н", "б/н")],
)  # fmt: skip
def test_a_number_sign_typed_before_the_reference_is_not_printed_twice(staffed, typed, kept, client):
    # Issue 16, item 2: the field invited «№ 12-34» and the PDF read «на № № 12-34».
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(letter=letter, user=staffed.analyst, reply_to=typed)
    letter.refresh_from_db()
    assert letter.reply_to == kept
    html = letters.letter_html(letter=letter, draft=True)
    assert f"на № {kept}" in html and "№ №" not in html


def test_the_preview_shows_the_reference_and_the_closing_the_pdf_prints(staffed, client):
    # Issue 16, item 2: «Просмотр» showed neither, yet the PDF printed both.
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(
        letter=letter, user=staffed.analyst, reply_to="12-34 от 01.02.2026", closing="Просим сообщить о принятых мерах."
    )
    letter.refresh_from_db()
    client.force_login(staffed.analyst)
    page = client.get(f"/letters/{letter.pk}/").content.decode()
    pdf = letters.letter_html(letter=letter, draft=True)
    for printed in ("на № 12-34 от 01.02.2026", "Просим сообщить о принятых мерах."):
        assert printed in pdf and printed in page
