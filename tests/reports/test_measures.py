"""Management decisions: baseline at creation, the effect judged by the next period's value, pages in scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from indicators.engine import period_edition
from indicators.models import Indicator, IndicatorValue, Level, PeriodIndicator
from monitoring import tokens
from monitoring.models import Role
from reports.measures import (
    effect_of,
    judge,
    may_change,
    may_mark_done,
    measure_create,
    measure_delete,
    measure_mark_done,
    measure_update,
)
from reports.models import DecidedBy, Effect, Measure, MeasureStatus
from tests import factories

pytestmark = pytest.mark.django_db


def put(period, code, school, value):
    IndicatorValue.objects.update_or_create(
        period=period,
        indicator=Indicator.objects.get(code=code),
        level=Level.SCHOOL,
        org_code=school.code,
        breakdown="",
        defaults={
            "school": school,
            "municipality": school.municipality,
            "numerator": value,
            "value": value,
            "computed_at": timezone.now(),
        },
    )


@pytest.fixture
def two_years(world):
    """2025 (the measure's period) and 2026 (the one that judges it), with their editions."""
    nxt = factories.PeriodFactory(year=2026)
    period_edition(world.period)
    period_edition(nxt)
    return world, nxt


def decide(world, code, target, school=None, user=None, **kw):
    school = school or world.school_a
    return measure_create(
        **kw,
        period=world.period,
        user=user or world.analyst,
        text="Провести методический семинар",
        responsible=world.head_a,
        due=dt.date(2026, 3, 1),
        indicator_code=code,
        level=Level.SCHOOL,
        org_code=school.code,
        target=Decimal(target),
    )


# 1.2 — higher is better (a share of teachers diagnosed); 9.11 — lower is better (vacancies).
@pytest.mark.parametrize(
    ("code", "before", "target", "after", "expected"),
    [
        ("1.2", "40", "70", "75", Effect.ACHIEVED),
        ("1.2", "40", "70", "70", Effect.ACHIEVED),
        ("1.2", "40", "70", "55", Effect.PARTLY),
        ("1.2", "40", "70", "40", Effect.NOT),
        ("1.2", "40", "70", "30", Effect.NOT),
        ("9.11", "20", "5", "4", Effect.ACHIEVED),
        ("9.11", "20", "5", "12", Effect.PARTLY),
        ("9.11", "20", "5", "25", Effect.NOT),
    ],
)
def test_the_next_period_judges_the_measure(two_years, code, before, target, after, expected):
    world, nxt = two_years
    assert (code == "9.11") is not period_edition(world.period)[code].higher_is_better
    put(world.period, code, world.school_a, Decimal(before))
    measure = decide(world, code, target)
    assert measure.baseline == Decimal(before)
    assert effect_of(measure) is None  # the next period has no value yet
    put(nxt, code, world.school_a, Decimal(after))
    assert effect_of(measure) == expected


def test_the_period_edition_decides_which_way_is_better(two_years):
    world, nxt = two_years
    # The institute turned 1.2 around for this period: lower now counts as better.
    PeriodIndicator.objects.filter(period=world.period, indicator__code="1.2").update(higher_is_better=False)
    put(world.period, "1.2", world.school_a, Decimal("40"))
    measure = decide(world, "1.2", "30")
    put(nxt, "1.2", world.school_a, Decimal("35"))
    assert effect_of(measure) == Effect.PARTLY


def test_without_a_baseline_only_the_target_counts():
    assert judge(value=Decimal("50"), baseline=None, target=Decimal("70"), higher_is_better=True) == Effect.NOT
    assert judge(value=Decimal("80"), baseline=None, target=Decimal("70"), higher_is_better=True) == Effect.ACHIEVED


def test_a_municipal_official_decides_for_their_own_municipality_only(two_years):
    world, _ = two_years
    assert decide(world, "1.2", "70", user=world.municipal).municipality == world.m1
    with pytest.raises(PermissionDenied):
        decide(world, "1.2", "70", school=world.school_b, user=world.municipal)
    for person in (world.head_a, world.teacher):
        with pytest.raises(PermissionDenied):
            decide(world, "1.2", "70", user=person)


def test_marking_done(two_years):
    world, _ = two_years
    measure = decide(world, "1.2", "70")
    with pytest.raises(PermissionDenied):
        measure_mark_done(measure=measure, user=world.head_b)
    measure_mark_done(measure=measure, user=world.head_a)  # the responsible person
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE


def test_pages_show_measures_in_scope(client, two_years):
    world, nxt = two_years
    put(world.period, "1.2", world.school_a, Decimal("40"))
    put(nxt, "1.2", world.school_a, Decimal("80"))
    decide(world, "1.2", "70")
    decide(world, "1.2", "70", school=world.school_b)
    expected = {"analyst": 2, "ministry": 2, "municipal": 1, "head_a": 1, "head_b": 1}
    for name, person in world.people.items():
        client.force_login(person)
        response = client.get(reverse("measure-effect") + "?period=2025")
        if name == "teacher":
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        assert response.content.decode().count("Провести методический семинар") == expected[name], name
    client.force_login(world.head_a)
    assert "достигнут" in client.get(reverse("measure-list") + "?period=2025").content.decode()


def test_the_form_records_a_measure(client, two_years):
    world, _ = two_years
    put(world.period, "1.2", world.school_c, Decimal("40"))
    client.force_login(world.municipal)
    data = {
        "period": world.period.pk,
        "text": "Организовать курсы",
        "indicator": Indicator.objects.get(code="1.2").pk,
        "level": Level.SCHOOL,
        "org_code": world.school_c.code,
        "target": "60",
        "responsible": "Иванова И. И.",
        "due": "2026-04-01",
    }
    response = client.post(reverse("measure-create"), data)
    assert response.status_code == 302
    from reports.models import Measure

    measure = Measure.objects.get(text="Организовать курсы")
    assert measure.baseline == Decimal("40") and measure.school == world.school_c
    # Another municipality's school is refused with a message, nothing is recorded.
    response = client.post(reverse("measure-create"), {**data, "org_code": world.school_b.code, "text": "Чужая"})
    assert response.status_code == 200 and not Measure.objects.filter(text="Чужая").exists()
    client.force_login(world.head_a)
    assert client.get(reverse("measure-create")).status_code == 404


def test_a_tokens_system_account_is_nobody_to_hold_responsible(client, two_years):
    # The attack on issue 16: the analyst's token accounts were offered as «Ответственный».
    world, _ = two_years
    token, _ = tokens.api_token_create(
        name="Интеграция", role=Role.SCHOOL_HEAD, school=world.school_a, created_by=world.analyst
    )
    system = token.user
    client.force_login(world.analyst)
    offered = client.get(reverse("measure-create")).context["form"].fields["responsible_user"].queryset
    assert world.head_a in offered and system not in offered
    data = {
        "period": world.period.pk,
        "text": "Назначить интеграцию",
        "indicator": Indicator.objects.get(code="1.2").pk,
        "level": Level.REGION,
        "target": "60",
        "responsible_user": system.pk,
        "due": "2026-04-01",
    }
    response = client.post(reverse("measure-create"), data)
    assert response.status_code == 200 and "responsible_user" in response.context["form"].errors
    # The service refuses it too, whatever door calls it.
    with pytest.raises(ValidationError, match="учетную запись интеграции"):
        measure_create(
            period=world.period, user=world.analyst, text="x", responsible=system, due=dt.date(2026, 4, 1),
            indicator_code="1.2", level=Level.REGION, org_code="", target=Decimal("60"),
        )  # fmt: skip
    assert not Measure.objects.exists()


@pytest.mark.parametrize(
    ("code", "target", "due", "field"),
    [
        ("1.2", "-5", dt.date(2026, 3, 1), "target"),  # a share below zero
        ("1.2", "150", dt.date(2026, 3, 1), "target"),  # 1.2 is a percentage
        ("1.2", "70", dt.date(1, 1, 1), "due"),  # reported: 0001-01-01 was stored
        ("1.2", "70", dt.date(2024, 12, 31), "due"),  # before the period
        ("1.2", "70", dt.date(2031, 1, 1), "due"),  # more than five years ahead
    ],
)
def test_a_measure_out_of_its_indicators_range_or_its_periods_time_is_refused(two_years, code, target, due, field):
    from django.core.exceptions import ValidationError

    from reports.models import Measure

    world, _ = two_years
    with pytest.raises(ValidationError) as refused:
        measure_create(
            period=world.period,
            user=world.analyst,
            text="Провести методический семинар",
            responsible="Иванов И. И.",
            due=due,
            indicator_code=code,
            level=Level.SCHOOL,
            org_code=world.school_a.code,
            target=Decimal(target),
        )
    assert field in refused.value.message_dict
    assert not Measure.objects.exists()


def test_the_database_refuses_a_negative_target_whatever_the_door(two_years):
    from django.db import IntegrityError, transaction

    from reports.models import Measure

    world, _ = two_years
    measure = decide(world, "1.2", "70")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(target=Decimal("-1"))


def test_no_measure_is_recorded_for_a_closed_period(two_years):
    from django.core.exceptions import ValidationError

    from monitoring.models import MonitoringPeriod, PeriodStatus

    world, _ = two_years
    MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(ValidationError, match="закрыт"):
        decide(world, "1.2", "70")


# --- decisions of the ministry ----------------------------------------------------------

ORDER = "Приказ министерства образования № 123 от 01.03.2026"


def test_the_ministry_records_its_decision_for_any_unit_with_its_act(two_years):
    world, _ = two_years
    measure = decide(world, "1.2", "70", school=world.school_b, user=world.ministry, act=ORDER)
    assert (measure.decided_by, measure.act, measure.created_by) == (DecidedBy.MINISTRY, ORDER, world.ministry)
    # Without its act a ministry decision is refused; it cannot pass itself off as the institute's.
    with pytest.raises(ValidationError, match="Приказ министерства"):
        decide(world, "1.2", "70", user=world.ministry)
    with pytest.raises(ValidationError, match="своего органа"):
        decide(world, "1.2", "70", user=world.ministry, act=ORDER, decided_by=DecidedBy.INSTITUTE)
    # The institute records its own by default, and may enter the ministry's on its behalf.
    assert decide(world, "1.2", "70").decided_by == DecidedBy.INSTITUTE
    entered = decide(world, "1.2", "70", decided_by=DecidedBy.MINISTRY, act=ORDER)
    assert (entered.decided_by, entered.created_by) == (DecidedBy.MINISTRY, world.analyst)
    assert decide(world, "1.2", "70", user=world.municipal).decided_by == DecidedBy.MUNICIPAL


def test_a_ministry_decision_is_judged_by_the_next_period_as_the_institutes(two_years):
    world, nxt = two_years
    put(world.period, "1.2", world.school_a, Decimal("40"))
    ministry = decide(world, "1.2", "70", user=world.ministry, act=ORDER)
    institute = decide(world, "1.2", "70")
    assert ministry.baseline == Decimal("40")
    assert effect_of(ministry) is None
    put(nxt, "1.2", world.school_a, Decimal("55"))
    assert effect_of(ministry) == effect_of(institute) == Effect.PARTLY
    put(nxt, "1.2", world.school_a, Decimal("75"))
    assert effect_of(ministry) == Effect.ACHIEVED


def test_who_changes_a_ministry_decision(two_years):
    world, _ = two_years
    other = factories.UserFactory(username="ministry-2", role=Role.MINISTRY)
    measure = decide(world, "1.2", "70", user=world.ministry, act=ORDER)
    for person in (other, world.municipal, world.head_a, world.teacher):
        assert not may_change(user=person, measure=measure)
        with pytest.raises(PermissionDenied):
            measure_update(measure=measure, user=person, text="Подмена")
        with pytest.raises(PermissionDenied):
            measure_delete(measure=measure, user=person)
    updated = measure_update(measure=measure, user=world.ministry, text="Уточненная мера", target=Decimal("80"))
    assert (updated.text, updated.target, updated.baseline) == ("Уточненная мера", Decimal("80"), measure.baseline)
    with pytest.raises(ValidationError, match="Приказ министерства"):
        measure_update(measure=measure, user=world.ministry, act="  ")
    measure_update(measure=measure, user=world.analyst, act="Приказ министерства № 124 от 02.03.2026")
    # The ministry marks its own decisions done, not the institute's.
    institute = decide(world, "1.2", "70")
    assert not may_mark_done(user=world.ministry, measure=institute)
    assert not may_change(user=world.ministry, measure=institute)
    with pytest.raises(PermissionDenied):
        measure_mark_done(measure=institute, user=world.ministry)
    measure_mark_done(measure=measure, user=world.ministry)
    measure_delete(measure=measure, user=world.ministry)
    assert not Measure.objects.filter(pk=measure.pk).exists()


def test_the_list_shows_and_filters_who_decided(client, two_years):
    world, _ = two_years
    measure_create(
        period=world.period, user=world.ministry, text="Решение министерства", responsible="Сидоров С. С.",
        due=dt.date(2026, 3, 1), indicator_code="1.2", level=Level.SCHOOL, org_code=world.school_a.code,
        target=Decimal("70"), act=ORDER,
    )  # fmt: skip
    decide(world, "1.2", "70")
    client.force_login(world.head_a)
    page = client.get(reverse("measure-list") + "?period=2025").content.decode()
    assert "Кем принято" in page and ORDER in page and "Решение министерства" in page
    filtered = client.get(reverse("measure-list") + "?period=2025&decided_by=institute").content.decode()
    assert "Решение министерства" not in filtered and "Провести методический семинар" in filtered
    # An unknown value shows every decision.
    assert "Решение министерства" in client.get(reverse("measure-list") + "?period=2025&decided_by=x").content.decode()


def test_the_ministry_records_edits_and_deletes_through_its_pages(client, two_years):
    world, _ = two_years
    client.force_login(world.ministry)
    data = {
        "period": world.period.pk,
        "text": "Решение министерства",
        "indicator": Indicator.objects.get(code="1.2").pk,
        "level": Level.MUNICIPALITY,
        "org_code": world.m2.code,
        "target": "60",
        "responsible": "Сидоров С. С.",
        "due": "2026-04-01",
        "decided_by": DecidedBy.MINISTRY,
        "act": ORDER,
    }
    assert client.post(reverse("measure-create"), data).status_code == 302
    measure = Measure.objects.get(text="Решение министерства")
    assert (measure.decided_by, measure.municipality) == (DecidedBy.MINISTRY, world.m2)
    edit = reverse("measure-edit", kwargs={"pk": measure.pk})
    changed = {"text": "Исправлено", "target": "65", "responsible": "Сидоров С. С.", "due": "2026-05-01", "act": ORDER}
    assert client.post(edit, changed).status_code == 302
    assert Measure.objects.get(pk=measure.pk).text == "Исправлено"
    refused = client.post(edit, {**changed, "act": ""})
    assert refused.status_code == 200 and "Приказ министерства" in refused.content.decode()
    client.force_login(world.analyst)
    assert client.get(edit).status_code == 200
    client.force_login(world.municipal)
    assert client.get(edit).status_code == 404
    assert client.post(reverse("measure-delete", kwargs={"pk": measure.pk})).status_code == 404
    client.force_login(world.ministry)
    assert client.post(reverse("measure-delete", kwargs={"pk": measure.pk})).status_code == 302
    assert not Measure.objects.filter(pk=measure.pk).exists()
