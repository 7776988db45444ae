"""A campaign's lifecycle: creation, the sample drawn at opening, invitations, closing, reminders."""

from __future__ import annotations

import datetime as dt
import json
import smtplib

import pytest
from celery.schedules import crontab
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends import locmem
from django.db import connection
from django.urls import resolve
from django.utils import timezone

from deficits.models import CampaignStatus, Invitation, RespondentRole, TargetKind
from deficits.questionnaire import campaigns
from deficits.questionnaire.links import invitation_for_token
from deficits.tasks import campaign_reminders_task
from monitoring.config.celery import app
from monitoring.models import Role
from tests import factories
from tests.deficits.questionnaire.campaign_helpers import campaign_make, edition_make

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def create(world, *, user=None, **overrides):
    values = {
        "edition": edition_make(),
        "period": world.period,
        "title": "Выгорание педагогов",
        "opens": TODAY,
        "closes": TODAY + dt.timedelta(days=14),
        "anonymous": False,
        "target_kind": TargetKind.ROSTER,
        "target": {},
        "user": user or world.analyst,
        **overrides,
    }
    return campaigns.campaign_create(**values)


# ---------------------------------------------------------------------------
# Creating
# ---------------------------------------------------------------------------


def test_a_writer_creates_a_draft(world):
    campaign = create(world, anonymous=True)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.created_by == world.analyst
    assert campaign.anonymous is True
    assert campaign.seed is None  # no sample, no seed
    assert not Invitation.objects.exists()


def test_a_sample_gets_a_random_seed_or_keeps_the_given_one(world, monkeypatch):
    monkeypatch.setattr(campaigns.secrets, "randbits", lambda bits: 424242 if bits == 31 else 0)
    drawn = create(world, target_kind=TargetKind.SAMPLE, target={"share": "0,5"})
    assert drawn.seed == 424242
    assert drawn.target == {"share": 0.5}
    given = create(world, target_kind=TargetKind.SAMPLE, target={"size": 2}, seed=17)
    assert given.seed == 17


@pytest.mark.parametrize("role", ["ministry", "municipal", "head_a", "teacher"])
def test_only_institute_writers_create(world, role):
    with pytest.raises(PermissionDenied) as error:
        create(world, user=world.people[role])
    assert str(error.value) == campaigns.WRITERS_ONLY


def test_a_bad_campaign_is_refused_with_every_problem(world):
    with pytest.raises(ValidationError) as error:
        create(
            world,
            title="  ",
            opens=TODAY,
            closes=TODAY - dt.timedelta(days=1),
            target_kind=TargetKind.SCHOOLS,
            target={"schools": []},
        )
    problems = error.value.message_dict
    assert problems["title"] == ["Назовите опрос."]
    assert problems["closes"] == ["Опрос не может закончиться раньше, чем начнется."]
    assert problems["schools"] == ["Выберите хотя бы одну образовательную организацию."]


def test_a_window_of_years_or_a_start_years_ahead_is_refused(world):
    with pytest.raises(ValidationError) as error:
        create(world, opens=TODAY, closes=dt.date(9999, 12, 31))
    assert error.value.message_dict["closes"] == ["Опрос длится не больше 366 дней: проверьте даты."]
    far = TODAY + dt.timedelta(days=400)
    with pytest.raises(ValidationError) as error:
        create(world, opens=far, closes=far)
    assert error.value.message_dict["opens"] == ["Опрос начинается больше чем через год: проверьте дату начала."]
    assert create(world, opens=TODAY, closes=TODAY + dt.timedelta(days=366)).closes == TODAY + dt.timedelta(days=366)


def test_a_campaign_whose_dates_are_past_is_refused(world):
    with pytest.raises(ValidationError) as error:
        create(world, opens=TODAY - dt.timedelta(days=10), closes=TODAY - dt.timedelta(days=1))
    assert error.value.message_dict["closes"] == ["Дата окончания уже прошла: укажите сегодняшнюю или более позднюю."]
    assert create(world, opens=TODAY - dt.timedelta(days=10), closes=TODAY).closes == TODAY  # today still counts


@pytest.mark.parametrize("share", ["nan", "NaN", "snan", "inf"])
def test_a_share_that_is_no_number_is_refused(world, share):
    with pytest.raises(ValidationError) as error:
        create(world, target_kind=TargetKind.SAMPLE, target={"share": share})
    assert error.value.message_dict["share"] == ["Доля — число от 0 до 1, например 0,1."]


# ---------------------------------------------------------------------------
# Opening: the sample drawn, the invitations made
# ---------------------------------------------------------------------------


@pytest.fixture
def region(world):
    """Forty more teachers: 20 at school A (M1), 10 at school C (M1), 10 at school B (M2)."""
    for school, count in ((world.school_a, 20), (world.school_c, 10), (world.school_b, 10)):
        for _ in range(count):
            factories.RosterEntryFactory(period=world.period, school=school)
    return world


def test_opening_invites_exactly_the_previewed_sample(region):
    campaign = create(region, target_kind=TargetKind.SAMPLE, target={"share": 0.25}, seed=31337)
    preview = campaigns.campaign_sample_preview(campaign=campaign)
    assert not Invitation.objects.exists()  # the preview writes nothing
    invited = campaigns.campaign_open(campaign=campaign, user=region.analyst)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert campaign.opened_at is not None
    rows = list(campaign.invitations.order_by("teacher_id"))
    assert invited == len(rows) == len(preview) == 11  # 43 * 0.25 = 10.75 -> 11
    assert [(i.teacher_id, i.school_id, i.municipality_id) for i in rows] == [
        (r.teacher_id, r.school_id, r.municipality_id) for r in preview
    ]
    assert len({i.nonce for i in rows}) == len(rows)
    assert all(i.role == RespondentRole.TEACHER and not i.answered for i in rows)


def test_the_same_seed_opens_the_same_people_in_two_campaigns(region):
    ids = []
    for seed in (5, 5, 6):
        campaign = create(region, target_kind=TargetKind.SAMPLE, target={"size": 8}, seed=seed)
        campaigns.campaign_open(campaign=campaign, user=region.analyst)
        ids.append(sorted(campaign.invitations.values_list("teacher_id", flat=True)))
    assert ids[0] == ids[1]
    assert ids[0] != ids[2]


def test_heads_are_invited_by_account(world):
    campaign = create(world, target_kind=TargetKind.HEADS)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    rows = campaign.invitations.order_by("user_id")
    assert [(i.user_id, i.teacher_id, i.school_id, i.role) for i in rows] == [
        (world.head_a.pk, None, world.school_a.pk, RespondentRole.HEAD),
        (world.head_b.pk, None, world.school_b.pk, RespondentRole.HEAD),
    ]


def test_an_open_campaign_does_not_open_again(world):
    campaign = create(world)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    with pytest.raises(ValidationError, match="уже начат"):
        campaigns.campaign_open(campaign=campaign, user=world.analyst)
    assert campaign.invitations.count() == 3


def test_a_campaign_reaching_no_one_does_not_open(world):
    empty_school = factories.SchoolFactory(municipality=world.m1)
    campaign = create(world, target_kind=TargetKind.SCHOOLS, target={"schools": [empty_school.pk]})
    with pytest.raises(ValidationError, match="приглашать некого"):
        campaigns.campaign_open(campaign=campaign, user=world.analyst)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_campaign_past_its_dates_does_not_open(world):
    campaign = campaign_make(world.period, opens=TODAY - dt.timedelta(days=10), closes=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="Срок опроса уже прошел"):
        campaigns.campaign_open(campaign=campaign, user=world.analyst)


@pytest.mark.parametrize("role", ["ministry", "municipal", "head_a"])
def test_only_writers_open_close_and_remind(world, role):
    campaign = campaign_make(world.period)
    user = world.people[role]
    with pytest.raises(PermissionDenied):
        campaigns.campaign_open(campaign=campaign, user=user)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    with pytest.raises(PermissionDenied):
        campaigns.campaign_remind(campaign=campaign, user=user)
    with pytest.raises(PermissionDenied):
        campaigns.campaign_close(campaign=campaign, user=user)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert not mail.outbox


def test_opening_freezes_the_edition(world):
    """The authoring part makes a new edition of one whose campaigns exist."""
    campaign = campaign_make(world.period)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    assert campaign.edition.campaigns.exists()


# ---------------------------------------------------------------------------
# Closing
# ---------------------------------------------------------------------------


def test_closing_an_open_campaign(world):
    campaign = campaign_make(world.period)
    with pytest.raises(ValidationError, match="только идущий"):
        campaigns.campaign_close(campaign=campaign, user=world.analyst)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    campaigns.campaign_close(campaign=campaign, user=world.analyst)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert campaign.closed_at is not None
    with pytest.raises(ValidationError):
        campaigns.campaign_close(campaign=campaign, user=world.analyst)


# ---------------------------------------------------------------------------
# Links and reminders
# ---------------------------------------------------------------------------


def test_an_invitations_link_is_absolute_and_names_it(world, settings):
    settings.PORTAL_URL = "https://portal.example"
    campaign = campaign_make(world.period)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    invitation = campaign.invitations.first()
    link = campaigns.invitation_link(invitation=invitation)
    assert link.startswith("https://portal.example/surveys/a/")
    token = link.removeprefix("https://portal.example/surveys/a/").removesuffix("/")
    assert invitation_for_token(token=token) == invitation


@pytest.fixture
def reminding(world, settings):
    """An open roster campaign: teacher A has an account with e-mail, B none, C answered."""
    settings.PORTAL_URL = "https://portal.example"
    world.teacher.email = "anna@example.org"
    world.teacher.save()
    campaign = campaign_make(world.period, title="Условия работы")
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    Invitation.objects.filter(campaign=campaign, teacher=world.teacher_c).update(answered=True)
    return campaign


def test_reminders_reach_those_with_an_email_who_have_not_answered(world, reminding):
    now = timezone.now()
    result = campaigns.campaign_remind(campaign=reminding, user=world.analyst, now=now)
    assert result == campaigns.Reminded(sent=1, without_email=1, recent=0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert "Условия работы" in message.subject
    invitation = reminding.invitations.get(teacher=world.teacher_a)
    assert campaigns.invitation_link(invitation=invitation) in message.body
    assert invitation.reminders == 1
    assert invitation.reminded_at == now
    untouched = reminding.invitations.get(teacher=world.teacher_b)
    assert (untouched.reminders, untouched.reminded_at) == (0, None)


def test_a_person_is_reminded_at_most_once_in_24_hours(world, reminding):
    now = timezone.now()
    campaigns.campaign_remind(campaign=reminding, user=world.analyst, now=now)
    later = campaigns.campaign_remind(campaign=reminding, user=world.analyst, now=now + dt.timedelta(hours=23))
    assert later == campaigns.Reminded(sent=0, without_email=1, recent=1)
    assert len(mail.outbox) == 1
    next_day = campaigns.campaign_remind(campaign=reminding, user=world.analyst, now=now + dt.timedelta(hours=24))
    assert next_day.sent == 1
    assert len(mail.outbox) == 2
    assert reminding.invitations.get(teacher=world.teacher_a).reminders == 2


class RefusingBackend(locmem.EmailBackend):
    """The test outbox, except that a message to ``broken@example.org`` raises like a refusing server."""

    def send_messages(self, messages):
        if any("broken@example.org" in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({"broken@example.org": (550, b"no such user")})
        return super().send_messages(messages)


def test_a_failed_send_is_not_marked_and_the_others_go(world, reminding, settings):
    settings.EMAIL_BACKEND = "tests.deficits.questionnaire.test_campaigns.RefusingBackend"
    factories.UserFactory(username="pavel", role=Role.TEACHER, teacher=world.teacher_b, email="broken@example.org")
    earlier = timezone.now() - dt.timedelta(days=2)
    reminding.invitations.filter(teacher=world.teacher_b).update(reminders=3, reminded_at=earlier)
    now = timezone.now()
    result = campaigns.campaign_remind(campaign=reminding, user=world.analyst, now=now)
    assert result == campaigns.Reminded(sent=1, without_email=0, recent=0, failed=1)
    assert [message.to for message in mail.outbox] == [["anna@example.org"]]
    sent = reminding.invitations.get(teacher=world.teacher_a)
    assert (sent.reminders, sent.reminded_at) == (1, now)
    failed = reminding.invitations.get(teacher=world.teacher_b)
    assert (failed.reminders, failed.reminded_at) == (3, earlier)  # as before: tried again next run
    again = campaigns.campaign_remind(campaign=reminding, user=world.analyst, now=now + dt.timedelta(minutes=5))
    assert (again.recent, again.failed) == (1, 1)


class DownBackend(locmem.EmailBackend):
    def open(self):
        raise ConnectionRefusedError("the mail server is down")


def test_a_mail_server_down_marks_no_one(world, reminding, settings):
    settings.EMAIL_BACKEND = "tests.deficits.questionnaire.test_campaigns.DownBackend"
    result = campaigns.campaign_remind(campaign=reminding, user=world.analyst)
    assert (result.sent, result.failed) == (0, 1)
    assert not mail.outbox
    invitation = reminding.invitations.get(teacher=world.teacher_a)
    assert (invitation.reminders, invitation.reminded_at) == (0, None)


def test_a_head_is_reminded_at_their_accounts_email(world):
    world.head_a.email = "head-a@example.org"
    world.head_a.save()
    campaign = campaign_make(world.period, target_kind=TargetKind.HEADS, anonymous=True)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    result = campaigns.campaign_remind(campaign=campaign, user=world.analyst)
    assert (result.sent, result.without_email) == (1, 1)
    assert mail.outbox[0].to == ["head-a@example.org"]
    assert "анонимный" in mail.outbox[0].body


def test_only_an_open_campaign_is_reminded(world, reminding):
    campaigns.campaign_close(campaign=reminding, user=world.analyst)
    with pytest.raises(ValidationError, match="только по идущему"):
        campaigns.campaign_remind(campaign=reminding, user=world.analyst)
    assert not mail.outbox


def test_the_daily_job_reminds_open_campaigns_within_their_dates(world, reminding):
    ended = campaign_make(world.period, opens=TODAY - dt.timedelta(days=5), closes=TODAY + dt.timedelta(days=5))
    campaigns.campaign_open(campaign=ended, user=world.analyst)
    # Its window is over, though no one closed it: no reminders.
    type(ended).objects.filter(pk=ended.pk).update(closes=TODAY - dt.timedelta(days=1))
    campaign_make(world.period)  # a draft: nobody invited yet
    result = campaign_reminders_task()
    assert result == {str(reminding.pk): {"sent": 1, "without_email": 1, "recent": 0, "failed": 0}}
    assert len(mail.outbox) == 1


def test_the_beat_schedule_runs_the_reminders_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["deficits-campaign-reminders"]
    assert entry["task"] == "deficits.tasks.campaign_reminders"
    assert entry["schedule"] == crontab(hour=9, minute=0)
    assert "deficits.tasks.campaign_reminders" in app.tasks


def test_a_link_opens_the_answering_door_of_its_invitation(world, settings):
    campaign = campaign_make(world.period, target_kind="schools", target={"schools": [world.school_a.pk]})
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    invitation = campaign.invitations.first()
    link = campaigns.invitation_link(invitation=invitation)
    match = resolve(link.removeprefix(settings.PORTAL_URL))
    assert match.url_name == "survey-answer"
    assert invitation_for_token(token=match.kwargs["token"]) == invitation


def _answered(campaign, municipality, count):
    from deficits.models import Response  # the campaigns' tests otherwise never write responses

    made = [
        Response.objects.create(
            campaign=campaign,
            edition=campaign.edition,
            anonymous=campaign.anonymous,
            municipality=municipality,
            answers={"n": n},
        )
        for n in range(count)
    ]
    return [r.pk for r in made]


def test_closing_an_anonymous_campaign_writes_its_responses_again_under_new_keys(world):
    campaign = campaign_make(world.period, anonymous=True)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    before = _answered(campaign, world.m1, 30)
    answers = sorted(r.answers["n"] for r in campaign.responses.all())
    campaigns.campaign_close(campaign=campaign, user=world.analyst)
    after = list(campaign.responses.values_list("pk", flat=True))
    # Every answer kept, none under its old key, and not in the order they were given.
    assert sorted(r.answers["n"] for r in campaign.responses.all()) == answers
    assert not set(before) & set(after) and len(after) == 30
    # The rows' physical order (PostgreSQL's ctid, SQLite's rowid) no longer follows submission
    # (a shuffle of 30 keeping their order: one chance in 30!).
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        sql = f"SELECT answers FROM deficits_response WHERE campaign_id = %s ORDER BY {position}"
        cursor.execute(sql, [campaign.pk])
        stored = [json.loads(a)["n"] if isinstance(a, str) else a["n"] for (a,) in cursor.fetchall()]
    assert sorted(stored) == list(range(30)) and stored != list(range(30))


def test_closing_a_named_campaign_keeps_its_responses_as_they_are(world):
    campaign = campaign_make(world.period, anonymous=False)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    before = _answered(campaign, world.m1, 3)
    campaigns.campaign_close(campaign=campaign, user=world.analyst)
    assert sorted(campaign.responses.values_list("pk", flat=True)) == sorted(before)
