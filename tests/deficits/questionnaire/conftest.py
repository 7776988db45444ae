"""Fixtures of the questionnaires' tests: a small form, campaigns and responses made directly.

``survey_form`` has one of each tallied item type, a text item and a scored group;
``make_campaign`` and ``add_response`` write Questionnaire/Edition/Campaign/Response rows
without the answering doors (other tests cover those), and ``tallies_rebuild`` counts them.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from deficits.models import (
    Campaign,
    CampaignStatus,
    Questionnaire,
    QuestionnaireEdition,
    RespondentRole,
    Response,
    TargetKind,
)
from deficits.questionnaire.scoring import score_answers

SURVEY_FORM = {
    "title": "Самочувствие педагога",
    "form_id": "wellbeing",
    "version": "1",
    "sections": [
        {
            "name": "main",
            "title": "Основное",
            "relevant": "",
            "items": [
                {
                    "name": "mood",
                    "type": "single",
                    "label": "Как вы себя чувствуете?",
                    "list": "mood",
                    "required": True,
                },
                {"name": "load", "type": "multiple", "label": "Что вас нагружает?", "list": "load"},
                {"name": "tired", "type": "scale", "label": "Усталость", "start": 1, "end": 5, "step": 1},
                {"name": "hours", "type": "number", "label": "Часов в неделю", "integer": True},
                {"name": "since", "type": "date", "label": "С какого дня"},
                {"name": "comment", "type": "long_text", "label": "Что бы вы изменили?"},
            ],
        }
    ],
    "choice_lists": {
        "mood": [
            {"name": "good", "label": "Хорошо"},
            {"name": "so", "label": "Так себе"},
            {"name": "bad", "label": "Плохо"},
        ],
        "load": [
            {"name": "papers", "label": "Отчеты"},
            {"name": "hours", "label": "Часы"},
            {"name": "class", "label": "Классное руководство"},
        ],
    },
}
SURVEY_SCORING = {
    "groups": [{"code": "burn", "name": "Выгорание", "items": ["tired"]}],
    "bands": [
        {"name": "низкий", "min": 0, "max": 2},
        {"name": "средний", "min": 3, "max": 3},
        {"name": "высокий", "min": 4, "max": 5, "flag": True},
    ],
}

_codes = itertools.count(1)


@pytest.fixture
def make_campaign(world):
    # Closed by default: an anonymous campaign's answers are shown only once it is closed.
    def make(
        *,
        anonymous: bool = False,
        definition=None,
        scoring=None,
        title: str = "Опрос о самочувствии",
        status: str = CampaignStatus.CLOSED,
    ):
        n = next(_codes)
        questionnaire = Questionnaire.objects.create(code=f"wellbeing-{n}", title="Самочувствие педагога")
        edition = QuestionnaireEdition.objects.create(
            questionnaire=questionnaire,
            version=1,
            definition=definition or SURVEY_FORM,
            scoring=SURVEY_SCORING if scoring is None else scoring,
        )
        return Campaign.objects.create(
            edition=edition,
            period=world.period,
            title=title,
            opens=dt.date(2025, 10, 1),
            closes=dt.date(2025, 10, 31),
            anonymous=anonymous,
            target_kind=TargetKind.ROSTER,
            status=status,
        )

    return make


@pytest.fixture
def add_response():
    def add(
        campaign,
        *,
        municipality,
        answers,
        school=None,
        teacher=None,
        kind="общеобразовательная",
        role=RespondentRole.TEACHER,
    ):
        edition = campaign.edition
        named = not campaign.anonymous
        return Response.objects.create(
            campaign=campaign,
            edition=edition,
            anonymous=campaign.anonymous,
            teacher=teacher if named else None,
            school=school if named else None,
            submitted_at=dt.datetime(2025, 10, 5, 10, 0, tzinfo=dt.UTC) if named else None,
            municipality=municipality,
            school_kind=kind,
            role=role,
            answers=answers,
            scores=score_answers(definition=edition.definition, scoring=edition.scoring, answers=answers),
        )

    return add
