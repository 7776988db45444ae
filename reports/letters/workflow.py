"""The letter's state machine: propose a draft, approve, reopen, issue, correct, confirm reading.

A letter moves draft → approved → issued. Issuing draws the next outgoing number of
the issuing body's register for the year under a row lock, dates the letter today,
renders its PDF and stores it with its SHA-256; from then on nothing about it changes
— the services refuse, the admin shows it read-only, and a model-level guard
(``reports.letters.guards``) stops any other door that saves through the ORM. A
correction is a new letter citing the old one.

The store ``letter_issued`` of ``monitoring/config/extensions.py`` runs once the issuing has committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from monitoring.models import MonitoringPeriod, Municipality
from monitoring.shared import extensions
from monitoring.shared.periods import period_lock_open
from reports import library
from reports.letters.errors import LetterApprovalStale, LetterFrozen
from reports.letters.permissions import may_receive, require_writer
from reports.letters.rendering import letter_render
from reports.letters.wording import letter_proposal, proposed_addressee_line, proposed_introduction, proposed_title
from reports.models import (
    AddresseeKind,
    DocumentKind,
    Issuer,
    IssuerKind,
    Letter,
    LetterItem,
    LetterReceipt,
    LetterStatus,
    OutgoingRegister,
    TextKind,
)

# --- proposing ---------------------------------------------------------------------


def _kinds(addressee: str | Sequence[str]) -> list[str]:
    wanted = [addressee] if isinstance(addressee, str) else list(addressee)
    unknown = set(wanted) - set(AddresseeKind.values)
    if not wanted or unknown:
        raise ValidationError("Выберите адресатов письма.")
    return [k for k in library.ADDRESSEE_ORDER if k in wanted]


@transaction.atomic
def letter_propose(
    *,
    period: MonitoringPeriod,
    issuer: Issuer,
    addressee: str | Sequence[str],
    municipality: Municipality | None = None,
    user,
    document_kind: str | None = None,
) -> Letter:
    """A draft letter with conclusions from the findings in scope and the matching recommendations."""
    require_writer(user, issuer)
    period_lock_open(period=period)
    kinds = _kinds(addressee)
    if issuer.kind == IssuerKind.MUNICIPAL:
        # A municipal authority writes about its own municipality only.
        if municipality is not None and municipality.pk != issuer.municipality_id:
            raise ValidationError("Муниципальный орган направляет письма только в пределах своего муниципалитета.")
        municipality = issuer.municipality
        if AddresseeKind.MUNICIPAL in kinds:
            raise ValidationError("Муниципальный орган не направляет рекомендации органам местного самоуправления.")
    proposal = letter_proposal(period=period, user=user, kinds=kinds, municipality=municipality)
    kind = document_kind or (DocumentKind.NOTE if len(kinds) > 1 else DocumentKind.LETTER)
    letter = Letter.objects.create(
        period=period,
        issuer=issuer,
        document_kind=kind,
        addressee=kinds[0],
        municipality=municipality,
        addressee_line=proposed_addressee_line(kinds=kinds, municipality=municipality),
        title=proposed_title(kinds=kinds, municipality=municipality, year=period.year),
        introduction=proposed_introduction(period=period, municipality=municipality, found=len(proposal.conclusions)),
        signatory_position=issuer.signatory_position,
        signatory_name=issuer.signatory_name,
        author=user if getattr(user, "pk", None) else None,
    )
    items = [
        LetterItem(letter=letter, kind=TextKind.CONCLUSION, indicator_id=i, order=n, text=t)
        for n, (i, t) in enumerate(proposal.conclusions, start=1)
    ]
    counters: dict[str, int] = {}
    for kind_, indicator_id, text in proposal.recommendations:
        counters[kind_] = counters.get(kind_, 0) + 1
        items.append(
            LetterItem(
                letter=letter,
                kind=TextKind.RECOMMENDATION,
                addressee=kind_,
                indicator_id=indicator_id,
                order=counters[kind_],
                text=text,
            )
        )
    LetterItem.objects.bulk_create(items)
    return letter


# --- what every write checks --------------------------------------------------------


def locked(letter: Letter) -> Letter:
    """The letter, row-locked for a write, and its period re-read: a closed period's letters are read-only."""
    row = Letter.objects.select_for_update().select_related("issuer", "period").get(pk=letter.pk)
    period_lock_open(period=row.period)
    return row


def require_draft(letter: Letter) -> None:
    """Only a draft changes: an issued letter is frozen, an approved one goes back to draft first."""
    if letter.status == LetterStatus.ISSUED:
        raise LetterFrozen()
    if letter.status != LetterStatus.DRAFT:
        raise ValidationError("Письмо согласовано подписантом: чтобы изменить его, верните его в черновик.")


# --- approving, issuing, correcting -------------------------------------------------


# A signatory is a person: a surname (two letters at least), not a dash or a blank.
_NAMED = re.compile(r"[^\W\d_]{2,}")


def approval_refusal(*, letter: Letter, user) -> str | None:
    """Why this user may not approve this letter as its signatory (four eyes), or None when they may.

    The author never approves their own letter; when the issuing body names its signatory's
    login, only that person approves; and a body without a named signatory has no one to sign.
    """
    issuer = letter.issuer
    if letter.author_id is not None and letter.author_id == getattr(user, "pk", None):
        return (
            "Автор письма не может согласовать его как подписант: письмо согласует другой сотрудник"
            f" — подписант ({issuer.signatory_position} {issuer.signatory_name})."
        )
    if issuer.signatory_id is not None and issuer.signatory_id != getattr(user, "pk", None):
        return f"Письма этого органа согласует подписант: {issuer.signatory_position} {issuer.signatory_name}."
    if not _NAMED.search(issuer.signatory_name or ""):
        return "У органа не указан подписант (должность, инициалы и фамилия): заполните его в реквизитах бланка."
    return None


@transaction.atomic
def letter_approve(*, letter: Letter, user, revision: int | str | None) -> Letter:
    """The signatory approves a draft — never its author; only an approved letter can be issued.

    The letter takes the issuing body's signatory as it is now: the person who approved is the one it prints.
    ``revision``: the draft's revision the signatory read; a save since then (or no revision) refuses the approval,
    so a stale «Согласовать» never approves a text its signatory has not seen.
    """
    letter = locked(letter)
    require_writer(user, letter.issuer)
    require_draft(letter)
    refusal = approval_refusal(letter=letter, user=user)
    if refusal:
        raise ValidationError(refusal)
    if str(revision if revision is not None else "").strip() != str(letter.revision):
        raise LetterApprovalStale()
    if not letter.items.exists():
        raise ValidationError("В письме нет ни одного пункта.")
    letter.status = LetterStatus.APPROVED
    letter.approved_by = user
    letter.approved_at = timezone.now()
    letter.signatory_position = letter.issuer.signatory_position
    letter.signatory_name = letter.issuer.signatory_name
    letter.save(update_fields=["status", "approved_by", "approved_at", "signatory_position", "signatory_name"])
    return letter


@transaction.atomic
def letter_reopen(*, letter: Letter, user) -> Letter:
    """An approved, not yet issued letter back to draft for changes."""
    letter = locked(letter)
    require_writer(user, letter.issuer)
    if letter.status == LetterStatus.ISSUED:
        raise LetterFrozen()
    letter.status = LetterStatus.DRAFT
    letter.approved_by = None
    letter.approved_at = None
    letter.save(update_fields=["status", "approved_by", "approved_at"])
    return letter


def _next_number(issuer: Issuer, year: int) -> str:
    OutgoingRegister.objects.get_or_create(issuer=issuer, year=year)
    # The row lock makes two simultaneous issues of one body wait for each other, so
    # numbers are consecutive and never repeat.
    register = OutgoingRegister.objects.select_for_update().get(issuer=issuer, year=year)
    register.last_number += 1
    register.save(update_fields=["last_number"])
    # Numbers restart every year while (issuer, number) stays unique across years: the
    # year's two digits close the number (12/26 is the 12th letter of 2026).
    return f"{register.last_number}{issuer.number_suffix}/{year % 100:02d}"


def letter_issue(*, letter: Letter, user, today: dt.date | None = None) -> Letter:
    """Register an approved letter: next outgoing number, today's date, the PDF and its hash; frozen from then on."""
    saved_name = None
    try:
        with transaction.atomic():
            letter = locked(letter)
            require_writer(user, letter.issuer)
            if letter.status == LetterStatus.ISSUED:
                raise LetterFrozen("Письмо уже зарегистрировано.")
            if letter.status != LetterStatus.APPROVED:
                raise ValidationError("Зарегистрировать можно только письмо, согласованное подписантом.")
            today = today or timezone.localdate()
            if letter.meeting_id and letter.meeting.date > today:
                # A letter cannot cite the adoption of its recommendations by a meeting yet to be held.
                raise ValidationError(
                    f"Письмо ссылается на заседание {letter.meeting.date:%d.%m.%Y}, которое еще не прошло: "
                    "выберите другое заседание или зарегистрируйте письмо после него."
                )
            letter.number = _next_number(letter.issuer, today.year)
            letter.issued_on = today
            content = letter_render(letter=letter, draft=False)
            name = f"letter-{letter.pk}-{re.sub(r'[^0-9A-Za-z-]+', '-', letter.number)}.pdf"
            letter.pdf.save(name, ContentFile(content), save=False)
            saved_name = letter.pdf.name
            letter.pdf_sha256 = hashlib.sha256(content).hexdigest()
            letter.status = LetterStatus.ISSUED
            letter.save()
            transaction.on_commit(lambda: _after_issue(letter))
    except BaseException:
        # The number and status rolled back; the file written for them must go too.
        if saved_name:
            letter.pdf.storage.delete(saved_name)
        raise
    return letter


def _after_issue(letter: Letter) -> None:
    extensions.run("letter_issued", letter)  # the addressees' notices (config/extensions.py)


@transaction.atomic
def letter_correct(*, letter: Letter, user) -> Letter:
    """A new draft that replaces an issued letter and cites it; the old one stays as it was.

    A draft correction already started is that draft (a second click opens it rather than another copy).
    """
    if not letter.is_issued:
        raise ValidationError("Исправлять можно только зарегистрированное письмо; черновик правится сам.")
    require_writer(user, letter.issuer)
    period_lock_open(period=letter.period)
    # The issued letter's row lock makes two simultaneous clicks wait for each other: one draft, not two.
    Letter.objects.select_for_update().filter(pk=letter.pk).first()
    started = letter.corrections.filter(status=LetterStatus.DRAFT).order_by("pk").first()
    if started is not None:
        return started
    copy = Letter.objects.create(
        period=letter.period,
        issuer=letter.issuer,
        document_kind=letter.document_kind,
        addressee=letter.addressee,
        municipality=letter.municipality,
        addressee_line=letter.addressee_line,
        title=letter.title,
        introduction=letter.introduction,
        closing=letter.closing,
        protocol=letter.protocol,
        meeting=letter.meeting,
        reply_to=letter.reply_to,
        signatory_position=letter.signatory_position,
        signatory_name=letter.signatory_name,
        author=user,
        corrects=letter,
    )
    LetterItem.objects.bulk_create(
        [
            LetterItem(
                letter=copy, kind=i.kind, addressee=i.addressee, indicator_id=i.indicator_id, order=i.order, text=i.text
            )
            for i in letter.items.all()
        ]
    )
    return copy


def receipt_confirm(*, letter: Letter, user) -> LetterReceipt:
    """An addressee confirms reading an issued letter (once; a repeat returns the first confirmation)."""
    if not may_receive(user=user, letter=letter):
        raise PermissionDenied("Прочтение подтверждают адресаты зарегистрированного письма.")
    receipt, _ = LetterReceipt.objects.get_or_create(letter=letter, user=user)
    return receipt
