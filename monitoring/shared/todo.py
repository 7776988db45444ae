"""A line of a role's to-do list on the home page, and the list itself.

The home page (``monitoring.views.home``) is each role's work: the core's own lines
(``monitoring.selectors.home_todos``) come first, then the lines of the higher apps, declared
in the ``home_todos`` extension store (routes waiting, letters unread, the teacher's next step,
the last indicator run, the annual reports). Each line is a link.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from monitoring.shared import extensions


@dataclass(frozen=True)
class Todo:
    """One line: what to do (``text``), where (``url``), how many, and the named rows it is about."""

    text: str
    url: str
    count: int | None = None
    # A further line of detail under the text (a deadline, a status).
    detail: str = ""
    # Named rows the line is about (schools that have not submitted): (label, url) pairs.
    items: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # More rows than listed in ``items``.
    more: int = 0
    # "warning" for work that waits on the reader (drawn with a mark), "" for information.
    tone: str = ""


def todos_of(*, user, period, today: dt.date) -> list[Todo]:
    """The higher apps' lines for ``user``, in the order the store declares them."""
    todos: list[Todo] = []
    for hook in extensions.callables("home_todos"):
        todos.extend(hook(user=user, period=period, today=today))
    return todos
