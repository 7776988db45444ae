"""The shipped questionnaires (fixtures/questionnaires): each file is a valid form with a fitting scoring, loads once,
makes a new edition only when the stored one was used; the demo's burnout campaign and its indicator."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client

from deficits.models import (
    Campaign,
    CampaignStatus,
    Invitation,
    Questionnaire,
    QuestionnaireEdition,
    Response,
    ResponseTally,
    TargetKind,
)
from deficits.questionnaire.results import merge_small
from deficits.questionnaire.scoring import score_answers, scoring_check
from deficits.questionnaire.shipped import (
    SHIPPED_DIR,
    Action,
    shipped_file_read,
    shipped_files,
    shipped_questionnaires_load,
)
from deficits.questionnaire.targets import target_reach
from deficits.questionnaire.xlsform import questionnaire_from_xlsform, xlsform_from_questionnaire
from indicators.models import IndicatorValue, Level
from monitoring.demo import seed_demo
from monitoring.models import MonitoringPeriod, PeriodStatus, Role, RosterEntry
from tests import factories

CODES = ["burnout", "course-feedback", "digital-environment", "heads-diagnostic"]


def data(code: str) -> dict:
    return json.loads((SHIPPED_DIR / f"{code}.json").read_text(encoding="utf-8"))


def items(definition: dict) -> dict:
    return {item["name"]: item for section in definition["sections"] for item in section["items"]}


def test_four_questionnaires_are_shipped():
    assert [p.stem for p in shipped_files()] == CODES
    assert [shipped_file_read(p)["code"] for p in shipped_files()] == CODES


@pytest.mark.parametrize("code", CODES)
def test_each_is_an_xlsform_that_reads_back_the_same_and_its_scoring_fits(code):
    content = data(code)
    workbook = xlsform_from_questionnaire(questionnaire=content["definition"])
    assert questionnaire_from_xlsform(source=io.BytesIO(workbook), filename=f"{code}.xlsx") == content["definition"]
    assert content["definition"]["form_id"] == code
    assert scoring_check(definition=content["definition"], scoring=content["scoring"]) == []
    # Russian wording throughout: every label has Cyrillic letters.
    assert all(re.search("[а-яё]", item["label"], re.I) for item in items(content["definition"]).values())


def test_burnout_has_three_groups_on_a_0_to_6_frequency_with_a_flagged_high_band():
    content = data("burnout")
    groups = content["scoring"]["groups"]
    assert [g["code"] for g in groups] == ["ЭИ", "ОТ", "СД"]
    assert 15 <= sum(len(g["items"]) for g in groups) <= 20
    frequency = [c["name"] for c in content["definition"]["choice_lists"]["frequency"]]
    assert frequency == [str(n) for n in range(7)]
    bands = {b["name"]: b for b in content["scoring"]["bands"]}
    assert bands["высокий"]["flag"] and not bands["средний"]["flag"] and not bands["низкий"]["flag"]
    # Every statement answered «каждый день» is the top of the high band; «никогда» the bottom of the low one.
    everyday = {name: "6" for g in groups for name in g["items"]}
    never = {name: "0" for g in groups for name in g["items"]}
    definition, scoring = content["definition"], content["scoring"]
    top = score_answers(definition=definition, scoring=scoring, answers=everyday)
    assert {g: s["level"] for g, s in top.items()} == {"ЭИ": "высокий", "ОТ": "высокий", "СД": "высокий"}
    assert all(
        s["level"] == "низкий" for s in score_answers(definition=definition, scoring=scoring, answers=never).values()
    )


def test_course_feedback_asks_about_attestation_only_those_who_took_it():
    content = data("course-feedback")
    found = items(content["definition"])
    assert found["satisfaction"]["type"] == "scale" and (
        found["satisfaction"]["start"],
        found["satisfaction"]["end"],
    ) == (1, 5)
    attestation = [i for i in found.values() if i["name"].startswith("att_")]
    assert attestation and all(i["relevant"] == "${took_attestation} = 'yes'" for i in attestation)
    sections = {s["name"] for s in content["definition"]["sections"]}
    assert {"conditions", "content", "workload", "attestation"} <= sections


def test_the_digital_self_assessment_scores_the_four_areas_of_the_sheet():
    content = data("digital-environment")
    assert [g["code"] for g in content["scoring"]["groups"]] == [
        "infrastructure", "tools", "usage", "professional_development"
    ]  # fmt: skip
    assert [c["name"] for c in content["definition"]["choice_lists"]["degree"]] == ["0", "1", "2", "3", "4"]


def test_the_heads_diagnostic_flags_a_deficit_per_area():
    content = data("heads-diagnostic")
    assert len(content["scoring"]["groups"]) == 5
    deficit = next(b for b in content["scoring"]["bands"] if b["flag"])
    assert deficit["name"] == "дефицит"


# --- loading ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_loading_twice_writes_nothing_the_second_time(django_assert_max_num_queries):
    first = shipped_questionnaires_load()
    assert [(s.code, s.action) for s in first] == [(code, Action.CREATED) for code in CODES]
    assert Questionnaire.objects.filter(shipped=True).count() == 4 and QuestionnaireEdition.objects.count() == 4
    stamp = list(QuestionnaireEdition.objects.order_by("pk").values_list("pk", "version", "definition", "scoring"))
    again = shipped_questionnaires_load()
    assert [s.action for s in again] == [Action.UNCHANGED] * 4 and not any(s.loaded for s in again)
    assert (
        list(QuestionnaireEdition.objects.order_by("pk").values_list("pk", "version", "definition", "scoring")) == stamp
    )


def changed_copy(tmp_path, code: str = "burnout") -> dict:
    content = data(code)
    content["definition"]["sections"][1]["items"][0]["label"] = "Новая формулировка утверждения."
    (tmp_path / f"{code}.json").write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return content


@pytest.mark.django_db
def test_a_changed_file_updates_an_unused_edition_in_place(tmp_path):
    shipped_questionnaires_load()
    content = changed_copy(tmp_path)
    [item] = shipped_questionnaires_load(directory=tmp_path)
    assert item.action == Action.UPDATED
    edition = Questionnaire.objects.get(code="burnout").editions.get()
    assert edition.version == 1 and edition.definition == content["definition"]


@pytest.mark.django_db
def test_a_changed_file_makes_a_new_edition_when_a_campaign_used_the_stored_one(tmp_path, world):
    shipped_questionnaires_load()
    used = Questionnaire.objects.get(code="burnout").editions.get()
    Campaign.objects.create(
        edition=used, period=world.period, title="Опрос", opens="2025-03-01", closes="2025-03-10",
        target_kind=TargetKind.ROSTER,
    )  # fmt: skip
    content = changed_copy(tmp_path)
    [item] = shipped_questionnaires_load(directory=tmp_path)
    assert item.action == Action.EDITION
    editions = list(Questionnaire.objects.get(code="burnout").editions.order_by("version"))
    assert [e.version for e in editions] == [1, 2]
    # The used edition keeps the form its campaign was given; the new one is the file's.
    assert editions[0].definition == data("burnout")["definition"]
    assert editions[1].definition == content["definition"]
    assert [s.action for s in shipped_questionnaires_load(directory=tmp_path)] == [Action.UNCHANGED]


@pytest.mark.django_db
def test_staffs_own_questionnaire_with_a_shipped_code_is_left_alone():
    own = Questionnaire.objects.create(code="burnout", title="Своя анкета", shipped=False)
    result = {s.code: s.action for s in shipped_questionnaires_load()}
    assert result["burnout"] == Action.SKIPPED
    own.refresh_from_db()
    assert own.title == "Своя анкета" and not own.editions.exists()


def test_a_file_whose_scoring_does_not_fit_is_refused(tmp_path):
    content = data("burnout")
    content["scoring"]["groups"][0]["items"].append("no_such_item")
    path = tmp_path / "burnout.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="вопроса «no_such_item» в анкете нет"):
        shipped_file_read(path)


# --- the demo ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_runs_an_anonymous_burnout_campaign_and_its_share_is_computed():
    seed_demo(size="small", seed=1)
    period = MonitoringPeriod.objects.get(status=PeriodStatus.COLLECTING)
    campaign = Campaign.objects.get(period=period)
    assert campaign.anonymous and campaign.status == CampaignStatus.CLOSED
    assert campaign.edition.questionnaire.code == "burnout" and campaign.target == {"share": 0.1}
    invited = Invitation.objects.filter(campaign=campaign)
    # The sample is the campaigns' own, drawn again from the seed the campaign's page shows.
    again = target_reach(period=period, kind=TargetKind.SAMPLE, params=campaign.target, seed=campaign.seed)
    assert sorted(invited.values_list("teacher_id", flat=True)) == sorted(row.teacher_id for row in again)
    roster = RosterEntry.objects.filter(period=period).count()
    assert roster * 0.1 <= invited.count() <= roster * 0.1 + 10
    responses = Response.objects.filter(campaign=campaign)
    assert responses.count() == invited.filter(answered=True).count() > 0
    # Anonymous: nothing leads back to a person.
    assert not responses.filter(teacher__isnull=False).exists() and not responses.filter(school__isnull=False).exists()
    assert (
        not responses.filter(invitation__isnull=False).exists()
        and not responses.filter(submitted_at__isnull=False).exists()
    )
    # Tallies rebuilt: one respondent row per response.
    assert sum(ResponseTally.objects.filter(campaign=campaign, item="", value="").values_list("count", flat=True)) == (
        responses.count()
    )
    # Counted by hand: the responses of the municipalities the results' cross-tab shows as groups of their own
    # (merge_small: those under five, and the next smallest while they are, never count).
    sizes = Counter(r.municipality_id for r in responses)
    shown, _ = merge_small(sizes)
    counted = [r for r in responses if r.municipality_id in shown]
    high = sum(1 for r in counted if r.scores["ЭИ"]["level"] == "высокий")
    region = IndicatorValue.objects.get(period=period, indicator__code="АН.1", level=Level.REGION, breakdown="")
    assert counted and (region.numerator, region.denominator) == (high, len(counted))
    assert IndicatorValue.objects.filter(period=period, indicator__code="АН.1", level=Level.MUNICIPALITY).exists()
    # On the dashboard: the direction's page and the indicator's own page show it to the institute's analyst.
    client = Client()
    client.force_login(factories.UserFactory(username="analyst-demo", role=Role.ANALYST))
    title = "Доля педагогов с высоким уровнем эмоционального выгорания"
    assert title in client.get("/indicators/directions/1/").content.decode()
    detail = client.get("/indicators/АН.1/")
    assert detail.status_code == 200 and title in detail.content.decode()


@pytest.mark.django_db
def test_the_command_loads_and_says_what_it_did():
    out = io.StringIO()
    call_command("questionnaires_shipped", stdout=out)
    assert "burnout: загружена" in out.getvalue()
    out = io.StringIO()
    call_command("questionnaires_shipped", stdout=out)
    assert out.getvalue().splitlines() == [f"{code}: без изменений" for code in CODES]
