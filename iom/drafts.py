"""What a person typed on a route page and was refused, kept in their session until the page shows it again.

The route page's forms (the head's review comment, the teacher's reflection, a curator's comment) post to
doors that redirect back to the page; a refusal would otherwise drop the text on the way.
"""

from __future__ import annotations

from monitoring.shared.text import FORBIDDEN

# Bounds what a session keeps, whatever was posted (the forms' own limits are far below).
KEPT_CHARACTERS = 20_000


def _key(kind: str, pk: int) -> str:
    return f"route-{kind}-draft-{pk}"


def draft_keep(request, *, kind: str, pk: int, text: str) -> None:
    request.session[_key(kind, pk)] = FORBIDDEN.sub("", text or "")[:KEPT_CHARACTERS]


def draft_drop(request, *, kind: str, pk: int) -> None:
    request.session.pop(_key(kind, pk), None)


def draft_take(request, *, kind: str, pk: int) -> str | None:
    """The kept text (once), or None when nothing was refused."""
    return request.session.pop(_key(kind, pk), None)
