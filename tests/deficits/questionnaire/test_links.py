"""Personal links to an invitation: a signed id and nonce; altered, renewed or deleted links are refused."""

from __future__ import annotations

import pytest
from django.core import signing

from deficits.questionnaire.links import (
    SurveyLinkInvalid,
    invitation_for_token,
    invitation_link_renew,
    invitation_token,
)
from tests.deficits.questionnaire import answering

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(world):
    return answering.invitation(answering.campaign(world), world.teacher_a, world.school_a)


def test_a_token_names_its_invitation(invitation):
    token = invitation_token(invitation=invitation)
    assert invitation_for_token(token=token) == invitation
    assert invitation_token(invitation=invitation) == token  # computed, not stored: the same link every time


@pytest.mark.parametrize("alter", [lambda t: t + "x", lambda t: "x" + t, lambda t: t[:-3], lambda t: ""])
def test_an_altered_token_is_refused(invitation, alter):
    with pytest.raises(SurveyLinkInvalid):
        invitation_for_token(token=alter(invitation_token(invitation=invitation)))


def test_a_token_of_another_signer_is_refused(invitation):
    forged = signing.Signer(salt="deficits.personal-link.v2").sign_object({"i": invitation.pk, "n": invitation.nonce})
    with pytest.raises(SurveyLinkInvalid):
        invitation_for_token(token=forged)


def test_a_renewed_link_replaces_the_old_one(invitation):
    old = invitation_token(invitation=invitation)
    new = invitation_link_renew(invitation=invitation)
    assert new != old
    with pytest.raises(SurveyLinkInvalid):
        invitation_for_token(token=old)
    assert invitation_for_token(token=new).pk == invitation.pk


def test_a_deleted_invitations_link_is_refused(invitation):
    token = invitation_token(invitation=invitation)
    invitation.delete()
    with pytest.raises(SurveyLinkInvalid):
        invitation_for_token(token=token)


def test_the_refusal_says_what_to_do_in_russian():
    assert "Ссылка на анкету недействительна" in SurveyLinkInvalid.message
