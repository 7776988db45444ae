"""The results' selectors: distributions equal a recount of the responses, cross-tabs, anonymity, scope."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deficits.models import RespondentRole
from deficits.questionnaire import results
from deficits.questionnaire.tallies import tallies_rebuild
from tests import factories

pytestmark = pytest.mark.django_db


def _answers(rng: random.Random) -> dict:
    answers = {"mood": rng.choice(["good", "so", "bad"]), "tired": rng.randint(1, 5)}
    chosen = [c for c in ("papers", "hours", "class") if rng.random() < 0.5]
    if chosen:
        answers["load"] = chosen
    if rng.random() < 0.8:
        answers["hours"] = rng.choice([2, 9, 10, 36])
    if rng.random() < 0.5:
        answers["since"] = rng.choice(["2025-09-01", "2024-09-01"])
    if rng.random() < 0.5:
        answers["comment"] = rng.choice(["Меньше отчетов", "Больше времени", ""])
    return answers


def _fill(campaign, add_response, places, *, seed=1):
    """Responses at each (municipality, count, kind, role) of ``places``; the answers given."""
    rng = random.Random(seed)
    given = []
    for municipality, count, kind, role in places:
        for _ in range(count):
            answers = _answers(rng)
            add_response(campaign, municipality=municipality, answers=answers, kind=kind, role=role)
            given.append((municipality, answers))
    tallies_rebuild(campaign=campaign)
    return given


def _recount(given, name):
    counts = Counter()
    for _, answers in given:
        value = answers.get(name)
        for v in value if isinstance(value, list) else [value]:
            if v not in (None, ""):
                counts[str(v)] += 1
    return counts


TEACHER, HEAD = RespondentRole.TEACHER, RespondentRole.HEAD


def test_merge_small_keeps_large_groups_and_merges_until_five():
    assert results.merge_small({"a": 10, "b": 6}) == (["b", "a"], [])
    # b (3) alone would be total minus a minus c: the next smallest (c) joins it.
    assert results.merge_small({"a": 10, "b": 3, "c": 6}) == (["a"], ["b", "c"])
    # Two small groups of 5 together: merged, nothing else needed.
    assert results.merge_small({"a": 10, "b": 2, "c": 3, "d": 7}) == (["d", "a"], ["b", "c"])
    # Everything small and under five together: all merged (the caller shows nothing below five).
    assert results.merge_small({"a": 1, "b": 2}) == ([], ["a", "b"])
    assert results.merge_small({"a": 0, "b": 7}) == (["b"], [])


def test_distributions_equal_a_recount_of_the_responses(world, make_campaign, add_response):
    campaign = make_campaign()
    given = _fill(
        campaign, add_response, [(world.m1, 23, "общеобразовательная", TEACHER), (world.m2, 17, "дошкольная", HEAD)]
    )
    view = results.overview(campaign=campaign, user=world.analyst)
    assert view.total == 40 and not view.suppressed
    by_name = {d.name: d for d in view.distributions}
    assert list(by_name) == ["mood", "load", "tired", "hours", "since"]  # text items are listed, not counted
    for name, d in by_name.items():
        expected = _recount(given, name)
        if name == "since":  # dates are counted by month
            expected = {k[:7]: n for k, n in expected.items()}
        assert {r.value: r.count for r in d.rows if r.count} == dict(expected), name
        assert all(r.share == round(100 * r.count / 40, 1) for r in d.rows)
    # Choice lists in their order with their labels; a scale's every step; numbers numerically.
    assert [r.label for r in by_name["mood"].rows] == ["Хорошо", "Так себе", "Плохо"]
    assert [r.value for r in by_name["tired"].rows] == ["1", "2", "3", "4", "5"]
    assert [r.value for r in by_name["hours"].rows] == sorted(_recount(given, "hours"), key=int)
    # Means of the scale and the number over those who answered.
    tired = [a["tired"] for _, a in given]
    assert by_name["tired"].mean == round(sum(tired) / len(tired), 2)
    hours = [a["hours"] for _, a in given if "hours" in a]
    assert by_name["hours"].mean == round(sum(hours) / len(hours), 2)
    assert by_name["hours"].unanswered == 40 - len(hours)
    # A multiple choice: the share of respondents choosing each option (they add up past 100 %).
    papers = sum(1 for _, a in given if "papers" in a.get("load", []))
    assert next(r for r in by_name["load"].rows if r.value == "papers").share == round(100 * papers / 40, 1)
    # The score group's levels in band order, recounted from the scale.
    level = {1: "низкий", 2: "низкий", 3: "средний", 4: "высокий", 5: "высокий"}
    levels = Counter(level[t] for t in tired)
    (burn,) = view.scores
    assert [(r.label, r.count) for r in burn.rows] == [(n, levels[n]) for n in ("низкий", "средний", "высокий")]


def test_a_municipal_official_reads_their_municipality_only(world, make_campaign, add_response):
    campaign = make_campaign()
    given = _fill(
        campaign,
        add_response,
        [(world.m1, 8, "общеобразовательная", TEACHER), (world.m2, 9, "общеобразовательная", TEACHER)],
    )
    view = results.overview(campaign=campaign, user=world.municipal)
    assert view.total == 8
    mood = next(d for d in view.distributions if d.name == "mood")
    own = [(m, a) for m, a in given if m == world.m1]
    assert {r.value: r.count for r in mood.rows if r.count} == dict(_recount(own, "mood"))
    table = results.crosstab(campaign=campaign, user=world.municipal, item_name="mood", by="municipality")
    assert [g.label for g in table.groups] == [world.m1.name]
    for user in (world.head_a, world.teacher):
        assert results.respondents(campaign=campaign, user=user) == 0
        assert not results.can_read_results(user)
    assert results.can_read_results(world.ministry) and results.can_read_results(world.municipal)


def test_a_named_campaigns_crosstab_shows_every_group(world, make_campaign, add_response):
    campaign = make_campaign()
    given = _fill(
        campaign, add_response, [(world.m1, 2, "общеобразовательная", TEACHER), (world.m2, 6, "дошкольная", HEAD)]
    )
    table = results.crosstab(campaign=campaign, user=world.analyst, item_name="mood", by="municipality")
    assert [(g.label, g.size) for g in table.groups] == [(world.m1.name, 2), (world.m2.name, 6)]
    m1 = _recount([x for x in given if x[0] == world.m1], "mood")
    assert [row.cells[0][0] for row in table.rows] == [m1[v] for v in ("good", "so", "bad")]
    by_role = results.crosstab(campaign=campaign, user=world.analyst, item_name="load", by="role")
    assert [g.label for g in by_role.groups] == ["Педагог", "Руководитель ОО"]
    by_kind = results.crosstab(campaign=campaign, user=world.analyst, item_name="score:burn", by="school_kind")
    assert [g.label for g in by_kind.groups] == ["дошкольная", "общеобразовательная"]
    assert [r.label for r in by_kind.rows] == ["низкий", "средний", "высокий"]
    assert sum(c for r in by_kind.rows for c, _ in r.cells) == 8
    assert results.crosstab(campaign=campaign, user=world.analyst, item_name="comment", by="role") is None
    assert results.crosstab(campaign=campaign, user=world.analyst, item_name="mood", by="teacher") is None


def test_an_anonymous_crosstab_merges_small_groups_and_the_next_smallest(world, make_campaign, add_response):
    """M2 (3) alone in «Другие» would be the total minus M1 and M3: M3, the next smallest, joins it."""
    m3 = factories.MunicipalityFactory(code="03", name="Волжский городской округ")
    campaign = make_campaign(anonymous=True)
    given = _fill(
        campaign,
        add_response,
        [
            (world.m1, 12, "общеобразовательная", TEACHER),
            (world.m2, 3, "общеобразовательная", TEACHER),
            (m3, 6, "общеобразовательная", TEACHER),
        ],
    )
    table = results.crosstab(campaign=campaign, user=world.analyst, item_name="mood", by="municipality")
    assert [(g.label, g.size) for g in table.groups] == [(world.m1.name, 12), (results.OTHERS, 9)]
    assert table.merged
    rest = _recount([x for x in given if x[0] != world.m1], "mood")
    assert [row.cells[1][0] for row in table.rows] == [rest[v] for v in ("good", "so", "bad")]
    assert all(g.size >= results.MIN_GROUP for g in table.groups)


def test_an_anonymous_crosstab_of_large_groups_merges_nothing(world, make_campaign, add_response):
    campaign = make_campaign(anonymous=True)
    _fill(
        campaign,
        add_response,
        [
            (world.m1, 5, "общеобразовательная", TEACHER),
            (world.m2, 5, "дошкольная", TEACHER),
            (world.m2, 2, "дошкольная", HEAD),
        ],
    )
    table = results.crosstab(campaign=campaign, user=world.analyst, item_name="mood", by="municipality")
    assert [g.size for g in table.groups] == [5, 7] and not table.merged
    # By role: heads (2) are merged with teachers (10) — the only other group — into «Другие».
    by_role = results.crosstab(campaign=campaign, user=world.analyst, item_name="mood", by="role")
    assert [(g.label, g.size) for g in by_role.groups] == [(results.OTHERS, 12)]


def test_an_anonymous_campaign_under_five_shows_nothing(world, make_campaign, add_response):
    campaign = make_campaign(anonymous=True)
    _fill(
        campaign,
        add_response,
        [(world.m1, 4, "общеобразовательная", TEACHER), (world.m2, 6, "общеобразовательная", TEACHER)],
    )
    # The region (10) is shown; the municipal official's own municipality (4) is not.
    assert not results.overview(campaign=campaign, user=world.analyst).suppressed
    mine = results.overview(campaign=campaign, user=world.municipal)
    assert mine.suppressed and mine.distributions == [] and mine.scores == []
    table = results.crosstab(campaign=campaign, user=world.municipal, item_name="mood", by="role")
    assert table.suppressed and table.groups == [] and table.rows == []
    # A named campaign of the same shape: no suppression.
    named = make_campaign()
    _fill(named, add_response, [(world.m1, 2, "общеобразовательная", TEACHER)])
    assert results.overview(campaign=named, user=world.municipal).total == 2
    assert not results.overview(campaign=named, user=world.municipal).suppressed


def test_free_texts_in_key_order_and_without_attributes_when_anonymous(world, make_campaign, add_response):
    campaign = make_campaign(anonymous=True)
    for n in range(6):
        add_response(
            campaign, municipality=world.m1 if n % 2 else world.m2, answers={"mood": "good", "comment": f"Текст {n}"}
        )
    add_response(campaign, municipality=world.m1, answers={"mood": "good", "comment": ""})
    rows = list(results.free_texts(campaign=campaign, user=world.analyst, item_name="comment"))
    assert sorted(rows) == [f"Текст {n}" for n in range(6)]  # plain texts: no municipality, no school
    ids = [r.answers["comment"] for r in campaign.responses.order_by("id") if r.answers["comment"]]
    assert rows == ids
    assert list(results.free_texts(campaign=campaign, user=world.municipal, item_name="comment")) == [
        t for t in ids if int(t[-1]) % 2
    ]
    named = make_campaign()
    add_response(
        named,
        municipality=world.m1,
        school=world.school_a,
        teacher=world.teacher_a,
        answers={"comment": "Больше методистов"},
    )
    assert list(results.free_texts(campaign=named, user=world.analyst, item_name="comment")) == [
        ("Больше методистов", world.m1.name, world.school_a.name)
    ]


def test_coverage_counts_the_invitations_in_scope(world, make_campaign):
    from deficits.models import Invitation  # the one test here that needs invitations

    campaign = make_campaign()
    for teacher, school, answered in (
        (world.teacher_a, world.school_a, True),
        (world.teacher_c, world.school_c, False),
        (world.teacher_b, world.school_b, True),
    ):
        Invitation.objects.create(
            campaign=campaign,
            teacher=teacher,
            school=school,
            municipality=school.municipality,
            nonce="n",
            answered=answered,
        )
    region = results.coverage(campaign=campaign, user=world.analyst)
    assert (region.invited, region.answered, region.percent) == (3, 2, 66.7)
    own = results.coverage(campaign=campaign, user=world.municipal)
    assert (own.invited, own.answered) == (2, 1)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_query_count_does_not_grow_with_responses(world, make_campaign, add_response):
    small, large = make_campaign(), make_campaign()
    _fill(small, add_response, [(world.m1, 5, "общеобразовательная", TEACHER)])
    _fill(
        large,
        add_response,
        [(world.m1, 40, "общеобразовательная", TEACHER), (world.m2, 40, "дошкольная", HEAD)],
        seed=2,
    )
    for campaign in (small, large):
        campaign.refresh_from_db()
        campaign.edition  # noqa: B018 - the edition is loaded with the campaign by the page
    counts = []
    for campaign in (small, large):
        counts.append(
            (
                _queries(lambda c=campaign: results.overview(campaign=c, user=world.analyst)),
                _queries(
                    lambda c=campaign: results.crosstab(campaign=c, user=world.analyst, item_name="load", by="role")
                ),
                _queries(lambda c=campaign: results.coverage(campaign=c, user=world.analyst)),
            )
        )
    assert counts[0] == counts[1]
    assert counts[1] == (2, 2, 1)


def test_dates_count_by_month_and_many_numbers_in_ranges():
    date = {"name": "d", "type": "date"}
    key_of, labels = results.value_groups(date, ["2025-09-01", "2025-09-30", "2024-10-02"])
    assert key_of == {"2025-09-01": "2025-09", "2025-09-30": "2025-09", "2024-10-02": "2024-10"}
    assert labels == [("2024-10", "10.2024"), ("2025-09", "09.2025")]
    number = {"name": "n", "type": "number"}
    assert results.value_groups(number, [str(n) for n in range(25)]) is None  # few values: each shown
    key_of, labels = results.value_groups(number, [str(n) for n in range(40)])
    assert labels[0] == ("0000", "0–3") and labels[-1] == ("0009", "36–39") and len(labels) == 10
    assert key_of["7"] == "0001" and key_of["39"] == "0009"
    d = results.distribution(item=number, definition={}, counts={str(n): 2 for n in range(40)} | {"0": 5}, base=100)
    assert [r.count for r in d.rows] == [11, 8, 8, 8, 8, 8, 8, 8, 8, 8]
    assert d.mean == round(sum(n * 2 for n in range(40)) / 83, 2)
