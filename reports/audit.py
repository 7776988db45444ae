"""The «История изменений» of a letter: its own and its items' historical rows (django-simple-history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from reports.models import Letter, LetterItem

# Older changes stay in the admin's «История»; the letter page shows the latest.
SHOWN = 20
ACTIONS = {"+": "создано", "~": "изменено", "-": "удалено"}


@dataclass(frozen=True)
class Change:
    at: datetime
    user: str
    what: str  # «письмо» or «пункт N»
    action: str
    fields: tuple[str, ...]  # verbose names of the changed fields, for "~"


def letter_changes(*, letter: Letter, limit: int = SHOWN) -> list[Change]:
    """The latest changes of the letter and its items, newest first, with who made them and which fields."""
    changes: list[Change] = []
    for model, rows in (
        (Letter, Letter.history.filter(id=letter.pk)),
        (LetterItem, LetterItem.history.filter(letter_id=letter.pk)),
    ):
        versions: dict[int, list] = {}
        for row in rows.select_related("history_user").order_by("history_date", "history_id"):
            versions.setdefault(row.id, []).append(row)
        for chain in versions.values():
            changes.append(_change(model, None, chain[0]))
            changes += [_change(model, old, new) for old, new in pairwise(chain)]
    # A save that changed nothing (the composer saves the whole letter) is not a change.
    changes = [c for c in changes if c.action != ACTIONS["~"] or c.fields]
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]


def _change(model, old, new) -> Change:
    fields: tuple[str, ...] = ()
    if old is not None and new.history_type == "~":
        delta = new.diff_against(old)
        fields = tuple(str(model._meta.get_field(name).verbose_name) for name in sorted(delta.changed_fields))
    user = new.history_user
    return Change(
        at=new.history_date,
        user=(user.get_full_name() or user.username) if user else "система",
        what="письмо" if model is Letter else f"пункт {new.order}",
        action=ACTIONS.get(new.history_type, new.history_type),
        fields=fields,
    )
