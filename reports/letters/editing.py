"""Editing a draft letter: its texts, its items, their order; a concurrent editor's save refuses a stale one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from monitoring.shared.text import FIRST_YEAR, LAST_YEAR, clean_int, clean_text
from reports.letters.citing import meeting_for_letter
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
# «12-34 от 01.02.2025 г.» typed whole into the number: the number, «от», a day.month.year date.
REFERENCE_WITH_DATE = re.compile(
    r"^(?P<number>.*?)\s+от\s+(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\s*(?:г\.?|года)?\s*$", re.IGNORECASE
)


def split_reference(text: str) -> tuple[str, dt.date | None]:
    """«№ 12-34 от 01.02.2025» → («12-34», 1 Feb 2025); a text without a valid date stays the number."""
    number = REFERENCE_SIGN.sub("", text).strip()
    match = REFERENCE_WITH_DATE.match(number)
    if match:
        try:
            return match["number"].strip(), dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            pass
    return number, None


def clean_reference_date(value: str | dt.date | None) -> dt.date | None:
    """The answered letter's date: a date, ISO «2025-02-01» (a date field) or «01.02.2025»; empty is none."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return _within_years(value)
    text = str(value).strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return _within_years(day)
    raise ValidationError(f"Дата письма «{text[:20]}» не распознана: укажите ее как 01.02.2025.")


def _within_years(day: dt.date) -> dt.date:
    # The portal's years at every door: 0001-01-01 or 9999-12-31 is a typing mistake, not a letter's date.
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            f"Дата письма {day.strftime('%d.%m.%Y') if day.year >= 1000 else day.isoformat()} вне допустимого "
            f"диапазона: год должен быть от {FIRST_YEAR} до {LAST_YEAR}."
        )
    return day


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
    reply_to_date: str | dt.date | None = None,
    protocol: str | None = None,
    meeting: int | str | None = None,
    signatory_position: str | None = None,
    signatory_name: str | None = None,
    items: Sequence[dict] = (),
    add: Sequence[dict] = (),
    remove: Sequence[int] = (),
    revision: int | str | None = None,
) -> Letter:
    """Edit a draft: its texts, its items' texts and order (``items``: id, text, order), new and removed items.

    ``revision``: the revision the editor opened; another's save since then refuses this one.
    ``meeting``: the id of the issuer's meeting that adopted the recommendations, «» for none.
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
    # The letterhead prints «на № 12-34 от 01.02.2026»: a «№» typed into the number would print
    # twice, and a date typed after it («12-34 от 01.02.2026») goes to the date (the field given wins).
    if reply_to is not None:
        letter.reply_to, typed_date = split_reference(letter.reply_to)
        if typed_date is not None and not reply_to_date:
            reply_to_date = typed_date
    if reply_to_date is not None:
        letter.reply_to_date = clean_reference_date(reply_to_date)
        changed.append("reply_to_date")
    if meeting is not None:
        letter.meeting = meeting_for_letter(letter=letter, value=meeting)
        changed.append("meeting")
    if not letter.title:
        raise ValidationError("Заголовок письма не может быть пустым.")
    if changed:
        letter.save(update_fields=changed)
    _save_items(letter, user=user, items=items, add=add, remove=remove)
    _bump(letter)
    return letter


def _save_items(letter: Letter, *, user, items: Sequence[dict], add: Sequence[dict], remove: Sequence[int]) -> None:
    """Items' texts, addressees and order, new and removed items — in a number of queries that does not
    grow with the letter's items: only the items that changed are written, in one bulk update (with
    their history rows in one insert), instead of a guard query, an update and a history row per item.
    """
    existing = {i.pk: i for i in letter.items.all()}
    before = {pk: (i.addressee, i.text, i.order) for pk, i in existing.items()}
    gone = [existing.pop(pk) for pk in remove if pk in existing]
    for item in gone:
        item.delete()
    for row in items:
        item = existing.get(clean_int(row["id"], label="Пункт", maximum=2**62))
        if item is None:
            continue
        kind, addressee, text = _clean_item(item.kind, row.get("addressee", item.addressee), row.get("text", item.text))
        item.addressee, item.text = addressee, text
        if row.get("order") not in (None, ""):
            item.order = clean_int(row["order"], label="Номер пункта", minimum=1, maximum=10_000)
    new = []
    for row in add:
        kind, addressee, text = _clean_item(row.get("kind", ""), row.get("addressee", ""), row.get("text", ""))
        same = [i.order for i in (*existing.values(), *new) if (i.kind, i.addressee) == (kind, addressee)]
        new.append(LetterItem(letter=letter, kind=kind, addressee=addressee, order=max(same, default=0) + 1, text=text))
    _number(list(existing.values()) + new)
    changed = [i for pk, i in existing.items() if before[pk] != (i.addressee, i.text, i.order)]
    if changed:
        bulk_update_with_history(changed, LetterItem, ["addressee", "text", "order"], default_user=user)
    for item in new:
        item.save()


def _number(items: list[LetterItem]) -> None:
    """Orders 1..n within each numbered list, keeping the order the author chose (new items last among equals)."""
    position: dict[tuple[str, str], int] = {}
    for item in sorted(items, key=lambda i: (i.kind, i.addressee, i.order, i.pk is None, i.pk or 0)):
        key = (item.kind, item.addressee)
        position[key] = position.get(key, 0) + 1
        item.order = position[key]


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
