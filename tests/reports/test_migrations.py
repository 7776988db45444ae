"""The reports app's data migrations, run on today's models."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from reports.models import Letter
from tests.reports.letters.helpers import _propose, staffed  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

SPLIT = importlib.import_module("reports.migrations.0009_letter_reference_date_and_issuer_signatory")


def test_the_old_free_text_reference_splits_into_number_and_date(staffed):  # noqa: F811
    """Issue 16, item 2: «на № … от …» was one text; the number and the date are two fields now."""
    typed = {
        "12-34 от 01.02.2025": ("12-34", dt.date(2025, 2, 1)),
        "№ 01-05/77 от 3.4.2025 г.": ("01-05/77", dt.date(2025, 4, 3)),
        "12-34": ("12-34", None),
        "письмо министерства от 31.02.2025": ("письмо министерства от 31.02.2025", None),
        "": ("", None),
    }
    made = {}
    for text in typed:
        letter = _propose(staffed, "school_heads", staffed.m1)
        Letter.objects.filter(pk=letter.pk).update(reply_to=text)
        made[letter.pk] = text
    SPLIT.split_references(apps, None)
    got = {made[pk]: (number, day) for pk, number, day in Letter.objects.values_list("pk", "reply_to", "reply_to_date")}
    assert got == typed
    SPLIT.join_references(apps, None)
    assert Letter.objects.get(pk=next(pk for pk, t in made.items() if t.startswith("12-34 от"))).reply_to == (
        "12-34 от 01.02.2025"
    )
