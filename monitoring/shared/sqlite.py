"""Case-insensitive search of Cyrillic text on SQLite (the embedded default).

SQLite folds case in LIKE for ASCII letters only, so a search for «алексеевская» missed
«Алексеевская» there while PostgreSQL's ILIKE found it. Django implements ``icontains``,
``istartswith`` … with LIKE on SQLite; SQLite lets a connection replace the function
behind LIKE, and this one folds case the way Python does (every alphabet).
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _pattern(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if escape and ch == escape and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def like(pattern: str | None, value: str | None, escape: str | None = None) -> int | None:
    """SQLite's like(X, Y[, Z]): X is the pattern, Y the string (the operands of `Y LIKE X`)."""
    if pattern is None or value is None:
        return None
    return 1 if _pattern(pattern, escape).fullmatch(str(value)) else 0


def install(sender, connection, **kwargs) -> None:
    """connection_created receiver: give every SQLite connection the Unicode-aware LIKE."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, like, deterministic=True)
        connection.connection.create_function("like", 3, like, deterministic=True)
