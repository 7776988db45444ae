"""Natural Russian order of names: case- and ё-insensitive, numbers by value («№ 2» before «№ 10»).

One collation, ``ru_natural``, on both backends, so that ``order_by("name")`` means the same:

- PostgreSQL: an ICU collation (``ru-u-kn-true``: Russian rules, numeric ordering), created by
  the migration ``monitoring.0016_ru_natural_collation`` and set on the name columns with
  ``db_collation`` (:data:`NATURAL`);
- SQLite (the embedded default): a collation of the same name registered on every connection
  (:func:`install`), implemented by :func:`compare` in Python.

Python code that sorts names it already holds uses :func:`natural_key`, which orders the way
both collations do for the names the portal holds (letters, digits, spaces and punctuation).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from monitoring.models.base import NATURAL

# The statement the migration runs on PostgreSQL (ICU: Russian, numeric ordering; deterministic,
# so equality stays byte equality and unique constraints are unchanged).
POSTGRES_CREATE = f"CREATE COLLATION IF NOT EXISTS {NATURAL} (provider = icu, locale = 'ru-u-kn-true')"

_RUNS = re.compile(r"[0-9]+|.", re.DOTALL)

# Character classes in ICU's order: spaces, punctuation, symbols, digits, Cyrillic letters, other letters.
_SPACE, _PUNCT, _SYMBOL, _DIGIT, _CYRILLIC, _LETTER = range(6)


def _class(ch: str) -> int:
    if ch.isspace():
        return _SPACE
    category = unicodedata.category(ch)
    if category[0] == "P":
        return _PUNCT
    if category[0] == "L":
        return _CYRILLIC if "\u0400" <= ch <= "\u04ff" else _LETTER
    return _SYMBOL


def _primary(text: str) -> tuple[tuple[int, int | str], ...]:
    out: list[tuple[int, int | str]] = []
    for run in _RUNS.findall(text):
        if run[0] in "0123456789":
            out.append((_DIGIT, int(run)))
        else:
            out.append((_class(run), run))
    return tuple(out)


@lru_cache(maxsize=65536)
def natural_key(value: str | None) -> tuple:
    """The sort key of ``value`` in the natural Russian order.

    Primary: case folded, «ё» as «е», compatibility forms as their letters («№» as «No»), digit
    runs by their value. Ties are broken the way ICU does (е before ё, lower case before upper)
    and finally by the string itself, so two different names never compare equal.
    """
    text = unicodedata.normalize("NFKC", value or "")
    folded = text.casefold()
    return (
        _primary(folded.replace("ё", "е")),
        _primary(folded),
        text.swapcase(),
        value or "",
    )


def compare(a: str | None, b: str | None) -> int:
    """SQLite's collation callback: negative, zero or positive as ``a`` sorts before, with or after ``b``."""
    ka, kb = natural_key(a), natural_key(b)
    return (ka > kb) - (ka < kb)


def natural_sorted(items, *, key=None, reverse: bool = False) -> list:
    """``sorted`` in the natural Russian order; ``key`` picks the name from an item (the item itself by default)."""
    if key is None:
        return sorted(items, key=natural_key, reverse=reverse)
    return sorted(items, key=lambda item: natural_key(key(item)), reverse=reverse)


def install(sender, connection, **kwargs) -> None:
    """connection_created receiver: give every SQLite connection the ``ru_natural`` collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(NATURAL, compare)
