"""Answering a campaign's questionnaire through a personal link: the link's use, the draft, the submission.

Like the diagnostic's personal links (``deficits.services``): following a link changes
nothing; the first "Начать" binds the invitation to that browser (a random cookie whose
SHA-256 is kept in ``Invitation.device``) and from then on the link works there only.
A link never switches accounts: someone signed in to the portal is refused. A link opens
its campaign's questionnaire while the campaign is open and within its dates, once: a
submitted invitation shows a thank-you page.

``response_submit`` stores the response in one transaction with the invitation's row
locked, so a double click or a second tab is refused rather than counted twice. In an
anonymous campaign the response keeps nothing that leads back to the person (no
invitation, teacher, school or time; see ``deficits.models.surveys.Response``), and
nothing here logs who answered what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from deficits.models import CampaignStatus, Invitation, Response
from deficits.questionnaire import hooks
from deficits.questionnaire.answers import answers_clean, answers_walk, form_compile, without_controls
from deficits.questionnaire.links import SurveyLinkInvalid, invitation_for_token
from deficits.questionnaire.scoring import score_answers
from deficits.questionnaire.tallies import tallies_add

# Bounds of what a draft may hold (a hostile browser posting a huge body is refused).
DRAFT_MAX_ITEMS = 600
DRAFT_MAX_CHARS = 200_000


class SurveyRefused(Exception):
    """The link may not be used now; ``reason`` says why (for the page and its status)."""

    INVALID = "invalid"
    SIGNED_IN = "signed_in"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    DEVICE = "device"
    ANSWERED = "answered"

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


class AnswersInvalid(Exception):
    """A submission with answers that do not pass the form's checks: item name → Russian message."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("Не все ответы заполнены верно.")
        self.errors = dict(errors)


def device_digest(device: str) -> str:
    return hashlib.sha256(device.encode()).hexdigest()


def new_device() -> str:
    return secrets.token_urlsafe(32)


def _campaign_refusal(invitation: Invitation, today: dt.date) -> SurveyRefused | None:
    campaign = invitation.campaign
    if campaign.status == CampaignStatus.DRAFT or today < campaign.opens:
        return SurveyRefused(
            f"Опрос «{campaign.title}» еще не начался: отвечать можно с {campaign.opens:%d.%m.%Y}.",
            reason=SurveyRefused.NOT_OPEN,
        )
    if campaign.status == CampaignStatus.CLOSED or today > campaign.closes:
        ended = campaign.closes
        if campaign.status == CampaignStatus.CLOSED and campaign.closed_at is not None:
            # Closed early by a writer: the day it really ended, not the day it was planned to.
            ended = min(ended, timezone.localdate(campaign.closed_at))
        return SurveyRefused(
            f"Опрос «{campaign.title}» завершен {ended:%d.%m.%Y}: ответы больше не принимаются.",
            reason=SurveyRefused.CLOSED,
        )
    return None


def _device_refusal(invitation: Invitation, device: str) -> SurveyRefused | None:
    if invitation.started_at is None:
        return None
    if not device or not secrets.compare_digest(device_digest(device), invitation.device):
        return SurveyRefused(
            "Заполнение анкеты по этой ссылке начато в другом браузере, и продолжить его можно только там. "
            "Если тот браузер недоступен, попросите у организаторов опроса новую ссылку.",
            reason=SurveyRefused.DEVICE,
        )
    return None


def survey_link_use(*, token: str, device: str, signed_in: bool, today: dt.date | None = None) -> Invitation:
    """The invitation a link may act on now, or SurveyRefused saying why not (nothing is written)."""
    try:
        invitation = invitation_for_token(token=token)
    except SurveyLinkInvalid as exc:
        raise SurveyRefused(SurveyLinkInvalid.message, reason=SurveyRefused.INVALID) from exc
    if signed_in:
        raise SurveyRefused(
            "Это персональная ссылка на анкету. Она открывается только без входа в портал: выйдите из "
            "учетной записи или передайте ссылку тому, кому она адресована.",
            reason=SurveyRefused.SIGNED_IN,
        )
    if invitation.answered:
        raise SurveyRefused("Спасибо! Ваши ответы получены.", reason=SurveyRefused.ANSWERED)
    refusal = _campaign_refusal(invitation, today or timezone.localdate()) or _device_refusal(invitation, device)
    if refusal is not None:
        raise refusal
    return invitation


def _locked(invitation: Invitation, device: str, today: dt.date | None) -> Invitation:
    """The invitation's row, locked, checked again (another tab may have moved it meanwhile)."""
    row = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("campaign__edition__questionnaire", "school")
        .get(pk=invitation.pk)
    )
    if row.answered:
        raise SurveyRefused("Ответы по этой ссылке уже отправлены.", reason=SurveyRefused.ANSWERED)
    refusal = _campaign_refusal(row, today or timezone.localdate()) or _device_refusal(row, device)
    if refusal is not None:
        raise refusal
    return row


def survey_start(*, invitation: Invitation, device: str, today: dt.date | None = None) -> Invitation:
    """Bind a link not yet started to this browser ("Начать"); a started one is only checked."""
    with transaction.atomic():
        row = _locked(invitation, device, today)
        if row.started_at is None:
            row.device = device_digest(device)
            row.started_at = timezone.now()
            row.save(update_fields=["device", "started_at"])
    return row


def _draft_bounded(answers: Mapping[str, Any], names: set[str]) -> dict[str, Any]:
    draft: dict[str, Any] = {}
    for name, value in answers.items():
        if name not in names:
            continue  # unknown names are not kept
        # As typed, but without control characters: PostgreSQL's jsonb cannot store NUL at all.
        if isinstance(value, list | tuple):
            value = [without_controls(str(v)) for v in value][:200]
        elif value is not None and not isinstance(value, int | float | bool):
            value = without_controls(str(value))
        draft[name] = value
    if len(draft) > DRAFT_MAX_ITEMS or sum(len(str(v)) for v in draft.values()) > DRAFT_MAX_CHARS:
        raise SurveyRefused("Слишком длинные ответы: черновик не сохранен.", reason=SurveyRefused.INVALID)
    return draft


def draft_save(
    *, invitation: Invitation, answers: Mapping[str, Any], device: str, today: dt.date | None = None
) -> Invitation:
    """Keep the answers given so far, as typed (an answer not yet valid is kept to be corrected).

    Answers of items the earlier answers now hide are dropped, as they are from a response.
    """
    with transaction.atomic():
        row = _locked(invitation, device, today)
        if row.started_at is None:
            raise SurveyRefused("Сначала нажмите «Начать» на странице ссылки.", reason=SurveyRefused.DEVICE)
        form = form_compile(row.campaign.edition.definition)
        names = {item.name for section in form.sections for item in section.items}
        draft = _draft_bounded(answers, names)
        shown = answers_walk(form=form, answers=draft).items
        row.draft = {name: value for name, value in draft.items() if name in shown}
        row.save(update_fields=["draft"])
    return row


def response_submit(
    *, invitation: Invitation, answers: Mapping[str, Any], device: str | None = None, today: dt.date | None = None
) -> Response:
    """Store the invitation's response (validated, scored, tallied) and close the invitation.

    ``device``: the browser's value when the submission comes through a link (checked
    against the binding); None when a caller has already established who submits.
    Raises SurveyRefused (answered already, campaign not open, another browser) or
    AnswersInvalid (the form's checks), writing nothing.
    """
    with transaction.atomic():
        row = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("campaign__edition__questionnaire", "school")
            .get(pk=invitation.pk)
        )
        if row.answered:
            raise SurveyRefused("Ответы по этой ссылке уже отправлены.", reason=SurveyRefused.ANSWERED)
        refusal = _campaign_refusal(row, today or timezone.localdate())
        if refusal is None and device is not None:
            refusal = _device_refusal(row, device)
        if refusal is not None:
            raise refusal
        campaign = row.campaign
        edition = campaign.edition
        clean, errors = answers_clean(definition=edition.definition, answers=answers)
        if errors:
            raise AnswersInvalid(errors)
        scores = score_answers(definition=edition.definition, scoring=edition.scoring or {}, answers=clean)
        named = (
            {}
            if campaign.anonymous
            else {
                "invitation": row,
                "teacher_id": row.teacher_id,
                "school_id": row.school_id,
                "submitted_at": timezone.now(),
            }
        )
        response = Response.objects.create(
            campaign=campaign,
            edition=edition,
            anonymous=campaign.anonymous,
            municipality_id=row.municipality_id,
            school_kind=row.school.kind or "",
            role=row.role,
            answers=clean,
            scores=scores,
            **named,
        )
        tallies_add(response=response, definition=edition.definition)
        hooks.response_submitted(response=response)
        row.answered = True
        row.draft = {}
        row.save(update_fields=["answered", "draft"])
    return response
