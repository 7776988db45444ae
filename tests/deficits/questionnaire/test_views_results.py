"""The results doors: who reads them, what the page shows, cross-tabs, free text, downloads."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from deficits.models import CampaignStatus, Invitation, RespondentRole
from deficits.questionnaire.results import ITEM_TOO_FEW, OTHERS, REGION_ONLY, TEXTS_TOO_FEW, TOO_FEW, WHILE_OPEN
from deficits.questionnaire.tallies import tallies_rebuild

pytestmark = pytest.mark.django_db


def _fill(campaign, add_response, places, comment="Больше времени на методику"):
    for municipality, count in places:
        for n in range(count):
            add_response(
                campaign,
                municipality=municipality,
                answers={
                    "mood": ["good", "so", "bad"][n % 3],
                    "load": ["papers"],
                    "tired": 1 + n % 5,
                    "comment": f"{comment} {n}",
                },
            )
    tallies_rebuild(campaign=campaign)


def test_the_page_shows_coverage_distributions_tables_and_downloads(client, world, make_campaign, add_response):
    campaign = make_campaign()
    _fill(campaign, add_response, [(world.m1, 4), (world.m2, 3)])
    client.force_login(world.analyst)
    page = client.get(reverse("survey-results", args=[campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Результаты опроса «Опрос о самочувствии»" in html
    assert 'id="respondents">7<' in html
    for text in (
        "Как вы себя чувствуете?",
        "Хорошо",
        "Уровни по группам баллов",
        "Выгорание",
        'id="survey-charts"',
        "survey-results.js",
        "Скачать ответы (Excel, .xlsx)",
        "Свободные ответы",
    ):
        assert text in html, text
    # The table under each chart: «Хорошо» chosen by 3 of 7 (42.9 %).
    assert (
        '<th scope="row" class="fw-normal">Хорошо</th><td class="text-end">3</td><td class="text-end">42,9</td>' in html
    )
    # The first five free answers in the responses' key order, and a link to all seven.
    first = [r.answers["comment"] for r in campaign.responses.order_by("id")][:5]
    assert html.count("Больше времени на методику") == 5
    assert all(text in html for text in first)
    # More than five free answers: a link to all of them.
    assert reverse("survey-results-texts", args=[campaign.pk, "comment"]) in html


def test_heads_and_teachers_get_not_found_and_guests_the_login(client, world, make_campaign, add_response):
    campaign = make_campaign()
    _fill(campaign, add_response, [(world.m1, 5)])
    urls = [
        reverse("survey-results", args=[campaign.pk]),
        reverse("survey-results-crosstab", args=[campaign.pk]) + "?item=mood&by=role",
        reverse("survey-results-texts", args=[campaign.pk, "comment"]),
        reverse("survey-results-export", args=[campaign.pk, "xlsx"]),
        reverse("survey-results-export", args=[campaign.pk, "csv"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    for user in (world.head_a, world.teacher):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404] * 5
    client.force_login(world.ministry)
    assert [client.get(url).status_code for url in urls] == [200] * 5
    assert client.get(reverse("survey-results", args=[campaign.pk + 99])).status_code == 404


def _reached(campaign, world):
    """The campaign reached teacher A (school A, M1): the municipal official's campaign too."""
    Invitation.objects.create(
        campaign=campaign, teacher=world.teacher_a, school=world.school_a, municipality=world.m1, nonce="n"
    )


def test_a_municipal_official_reads_their_municipality(client, world, make_campaign, add_response):
    campaign = make_campaign()
    _reached(campaign, world)
    _fill(campaign, add_response, [(world.m1, 2), (world.m2, 6)])
    client.force_login(world.municipal)
    html = client.get(reverse("survey-results", args=[campaign.pk])).content.decode()
    assert 'id="respondents">2<' in html
    table = client.get(reverse("survey-results-crosstab", args=[campaign.pk]), {"item": "mood", "by": "municipality"})
    assert world.m1.name in table.content.decode() and world.m2.name not in table.content.decode()
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("survey-results-export", args=[campaign.pk, "xlsx"])).getvalue())
    )
    assert workbook.active.max_row == 3


def test_an_anonymous_campaign_is_shown_to_the_region_wide_readers_only(client, world, make_campaign, add_response):
    campaign = make_campaign(anonymous=True)
    _reached(campaign, world)
    _fill(campaign, add_response, [(world.m1, 4), (world.m2, 6)], comment="Тайное мнение")
    client.force_login(world.municipal)
    html = client.get(reverse("survey-results", args=[campaign.pk])).content.decode()
    assert REGION_ONLY in html and "Хорошо" not in html and "Тайное мнение" not in html
    texts = client.get(reverse("survey-results-texts", args=[campaign.pk, "comment"])).content.decode()
    assert REGION_ONLY in texts and "Тайное мнение" not in texts
    table = client.get(reverse("survey-results-crosstab", args=[campaign.pk]), {"item": "mood", "by": "role"})
    assert REGION_ONLY in table.content.decode()
    # The institute sees the region (10): free text without any municipality beside it.
    client.force_login(world.analyst)
    html = client.get(reverse("survey-results", args=[campaign.pk])).content.decode()
    assert "Тайное мнение" in html and TOO_FEW not in html
    assert f"— {world.m1.name}" not in html and f"— {world.m2.name}" not in html
    fragment = client.get(
        reverse("survey-results-crosstab", args=[campaign.pk]),
        {"item": "mood", "by": "municipality"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in fragment and OTHERS in fragment  # M1 (4) merged with M2 (6)
    assert world.m1.name not in fragment


def test_the_crosstab_page_and_refusals(client, world, make_campaign, add_response):
    campaign = make_campaign()
    _fill(campaign, add_response, [(world.m1, 3)])
    add_response(campaign, municipality=world.m1, answers={"mood": "good"}, role=RespondentRole.HEAD)
    tallies_rebuild(campaign=campaign)
    client.force_login(world.analyst)
    url = reverse("survey-results-crosstab", args=[campaign.pk])
    page = client.get(url, {"item": "mood", "by": "role"}).content.decode()
    assert "<html" in page and "Руководитель ОО" in page and "Педагог" in page
    assert client.get(url, {"item": "comment", "by": "role"}).status_code == 404
    assert client.get(url, {"item": "mood", "by": "school"}).status_code == 404
    assert client.get(reverse("survey-results-texts", args=[campaign.pk, "mood"])).status_code == 404
    assert client.get(reverse("survey-results-export", args=[campaign.pk, "pdf"])).status_code == 404


def test_free_texts_are_paginated(client, world, make_campaign, add_response):
    campaign = make_campaign()
    _fill(campaign, add_response, [(world.m1, 55)])
    client.force_login(world.analyst)
    url = reverse("survey-results-texts", args=[campaign.pk, "comment"])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "Ответов: 55" in first and "1 из 2" in first and "2 из 2" in second
    assert first.count('class="list-group-item"') == 50 and second.count('class="list-group-item"') == 5


def test_the_downloads(client, world, make_campaign, add_response):
    campaign = make_campaign()
    _fill(campaign, add_response, [(world.m1, 3)])
    client.force_login(world.analyst)
    xlsx = client.get(reverse("survey-results-export", args=[campaign.pk, "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.getvalue())).active.max_row == 4
    data = b"".join(client.get(reverse("survey-results-export", args=[campaign.pk, "csv"])).streaming_content)
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").count("\r\n") == 4


def test_the_page_reads_as_many_queries_for_many_responses(client, world, make_campaign, add_response):
    small, large = make_campaign(), make_campaign()
    _fill(small, add_response, [(world.m1, 6)])
    _fill(large, add_response, [(world.m1, 60), (world.m2, 40)])
    client.force_login(world.analyst)
    counts = []
    for campaign in (small, large):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("survey-results", args=[campaign.pk])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert counts[1] <= 10


def test_an_anonymous_campaign_still_running_shows_no_answers(client, world, make_campaign, add_response):
    """Two looks a minute apart would differ by one person's answers, and the campaign's page says who answered."""
    campaign = make_campaign(anonymous=True, status=CampaignStatus.OPEN)
    _fill(campaign, add_response, [(world.m1, 10)], comment="Тайное мнение")
    client.force_login(world.analyst)
    html = client.get(reverse("survey-results", args=[campaign.pk])).content.decode()
    assert WHILE_OPEN in html and "Хорошо" not in html and "Тайное мнение" not in html
    table = client.get(reverse("survey-results-crosstab", args=[campaign.pk]), {"item": "mood", "by": "role"})
    assert WHILE_OPEN in table.content.decode()
    texts = client.get(reverse("survey-results-texts", args=[campaign.pk, "comment"])).content.decode()
    assert WHILE_OPEN in texts and "Тайное мнение" not in texts


def test_an_item_answered_by_fewer_than_five_shows_no_counts(client, world, make_campaign, add_response):
    """A question behind skip logic answered by 2 of 8: its answers are a group of two."""
    campaign = make_campaign(anonymous=True)
    for n in range(8):
        answers = {"mood": "good", "tired": 3}
        if n < 2:
            answers["hours"] = 40 + n
            answers["comment"] = f"Тайное мнение {n}"
        add_response(campaign, municipality=world.m1 if n % 2 else world.m2, answers=answers)
    tallies_rebuild(campaign=campaign)
    client.force_login(world.analyst)
    html = client.get(reverse("survey-results", args=[campaign.pk])).content.decode()
    assert ITEM_TOO_FEW in html and "среднее: 40" not in html
    assert TEXTS_TOO_FEW in html and "Тайное мнение" not in html
    table = client.get(reverse("survey-results-crosstab", args=[campaign.pk]), {"item": "hours", "by": "municipality"})
    assert ITEM_TOO_FEW in table.content.decode()
    texts = client.get(reverse("survey-results-texts", args=[campaign.pk, "comment"])).content.decode()
    assert TEXTS_TOO_FEW in texts and "Тайное мнение" not in texts
    # Answered by all eight: shown.
    assert "Хорошо" in html


def test_a_municipal_official_finds_no_campaign_that_did_not_reach_them(client, world, make_campaign, add_response):
    campaign = make_campaign()
    Invitation.objects.create(
        campaign=campaign, teacher=world.teacher_b, school=world.school_b, municipality=world.m2, nonce="n"
    )
    client.force_login(world.municipal)
    for name, args in (
        ("survey-results", [campaign.pk]),
        ("survey-results-crosstab", [campaign.pk]),
        ("survey-results-export", [campaign.pk, "csv"]),
        ("survey-results-texts", [campaign.pk, "comment"]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
