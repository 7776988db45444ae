"""What a submitted response does by questionnaire: the digital self-assessment stores the school's four scores."""

from __future__ import annotations

import pytest

from deficits.models import Campaign, Questionnaire, RespondentRole, Response, TargetKind
from deficits.questionnaire import hooks
from deficits.questionnaire.scoring import score_answers
from deficits.questionnaire.shipped import (
    DIGITAL,
    digital_area_scores,
    digital_scores_store,
    shipped_questionnaires_load,
)
from monitoring.models import DigitalEnvironmentScore, PeriodStatus

pytestmark = pytest.mark.django_db

# Answers by area, chosen for the rounding: 3.75 → 4, 2.5 → 3 (half up), 0.5 → 1, 1.25 → 1.
AREAS = {
    "inf": ["4", "4", "4", "3"],
    "tools": ["2", "2", "3", "3"],
    "use": ["0", "0", "1", "1"],
    "pd": ["1", "1", "1", "2"],
}
EXPECTED = {"infrastructure": 4, "tools": 3, "usage": 1, "professional_development": 1}


def answers(**areas) -> dict:
    out = {}
    for short, values in {**AREAS, **areas}.items():
        out.update({f"d_{short}_{i}": value for i, value in enumerate(values, 1)})
    return out


@pytest.fixture
def digital(world):
    shipped_questionnaires_load()
    edition = Questionnaire.objects.get(code=DIGITAL).editions.get()

    def campaign(*, anonymous=False):
        return Campaign.objects.create(
            edition=edition,
            period=world.period,
            title="Цифровая среда школ",
            opens="2025-04-01",
            closes="2025-04-20",
            anonymous=anonymous,
            target_kind=TargetKind.HEADS,
        )

    def submit(*, camp=None, role=RespondentRole.HEAD, given=None, school=world.school_a):
        camp = camp or campaign()
        given = answers() if given is None else given
        anonymous = camp.anonymous
        response = Response.objects.create(
            campaign=camp,
            edition=edition,
            anonymous=anonymous,
            school=None if anonymous else school,
            municipality=school.municipality,
            school_kind=school.kind,
            role=role,
            answers=given,
            scores=score_answers(definition=edition.definition, scoring=edition.scoring, answers=given),
        )
        hooks.response_submitted(response=response)
        return response

    return world, campaign, submit


def stored(world, school) -> dict | None:
    row = DigitalEnvironmentScore.objects.filter(period=world.period, school=school).first()
    if row is None:
        return None
    return {name: getattr(row, name) for name in EXPECTED}


def test_the_hook_is_registered_at_startup():
    assert digital_scores_store in hooks.ON_SUBMIT[DIGITAL]


def test_a_heads_response_stores_the_schools_four_scores_rounded_half_up(digital):
    world, _campaign, submit = digital
    submit()
    assert stored(world, world.school_a) == EXPECTED
    assert stored(world, world.school_b) is None


def test_a_later_response_updates_the_scores_of_the_period(digital):
    world, _campaign, submit = digital
    DigitalEnvironmentScore.objects.create(
        period=world.period, school=world.school_a, infrastructure=0, tools=0, usage=0, professional_development=0
    )
    submit(given=answers(inf=["2", "2", "2", "2"]))
    assert stored(world, world.school_a) == {**EXPECTED, "infrastructure": 2}
    assert DigitalEnvironmentScore.objects.filter(school=world.school_a).count() == 1


@pytest.mark.parametrize("case", ["anonymous", "teacher", "closed period", "area unanswered"])
def test_nothing_is_stored_when_the_response_does_not_speak_for_the_school(digital, case):
    world, campaign, submit = digital
    if case == "anonymous":
        submit(camp=campaign(anonymous=True))
    elif case == "teacher":
        submit(role=RespondentRole.TEACHER)
    elif case == "closed period":
        camp = campaign()
        world.period.status = PeriodStatus.CLOSED
        world.period.save()
        submit(camp=camp)
    else:
        given = answers()
        for i in range(1, 5):
            given.pop(f"d_pd_{i}")
        submit(given=given)
    assert not DigitalEnvironmentScore.objects.exists()


def test_area_scores_are_the_rounded_mean_of_the_answers_given(digital):
    edition = Questionnaire.objects.get(code=DIGITAL).editions.get()
    given = answers(inf=["4", "3", "", ""])  # two answered: 3.5 → 4
    scores = digital_area_scores(definition=edition.definition, scoring=edition.scoring, answers=given)
    assert scores == {**EXPECTED, "infrastructure": 4}
    assert all(0 <= v <= 4 for v in scores.values())


def test_other_questionnaires_have_no_hook(digital):
    assert set(hooks.ON_SUBMIT) >= {DIGITAL}
    assert "burnout" not in hooks.ON_SUBMIT
