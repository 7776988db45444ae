"""Searches fold the case of Cyrillic letters on every backend (SQLite's own LIKE does not)."""

from __future__ import annotations

import pytest

from monitoring.models import School
from monitoring.shared.sqlite import like

pytestmark = pytest.mark.django_db


def test_icontains_finds_cyrillic_text_whatever_the_case(world):
    assert list(School.objects.filter(name__icontains="алексеевская").values_list("code", flat=True)) == ["000001"]
    assert list(School.objects.filter(name__istartswith="мкоу «быков").values_list("code", flat=True)) == ["000002"]
    assert not School.objects.filter(name__icontains="гимназия").exists()


@pytest.mark.parametrize(
    ("pattern", "value", "escape", "expected"),
    [
        ("%СШ%", "мкоу «алексеевская сш»", None, 1),
        ("a_c", "ABC", None, 1),
        ("a_c", "abbc", None, 0),
        ("100\\%", "100%", "\\", 1),
        ("100\\%", "1000", "\\", 0),
        ("%\\_%", "a_b", "\\", 1),
        ("%\\_%", "ab", "\\", 0),
        ("%x%", None, None, None),
    ],
)
def test_like_follows_sqlite_semantics(pattern, value, escape, expected):
    assert like(pattern, value, escape) == expected
