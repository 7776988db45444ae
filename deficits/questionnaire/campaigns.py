"""A campaign's lifecycle: created as a draft, opened (its people invited), reminded, closed.

Only institute writers (``can_write_region``) change campaigns; everyone else gets
PermissionDenied with a Russian message. The people a campaign reaches are resolved by
its target (``deficits.questionnaire.targets``) when it opens; a sample is drawn then
with the seed stored at creation, so ``campaign_sample_preview`` shows beforehand exactly
who will be reached. Opening uses the edition: from then on it is frozen (the authoring
part makes a new edition of a questionnaire whose edition has campaigns).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from deficits.models import Campaign, CampaignStatus, Invitation, QuestionnaireEdition, Response, TargetKind
from deficits.questionnaire.links import invitation_token, new_nonce
from deficits.questionnaire.targets import Reached, target_clean, target_reach
from monitoring.models import MonitoringPeriod, User
from monitoring.models.scoping import can_write_region

logger = logging.getLogger(__name__)

WRITERS_ONLY = "Опросы составляют и проводят сотрудники института."
# The longest window a campaign may have, and how far ahead it may start (days).
MAX_WINDOW_DAYS = 366
# How long after a reminder the same person is not reminded again.
REMIND_EVERY = dt.timedelta(hours=24)


def _require_writer(user) -> None:
    if not can_write_region(user):
        raise PermissionDenied(WRITERS_ONLY)


def invitation_link(*, invitation: Invitation) -> str:
    """The person's personal link as an absolute address (for e-mails, CSV files, pages to copy from)."""
    return settings.PORTAL_URL + reverse("survey-answer", kwargs={"token": invitation_token(invitation=invitation)})


def campaign_clean(
    *,
    edition: QuestionnaireEdition | None,
    period: MonitoringPeriod | None,
    title: str,
    opens: dt.date | None,
    closes: dt.date | None,
    target_kind: str,
    target: dict[str, Any],
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The campaign's fields checked together; the target's parameters normalised (ValidationError)."""
    errors: dict[str, list[str]] = {}
    if edition is None:
        errors.setdefault("edition", []).append("Выберите анкету.")
    if period is None:
        errors.setdefault("period", []).append("Выберите период.")
    if not (title or "").strip():
        errors.setdefault("title", []).append("Назовите опрос.")
    if opens is None:
        errors.setdefault("opens", []).append("Укажите дату начала.")
    if closes is None:
        errors.setdefault("closes", []).append("Укажите дату окончания.")
    if opens and closes and closes < opens:
        errors.setdefault("closes", []).append("Опрос не может закончиться раньше, чем начнется.")
    elif closes and closes < (today or timezone.localdate()):
        # Such a campaign could never be opened (campaign_open refuses it), and drafts cannot be edited.
        errors.setdefault("closes", []).append("Дата окончания уже прошла: укажите сегодняшнюю или более позднюю.")
    elif opens and closes and (closes - opens).days > MAX_WINDOW_DAYS:
        # A survey runs for days or weeks; a window of years is a typo (9999 for 2025), not a plan.
        errors.setdefault("closes", []).append(f"Опрос длится не больше {MAX_WINDOW_DAYS} дней: проверьте даты.")
    if opens and opens > (today or timezone.localdate()) + dt.timedelta(days=MAX_WINDOW_DAYS):
        errors.setdefault("opens", []).append("Опрос начинается больше чем через год: проверьте дату начала.")
    cleaned: dict[str, Any] = {}
    if period is not None:
        try:
            cleaned = target_clean(period=period, kind=target_kind, params=target)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def campaign_create(
    *,
    edition: QuestionnaireEdition,
    period: MonitoringPeriod,
    title: str,
    opens: dt.date,
    closes: dt.date,
    anonymous: bool,
    target_kind: str,
    target: dict[str, Any],
    seed: int | None = None,
    user: User,
) -> Campaign:
    """A draft campaign; a sample gets its seed now (given, or a random one), so it can be previewed."""
    _require_writer(user)
    params = campaign_clean(
        edition=edition, period=period, title=title, opens=opens, closes=closes, target_kind=target_kind, target=target
    )
    if target_kind == TargetKind.SAMPLE:
        if seed is not None and not 0 <= seed < 2**63:
            raise ValidationError({"seed": "Зерно выборки — неотрицательное целое число."})
        seed = secrets.randbits(31) if seed is None else seed
    else:
        seed = None
    return Campaign.objects.create(
        edition=edition,
        period=period,
        title=title.strip(),
        opens=opens,
        closes=closes,
        anonymous=anonymous,
        target_kind=target_kind,
        target=params,
        seed=seed,
        created_by=user,
    )


def campaign_sample_preview(*, campaign: Campaign) -> list[Reached]:
    """The people the campaign reaches (or reached, when it opened), read without writing anything."""
    return target_reach(period=campaign.period, kind=campaign.target_kind, params=campaign.target, seed=campaign.seed)


def campaign_open(*, campaign: Campaign, user: User, now: dt.datetime | None = None) -> int:
    """Invite everyone the target reaches (one bulk insert) and open the campaign; how many were invited."""
    _require_writer(user)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.DRAFT:
            raise ValidationError("Опрос уже начат или завершен: начать его еще раз нельзя.")
        if locked.closes < timezone.localdate(now):
            raise ValidationError("Срок опроса уже прошел: измените даты, прежде чем начинать.")
        reached = campaign_sample_preview(campaign=locked)
        if not reached:
            raise ValidationError("Под условия выборки не подходит ни один человек: приглашать некого.")
        Invitation.objects.bulk_create(
            [
                Invitation(
                    campaign=locked,
                    teacher_id=row.teacher_id,
                    user_id=row.user_id,
                    school_id=row.school_id,
                    municipality_id=row.municipality_id,
                    role=row.role,
                    nonce=new_nonce(),
                )
                for row in reached
            ],
            batch_size=2000,
        )
        locked.status = CampaignStatus.OPEN
        locked.opened_at = now
        locked.save(update_fields=["status", "opened_at"])
    campaign.status, campaign.opened_at = locked.status, locked.opened_at
    return len(reached)


def campaign_close(*, campaign: Campaign, user: User, now: dt.datetime | None = None) -> None:
    """Close an open campaign: its links stop opening the questionnaire (the answering part checks)."""
    _require_writer(user)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.OPEN:
            raise ValidationError("Завершить можно только идущий опрос.")
        locked.status = CampaignStatus.CLOSED
        locked.closed_at = now or timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        if locked.anonymous:
            _responses_reshuffled(campaign=locked)
    campaign.status, campaign.closed_at = locked.status, locked.closed_at


def _responses_reshuffled(*, campaign: Campaign) -> int:
    """Write an anonymous campaign's responses again, in random order under new keys.

    No column links a response to its person, but below the tables a row still carries
    traces of when it was written: PostgreSQL's transaction id (``xmin``, shared with the
    invitation marked answered in the same transaction) and its place in the table's file
    (``ctid``, SQLite's ``rowid``), which follow the order of submission. Rewritten together,
    in one transaction and a shuffled order, the responses all carry the closing's
    transaction and an order that says nothing. Only the rows read here are deleted: an
    answer submitted at this very moment is kept as it is, never lost.
    """
    fields = [f.attname for f in Response._meta.concrete_fields if f.attname != "id"]
    rows = list(Response.objects.filter(campaign=campaign).values("id", *fields))
    secrets.SystemRandom().shuffle(rows)
    ids = [row.pop("id") for row in rows]
    for start in range(0, len(ids), 500):  # SQLite's limit on a statement's parameters
        Response.objects.filter(pk__in=ids[start : start + 500]).delete()
    Response.objects.bulk_create([Response(**row) for row in rows], batch_size=2000)
    return len(rows)


@dataclass(frozen=True)
class Reminded:
    sent: int
    without_email: int
    recent: int  # reminded less than 24 hours ago
    failed: int = 0  # the mail backend refused: not marked as reminded, tried again next run


def _emails(invitations: list[Invitation]) -> dict[int, str]:
    """Invitation id → the e-mail of the person's account (a teacher's account, or the head's own)."""
    teacher_ids = [i.teacher_id for i in invitations if i.teacher_id]
    by_teacher = dict(
        User.objects.filter(teacher_id__in=teacher_ids, is_active=True)
        .exclude(email="")
        .values_list("teacher_id", "email")
    )
    by_user = dict(
        User.objects.filter(pk__in=[i.user_id for i in invitations if i.user_id], is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    emails = {}
    for invitation in invitations:
        email = by_teacher.get(invitation.teacher_id) if invitation.teacher_id else by_user.get(invitation.user_id)
        if email:
            emails[invitation.pk] = email
    return emails


def _message(*, campaign: Campaign, invitation: Invitation, email: str) -> mail.EmailMessage:
    body = (
        "Здравствуйте!\n\n"
        f"Напоминаем об опросе «{campaign.title}»: он идет до {campaign.closes:%d.%m.%Y} включительно, "
        "а ваших ответов пока нет.\n\n"
        f"Ваша персональная ссылка на анкету:\n{invitation_link(invitation=invitation)}\n\n"
        "Ссылка личная: не пересылайте ее. Заполнение можно прервать и продолжить позже в том же браузере.\n"
    )
    if campaign.anonymous:
        body += "Опрос анонимный: ваши ответы не связываются с вашим именем.\n"
    return mail.EmailMessage(subject=f"Напоминание: опрос «{campaign.title}»", body=body, to=[email])


def _remind(*, campaign: Campaign, now: dt.datetime) -> Reminded:
    waiting = Invitation.objects.filter(campaign=campaign, answered=False)
    recently = Q(reminded_at__gt=now - REMIND_EVERY)
    with transaction.atomic():
        # The rows are marked before the mail goes: two runs at once (the beat job and a writer's
        # button) skip each other's rows instead of e-mailing the same person twice; a
        # message that fails to go has its mark taken back afterwards (``_send``), so it is tried again.
        due = list(waiting.exclude(recently).select_for_update(skip_locked=True).order_by("pk"))
        recent = waiting.filter(recently).count()
        emails = _emails(due)
        to_send = [i for i in due if i.pk in emails]
        Invitation.objects.filter(pk__in=[i.pk for i in to_send]).update(reminders=F("reminders") + 1, reminded_at=now)
    failed = _send(campaign=campaign, invitations=to_send, emails=emails)
    for invitation in failed:
        # Not reminded after all: the mark goes back to what it was, so the next run tries again.
        Invitation.objects.filter(pk=invitation.pk, reminded_at=now).update(
            reminders=F("reminders") - 1, reminded_at=invitation.reminded_at
        )
    return Reminded(
        sent=len(to_send) - len(failed),
        without_email=len(due) - len(to_send),
        recent=recent,
        failed=len(failed),
    )


def _send(*, campaign: Campaign, invitations: list[Invitation], emails: dict[int, str]) -> list[Invitation]:
    """Send each reminder on its own; the invitations whose message did not go (any error of the mail backend)."""
    if not invitations:
        return []
    try:
        connection = mail.get_connection()
        connection.open()
    except Exception:  # the mail server is down or misconfigured: nothing goes
        logger.exception("reminders of campaign %s: the mail connection failed", campaign.pk)
        return list(invitations)
    failed = []
    try:
        for invitation in invitations:
            message = _message(campaign=campaign, invitation=invitation, email=emails[invitation.pk])
            try:
                sent = connection.send_messages([message])
            except Exception:  # one refused address must not stop the others
                logger.exception("reminder of invitation %s was not sent", invitation.pk)
                sent = 0
            if not sent:
                failed.append(invitation)
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection: the messages' fate is already known
            logger.exception("reminders of campaign %s: closing the mail connection failed", campaign.pk)
    return failed


def campaign_remind(*, campaign: Campaign, user: User, now: dt.datetime | None = None) -> Reminded:
    """E-mail their link to everyone who has not answered and was not reminded in the last 24 hours."""
    _require_writer(user)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError("Напоминания отправляются только по идущему опросу.")
    return _remind(campaign=campaign, now=now or timezone.now())


def campaigns_remind_due(*, now: dt.datetime | None = None) -> dict[int, Reminded]:
    """The daily job: reminders for every open campaign within its dates (campaign id → counts)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Campaign.objects.filter(status=CampaignStatus.OPEN, opens__lte=today, closes__gte=today).order_by("pk")
    return {campaign.pk: _remind(campaign=campaign, now=now) for campaign in due}
