"""The questionnaire a teacher takes in the browser: start, save page by page, complete.

Scoring itself lives in :mod:`deficits.scoring` (shared with the import); these
functions only keep a draft's answers and decide when it may be completed. Every save
and the completion lock the diagnostic's row and check its state inside the lock, so a
save racing a completion (a second tab, a double click, the API) is refused instead of
changing answers under their scores.

A personal link sends a teacher without a password straight to one questionnaire. It
is not a sign-in: it opens that diagnostic's pages only (no route, no other page, no
API), in the one browser where "Начать" was pressed first, for a short time, and never
for an account that signs in with a password. Every request through it is recorded
(``PersonalLinkUse``) for the institute to read in the admin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import is_password_usable
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from deficits.models import (
    Diagnostic,
    DiagnosticKind,
    DiagnosticStatus,
    LinkEvent,
    PersonalLink,
    PersonalLinkUse,
)
from deficits.scoring import active_instrument, diagnostic_submit, instrument_spec
from monitoring.models import Role, Teacher, User
from monitoring.shared.periods import date_lock_open

logger = logging.getLogger(__name__)

# A link must be opened within a week of being issued: a school runs its diagnostic in a
# week or two, a link forwarded or left in a mailbox stops being worth anything soon, and
# a new one costs the head a copy from the results page. Once started, it keeps working
# in its browser for another week, enough to finish 60 statements in several sittings; a
# new link resumes the same draft with the answers already given.
PERSONAL_LINK_FIRST_USE = dt.timedelta(days=7)
PERSONAL_LINK_BOUND = dt.timedelta(days=7)
# v2: links of the old kind (a 30-day sign-in) are not accepted.
_LINK_SALT = "deficits.personal-link.v2"


def default_kind(*, teacher: Teacher) -> str:
    """The kind a new diagnostic most likely is: entry first, intermediate after that."""
    has_entry = Diagnostic.objects.submitted().filter(teacher=teacher, kind=DiagnosticKind.ENTRY).exists()
    return DiagnosticKind.INTERMEDIATE if has_entry else DiagnosticKind.ENTRY


def current_draft(*, teacher: Teacher) -> Diagnostic | None:
    return Diagnostic.objects.filter(teacher=teacher, status=DiagnosticStatus.DRAFT).order_by("-pk").first()


# "прошли входную диагностику": the kind's label in the accusative, for messages.
_KIND_ACCUSATIVE = {
    DiagnosticKind.ENTRY: "входную",
    DiagnosticKind.INTERMEDIATE: "промежуточную",
    DiagnosticKind.FINAL: "итоговую",
}


@transaction.atomic
def diagnostic_start(*, teacher: Teacher, kind: str, today: dt.date | None = None) -> Diagnostic:
    """A new draft with the active instrument edition, or the teacher's unfinished one.

    One draft at a time: a teacher who starts again is taken back to the answers they
    already gave rather than to an empty questionnaire.
    """
    if kind not in DiagnosticKind.values:
        raise ValidationError("Неизвестный вид диагностики.")
    draft = current_draft(teacher=teacher)
    if draft is not None:
        return draft
    today = today or timezone.localdate()
    # A diagnostic belongs to the period of the day it is taken (and dated when finished): a
    # closed period takes none (monitoring.shared.periods.period_lock_open), at every door.
    date_lock_open(date=today)
    if Diagnostic.objects.filter(teacher=teacher, date=today, kind=kind).exists():
        raise ValidationError(f"Сегодня вы уже прошли {_KIND_ACCUSATIVE[kind]} диагностику; повторить ее можно завтра.")
    return Diagnostic.objects.create(
        teacher=teacher, instrument=active_instrument(), date=today, kind=kind, status=DiagnosticStatus.DRAFT
    )


def _require_draft(diagnostic: Diagnostic) -> None:
    if diagnostic.status != DiagnosticStatus.DRAFT:
        raise ValidationError("Диагностика уже завершена; ее ответы изменить нельзя.")


@transaction.atomic
def diagnostic_save_answers(*, diagnostic: Diagnostic, answers: dict[str, int]) -> Diagnostic:
    """Merge one page's answers into a draft; values must be items and scale points of its edition.

    ``diagnostic`` may have been read before a concurrent save or completion: the row is
    locked and read again, its state checked under the lock, and the answers merged into
    the stored ones. The locked, saved row is returned; callers go on with it.
    """
    diagnostic = Diagnostic.objects.select_for_update().select_related("instrument").get(pk=diagnostic.pk)
    _require_draft(diagnostic)
    date_lock_open(date=timezone.localdate())
    spec = instrument_spec(diagnostic.instrument)
    known = set(spec.item_codes)
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValidationError(f"В анкете нет утверждений: {', '.join(unknown[:10])}.")
    bad = sorted(code for code, value in answers.items() if not spec.min_item <= value <= spec.max_item)
    if bad:
        raise ValidationError(f"Ответ должен быть от {spec.min_item} до {spec.max_item}: {', '.join(bad[:10])}.")
    if answers:
        # Two tabs saving different pages keep both; the same statement saved twice keeps the later.
        diagnostic.answers = {**diagnostic.answers, **answers}
        diagnostic.save(update_fields=["answers"])
    return diagnostic


def missing_groups(*, diagnostic: Diagnostic) -> list[str]:
    """Codes of the groups (pages) that still have unanswered statements."""
    spec = instrument_spec(diagnostic.instrument)
    return [code for code, items in spec.groups if any(item not in diagnostic.answers for item in items)]


@transaction.atomic
def diagnostic_complete(*, diagnostic: Diagnostic, today: dt.date | None = None) -> Diagnostic:
    """Date a complete draft with the day it is finished, score it and freeze it (once).

    The row is locked first: a save waiting on the lock finds it submitted and is refused,
    and the scores are those of the answers stored when the lock was taken.
    """
    diagnostic = Diagnostic.objects.select_for_update().select_related("instrument").get(pk=diagnostic.pk)
    _require_draft(diagnostic)
    today = today or timezone.localdate()
    date_lock_open(date=today)
    clash = (
        Diagnostic.objects.filter(teacher_id=diagnostic.teacher_id, date=today, kind=diagnostic.kind)
        .exclude(pk=diagnostic.pk)
        .exists()
    )
    if clash:
        raise ValidationError(
            f"Сегодня у вас уже есть завершенная {diagnostic.kind} диагностика; завершить эту можно завтра."
        )
    diagnostic.date = today
    diagnostic.save(update_fields=["date"])
    return diagnostic_submit(diagnostic=diagnostic)


def previous_diagnostic(*, diagnostic: Diagnostic) -> Diagnostic | None:
    """The teacher's submitted diagnostic just before this one, to show the change."""
    return (
        Diagnostic.objects.submitted()
        .filter(teacher_id=diagnostic.teacher_id, instrument__code=diagnostic.instrument.code)
        .exclude(pk=diagnostic.pk)
        .filter(date__lte=diagnostic.date)
        .order_by("-date", "-pk")
        .first()
    )


# ---------------------------------------------------------------------------
# Personal links
# ---------------------------------------------------------------------------


class LinkRefused(ValidationError):
    """A personal link that may not be used now; ``reason`` is a LinkEvent refusal (None: not a link)."""

    def __init__(self, message: str, *, reason: str | None, link: PersonalLink | None = None):
        super().__init__(message)
        self.reason = reason
        self.link = link


@dataclass(frozen=True)
class LinkVisitor:
    """Who follows a link: the browser's account (if signed in), its address and user agent."""

    user: User | None
    address: str | None
    user_agent: str


_ASK_AGAIN = "Попросите руководителя образовательной организации прислать вам новую ссылку."
MESSAGES = {
    "invalid": "Ссылка недействительна. Проверьте, что она скопирована полностью.",
    "unknown": "Педагог, для которого выдана ссылка, не найден.",
    LinkEvent.REFUSED_PASSWORD: (
        "Вы входите в портал по логину и паролю, поэтому персональная ссылка для вас не действует. "
        "Войдите в портал и пройдите диагностику в разделе «Диагностика дефицитов»."
    ),
    LinkEvent.REFUSED_CLOSED: "Вход по этой ссылке закрыт. Войдите в портал со своим логином и паролем.",
    "not_used_in_time": (
        f"Срок действия ссылки истек: ее нужно открыть в течение {PERSONAL_LINK_FIRST_USE.days} дней после "
        f"выдачи. {_ASK_AGAIN}"
    ),
    "bound_expired": (
        f"Срок действия ссылки истек: анкету по ней можно заполнять {PERSONAL_LINK_BOUND.days} дней с начала "
        f"заполнения. Ответы, которые вы уже дали, сохранены: по новой ссылке вы продолжите с того же места. "
        f"{_ASK_AGAIN}"
    ),
    LinkEvent.REFUSED_DEVICE: (
        "Эта ссылка уже открыта в другом браузере: персональная ссылка действует только в том браузере, "
        f"где по ней начали заполнять анкету. {_ASK_AGAIN}"
    ),
    "gone": f"Анкета, для которой выдана ссылка, больше недоступна. {_ASK_AGAIN}",
}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _account_refusal(accounts: Iterable[tuple[bool, str, str]]) -> str | None:
    """Why a teacher's accounts (is_active, role, password) close their links, or None."""
    for is_active, role, password in accounts:
        if not is_active or role != Role.TEACHER:
            return LinkEvent.REFUSED_CLOSED
        if is_password_usable(password):
            return LinkEvent.REFUSED_PASSWORD
    return None


def personal_links_issue(*, teachers: Iterable[Teacher], issued_by: User) -> dict[int, str | None]:
    """Teacher id -> the token of a new personal link, or None for a teacher links are closed to.

    Links are closed to a teacher whose account signs in with a password (they sign in),
    or is inactive or not a teacher's. One query for all the teachers; nothing is written:
    the link is recorded when it is first followed.
    """
    teachers = list(teachers)
    accounts: dict[int, list[tuple[bool, str, str]]] = {}
    for teacher_id, *account in User.objects.filter(teacher__in=teachers).values_list(
        "teacher_id", "is_active", "role", "password"
    ):
        accounts.setdefault(teacher_id, []).append(tuple(account))
    now = int(timezone.now().timestamp())
    signer = signing.Signer(salt=_LINK_SALT)
    return {
        teacher.pk: None
        if _account_refusal(accounts.get(teacher.pk, ()))
        else signer.sign_object({"t": teacher.code, "by": issued_by.pk, "at": now}, compress=True)
        for teacher in teachers
    }


def personal_link_teacher(*, token: str) -> Teacher:
    """The teacher a link names (its signature checked, nothing else); an altered link is refused."""
    return _payload_teacher(_payload(token))[0]


def _payload(token: str) -> dict:
    try:
        payload = signing.Signer(salt=_LINK_SALT).unsign_object(token)
        if not isinstance(payload, dict) or not {"t", "by", "at"} <= payload.keys():
            raise signing.BadSignature("not a personal link")
    except (signing.BadSignature, ValueError) as exc:
        logger.warning("A personal link with a bad signature was refused.")
        raise LinkRefused(MESSAGES["invalid"], reason=None) from exc
    return payload


def _payload_teacher(payload: dict) -> tuple[Teacher, dt.datetime]:
    teacher = Teacher.objects.filter(code=payload["t"]).first()
    if teacher is None:
        raise LinkRefused(MESSAGES["unknown"], reason=None)
    return teacher, dt.datetime.fromtimestamp(payload["at"], tz=dt.UTC)


def _link_row(token: str) -> PersonalLink:
    payload = _payload(token)
    digest = _digest(token)
    link = PersonalLink.objects.select_related("teacher", "diagnostic__instrument").filter(digest=digest).first()
    if link is not None:
        return link
    teacher, issued_at = _payload_teacher(payload)
    link, _ = PersonalLink.objects.get_or_create(
        digest=digest,
        defaults={
            "teacher": teacher,
            "issued_at": issued_at,
            "issued_by": User.objects.filter(pk=payload["by"]).first(),
        },
    )
    return link


def _refusal(*, link: PersonalLink, device: str, visitor: LinkVisitor, now: dt.datetime) -> LinkRefused | None:
    if visitor.user is not None:
        own = visitor.user.teacher_id == link.teacher_id
        message = (
            "Вы уже вошли в портал: диагностика — в разделе «Диагностика дефицитов»."
            if own
            else f"Это персональная ссылка педагога {link.teacher.full_name}."
        )
        return LinkRefused(message, reason=LinkEvent.REFUSED_SIGNED_IN, link=link)
    accounts = User.objects.filter(teacher_id=link.teacher_id).values_list("is_active", "role", "password")
    reason = _account_refusal(accounts)
    if reason:
        return LinkRefused(MESSAGES[reason], reason=reason, link=link)
    if link.bound_at is None:
        if now > link.issued_at + PERSONAL_LINK_FIRST_USE:
            return LinkRefused(MESSAGES["not_used_in_time"], reason=LinkEvent.REFUSED_EXPIRED, link=link)
        return None
    if not device or _digest(device) != link.device:
        return LinkRefused(MESSAGES[LinkEvent.REFUSED_DEVICE], reason=LinkEvent.REFUSED_DEVICE, link=link)
    if now > link.bound_at + PERSONAL_LINK_BOUND:
        return LinkRefused(MESSAGES["bound_expired"], reason=LinkEvent.REFUSED_EXPIRED, link=link)
    if link.diagnostic is None:
        return LinkRefused(MESSAGES["gone"], reason=LinkEvent.REFUSED_CLOSED, link=link)
    return None


def _record(*, link: PersonalLink, event: str, visitor: LinkVisitor) -> None:
    PersonalLinkUse.objects.create(
        link=link,
        event=event,
        address=visitor.address or None,
        user_agent=visitor.user_agent[:500],
        user=visitor.user,
    )


def personal_link_use(*, token: str, device: str, visitor: LinkVisitor, event: str) -> PersonalLink:
    """Check a request through a personal link, record it, and return the link it may act on.

    ``device`` is the browser's own random value (a cookie); ``event`` what the request
    does (a LinkEvent that is not a refusal). ``STARTED`` binds a link not yet bound to
    this browser and to the teacher's draft (started if there is none). A refused request
    raises LinkRefused, recorded too, unless the link itself is not one (altered, unknown
    teacher: there is no link to record it against; it is logged).

    The returned link is not bound when nobody has started yet: its questionnaire's
    pages send the visitor to the link's first page.
    """
    now = timezone.now()
    link = _link_row(token)
    refusal = _refusal(link=link, device=device, visitor=visitor, now=now)
    if refusal is None and event == LinkEvent.STARTED and link.bound_at is None:
        try:
            link = _bind(link=link, device=device, visitor=visitor, now=now)
        except LinkRefused as exc:
            refusal = exc
        except ValidationError as exc:
            refusal = LinkRefused(" ".join(exc.messages), reason=LinkEvent.REFUSED_CLOSED, link=link)
    _record(link=link, event=refusal.reason if refusal else event, visitor=visitor)
    if refusal is not None:
        raise refusal
    return link


@transaction.atomic
def _bind(*, link: PersonalLink, device: str, visitor: LinkVisitor, now: dt.datetime) -> PersonalLink:
    link = PersonalLink.objects.select_for_update().select_related("teacher").get(pk=link.pk)
    if link.bound_at is None:
        teacher = link.teacher
        link.diagnostic = diagnostic_start(teacher=teacher, kind=default_kind(teacher=teacher))
        link.device = _digest(device)
        link.bound_at = now
        link.save(update_fields=["diagnostic", "device", "bound_at"])
    elif _digest(device) != link.device:
        # Another browser pressed "Начать" a moment earlier.
        raise LinkRefused(MESSAGES[LinkEvent.REFUSED_DEVICE], reason=LinkEvent.REFUSED_DEVICE, link=link)
    return PersonalLink.objects.select_related("teacher", "diagnostic__instrument").get(pk=link.pk)


def personal_link_expires(*, link: PersonalLink) -> dt.datetime:
    """Until when the link works: for its first use, or in its browser once started."""
    return link.bound_at + PERSONAL_LINK_BOUND if link.bound_at else link.issued_at + PERSONAL_LINK_FIRST_USE
