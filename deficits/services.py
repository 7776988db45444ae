"""The questionnaire a teacher takes in the browser: start, save page by page, complete.

Scoring itself lives in :mod:`deficits.scoring` (shared with the import); these
functions only keep a draft's answers and decide when it may be completed. A personal
link lets a school head send a teacher straight to the questionnaire: it signs the
teacher's code, and following it signs the teacher in (creating their account on
first use), so the teacher is scoped like any other signed-in teacher.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from deficits.models import Diagnostic, DiagnosticKind, DiagnosticStatus
from deficits.scoring import active_instrument, diagnostic_submit, instrument_spec
from monitoring.models import Role, Teacher, User

# A link travels by e-mail or messenger and may sit unread during holidays; a month
# covers a school's usual diagnostic window without leaving links valid for years.
PERSONAL_LINK_MAX_AGE = dt.timedelta(days=30)
_LINK_SALT = "deficits.personal-link"


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
    if Diagnostic.objects.filter(teacher=teacher, date=today, kind=kind).exists():
        raise ValidationError(f"Сегодня вы уже прошли {_KIND_ACCUSATIVE[kind]} диагностику; повторить ее можно завтра.")
    return Diagnostic.objects.create(
        teacher=teacher, instrument=active_instrument(), date=today, kind=kind, status=DiagnosticStatus.DRAFT
    )


def _require_draft(diagnostic: Diagnostic) -> None:
    if diagnostic.status != DiagnosticStatus.DRAFT:
        raise ValidationError("Диагностика уже завершена; ее ответы изменить нельзя.")


def diagnostic_save_answers(*, diagnostic: Diagnostic, answers: dict[str, int]) -> Diagnostic:
    """Merge one page's answers into a draft; values must be items and scale points of its edition."""
    _require_draft(diagnostic)
    spec = instrument_spec(diagnostic.instrument)
    known = set(spec.item_codes)
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValidationError(f"В анкете нет утверждений: {', '.join(unknown[:10])}.")
    bad = sorted(code for code, value in answers.items() if not spec.min_item <= value <= spec.max_item)
    if bad:
        raise ValidationError(f"Ответ должен быть от {spec.min_item} до {spec.max_item}: {', '.join(bad[:10])}.")
    if answers:
        # Only the row's own JSON changes; a concurrent save from a second tab of the same
        # teacher merges page by page, last page wins.
        diagnostic.answers = {**diagnostic.answers, **answers}
        diagnostic.save(update_fields=["answers"])
    return diagnostic


def missing_groups(*, diagnostic: Diagnostic) -> list[str]:
    """Codes of the groups (pages) that still have unanswered statements."""
    spec = instrument_spec(diagnostic.instrument)
    return [code for code, items in spec.groups if any(item not in diagnostic.answers for item in items)]


@transaction.atomic
def diagnostic_complete(*, diagnostic: Diagnostic, today: dt.date | None = None) -> Diagnostic:
    """Date a complete draft with the day it is finished, score it and freeze it (once)."""
    diagnostic = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
    _require_draft(diagnostic)
    today = today or timezone.localdate()
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


def personal_link_token(*, teacher: Teacher) -> str:
    return signing.TimestampSigner(salt=_LINK_SALT).sign(teacher.code)


def personal_link_teacher(*, token: str) -> Teacher:
    """The teacher a personal link names; an altered, foreign or expired link is refused."""
    try:
        code = signing.TimestampSigner(salt=_LINK_SALT).unsign(token, max_age=PERSONAL_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(
            "Срок действия ссылки истек. Попросите руководителя образовательной организации прислать новую."
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError("Ссылка недействительна. Проверьте, что она скопирована полностью.") from exc
    teacher = Teacher.objects.filter(code=code).first()
    if teacher is None:
        raise ValidationError("Педагог, для которого выдана ссылка, не найден.")
    return teacher


@transaction.atomic
def teacher_user(*, teacher: Teacher) -> User:
    """The account a teacher signs in with; created on first use of a personal link."""
    user = User.objects.filter(teacher=teacher).first()
    if user is not None:
        return user
    surname, _, given = teacher.full_name.partition(" ")
    user = User(
        username=f"teacher-{teacher.code}", role=Role.TEACHER, teacher=teacher, first_name=given, last_name=surname
    )
    # No password: the teacher enters through personal links until one is set.
    user.set_unusable_password()
    user.save()
    return user
