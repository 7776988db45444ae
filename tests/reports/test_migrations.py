"""The reports app's data migrations, run on today's models."""

from __future__ import annotations

import datetime as dt
import importlib
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import connection

from reports.models import Issuer, IssuerKind, Letter
from tests import factories
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


OKPO = importlib.import_module("reports.migrations.0010_issuer_fax_okpo")


def test_an_okpo_typed_before_the_check_keeps_its_digits_or_is_emptied(staffed):  # noqa: F811
    """Issue 19: ОКПО was free text; the check wants 8 or 10 digits, so the migration leaves only those."""
    typed = {
        "ОКПО 80200184": "80200184",
        "802 001 84": "80200184",
        "0123456789": "0123456789",
        "80200184": "80200184",
        "8020018": "",
        "нет": "",
        "": "",
    }
    made = {}
    with _okpo_check_off():
        for number, text in enumerate(typed):
            issuer = Issuer.objects.create(
                kind=IssuerKind.MUNICIPAL, municipality=factories.MunicipalityFactory(code=f"9{number}"),
                name=f"Отдел {number}", signatory_position="Начальник", signatory_name="—",
            )  # fmt: skip
            Issuer.objects.filter(pk=issuer.pk).update(okpo=text)
            made[issuer.pk] = text
    OKPO.okpo_digits(apps, None)
    assert {made[pk]: okpo for pk, okpo in Issuer.objects.filter(pk__in=made).values_list("pk", "okpo")} == typed


@contextmanager
def _okpo_check_off():
    """The rows the migration meets were written before the check existed: write them past it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
        else:
            # PostgreSQL: dropped inside the test's transaction, which rolls it back (the fixture's deferred
            # foreign-key checks run first: a table with pending ones cannot be altered).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE reports_issuer DROP CONSTRAINT issuer_okpo_digits")
            yield
