"""Editing a draft letter: its texts, its items, their order; a concurrent editor's save refuses a stale one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from monitoring.shared.text import clean_int, clean_text
from reports.letters.errors import LetterEditConflict
from reports.letters.permissions import require_writer
from reports.letters.workflow import locked, require_draft
from reports.models import AddresseeKind, Letter, LetterItem, TextKind

# The longest text a letter's part or item may hold: pages of prose, far below what would strain the PDF.
TEXT_LIMIT = 20_000


def _clean_item(kind: str, addressee: str, text: str) -> tuple[str, str, str]:
    text = clean_text(text, label="Текст пункта", max_length=TEXT_LIMIT)
    if kind not in TextKind.values:
        raise ValidationError("Неизвестный вид пункта.")
    if not text:
        raise ValidationError("Текст пункта не может быть пустым.")
    if kind == TextKind.RECOMMENDATION and addressee not in AddresseeKind.values:
        raise ValidationError("У рекомендации должен быть адресат.")
    return kind, (addressee if kind == TextKind.RECOMMENDATION else ""), text


# A number sign typed before the reference: «№» always; «N», «No.», «Nº» before a digit (not a word).
REFERENCE_SIGN = re.compile(r"^\s*(?:№+\s*|N[oº]?\.?\s*(?=\d))", re.IGNORECASE)


@transaction.atomic
def letter_update(
    *,
    letter: Letter,
    user,
    title: str | None = None,
    introduction: str | None = None,
    closing: str | None = None,
    addressee_line: str | None = None,
    reply_to: str | None = None,
    protocol: str | None = None,
    signatory_position: str | None = None,
    signatory_name: str | None = None,
    items: Sequence[dict] = (),
    add: Sequence[dict] = (),
    remove: Sequence[int] = (),
    revision: int | str | None = None,
) -> Letter:
    """Edit a draft: its texts, its items' texts and order (``items``: id, text, order), new and removed items.

    ``revision``: the revision the editor opened; another's save since then refuses this one.
    """
    letter = locked(letter)
    require_writer(user, letter.issuer)
    require_draft(letter)
    _require_revision(letter, revision)
    fields = {
        "title": title,
        "introduction": introduction,
        "closing": closing,
        "addressee_line": addressee_line,
        "reply_to": reply_to,
        "protocol": protocol,
        "signatory_position": signatory_position,
        "signatory_name": signatory_name,
    }
    changed = [name for name, value in fields.items() if value is not None]
    for name in changed:
        field = Letter._meta.get_field(name)
        label = str(field.verbose_name).capitalize()
        setattr(letter, name, clean_text(fields[name], label=label, max_length=field.max_length or TEXT_LIMIT))
    # The letterhead prints «на № 12-34 от 01.02.2026»: a «№» typed into the field would print twice.
    letter.reply_to = REFERENCE_SIGN.sub("", letter.reply_to)
    if not letter.title:
        raise ValidationError("Заголовок письма не может быть пустым.")
    if changed:
        letter.save(update_fields=changed)
    existing = {i.pk: i for i in letter.items.all()}
    for pk in remove:
        if pk in existing:
            existing.pop(pk).delete()
    for row in items:
        item = existing.get(clean_int(row["id"], label="Пункт", maximum=2**62))
        if item is None:
            continue
        kind, addressee, text = _clean_item(item.kind, row.get("addressee", item.addressee), row.get("text", item.text))
        item.addressee, item.text = addressee, text
        if row.get("order") not in (None, ""):
            item.order = clean_int(row["order"], label="Номер пункта", minimum=1, maximum=10_000)
        item.save(update_fields=["addressee", "text", "order"])
    for row in add:
        kind, addressee, text = _clean_item(row.get("kind", ""), row.get("addressee", ""), row.get("text", ""))
        last = letter.items.filter(kind=kind, addressee=addressee).aggregate(m=Max("order"))["m"] or 0
        LetterItem.objects.create(letter=letter, kind=kind, addressee=addressee, order=last + 1, text=text)
    _renumber(letter)
    _bump(letter)
    return letter


def _require_revision(letter: Letter, revision: int | str | None) -> None:
    if revision is None:
        return
    if clean_int(revision, label="Редакция", minimum=0, maximum=2**31) != letter.revision:
        raise LetterEditConflict()


def _bump(letter: Letter) -> None:
    letter.revision += 1
    Letter.objects.filter(pk=letter.pk).update(revision=letter.revision)


def _renumber(letter: Letter) -> None:
    """Orders 1..n within each numbered list, keeping the order the author chose."""
    position: dict[tuple[str, str], int] = {}
    for item in letter.items.order_by("kind", "addressee", "order", "pk"):
        key = (item.kind, item.addressee)
        position[key] = position.get(key, 0) + 1
        if item.order != position[key]:
            item.order = position[key]
            item.save(update_fields=["order"])


@transaction.atomic
def letter_move(*, letter: Letter, user, item_id: int, delta: int, revision: int | str | None = None) -> Letter:
    """Move an item up (−1) or down (+1) within its numbered list."""
    letter = locked(letter)
    require_writer(user, letter.issuer)
    require_draft(letter)
    _require_revision(letter, revision)
    _renumber(letter)
    item = letter.items.get(pk=item_id)
    siblings = list(letter.items.filter(kind=item.kind, addressee=item.addressee).order_by("order", "pk"))
    i = siblings.index(item)
    j = max(0, min(len(siblings) - 1, i + delta))
    siblings.insert(j, siblings.pop(i))
    for n, s in enumerate(siblings, start=1):
        if s.order != n:
            s.order = n
            s.save(update_fields=["order"])
    _bump(letter)
    return letter
