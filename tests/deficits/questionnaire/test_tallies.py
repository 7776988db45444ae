"""Tallies: what one response adds, the upsert that adds it, and the rebuild that recounts a campaign."""

from __future__ import annotations

import datetime as dt

import pytest

from deficits.models import Campaign, Questionnaire, QuestionnaireEdition, Response, ResponseTally, TargetKind
from deficits.questionnaire.tallies import tallies_add, tallies_rebuild, tally_keys

FORM = {
    "title": "Опрос",
    "form_id": "t",
    "version": "1",
    "sections": [
        {
            "name": "",
            "title": "",
            "relevant": "",
            "items": [
                {"name": "pick", "type": "single", "list": "yn", "label": "Да или нет"},
                {"name": "many", "type": "multiple", "list": "yn", "label": "Несколько"},
                {"name": "rate", "type": "scale", "start": 1, "end": 5, "step": 1, "label": "Оценка"},
                {"name": "when", "type": "date", "label": "Когда"},
                {"name": "why", "type": "text", "label": "Почему"},
            ],
        }
    ],
    "choice_lists": {"yn": [{"name": "yes", "label": "Да"}, {"name": "no", "label": "Нет"}]},
}


def test_a_response_adds_a_respondent_and_each_answer_but_no_free_text():
    keys = tally_keys(
        definition=FORM,
        answers={"pick": "yes", "many": ["yes", "no"], "rate": 4.0, "when": "2025-03-01", "why": "потому что"},
        scores={"ЭИ": {"score": 9, "level": "высокий", "flag": True}, "X": {"score": 0, "level": "", "flag": False}},
    )
    assert keys == [
        ("", ""),
        ("pick", "yes"),
        ("many", "yes"),
        ("many", "no"),
        ("rate", "4"),
        ("when", "2025-03-01"),
        ("score:ЭИ", "высокий"),
    ]


def test_an_unanswered_item_adds_nothing():
    assert tally_keys(definition=FORM, answers={"pick": "", "many": []}, scores={}) == [("", "")]


@pytest.fixture
def campaign(world):
    questionnaire = Questionnaire.objects.create(code="t", title="Опрос")
    edition = QuestionnaireEdition.objects.create(questionnaire=questionnaire, version=1, definition=FORM)
    return Campaign.objects.create(
        edition=edition,
        period=world.period,
        title="Опрос",
        opens=dt.date(2025, 3, 1),
        closes=dt.date(2025, 3, 31),
        anonymous=True,
        target_kind=TargetKind.ROSTER,
    )


def _respond(campaign, municipality, answers, *, kind="school"):
    response = Response.objects.create(
        campaign=campaign,
        edition=campaign.edition,
        anonymous=True,
        municipality=municipality,
        school_kind=kind,
        answers=answers,
    )
    tallies_add(response=response, definition=FORM)
    return response


def _counts(campaign):
    return {
        (t.item, t.value, t.municipality_id, t.school_kind, t.role): t.count
        for t in ResponseTally.objects.filter(campaign=campaign)
    }


def test_submissions_add_to_the_counts_and_a_rebuild_recounts_the_same(campaign, world):
    m1, m2 = world.school_a.municipality, world.school_b.municipality
    _respond(campaign, m1, {"pick": "yes", "rate": 5})
    _respond(campaign, m1, {"pick": "yes", "many": ["no"]})
    _respond(campaign, m2, {"pick": "no"})
    added = _counts(campaign)
    assert added[("", "", m1.pk, "school", "teacher")] == 2
    assert added[("pick", "yes", m1.pk, "school", "teacher")] == 2
    assert added[("pick", "no", m2.pk, "school", "teacher")] == 1
    assert tallies_rebuild(campaign=campaign) == len(added)
    assert _counts(campaign) == added


def test_a_rebuild_forgets_what_no_response_says_any_more(campaign, world):
    m1 = world.school_a.municipality
    gone = _respond(campaign, m1, {"pick": "no"})
    _respond(campaign, m1, {"pick": "yes"})
    gone.delete()
    tallies_rebuild(campaign=campaign)
    assert ("pick", "no", m1.pk, "school", "teacher") not in _counts(campaign)
    assert _counts(campaign)[("", "", m1.pk, "school", "teacher")] == 1
