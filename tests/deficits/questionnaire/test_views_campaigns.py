"""The campaign pages: list, new (with its preview), a campaign's page, its writes, links, a school's invitations."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from deficits.models import Campaign, CampaignStatus, Invitation, TargetKind
from deficits.questionnaire import campaigns
from tests import factories
from tests.deficits.questionnaire.campaign_helpers import campaign_make, edition_make

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def open_a(world):
    """An open campaign of schools A and C (M1): teachers A and C invited, C has answered."""
    campaign = campaign_make(
        world.period,
        title="Опрос школ А и С",
        target_kind=TargetKind.SCHOOLS,
        target={"schools": [world.school_a.pk, world.school_c.pk]},
    )
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    Invitation.objects.filter(campaign=campaign, teacher=world.teacher_c).update(answered=True)
    return campaign


@pytest.fixture
def draft(world):
    return campaign_make(world.period, title="Черновик опроса")


def as_user(client, user):
    client.force_login(user)
    return client


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------


def test_the_institute_lists_every_campaign(client, world, open_a, draft):
    page = as_user(client, world.analyst).get(reverse("survey-campaign-list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Опрос школ А и С" in text and "Черновик опроса" in text
    assert reverse("survey-campaign-new") in text


def test_a_head_lists_the_campaigns_reaching_their_school(client, world, open_a, draft):
    text = as_user(client, world.head_a).get(reverse("survey-campaign-list")).content.decode()
    assert "Опрос школ А и С" in text
    assert "Черновик опроса" not in text
    assert reverse("survey-campaign-new") not in text
    text = as_user(client, world.head_b).get(reverse("survey-campaign-list")).content.decode()
    assert "Опрос школ А и С" not in text


def test_the_pages_are_staff_only(client, world, open_a):
    assert as_user(client, world.teacher).get(reverse("survey-campaign-list")).status_code == 404
    assert client.get(reverse("survey-campaign-detail", args=[open_a.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("survey-campaign-list")).status_code == 302


# ---------------------------------------------------------------------------
# A new campaign
# ---------------------------------------------------------------------------


def form_data(world, **overrides):
    return {
        "title": "Выгорание: выборка 10 %",
        "edition": edition_make().pk,
        "period": world.period.pk,
        "opens": TODAY.isoformat(),
        "closes": (TODAY + dt.timedelta(days=14)).isoformat(),
        "target_kind": TargetKind.SAMPLE,
        "share": "0,5",
        **overrides,
    }


def test_only_writers_open_the_new_campaign_form(client, world):
    assert as_user(client, world.analyst).get(reverse("survey-campaign-new")).status_code == 200
    for role in ("ministry", "municipal", "head_a"):
        assert as_user(client, world.people[role]).get(reverse("survey-campaign-new")).status_code == 404


def test_the_preview_counts_and_fixes_the_seed_without_writing(client, world):
    page = as_user(client, world.analyst).post(reverse("survey-campaign-new"), {**form_data(world), "preview": "1"})
    assert page.status_code == 200
    assert not Campaign.objects.exists()
    form = page.context["form"]
    seed = form.cleaned_data["seed"]
    assert page.context["reached"] == 2  # half of three teachers, at least one per municipality
    assert f'value="{seed}"' in page.content.decode()  # the seed stays in the form for the save
    saved = client.post(reverse("survey-campaign-new"), {**form_data(world), "seed": str(seed)})
    campaign = Campaign.objects.get()
    assert saved.status_code == 302
    assert saved.url == reverse("survey-campaign-detail", args=[campaign.pk])
    assert (campaign.seed, campaign.target, campaign.status) == (seed, {"share": 0.5}, CampaignStatus.DRAFT)
    assert len(campaigns.campaign_sample_preview(campaign=campaign)) == 2


def test_a_bad_form_keeps_what_was_typed(client, world):
    data = form_data(world, closes=(TODAY - dt.timedelta(days=1)).isoformat(), share="2")
    page = as_user(client, world.analyst).post(reverse("survey-campaign-new"), data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Опрос не может закончиться раньше, чем начнется." in text
    assert "Доля — число больше 0 и не больше 1" in text
    assert 'value="Выгорание: выборка 10 %"' in text
    assert 'value="2"' in text
    assert 'aria-describedby="id_share-error"' in text
    assert not Campaign.objects.exists()


def test_a_campaign_ended_before_today_is_a_form_error(client, world):
    closes = (TODAY - dt.timedelta(days=1)).isoformat()
    data = form_data(world, opens=(TODAY - dt.timedelta(days=7)).isoformat(), closes=closes)
    page = as_user(client, world.analyst).post(reverse("survey-campaign-new"), data)
    assert page.status_code == 200
    assert "Дата окончания уже прошла" in page.content.decode()
    assert f'value="{closes}"' in page.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("share", ["nan", "NaN", "snan", "inf"])
def test_a_share_that_is_no_number_is_a_form_error(client, world, share):
    for extra in ({}, {"preview": "1"}):
        page = as_user(client, world.analyst).post(
            reverse("survey-campaign-new"), form_data(world, share=share, **extra)
        )
        assert page.status_code == 200
        assert "Доля — число от 0 до 1, например 0,1." in page.content.decode()
        assert f'value="{share}"' in page.content.decode()
    assert not Campaign.objects.exists()


def test_unknown_school_codes_are_named(client, world):
    data = form_data(world, target_kind=TargetKind.SCHOOLS, share="", schools=f"{world.school_a.code}, 999999")
    page = as_user(client, world.analyst).post(reverse("survey-campaign-new"), data)
    assert "Нет организаций с кодами: 999999." in page.content.decode()
    data["schools"] = world.school_a.code
    assert client.post(reverse("survey-campaign-new"), data).status_code == 302
    assert Campaign.objects.get().target == {"schools": [world.school_a.pk]}


def test_only_the_chosen_kinds_parameters_are_kept(client, world):
    data = form_data(world, target_kind=TargetKind.MUNICIPALITIES, municipalities=[world.m2.pk], share="0,1")
    assert as_user(client, world.analyst).post(reverse("survey-campaign-new"), data).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.target == {"municipalities": [world.m2.pk]}
    assert campaign.seed is None


# ---------------------------------------------------------------------------
# A campaign's page
# ---------------------------------------------------------------------------


def test_the_institute_sees_facts_coverage_and_buttons(client, world, open_a):
    page = as_user(client, world.analyst).get(reverse("survey-campaign-detail", args=[open_a.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert world.m1.name in text and world.school_a.name in text
    assert page.context["coverage"].total.invited == 2
    for name in ("survey-campaign-remind", "survey-campaign-close", "survey-campaign-links"):
        assert reverse(name, args=[open_a.pk]) in text


def test_a_sample_shows_its_seed_and_a_draft_its_preview(client, world):
    campaign = campaign_make(world.period, target_kind=TargetKind.SAMPLE, target={"size": 2}, seed=2468)
    text = as_user(client, world.analyst).get(reverse("survey-campaign-detail", args=[campaign.pk])).content.decode()
    assert '<span id="seed">2468</span>' in text
    assert "приглашения получат человек: <strong>2</strong>" in text
    assert reverse("survey-campaign-open", args=[campaign.pk]) in text


def test_a_municipal_official_sees_their_schools_only(client, world, open_a):
    other = campaign_make(world.period, target_kind=TargetKind.ROSTER)
    campaigns.campaign_open(campaign=other, user=world.analyst)
    page = as_user(client, world.municipal).get(reverse("survey-campaign-detail", args=[other.pk]))
    text = page.content.decode()
    assert [row.name for row in page.context["coverage"].rows] == [world.school_a.name, world.school_c.name]
    assert world.school_b.name not in text and world.m2.name not in text
    assert reverse("survey-campaign-close", args=[other.pk]) not in text
    assert (
        client.get(reverse("survey-campaign-detail", args=[other.pk]) + f"?municipality={world.m2.pk}").status_code
        == 404
    )


def test_out_of_scope_campaigns_are_not_found(client, world, open_a, draft):
    assert as_user(client, world.head_b).get(reverse("survey-campaign-detail", args=[open_a.pk])).status_code == 404
    assert as_user(client, world.municipal).get(reverse("survey-campaign-detail", args=[draft.pk])).status_code == 404
    assert as_user(client, world.ministry).get(reverse("survey-campaign-detail", args=[draft.pk])).status_code == 200


# ---------------------------------------------------------------------------
# The writes
# ---------------------------------------------------------------------------


def test_a_writer_opens_reminds_and_closes(client, world, draft):
    world.teacher.email = "anna@example.org"
    world.teacher.save()
    as_user(client, world.analyst)
    detail = reverse("survey-campaign-detail", args=[draft.pk])
    answer = client.post(reverse("survey-campaign-open", args=[draft.pk]), follow=True)
    assert answer.redirect_chain == [(detail, 302)]
    assert "Опрос начат. Приглашений: 3." in answer.content.decode()
    answer = client.post(reverse("survey-campaign-remind", args=[draft.pk]), follow=True)
    assert "Напоминания отправлены: 1. Без адреса электронной почты: 2." in answer.content.decode()
    assert len(mail.outbox) == 1
    answer = client.post(reverse("survey-campaign-open", args=[draft.pk]), follow=True)
    assert "уже начат" in answer.content.decode()
    client.post(reverse("survey-campaign-close", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.CLOSED


def test_a_failed_reminder_is_counted_on_the_page_not_a_500(client, world, draft, settings):
    settings.EMAIL_BACKEND = "tests.deficits.questionnaire.test_campaigns.RefusingBackend"
    world.teacher.email = "broken@example.org"
    world.teacher.save()
    as_user(client, world.analyst)
    client.post(reverse("survey-campaign-open", args=[draft.pk]))
    answer = client.post(reverse("survey-campaign-remind", args=[draft.pk]), follow=True)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Напоминания отправлены: 0." in text
    assert "Не удалось отправить: 1." in text
    assert not mail.outbox
    assert draft.invitations.get(teacher=world.teacher_a).reminded_at is None


def test_writes_are_post_only(client, world, draft):
    as_user(client, world.analyst)
    for name in ("survey-campaign-open", "survey-campaign-close", "survey-campaign-remind"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 405
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT


def test_a_head_can_neither_remind_nor_close(client, world, open_a):
    world.teacher.email = "anna@example.org"
    world.teacher.save()
    as_user(client, world.head_a)
    assert client.post(reverse("survey-campaign-remind", args=[open_a.pk])).status_code == 403
    assert client.post(reverse("survey-campaign-close", args=[open_a.pk])).status_code == 403
    as_user(client, world.head_b)
    assert client.post(reverse("survey-campaign-close", args=[open_a.pk])).status_code == 404
    open_a.refresh_from_db()
    assert open_a.status == CampaignStatus.OPEN
    assert not mail.outbox


# ---------------------------------------------------------------------------
# Links: the CSV and a school's invitations
# ---------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_writer_downloads_the_links_of_everyone_waiting(client, world, settings):
    settings.PORTAL_URL = "https://portal.example"
    campaign = campaign_make(world.period)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    Invitation.objects.filter(campaign=campaign, teacher=world.teacher_c).update(answered=True)
    response = as_user(client, world.analyst).get(reverse("survey-campaign-links", args=[campaign.pk]))
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = rows_of(response)
    assert header[-1] == "Персональная ссылка"
    assert sorted(row[3] for row in rows) == sorted([world.teacher_a.full_name, world.teacher_b.full_name])
    invitation = campaign.invitations.get(teacher=world.teacher_a)
    assert campaigns.invitation_link(invitation=invitation) in [row[-1] for row in rows]


def test_a_head_downloads_their_schools_links_only(client, world):
    campaign = campaign_make(world.period)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    _, *rows = rows_of(as_user(client, world.head_a).get(reverse("survey-campaign-links", args=[campaign.pk])))
    assert [row[3] for row in rows] == [world.teacher_a.full_name]
    assert as_user(client, world.municipal).get(reverse("survey-campaign-links", args=[campaign.pk])).status_code == 404


def test_a_head_sees_their_schools_invitations_with_links(client, world, open_a):
    url = reverse("survey-campaign-school", args=[open_a.pk, world.school_a.pk])
    page = as_user(client, world.head_a).get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert world.teacher_a.full_name in text
    link = campaigns.invitation_link(invitation=open_a.invitations.get(teacher=world.teacher_a))
    assert f'value="{link}"' in text
    # Another school of the campaign is not theirs.
    other = reverse("survey-campaign-school", args=[open_a.pk, world.school_c.pk])
    assert client.get(other).status_code == 404


def test_a_municipal_official_sees_the_state_without_links(client, world, open_a):
    url = reverse("survey-campaign-school", args=[open_a.pk, world.school_c.pk])
    page = as_user(client, world.municipal).get(url)
    text = page.content.decode()
    assert world.teacher_c.full_name in text and "ответ получен" in text
    assert "/surveys/a/" not in text
    b = reverse("survey-campaign-school", args=[open_a.pk, world.school_b.pk])
    assert client.get(b).status_code == 404


def test_no_links_once_closed(client, world, open_a):
    campaigns.campaign_close(campaign=open_a, user=world.analyst)
    url = reverse("survey-campaign-school", args=[open_a.pk, world.school_a.pk])
    assert "/surveys/a/" not in as_user(client, world.head_a).get(url).content.decode()


def test_the_pages_fit_a_phone(client, world, open_a):
    """Wide tables scroll inside their own region, so the page itself never does at 390 px."""
    as_user(client, world.analyst)
    for url in (
        reverse("survey-campaign-list"),
        reverse("survey-campaign-detail", args=[open_a.pk]),
        reverse("survey-campaign-school", args=[open_a.pk, world.school_a.pk]),
    ):
        text = client.get(url).content.decode()
        assert text.count("<table") == text.count('class="table-responsive"')
        assert '<meta name="viewport"' in text


def test_the_list_counts_each_readers_part(client, world, open_a):
    as_user(client, world.analyst)
    assert "1 / 2 (50,0 %)" in client.get(reverse("survey-campaign-list")).content.decode()
    as_user(client, world.head_a)
    assert "0 / 1 (0,0 %)" in client.get(reverse("survey-campaign-list")).content.decode()


def test_a_draft_sample_shows_its_allocation_by_municipality(client, world):
    for _ in range(6):
        factories.RosterEntryFactory(period=world.period, school=world.school_b)
    campaign = campaign_make(world.period, target_kind=TargetKind.SAMPLE, target={"share": 0.5}, seed=1)
    page = as_user(client, world.analyst).get(reverse("survey-campaign-detail", args=[campaign.pk]))
    # Nine teachers: M1 has 2, M2 has 7; 4.5 -> 5, shared 1.11 / 3.89 -> 1 and 4.
    assert page.context["preview_rows"] == [(world.m1.name, 1), (world.m2.name, 4)]


def test_every_problem_of_the_form_shows_at_once(client, world):
    data = {"title": "", "target_kind": TargetKind.SAMPLE, "share": "abc", "period": world.period.pk}
    page = as_user(client, world.analyst).post(reverse("survey-campaign-new"), data)
    errors = page.context["form"].errors
    assert set(errors) >= {"title", "edition", "opens", "closes", "share"}
    assert "Доля — число от 0 до 1" in errors["share"][0]


def test_the_region_wide_go_back_from_a_municipality_others_stay_in_theirs(client, world, open_a):
    url = reverse("survey-campaign-detail", args=[open_a.pk])
    back = f'href="{url}">← по всем муниципалитетам'
    assert back in as_user(client, world.ministry).get(url + f"?municipality={world.m1.pk}").content.decode()
    assert back not in as_user(client, world.municipal).get(url).content.decode()


def test_a_name_that_looks_like_a_formula_stays_text_in_the_links_file(client, world):
    world.teacher_a.full_name = '=HYPERLINK("http://evil")'
    world.teacher_a.save(update_fields=["full_name"])
    campaign = campaign_make(world.period)
    campaigns.campaign_open(campaign=campaign, user=world.analyst)
    _, *rows = rows_of(as_user(client, world.analyst).get(reverse("survey-campaign-links", args=[campaign.pk])))
    names = [row[3] for row in rows]
    assert '\'=HYPERLINK("http://evil")' in names and not any(name.startswith("=") for name in names)
