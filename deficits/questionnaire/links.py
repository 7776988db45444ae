"""Personal links to a campaign's questionnaire: a signed token naming one invitation and its nonce.

The token is computed from the invitation (no copy of it is stored), so a page can show
a person's link at any time; a new nonce (``invitation_link_renew``) makes every earlier
link of that invitation useless. The token opens that campaign's questionnaire only.
"""

from __future__ import annotations

import secrets

from django.core import signing

from deficits.models import Invitation

_SALT = "deficits.survey-link.v1"


class SurveyLinkInvalid(Exception):
    """A token that is not a link to an existing invitation (altered, renewed or deleted)."""

    message = "Ссылка на анкету недействительна. Проверьте, что она скопирована полностью, или попросите новую."


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def invitation_token(*, invitation: Invitation) -> str:
    return signing.Signer(salt=_SALT).sign_object({"i": invitation.pk, "n": invitation.nonce}, compress=True)


def invitation_for_token(*, token: str) -> Invitation:
    """The invitation a token names, or SurveyLinkInvalid."""
    try:
        payload = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as exc:
        raise SurveyLinkInvalid from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int) or not isinstance(payload.get("n"), str):
        raise SurveyLinkInvalid
    invitation = (
        Invitation.objects.select_related("campaign__edition__questionnaire", "school", "municipality")
        .filter(pk=payload["i"])
        .first()
    )
    if invitation is None or not secrets.compare_digest(invitation.nonce, payload["n"]):
        raise SurveyLinkInvalid
    return invitation


def invitation_link_renew(*, invitation: Invitation) -> str:
    """A new link for the invitation; earlier ones stop working (the browser binding is kept)."""
    invitation.nonce = new_nonce()
    invitation.save(update_fields=["nonce"])
    return invitation_token(invitation=invitation)
