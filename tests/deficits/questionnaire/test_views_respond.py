"""The pages of answering through a link: start, one page per section, skips, errors, submission, thanks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from deficits.models import CampaignStatus, Response
from deficits.questionnaire.links import invitation_token
from deficits.questionnaire.views.respond import DEVICE_COOKIE
from tests.deficits.questionnaire import answering

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world):
    return answering.campaign(world)


@pytest.fixture
def invitation(world, campaign):
    return answering.invitation(campaign, world.teacher_a, world.school_a)


@pytest.fixture
def token(invitation):
    return invitation_token(invitation=invitation)


def _home(token):
    return reverse("survey-answer", args=[token])


def _page(token, page):
    return reverse("survey-answer-page", args=[token, page])


def _started(client, token):
    response = client.post(_home(token))
    assert response.status_code == 302
    return response


def test_following_the_link_shows_the_questionnaire_and_binds_nothing(client, campaign, invitation, token):
    response = client.get(_home(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Анкета для проверки" in page and campaign.title in page
    assert "Начать" in page and "не анонимный" in page
    invitation.refresh_from_db()
    assert invitation.started_at is None and DEVICE_COOKIE not in response.cookies


def test_start_binds_this_browser_with_a_cookie_for_the_links_only(client, invitation, token):
    response = _started(client, token)
    assert response["Location"] == _page(token, 1)
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["path"] == "/surveys/a/" and cookie["httponly"] and cookie["samesite"] == "Lax"
    invitation.refresh_from_db()
    assert invitation.started_at is not None and invitation.device and cookie.value not in invitation.device
    assert client.get(_page(token, 1)).status_code == 200
    other = Client()
    refused = other.get(_page(token, 1))
    assert refused.status_code == 403
    assert "начато в другом браузере" in refused.content.decode()
    assert other.post(_home(token)).status_code == 403


def test_a_page_is_accessible_and_carries_the_skip_logic_as_data(client, token):
    _started(client, token)
    page = client.get(_page(token, 1)).content.decode()
    assert '<legend class="h5">О себе</legend>' in page
    assert 'aria-describedby="hint-role"' in page and 'id="hint-role"' in page
    assert '<label class="form-label fw-semibold" for="id-years">' in page
    # subjects depend on the role, not answered yet: hidden, and its rule is sent parsed.
    assert re.search(r'data-item="subjects"\s+hidden', page)
    assert '"subjects": {"k": "=", "v": null, "a": [{"k": "ref", "v": "role"' in page
    assert 'name="shown" value="role years"' in page
    assert "js/survey-form.js" in page and "<script>" not in page  # no inline script (CSP)


def test_errors_are_shown_next_to_their_items_and_what_was_typed_is_kept(client, invitation, token):
    _started(client, token)
    response = client.post(_page(token, 1), {"role": "head", "years": "сто", "shown": "role years"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-years"' in page and "Введите целое число." in page
    assert 'value="сто"' in page and 'aria-invalid="true"' in page
    assert re.search(r'value="head"\s+checked', page)
    invitation.refresh_from_db()
    assert invitation.draft == {"role": "head", "years": "сто"}


def test_questions_revealed_on_the_same_page_are_asked_without_javascript(client, token):
    _started(client, token)
    response = client.post(_page(token, 1), {"role": "teacher", "years": "5", "shown": "role years"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-item="subjects"' in page and not re.search(r'data-item="subjects"\s+hidden', page)
    assert "Ответьте на этот вопрос" in page
    response = client.post(
        _page(token, 1), {"role": "teacher", "years": "5", "subjects": ["rus"], "shown": "role years subjects"}
    )
    assert response["Location"] == _page(token, 2)


def test_a_section_hidden_by_earlier_answers_is_skipped(client, token):
    _started(client, token)
    response = client.post(_page(token, 1), {"role": "head", "years": "20", "shown": "role years"})
    assert response["Location"] == _page(token, 3)
    assert client.get(_page(token, 2))["Location"] == _page(token, 3)
    back = client.post(_page(token, 3), {"short": "коротко", "action": "back"})
    assert back["Location"] == _page(token, 1)


def test_save_and_leave_keeps_the_draft_and_the_link_resumes_it(client, invitation, token):
    _started(client, token)
    response = client.post(_page(token, 1), {"role": "head", "years": "", "action": "save", "shown": "role years"})
    assert response["Location"] == _home(token)
    invitation.refresh_from_db()
    assert invitation.draft == {"role": "head", "years": ""}
    assert "Продолжить заполнение" in client.get(_home(token)).content.decode()
    assert client.post(_home(token))["Location"] == _page(token, 1)  # years is still to be answered


def _answer_all(client, token, *, role="teacher"):
    client.post(
        _page(token, 1),
        {
            "role": role,
            "years": "12",
            "subjects": ["math"],
            "math_hours": "2",
            "shown": "role years subjects math_hours",
        },
    )
    if role == "teacher":
        client.post(_page(token, 2), {"b1": "1", "b2": "2", "since": "2020-09-01", "shown": "b1 b2 since"})
    return client.post(_page(token, 3), {"short": "спасибо", "long": "", "shown": "short long"})


def test_the_journey_ends_in_a_response_and_a_thank_you(client, world, invitation, token):
    _started(client, token)
    page = client.get(_page(token, 3)).content.decode()
    assert "Отправить ответы" in page
    response = _answer_all(client, token)
    assert response["Location"] == reverse("survey-answer-done", args=[token])
    stored = Response.objects.get()
    assert stored.answers == {
        "role": "teacher",
        "years": 12,
        "subjects": ["math"],
        "math_hours": 2,
        "b1": 1,
        "b2": 2,
        "since": "2020-09-01",
        "short": "спасибо",
    }
    assert stored.teacher_id == world.teacher_a.pk
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Спасибо" in thanks.content.decode()
    # The link now only thanks, in any browser; a second submission stores nothing.
    assert client.get(_home(token))["Location"] == response["Location"]
    assert Client().get(_page(token, 1))["Location"] == response["Location"]
    assert client.post(_page(token, 3), {"short": "еще раз"})["Location"] == response["Location"]
    assert Response.objects.count() == 1


def test_an_anonymous_thank_you_shows_no_answers(client, world):
    campaign = answering.campaign(world, anonymous=True)
    token = invitation_token(invitation=answering.invitation(campaign, world.teacher_a, world.school_a))
    _started(client, token)
    _answer_all(client, token, role="head")
    response = Response.objects.get()
    assert response.anonymous and response.teacher_id is None
    page = client.get(reverse("survey-answer-done", args=[token])).content.decode()
    assert "спасибо" not in page.replace("Спасибо", "") and world.teacher_a.full_name not in page


def test_an_unanswered_item_on_an_earlier_page_sends_the_person_back(client, invitation, token):
    _started(client, token)
    client.post(_page(token, 1), {"role": "head", "years": "5", "shown": "role years"})
    # Someone edits the draft away in another way (an older tab): the submission finds years missing.
    invitation.refresh_from_db()
    type(invitation).objects.filter(pk=invitation.pk).update(draft={"role": "head"})
    response = client.post(_page(token, 3), {"short": "", "shown": "short long"})
    assert response["Location"] == _page(token, 1) + "?check=1"
    assert not Response.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Ответы не отправлены" in page
    assert 'id="error-years"' in page and "Ответьте на этот вопрос" in page
    assert 'id="error-years"' not in client.get(_page(token, 1)).content.decode()  # only when sent back


def test_refusals(client, world, campaign, invitation, token):
    assert client.get(_home(token + "x")).status_code == 400
    assert "недействительна" in client.get(_home(token + "x")).content.decode()
    assert client.get(_page(token, 1))["Location"] == _home(token)  # not started yet
    _started(client, token)
    assert client.get(_page(token, 99)).status_code == 404
    type(campaign).objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    closed = client.get(_page(token, 1))
    assert closed.status_code == 403 and "завершен" in closed.content.decode()
    signed_in = Client()
    signed_in.force_login(world.teacher)
    refused = signed_in.get(_home(token))
    assert refused.status_code == 409 and "без входа в портал" in refused.content.decode()


def test_the_script_evaluates_without_eval():
    source = (Path(settings.BASE_DIR) / "static" / "js" / "survey-form.js").read_text()
    assert "eval(" not in source and "Function(" not in source
    assert "survey-logic" in source


def test_a_lost_csrf_cookie_gets_a_russian_page_saying_what_to_do(invitation, token):
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(_home(token)).status_code == 200
    browser.cookies.clear()  # the cookie was lost (or cookies are off) before «Начать»
    refused = browser.post(_home(token))
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Не удалось отправить форму" in page
    assert "открыта слишком долго" in page and "cookie" in page
    assert "обновите ее и попробуйте еще раз" in page
    assert "DEBUG" not in page and "CSRF" not in page
    invitation.refresh_from_db()
    assert invitation.started_at is None


def test_a_single_choice_posted_twice_is_refused_not_one_taken(client, invitation, token):
    _started(client, token)
    response = client.post(_page(token, 1), {"role": ["teacher", "head"], "years": "5", "shown": "role years"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-role"' in page and "Выберите один вариант." in page
    assert not Response.objects.exists()


def test_digits_of_another_script_are_refused_as_no_integer(client, invitation, token):
    _started(client, token)
    response = client.post(_page(token, 1), {"role": "head", "years": "٣", "shown": "role years"})
    assert response.status_code == 200
    assert 'id="error-years"' in response.content.decode()
    assert "Введите целое число." in response.content.decode()
