"""Addressed-recommendation letters: propose from the findings, edit, approve, issue, correct, confirm reading.

A letter moves draft → approved → issued. Issuing draws the next outgoing number of
the issuing body's register for the year under a row lock, dates the letter today,
renders its PDF and stores it with its SHA-256; from then on nothing about it changes
— the services refuse, the admin shows it read-only, and a model-level guard
(pre_save/pre_delete below) stops any other door that saves through the ORM. A
correction is a new letter citing the old one.

Who may do what follows the issuing body: the institute's letters are written, approved
and issued by institute analysts; a municipal authority's by that municipality's
officials. Addressees (by kind and scope) confirm they have read an issued letter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone

from indicators.models import Level
from monitoring.models import Direction, MonitoringPeriod, Municipality, Role
from monitoring.models.scoping import can_see
from monitoring.services import period_lock_open
from monitoring.shared.text import clean_int, clean_text
from reports import library
from reports.findings import FindingGroup, grouped_findings
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

# Called with the letter once its issuing has committed (notices to addressees hook in here).
LETTER_ISSUED_HOOKS: list[Callable[[Letter], None]] = []

MONITORING = "мониторинг системы обеспечения профессионального развития педагогических работников"


class LetterEditConflict(ValidationError):
    """The draft was saved by someone else after this editor opened it."""

    def __init__(self):
        super().__init__(
            "Письмо изменили после того, как вы открыли его (другой пользователь или другая вкладка). "
            "Ваш текст ниже не сохранен: откройте письмо в новой вкладке, сравните и перенесите свои правки."
        )


class LetterFrozen(PermissionDenied):
    """An issued letter was about to change."""

    def __init__(self, message: str = "Письмо зарегистрировано и не может быть изменено; исправление — новым письмом."):
        super().__init__(message)


class LetterTampered(Exception):
    """The stored PDF no longer matches the hash recorded when the letter was issued."""


# --- issuing bodies ----------------------------------------------------------------

INSTITUTE_DEFAULTS = {
    "name": "ГАУ ДПО «Волгоградская государственная академия последипломного образования»",
    "address": "400049, г. Волгоград, ул. Новодвинская, д. 19а",
    "phone": "(8442) 60-10-08",
    "email": "info@vgapo.ru",
    "ogrn": "1023403432290",
    "inn_kpp": "3446006416/344601001",
    "signatory_position": "Ректор",
    "signatory_name": "И.А. Воронина",
    "number_suffix": "",
}


def institute_issuer() -> Issuer:
    """The institute's letterhead, created with plausible requisites on first need (editable in the admin)."""
    issuer = Issuer.objects.filter(kind=IssuerKind.INSTITUTE).order_by("pk").first()
    if issuer is None:
        issuer = Issuer.objects.create(kind=IssuerKind.INSTITUTE, **INSTITUTE_DEFAULTS)
    return issuer


def municipal_issuer(*, municipality: Municipality) -> Issuer:
    """A municipality's education authority, created on first need; its officials fill in the requisites."""
    issuer, _ = Issuer.objects.get_or_create(
        municipality=municipality,
        defaults={
            "kind": IssuerKind.MUNICIPAL,
            # «…муниципального образования «X»» keeps the name undeclined and still correct.
            "name": f"Отдел по образованию администрации муниципального образования «{municipality.name}»",
            "signatory_position": "Начальник отдела по образованию",
            "signatory_name": "—",
            "number_suffix": "",
        },
    )
    return issuer


def issuers_for(user) -> list[Issuer]:
    """The issuing bodies a user writes letters for."""
    if user.is_superuser or user.role == Role.ANALYST:
        found = [institute_issuer()]
        if user.is_superuser:
            found += list(Issuer.objects.filter(kind=IssuerKind.MUNICIPAL).order_by("name"))
        return found
    if user.role == Role.MUNICIPAL and user.municipality_id:
        return [municipal_issuer(municipality=user.municipality)]
    return []


def may_write(*, user, issuer: Issuer) -> bool:
    """Whether a user writes, approves and issues letters of this body (its signatory's side)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if issuer.kind == IssuerKind.INSTITUTE:
        return user.role == Role.ANALYST
    return user.role == Role.MUNICIPAL and user.municipality_id == issuer.municipality_id


def _require_writer(user, issuer: Issuer) -> None:
    if not may_write(user=user, issuer=issuer):
        raise PermissionDenied("Письма этого органа готовят и подписывают его сотрудники.")


# --- selectors ---------------------------------------------------------------------


def letters_visible(user) -> QuerySet[Letter]:
    """The letters a user may open: drafts only for their authors' side, issued ones for their addressees in scope."""
    base = Letter.objects.visible_to(user).select_related("issuer", "period", "municipality")
    if user.is_superuser or user.role == Role.ANALYST:
        return base
    issued = Q(status=LetterStatus.ISSUED) & ~Q(addressee=AddresseeKind.INSTITUTE, document_kind=DocumentKind.LETTER)
    if user.role == Role.MINISTRY:
        return base.filter(status=LetterStatus.ISSUED)
    if user.role == Role.MUNICIPAL:
        return base.filter(Q(issuer__municipality_id=user.municipality_id) | issued)
    if user.role == Role.SCHOOL_HEAD:
        return base.filter(issued)
    return base.none()


def addressee_kinds(letter: Letter) -> list[str]:
    """Whom a letter speaks to: its addressee kind and those of its recommendation groups."""
    kinds = {letter.addressee} | {
        a for a in letter.items.filter(kind=TextKind.RECOMMENDATION).values_list("addressee", flat=True) if a
    }
    return [k for k in library.ADDRESSEE_ORDER if k in kinds]


def may_receive(*, user, letter: Letter) -> bool:
    """Whether a user is among an issued letter's addressees (and so confirms reading it)."""
    if not letter.is_issued or not can_see(user=user, obj=letter):
        return False
    role_kind = {
        Role.MUNICIPAL: AddresseeKind.MUNICIPAL,
        Role.SCHOOL_HEAD: AddresseeKind.SCHOOL_HEADS,
        Role.ANALYST: AddresseeKind.INSTITUTE,
    }.get(user.role)
    return role_kind is not None and role_kind in addressee_kinds(letter)


# --- proposing ---------------------------------------------------------------------


def _kinds(addressee: str | Sequence[str]) -> list[str]:
    wanted = [addressee] if isinstance(addressee, str) else list(addressee)
    unknown = set(wanted) - set(AddresseeKind.values)
    if not wanted or unknown:
        raise ValidationError("Выберите адресатов письма.")
    return [k for k in library.ADDRESSEE_ORDER if k in wanted]


def _preferred_level(*, kinds: list[str], municipality: Municipality | None) -> str:
    # A letter to school heads (or about one municipality) names schools; one to all
    # municipal authorities of the region names the municipalities that miss.
    if municipality is None and AddresseeKind.SCHOOL_HEADS not in kinds:
        return Level.MUNICIPALITY
    return Level.SCHOOL


def _one_group_per_indicator(groups: list[FindingGroup], level: str) -> list[FindingGroup]:
    by_code: dict[str, FindingGroup] = {}
    for g in groups:
        current = by_code.get(g.indicator_code)
        if current is None or (g.level == level and current.level != level):
            by_code[g.indicator_code] = g
    return [g for g in groups if by_code.get(g.indicator_code) is g]


def _values(group: FindingGroup, period: MonitoringPeriod) -> dict[str, str]:
    return {
        "count": str(group.count),
        "orgs": library.orgs_word(group.level, group.count),
        "units": group.names,
        "indicator": group.indicator_title,
        "threshold": library.number(group.threshold),
        "value": library.number(group.units[0].value) if group.count == 1 else "",
        "period": str(period.year),
    }


@dataclass
class Proposal:
    conclusions: list[tuple[int | None, str]]  # (indicator id, text)
    recommendations: list[tuple[str, int | None, str]]  # (addressee kind, indicator id, text)


def letter_proposal(
    *, period: MonitoringPeriod, user, kinds: list[str], municipality: Municipality | None = None
) -> Proposal:
    """Conclusions (one per indicator that misses in scope) and the matching recommendations by addressee kind."""
    lib = library.library_active()
    groups = grouped_findings(period=period, user=user, municipality=municipality)
    groups = _one_group_per_indicator(groups, _preferred_level(kinds=kinds, municipality=municipality))
    conclusions = []
    for g in groups:
        text = library.fill(lib.conclusion_for(g.indicator_code), _values(g, period))
        conclusions.append((g.units[0].indicator_id, text))
    recommendations = []
    directions = sorted({int(g.indicator_code.split(".")[0]) for g in groups})
    for kind in kinds:
        seen: set[str] = set()
        for direction in directions:
            candidates = [
                (None, t, {"period": str(period.year)})
                for t in lib.recommendations_for(addressee=kind, direction=direction, code=None)
            ]
            for g in groups:
                if int(g.indicator_code.split(".")[0]) != direction:
                    continue
                for t in lib.recommendations_for(addressee=kind, direction=direction, code=g.indicator_code):
                    candidates.append((g.units[0].indicator_id, t, _values(g, period)))
            for indicator_id, template, values in candidates:
                text = library.fill(template, values)
                if text not in seen:
                    seen.add(text)
                    recommendations.append((kind, indicator_id, text))
    return Proposal(conclusions, recommendations)


def _scope_phrase(municipality: Municipality | None) -> str:
    if municipality is None:
        return "в образовательных организациях региона"
    return f"в образовательных организациях муниципального образования «{municipality.name}»"


def proposed_title(*, kinds: list[str], municipality: Municipality | None, year: int) -> str:
    tail = (
        f"по итогам мониторинга системы обеспечения профессионального развития педагогических работников за {year} год"
    )
    where = f" муниципального образования «{municipality.name}»" if municipality else ""
    if len(kinds) > 1:
        return f"Адресные рекомендации {tail}"
    kind = kinds[0]
    if kind == AddresseeKind.SCHOOL_HEADS:
        return f"Адресные рекомендации руководителям общеобразовательных организаций{where} {tail}"
    if kind == AddresseeKind.MUNICIPAL:
        if municipality:
            return f"Адресные рекомендации органу управления образованием{where} {tail}"
        return (
            "Адресные рекомендации органам местного самоуправления, осуществляющим управление в сфере "
            f"образования, {tail}"
        )
    return f"Адресные рекомендации структурным подразделениям института {tail}"


def proposed_addressee_line(*, kinds: list[str], municipality: Municipality | None) -> str:
    if len(kinds) > 1:
        return ""  # a справка has no addressee line: its recommendations name them
    kind = kinds[0]
    if kind == AddresseeKind.SCHOOL_HEADS:
        return "Руководителям ОО"
    if kind == AddresseeKind.MUNICIPAL:
        if municipality:
            return f"Руководителю органа управления образованием муниципального образования «{municipality.name}»"
        return "Руководителям органов местного самоуправления, осуществляющих управление в сфере образования"
    return "Руководителям структурных подразделений института"


def proposed_introduction(*, period: MonitoringPeriod, municipality: Municipality | None, found: int) -> str:
    directions = "\n".join(f"{d.value}. {d.label}." for d in Direction)
    outcome = (
        f"По итогам мониторинга выявлены показатели, не достигающие пороговых значений ({found}); "
        "общие выводы и рекомендации приведены ниже."
        if found
        else "По итогам мониторинга все показатели, для которых установлены пороговые значения, их достигают."
    )
    return (
        f"В соответствии с планом мониторинга на {period.year} год проведен {MONITORING} "
        f"{_scope_phrase(municipality)} (далее – мониторинг).\n"
        f"Мониторинг проводился по показателям девяти направлений:\n{directions}\n{outcome}"
    )


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
    _require_writer(user, issuer)
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


# --- editing -----------------------------------------------------------------------


def _locked(letter: Letter) -> Letter:
    """The letter, row-locked for a write, and its period re-read: a closed period's letters are read-only."""
    locked = Letter.objects.select_for_update().select_related("issuer", "period").get(pk=letter.pk)
    period_lock_open(period=locked.period)
    return locked


def _require_draft(letter: Letter) -> None:
    if letter.status == LetterStatus.ISSUED:
        raise LetterFrozen()
    if letter.status != LetterStatus.DRAFT:
        raise ValidationError("Письмо согласовано подписантом: чтобы изменить его, верните его в черновик.")


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
    letter = _locked(letter)
    _require_writer(user, letter.issuer)
    _require_draft(letter)
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
    letter = _locked(letter)
    _require_writer(user, letter.issuer)
    _require_draft(letter)
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


# --- approving, issuing, correcting -------------------------------------------------


@transaction.atomic
def letter_approve(*, letter: Letter, user) -> Letter:
    """The signatory's side approves a draft; only an approved letter can be issued."""
    letter = _locked(letter)
    _require_writer(user, letter.issuer)
    _require_draft(letter)
    if not letter.items.exists():
        raise ValidationError("В письме нет ни одного пункта.")
    letter.status = LetterStatus.APPROVED
    letter.approved_by = user
    letter.approved_at = timezone.now()
    letter.save(update_fields=["status", "approved_by", "approved_at"])
    return letter


@transaction.atomic
def letter_reopen(*, letter: Letter, user) -> Letter:
    """An approved, not yet issued letter back to draft for changes."""
    letter = _locked(letter)
    _require_writer(user, letter.issuer)
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
            letter = _locked(letter)
            _require_writer(user, letter.issuer)
            if letter.status == LetterStatus.ISSUED:
                raise LetterFrozen("Письмо уже зарегистрировано.")
            if letter.status != LetterStatus.APPROVED:
                raise ValidationError("Зарегистрировать можно только письмо, согласованное подписантом.")
            today = today or timezone.localdate()
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
    for hook in LETTER_ISSUED_HOOKS:
        hook(letter)


@transaction.atomic
def letter_correct(*, letter: Letter, user) -> Letter:
    """A new draft that replaces an issued letter and cites it; the old one stays as it was."""
    if not letter.is_issued:
        raise ValidationError("Исправлять можно только зарегистрированное письмо; черновик правится сам.")
    _require_writer(user, letter.issuer)
    period_lock_open(period=letter.period)
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


# --- the document ------------------------------------------------------------------


@dataclass
class RecommendationGroup:
    heading: str
    items: list[LetterItem]


def letter_context(letter: Letter, *, draft: bool) -> dict:
    items = list(letter.items.order_by("kind", "addressee", "order", "pk"))
    conclusions = [i for i in items if i.kind == TextKind.CONCLUSION]
    by_kind: dict[str, list[LetterItem]] = {}
    for i in items:
        if i.kind == TextKind.RECOMMENDATION:
            by_kind.setdefault(i.addressee, []).append(i)
    groups = [RecommendationGroup(AddresseeKind(k).label, by_kind[k]) for k in library.ADDRESSEE_ORDER if k in by_kind]
    return {
        "letter": letter,
        "issuer": letter.issuer,
        "conclusions": conclusions,
        "groups": groups,
        # One group reads as a plain numbered list; several are headed by their addressee (seed 000).
        "grouped": len(groups) > 1,
        "draft": draft,
        "is_note": letter.document_kind == DocumentKind.NOTE,
        # Paragraphs of the free texts: each line its own indented paragraph.
        "intro_lines": [line.strip() for line in letter.introduction.splitlines() if line.strip()],
        "closing_lines": [line.strip() for line in letter.closing.splitlines() if line.strip()],
    }


def letter_html(*, letter: Letter, draft: bool) -> str:
    return render_to_string("reports/letter_pdf.html", letter_context(letter, draft=draft))


def letter_render(*, letter: Letter, draft: bool) -> bytes:
    return _render_pdf(letter_html(letter=letter, draft=draft))


def letter_pdf_verified(*, letter: Letter) -> bytes:
    """The stored PDF of an issued letter, after checking it against the hash recorded at issue."""
    if not letter.is_issued or not letter.pdf:
        raise LetterTampered("У письма нет зарегистрированного PDF.")
    with letter.pdf.open("rb") as f:
        content = f.read()
    if hashlib.sha256(content).hexdigest() != letter.pdf_sha256:
        raise LetterTampered("Файл письма изменен после регистрации: контрольная сумма не совпадает.")
    return content


# --- the guard every ORM door passes ------------------------------------------------


def _frozen(letter_id) -> bool:
    # Frozen is what letter_issue produced: issued with its PDF stored. A row marked
    # issued without a file can only come from a fixture or a data load, which may still
    # be assembling it (the annual report's tests build such letters item by item).
    if letter_id is None:
        return False
    return Letter._base_manager.filter(pk=letter_id, status=LetterStatus.ISSUED).exclude(pdf="").exists()


@receiver(pre_save, sender=Letter, dispatch_uid="letter_frozen_save")
def _letter_frozen_save(sender, instance: Letter, **kwargs) -> None:
    if _frozen(instance.pk):
        raise LetterFrozen()


@receiver(pre_delete, sender=Letter, dispatch_uid="letter_frozen_delete")
def _letter_frozen_delete(sender, instance: Letter, **kwargs) -> None:
    if _frozen(instance.pk):
        raise LetterFrozen()


@receiver(pre_save, sender=LetterItem, dispatch_uid="letter_item_frozen_save")
@receiver(pre_delete, sender=LetterItem, dispatch_uid="letter_item_frozen_delete")
def _letter_item_frozen(sender, instance: LetterItem, **kwargs) -> None:
    if _frozen(instance.letter_id):
        raise LetterFrozen()


def _render_pdf(html: str) -> bytes:
    # WeasyPrint (and its Pango bindings) load on the first PDF, not when Django starts:
    # importing them cost every process, the import command's included, 0.4 s.
    from reports.pdf import render_pdf

    return render_pdf(html)
