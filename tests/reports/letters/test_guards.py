"""The ORM guard: an issued letter and its items refuse every save and delete."""

from __future__ import annotations

import pytest
from django.db import transaction

from reports import letters
from reports.models import Letter, LetterItem
from tests.reports.letters.helpers import (
    _issued,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_an_issued_letter_refuses_the_orm_too(staffed):
    letter = _issued(staffed)
    before = (letter.title, letter.number, letter.pdf_sha256)
    letter.title = "Подмена"
    item = LetterItem.objects.filter(letter=letter).first()
    item.text = "Подмена"
    # Each attempt in its own savepoint: Django's delete() runs in the caller's transaction.
    for attempt in (
        letter.save,
        letter.delete,
        item.save,
        item.delete,
        lambda: LetterItem.objects.create(letter=letter, kind="conclusion", text="Новый"),
    ):
        with pytest.raises(letters.LetterFrozen), transaction.atomic():
            attempt()
    letter = Letter.objects.get(pk=letter.pk)
    assert (letter.title, letter.number, letter.pdf_sha256) == before
