"""Survey responses as a population: its fields filter the right rows, its placement, the shipped share by hand.

Run on the embedded default and on PostgreSQL (``DATABASE_URL=postgres://…``): the level
and flag fields read JSON keys of ``Response.scores``, which each database does its own way.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from deficits.models import Campaign, CampaignStatus, Questionnaire, RespondentRole, Response, TargetKind
from deficits.questionnaire.shipped import shipped_questionnaires_load
from indicators.context import Context
from indicators.declarative.compiler import compile_definition, conditions_q, population_rows
from indicators.declarative.files import catalog_load
from indicators.declarative.services import catalog_adopt
from indicators.declarative.shipped import SHIPPED_DIR
from indicators.declarative.spec import DefinitionInvalid, validate
from indicators.declarative.vocabulary import POPULATIONS
from indicators.engine import compute_period, contributions
from indicators.models import Level
from tests import factories
from tests.indicators.helpers import value

pytestmark = pytest.mark.django_db

HIGH, MID, LOW = "высокий", "средний", "низкий"
GENERAL = "общеобразовательная"


def scores(ei: str, ot: str = LOW, sd: str = LOW) -> dict:
    return {
        code: {"score": 0, "level": level, "flag": level == HIGH}
        for code, level in (("ЭИ", ei), ("ОТ", ot), ("СД", sd))
    }


@pytest.fixture
def surveys(world):
    """Burnout: an anonymous campaign (m1: 5 responses, m2: 5), a small anonymous one (m2: 2, never counted)
    and a named one (school A); named course feedback; a burnout campaign of another period.
    High exhaustion counted: 2 of 5 anonymous and 1 named in m1, 1 of 5 in m2."""
    shipped_questionnaires_load()
    burnout = Questionnaire.objects.get(code="burnout").editions.get()
    feedback = Questionnaire.objects.get(code="course-feedback").editions.get()
    other_period = factories.PeriodFactory(year=2024)

    def campaign(edition, title, *, anonymous=True, period=None, status=CampaignStatus.CLOSED):
        return Campaign.objects.create(
            status=status,
            edition=edition,
            period=period or world.period,
            title=title,
            opens="2025-03-01",
            closes="2025-03-20",
            anonymous=anonymous,
            target_kind=TargetKind.SAMPLE,
        )

    anonymous = campaign(burnout, "Выгорание, выборка")
    small = campaign(burnout, "Выгорание, малая выборка")
    named = campaign(burnout, "Выгорание, школа А", anonymous=False)
    course = campaign(feedback, "Отзывы о курсах", anonymous=False)
    old = campaign(burnout, "Выгорание 2024", period=other_period)

    def response(
        camp, municipality, level_scores, *, school=None, role=RespondentRole.TEACHER, kind="общеобразовательная"
    ):
        return Response.objects.create(
            campaign=camp,
            edition=camp.edition,
            anonymous=camp.anonymous,
            school=school,
            teacher=world.teacher_a if school else None,
            municipality=municipality,
            school_kind=kind,
            role=role,
            answers={},
            scores=level_scores,
        )

    rows = {
        "a1": response(anonymous, world.m1, scores(HIGH)),
        "a2": response(anonymous, world.m1, scores(HIGH, ot=HIGH)),
        "a3": response(anonymous, world.m1, scores(MID), kind="дошкольная"),
        "a4": response(anonymous, world.m2, scores(HIGH), role=RespondentRole.HEAD),
        "a5": response(anonymous, world.m2, scores(LOW, sd=HIGH)),
        "a6": response(anonymous, world.m1, scores(LOW)),
        "a7": response(anonymous, world.m1, scores(MID)),
        "a8": response(anonymous, world.m2, scores(LOW)),
        "a9": response(anonymous, world.m2, scores(LOW)),
        "a10": response(anonymous, world.m2, scores(MID)),
        "s1": response(small, world.m2, scores(HIGH)),
        "s2": response(small, world.m2, scores(HIGH)),
        "n1": response(named, world.m1, scores(HIGH), school=world.school_a),
        "c1": response(course, world.m1, {"СОД": {"score": 8, "level": "низкая", "flag": True}}, school=world.school_a),
        "c2": response(
            course, world.m2, {"СОД": {"score": 18, "level": "высокая", "flag": False}}, school=world.school_b
        ),
        "o1": response(old, world.m1, scores(HIGH)),
    }
    return world, rows


def matched(world, *conditions) -> set:
    spec = validate(
        {
            "code": "Т",
            "title": "Проверка",
            "direction": 1,
            "unit": "count",
            "population": "survey_responses",
            "numerator": list(conditions),
        }
    )
    pop = POPULATIONS["survey_responses"]
    ctx = Context(period=world.period)
    rows = population_rows(ctx, pop)
    if spec["numerator"]:
        rows = rows.filter(conditions_q(ctx, pop, spec["numerator"]))
    return set(rows.values_list("pk", flat=True))


def names(rows, *keys) -> set:
    return {rows[k].pk for k in keys}


ANONYMOUS = ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10")


def test_only_the_periods_campaigns_count_and_never_an_anonymous_group_below_five(surveys):
    world, rows = surveys
    # s1, s2: the small campaign's two respondents of m2 are not counted at all; o1: another period.
    assert matched(world) == names(rows, *ANONYMOUS, "n1", "c1", "c2")


def test_questionnaire_campaign_role_school_kind_and_anonymity(surveys):
    world, rows = surveys
    burnout = {"field": "questionnaire", "op": "eq", "value": "burnout"}
    assert matched(world, burnout) == names(rows, *ANONYMOUS, "n1")
    assert matched(world, {"field": "questionnaire", "op": "in", "value": ["course-feedback"]}) == names(
        rows, "c1", "c2"
    )
    assert matched(world, {"field": "campaign", "op": "contains", "value": "школа А"}) == names(rows, "n1")
    assert matched(world, {"field": "role", "op": "in", "value": ["head"]}) == names(rows, "a4")
    assert matched(world, burnout, {"field": "school_kind", "op": "in", "value": ["дошкольная"]}) == names(rows, "a3")
    assert matched(world, burnout, {"field": "anonymous", "op": "is", "value": False}) == names(rows, "n1")


def test_level_in_a_group(surveys):
    world, rows = surveys
    assert matched(world, {"field": "level_in", "op": "in", "value": ["ЭИ:высокий"]}) == names(
        rows, "a1", "a2", "a4", "n1"
    )
    # Any of the pairs; another group's level is not the exhaustion's.
    assert matched(world, {"field": "level_in", "op": "in", "value": ["ОТ:высокий", "СД:высокий"]}) == names(
        rows, "a2", "a5"
    )
    burnout = {"field": "questionnaire", "op": "eq", "value": "burnout"}
    assert matched(world, burnout, {"field": "level_in", "op": "not_in", "value": ["ЭИ:высокий"]}) == names(
        rows, "a3", "a5", "a6", "a7", "a8", "a9", "a10"
    )
    assert matched(world, {"field": "level_in", "op": "in", "value": ["СОД:низкая"]}) == names(rows, "c1")
    # A response without the group is not at that level either.
    not_high = {"field": "level_in", "op": "not_in", "value": ["ЭИ:высокий"]}
    assert matched(world, not_high) == names(rows, "a3", "a5", "a6", "a7", "a8", "a9", "a10", "c1", "c2")


def test_a_group_code_is_data_not_a_lookup(surveys):
    # A code with "__" or a lookup's name matches nothing instead of reaching another lookup.
    world, _rows = surveys
    assert matched(world, {"field": "level_in", "op": "in", "value": ["ЭИ__contains:высокий"]}) == set()
    assert matched(world, {"field": "level_in", "op": "in", "value": ["level:высокий"]}) == set()


def test_flagged_in_at_least_one_group(surveys):
    world, rows = surveys
    flagged = {"field": "flagged", "op": "is", "value": True}
    assert matched(world, flagged) == names(rows, "a1", "a2", "a4", "a5", "n1", "c1")
    assert matched(world, {"field": "flagged", "op": "is", "value": False}) == names(
        rows, "a3", "a6", "a7", "a8", "a9", "a10", "c2"
    )


def shipped_spec() -> dict:
    data = json.loads((SHIPPED_DIR / "questionnaires.json").read_text(encoding="utf-8"))
    [spec] = [s for s in data["indicators"] if s["code"] == "АН.1"]
    return spec


def test_named_responses_are_placed_at_their_school_anonymous_ones_at_their_municipality(surveys):
    world, _rows = surveys
    defn = compile_definition(validate({**shipped_spec(), "start": "school"}))
    out: dict = {}
    for c in contributions(defn, Context(period=world.period)):
        num, den = out.get((c.level, c.org_id), (0, 0))
        out[(c.level, c.org_id)] = (num + c.numerator, den + (c.denominator or 0))
    assert out[(Level.SCHOOL, world.school_a.pk)] == (1, 1)
    # School B's only response is course feedback (outside the denominator); anonymous ones are the municipalities'.
    assert out[(Level.SCHOOL, world.school_b.pk)] == (0, 0)
    assert out[(Level.MUNICIPALITY, world.m1.pk)] == (2, 5) and out[(Level.MUNICIPALITY, world.m2.pk)] == (1, 5)


def test_the_shipped_share_of_high_exhaustion_equals_a_hand_count(surveys):
    world, _rows = surveys
    catalog = catalog_load(data=(SHIPPED_DIR / "questionnaires.json").read_bytes(), user=None)
    catalog_adopt(period=world.period, catalog=catalog, user=None, compute=False)
    compute_period(period=world.period)
    # m1: a1, a2 and the named n1 high of a1, a2, a3, a6, a7, n1: 3 of 6; m2: a4 of a4, a5, a8, a9, a10
    # (the small campaign's s1, s2 are not counted); the region 4 of 11.
    assert value(world.period, "АН.1", Level.MUNICIPALITY, world.m1.code) == (Decimal(3), Decimal(6), Decimal(50))
    assert value(world.period, "АН.1", Level.MUNICIPALITY, world.m2.code) == (Decimal(1), Decimal(5), Decimal(20))
    num, den, share = value(world.period, "АН.1", Level.REGION, "34")
    assert (num, den) == (Decimal(4), Decimal(11))
    assert share == pytest.approx(Decimal("36.36"), abs=Decimal("0.01"))


def test_a_burnout_share_written_in_the_builder_validates():
    spec = validate(shipped_spec())
    assert spec["population"] == "survey_responses" and spec["start"] == Level.MUNICIPALITY
    # No breakdown that would split an anonymous group below five.
    for field in ("level_in", "role", "school_kind", "anonymous"):
        with pytest.raises(DefinitionInvalid) as refused:
            validate({**shipped_spec(), "breakdown": field})
        assert refused.value.errors == [f"Разрез: по полю «{field}» разрез не строится."]


def test_the_builder_offers_the_population_and_its_fields(world):
    client = Client()
    client.force_login(world.analyst)
    html = client.get("/indicators/builder/new/").content.decode()
    vocab = json.loads(re.search(r'id="builder-vocabulary" type="application/json">(.*?)</script>', html, re.S)[1])
    responses = vocab["populations"]["survey_responses"]
    fields = {f["name"]: f for g in responses["groups"] for f in g["fields"]}
    assert {"questionnaire", "campaign", "role", "school_kind", "anonymous", "level_in", "flagged"} <= set(fields)
    assert fields["level_in"]["kind"] == "tag" and fields["flagged"]["kind"] == "bool"


def test_an_anonymous_campaign_counts_once_closed_and_only_where_its_results_show_a_group(surveys):
    """While answers arrive two computations differ by one person; m1 (5) beside m2 (1) would leave m2's one
    answer as the region's total minus m1's, so the cross-tab merges both and neither counts."""
    world, rows = surveys
    edition = rows["a1"].edition
    running = Campaign.objects.create(
        edition=edition, period=world.period, title="Идет", opens="2025-03-01", closes="2025-03-20",
        anonymous=True, target_kind=TargetKind.SAMPLE, status=CampaignStatus.OPEN,
    )
    lopsided = Campaign.objects.create(
        edition=edition, period=world.period, title="5 и 1", opens="2025-03-01", closes="2025-03-20",
        anonymous=True, target_kind=TargetKind.SAMPLE, status=CampaignStatus.CLOSED,
    )
    added = set()
    for camp, places in ((running, [world.m1] * 6), (lopsided, [world.m1] * 5 + [world.m2])):
        for municipality in places:
            added.add(
                Response.objects.create(
                    campaign=camp, edition=edition, anonymous=True, municipality=municipality, answers={},
                    scores=rows["a1"].scores,
                ).pk
            )
    assert not matched(world) & added
    running.status = CampaignStatus.CLOSED
    running.save(update_fields=["status"])
    assert matched(world) & added == set(running.responses.values_list("pk", flat=True))
