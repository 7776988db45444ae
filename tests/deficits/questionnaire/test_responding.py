"""Answering through a link: its use and binding to a browser, the draft, and the submission."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from deficits.models import CampaignStatus, Invitation, Response, ResponseTally
from deficits.questionnaire import hooks
from deficits.questionnaire.links import invitation_link_renew, invitation_token
from deficits.questionnaire.responding import (
    DRAFT_MAX_CHARS,
    AnswersInvalid,
    SurveyRefused,
    device_digest,
    draft_save,
    response_submit,
    survey_link_use,
    survey_start,
)
from deficits.questionnaire.tallies import tallies_rebuild
from tests.deficits.questionnaire import answering
from tests.deficits.questionnaire.answering import TEACHER_ANSWERS

pytestmark = pytest.mark.django_db

DEVICE = "browser-one-random-value"


@pytest.fixture
def campaign(world):
    return answering.campaign(world)


@pytest.fixture
def invitation(world, campaign):
    return answering.invitation(campaign, world.teacher_a, world.school_a)


def _use(invitation, device=DEVICE, **kwargs):
    return survey_link_use(token=invitation_token(invitation=invitation), device=device, signed_in=False, **kwargs)


def _refusal(call) -> str:
    with pytest.raises(SurveyRefused) as caught:
        call()
    return caught.value.reason


def _tallies(campaign):
    return sorted(
        ResponseTally.objects.filter(campaign=campaign).values_list(
            "item", "value", "municipality_id", "school_kind", "role", "count"
        )
    )


# --- the link's use -----------------------------------------------------------------------


def test_a_fresh_link_opens_in_any_browser_and_following_it_writes_nothing(invitation):
    assert _use(invitation, device="").pk == invitation.pk
    invitation.refresh_from_db()
    assert invitation.started_at is None and invitation.device == ""


def test_an_altered_or_renewed_link_is_refused(invitation):
    token = invitation_token(invitation=invitation)
    assert _refusal(lambda: survey_link_use(token=token + "x", device=DEVICE, signed_in=False)) == "invalid"
    invitation_link_renew(invitation=invitation)
    assert _refusal(lambda: survey_link_use(token=token, device=DEVICE, signed_in=False)) == "invalid"


def test_someone_signed_in_is_refused(invitation):
    token = invitation_token(invitation=invitation)
    assert _refusal(lambda: survey_link_use(token=token, device=DEVICE, signed_in=True)) == "signed_in"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": CampaignStatus.DRAFT}, "not_open"),
        ({"opens": dt.date(2099, 1, 1), "closes": dt.date(2099, 2, 1)}, "not_open"),
        ({"status": CampaignStatus.CLOSED}, "closed"),
        ({"opens": dt.date(2020, 1, 1), "closes": dt.date(2020, 2, 1)}, "closed"),
    ],
)
def test_a_campaign_not_open_today_refuses_its_links(invitation, campaign, change, reason):
    type(campaign).objects.filter(pk=campaign.pk).update(**change)
    assert _refusal(lambda: _use(invitation)) == reason


def test_a_campaign_closed_early_names_the_day_it_closed(invitation, campaign):
    closed_at = timezone.make_aware(dt.datetime.combine(campaign.closes - dt.timedelta(days=3), dt.time(23, 30)))
    type(campaign).objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED, closed_at=closed_at)
    with pytest.raises(SurveyRefused) as caught:
        _use(invitation)
    assert f"завершен {timezone.localdate(closed_at):%d.%m.%Y}:" in str(caught.value)
    assert f"{campaign.closes:%d.%m.%Y}" not in str(caught.value)


def test_a_campaign_past_its_dates_names_its_last_day(invitation, campaign):
    with pytest.raises(SurveyRefused) as caught:
        _use(invitation, today=campaign.closes + dt.timedelta(days=1))
    assert f"завершен {campaign.closes:%d.%m.%Y}:" in str(caught.value)


def test_the_campaigns_last_day_still_counts(invitation, campaign):
    assert _use(invitation, today=campaign.closes).pk == invitation.pk
    assert _refusal(lambda: _use(invitation, today=campaign.closes + dt.timedelta(days=1))) == "closed"
    assert _refusal(lambda: _use(invitation, today=campaign.opens - dt.timedelta(days=1))) == "not_open"


def test_starting_binds_the_link_to_that_browser(invitation):
    survey_start(invitation=_use(invitation), device=DEVICE)
    invitation.refresh_from_db()
    assert invitation.device == device_digest(DEVICE) and DEVICE not in invitation.device
    assert invitation.started_at is not None
    started = invitation.started_at
    # The same browser continues; starting again changes nothing.
    survey_start(invitation=_use(invitation), device=DEVICE)
    invitation.refresh_from_db()
    assert invitation.started_at == started
    # Another browser (or none) is refused, even with the right link.
    assert _refusal(lambda: _use(invitation, device="another-browser")) == "device"
    assert _refusal(lambda: _use(invitation, device="")) == "device"
    assert _refusal(lambda: survey_start(invitation=invitation, device="another-browser")) == "device"


def test_a_renewed_link_keeps_the_browser_binding(invitation):
    survey_start(invitation=invitation, device=DEVICE)
    invitation_link_renew(invitation=invitation)
    assert _refusal(lambda: _use(invitation, device="another-browser")) == "device"
    assert _use(invitation).pk == invitation.pk


def test_an_answered_link_says_thank_you(invitation):
    survey_start(invitation=invitation, device=DEVICE)
    response_submit(invitation=invitation, answers=TEACHER_ANSWERS, device=DEVICE)
    assert _refusal(lambda: _use(invitation)) == "answered"
    assert _refusal(lambda: _use(invitation, device="another-browser")) == "answered"


# --- the draft ----------------------------------------------------------------------------


def test_a_draft_keeps_what_was_typed_and_drops_what_is_hidden(invitation):
    survey_start(invitation=invitation, device=DEVICE)
    draft_save(invitation=invitation, answers={**TEACHER_ANSWERS, "years": "двенадцать", "nope": "x"}, device=DEVICE)
    invitation.refresh_from_db()
    assert invitation.draft["years"] == "двенадцать"  # kept to be corrected, not lost
    assert "nope" not in invitation.draft
    assert invitation.draft["subjects"] == ["math", "rus"]
    draft_save(invitation=invitation, answers={**invitation.draft, "role": "head"}, device=DEVICE)
    invitation.refresh_from_db()
    assert set(invitation.draft) == {"role", "years"}  # subjects and burnout: hidden now, dropped


def test_a_draft_is_refused_before_start_from_another_browser_and_after_submission(invitation):
    assert _refusal(lambda: draft_save(invitation=invitation, answers={"role": "head"}, device=DEVICE)) == "device"
    survey_start(invitation=invitation, device=DEVICE)
    assert _refusal(lambda: draft_save(invitation=invitation, answers={"role": "head"}, device="other")) == "device"
    response_submit(invitation=invitation, answers=TEACHER_ANSWERS, device=DEVICE)
    assert _refusal(lambda: draft_save(invitation=invitation, answers={"role": "head"}, device=DEVICE)) == "answered"
    invitation.refresh_from_db()
    assert invitation.draft == {}


def test_control_characters_never_reach_the_database(invitation):
    # Runs on SQLite and on PostgreSQL, whose jsonb refuses NUL outright (the draft and the response would 500).
    survey_start(invitation=invitation, device=DEVICE)
    typed = {**TEACHER_ANSWERS, "years": "1\x002", "short": "да\x00\x1b", "long": "раз\r\nдва\tтри\x00"}
    typed["subjects"] = ["math\x00", "rus"]
    draft_save(invitation=invitation, answers=typed, device=DEVICE)
    invitation.refresh_from_db()
    assert (invitation.draft["years"], invitation.draft["short"]) == ("12", "да")
    assert invitation.draft["long"] == "раз\nдва\tтри"
    assert invitation.draft["subjects"] == ["math", "rus"]
    response = response_submit(invitation=invitation, answers=typed, device=DEVICE)
    response.refresh_from_db()
    assert response.answers["short"] == "да"
    assert response.answers["long"] == "раз\nдва\tтри"


def test_a_huge_draft_is_refused(invitation):
    survey_start(invitation=invitation, device=DEVICE)
    answers = {"role": "teacher", "years": "1", "short": "я" * (DRAFT_MAX_CHARS + 1)}
    assert _refusal(lambda: draft_save(invitation=invitation, answers=answers, device=DEVICE)) == "invalid"
    invitation.refresh_from_db()
    assert invitation.draft == {}


# --- the submission -----------------------------------------------------------------------


def test_a_named_response_keeps_the_person_and_is_scored_and_tallied(world, campaign, invitation, monkeypatch):
    called = []
    code = campaign.edition.questionnaire.code
    monkeypatch.setitem(hooks.ON_SUBMIT, code, [lambda response: called.append(response)])
    survey_start(invitation=invitation, device=DEVICE)
    draft_save(invitation=invitation, answers={"role": "teacher"}, device=DEVICE)
    response = response_submit(invitation=invitation, answers={**TEACHER_ANSWERS, "short": "все хорошо"})
    response.refresh_from_db()
    assert response.anonymous is False
    assert (response.invitation_id, response.teacher_id, response.school_id) == (
        invitation.pk,
        world.teacher_a.pk,
        world.school_a.pk,
    )
    assert response.submitted_at is not None
    assert (response.municipality_id, response.school_kind, response.role) == (
        world.m1.pk,
        world.school_a.kind,
        "teacher",
    )
    assert response.edition_id == campaign.edition_id
    assert response.answers["years"] == 12 and response.answers["short"] == "все хорошо"
    assert response.scores == {"EX": {"score": 7, "level": "высокий", "flag": True}}
    assert called == [response]
    invitation.refresh_from_db()
    assert invitation.answered is True and invitation.draft == {}
    tallied = _tallies(campaign)
    assert ("score:EX", "высокий", world.m1.pk, world.school_a.kind, "teacher", 1) in tallied
    assert ("subjects", "math", world.m1.pk, world.school_a.kind, "teacher", 1) in tallied
    assert not any(item == "short" for item, *_ in tallied)  # free text is listed, not tallied
    tallies_rebuild(campaign=campaign)
    assert _tallies(campaign) == tallied


def test_an_anonymous_response_keeps_no_person_and_no_time(world):
    campaign = answering.campaign(world, anonymous=True)
    invitation = answering.invitation(campaign, world.teacher_a, world.school_a)
    survey_start(invitation=invitation, device=DEVICE)
    response = response_submit(invitation=invitation, answers=TEACHER_ANSWERS, device=DEVICE)
    row = Response.objects.filter(pk=response.pk).values().get()
    assert row["anonymous"] is True
    assert row["invitation_id"] is None and row["teacher_id"] is None and row["school_id"] is None
    assert row["submitted_at"] is None
    assert row["municipality_id"] == world.m1.pk
    invitation.refresh_from_db()
    assert invitation.answered is True


def test_tallies_of_many_responses_equal_a_rebuild(world, campaign):
    for teacher, school, answers in (
        (world.teacher_a, world.school_a, TEACHER_ANSWERS),
        (world.teacher_b, world.school_b, {**TEACHER_ANSWERS, "b1": "0", "b2": "1", "subjects": ["phys"]}),
        (world.teacher_c, world.school_c, {"role": "head", "years": "30", "since": "2024-01-01"}),
    ):
        response_submit(invitation=answering.invitation(campaign, teacher, school), answers=answers)
    added = _tallies(campaign)
    assert ("", "", world.m1.pk, world.school_a.kind, "teacher", 2) in added
    tallies_rebuild(campaign=campaign)
    assert _tallies(campaign) == added


def test_invalid_answers_are_refused_and_nothing_is_written(campaign, invitation):
    with pytest.raises(AnswersInvalid) as caught:
        response_submit(invitation=invitation, answers={**TEACHER_ANSWERS, "years": "99", "b2": ""})
    assert caught.value.errors == {"years": "Стаж — от 0 до 60 лет", "b2": "Ответьте на этот вопрос"}
    assert not Response.objects.exists() and not ResponseTally.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered is False


def test_a_second_submission_is_refused_not_doubled(campaign, invitation):
    stale = Invitation.objects.get(pk=invitation.pk)  # a second tab read the row before the first submitted
    response_submit(invitation=invitation, answers=TEACHER_ANSWERS)
    before = _tallies(campaign)
    with pytest.raises(SurveyRefused) as caught:
        response_submit(invitation=stale, answers=TEACHER_ANSWERS)
    assert caught.value.reason == "answered"
    assert Response.objects.count() == 1
    assert _tallies(campaign) == before


def test_a_closed_campaign_takes_no_submission(campaign, invitation):
    type(campaign).objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED, closed_at=timezone.now())
    with pytest.raises(SurveyRefused):
        response_submit(invitation=invitation, answers=TEACHER_ANSWERS)
    assert not Response.objects.exists()


def test_a_submission_from_another_browser_is_refused(invitation):
    survey_start(invitation=invitation, device=DEVICE)
    with pytest.raises(SurveyRefused):
        response_submit(invitation=invitation, answers=TEACHER_ANSWERS, device="another-browser")
    assert not Response.objects.exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("anonymous", [False, True])  # anonymous: no unique invitation column, only the lock
def test_simultaneous_submissions_store_one_response(world, anonymous):
    campaign = answering.campaign(world, anonymous=anonymous)
    invitation = answering.invitation(campaign, world.teacher_a, world.school_a)
    tabs = 4
    barrier = threading.Barrier(tabs)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            response_submit(invitation=Invitation.objects.get(pk=invitation.pk), answers=TEACHER_ANSWERS)
            outcomes.append("stored")
        except SurveyRefused as exc:
            outcomes.append(exc.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered"] * (tabs - 1) + ["stored"]
    assert Response.objects.filter(campaign=campaign).count() == 1
    assert ResponseTally.objects.get(campaign=campaign, item="", value="").count == 1
