"""Management decisions (measures) and the judgement of their effect by the next period's values.

A measure names an org unit and an indicator that should move to a target. Its
baseline is the unit's value when the decision is recorded; a year later the next
period's value says whether it worked: achieved (the target is reached), partly (the
value moved from the baseline toward the target without reaching it) or not. The
direction of "better" is the period's own (``PeriodIndicator.higher_is_better``), so a
lower-is-better indicator (the share of vacancies) is judged the right way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from indicators.models import Indicator, IndicatorValue, Level, PeriodIndicator
from monitoring import tokens
from monitoring.models import MonitoringPeriod, Municipality, Region, Role, School
from monitoring.shared.periods import period_lock_open
from reports.models import Effect, LetterItem, Measure, MeasureStatus

# Who records decisions: the institute for any unit, a municipal official for their
# municipality and its schools. Ministry officials and school heads read them.
CREATOR_ROLES = {Role.ANALYST, Role.MUNICIPAL}


def can_create_measures(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in CREATOR_ROLES))


def _unit(level: str, org_code: str) -> tuple[Municipality | None, School | None, str]:
    """The municipality and school a unit is anchored to, and its name (raises ValidationError)."""
    if level == Level.SCHOOL:
        school = School.objects.select_related("municipality").filter(code=org_code).first()
        if school is None:
            raise ValidationError({"org_code": "Образовательной организации с таким кодом нет."})
        return school.municipality, school, school.name
    if level == Level.MUNICIPALITY:
        municipality = Municipality.objects.filter(code=org_code).first()
        if municipality is None:
            raise ValidationError({"org_code": "Муниципалитета с таким кодом нет."})
        return municipality, None, municipality.name
    if level == Level.REGION:
        return None, None, "Регион"
    raise ValidationError({"level": "Неизвестный уровень."})


def _may_act_on(user, municipality: Municipality | None) -> bool:
    if user.is_superuser or user.role == Role.ANALYST:
        return True
    # A municipal official acts for their own municipality (and its schools), never the region.
    return user.role == Role.MUNICIPAL and municipality is not None and municipality.pk == user.municipality_id


def unit_value(*, period: MonitoringPeriod, indicator: Indicator, level: str, org_code: str) -> Decimal | None:
    """The unit's value of an indicator in a period (the row without a breakdown), None when absent."""
    return (
        IndicatorValue.objects.filter(period=period, indicator=indicator, level=level, org_code=org_code, breakdown="")
        .values_list("value", flat=True)
        .first()
    )


@transaction.atomic
def measure_create(
    *,
    period: MonitoringPeriod,
    user,
    text: str,
    responsible,
    due: dt.date,
    indicator_code: str,
    level: str,
    org_code: str,
    target: Decimal,
    item: LetterItem | None = None,
    responsible_user=None,
) -> Measure:
    """Record a decision; ``responsible`` is a person's name or a User (who then gets the overdue notice)."""
    if not can_create_measures(user):
        raise PermissionDenied("Записывать управленческие решения могут сотрудники института и муниципалитетов.")
    period_lock_open(period=period)
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise ValidationError({"indicator": "Такого показателя нет."})
    if level == Level.REGION:
        # The region's rows carry the region's code, whatever the form was given.
        org_code = Region.objects.order_by("pk").values_list("code", flat=True).first() or org_code
    municipality, school, _ = _unit(level, org_code)
    if not _may_act_on(user, municipality):
        raise PermissionDenied("Решение можно записать только для организаций своего муниципалитета.")
    if hasattr(responsible, "get_full_name"):
        responsible_user = responsible
        responsible = responsible.get_full_name() or responsible.username
    if not str(responsible).strip():
        raise ValidationError({"responsible": "Укажите ответственного."})
    if responsible_user is not None and tokens.is_system_account(responsible_user):
        raise ValidationError(
            {"responsible_user": "Ответственным назначают человека, а не учетную запись интеграции по токену."}
        )
    measure = Measure(
        period=period,
        item=item,
        text=text.strip(),
        responsible=str(responsible).strip(),
        responsible_user=responsible_user,
        due=due,
        indicator=indicator,
        level=level,
        org_code=org_code,
        municipality=municipality,
        school=school,
        baseline=unit_value(period=period, indicator=indicator, level=level, org_code=org_code),
        target=Decimal(target),
    )
    measure.full_clean()
    measure.save()
    return measure


def measure_mark_done(*, measure: Measure, user) -> Measure:
    """The decision was carried out (its effect is still judged by the next period's value)."""
    if not can_create_measures(user) or not _may_act_on(user, measure.municipality):
        if measure.responsible_user_id != getattr(user, "pk", None):
            raise PermissionDenied("Отметить выполнение может автор из института, муниципалитета или ответственный.")
    measure.status = MeasureStatus.DONE
    measure.save(update_fields=["status"])
    return measure


def next_period(period: MonitoringPeriod) -> MonitoringPeriod | None:
    return MonitoringPeriod.objects.filter(year__gt=period.year).order_by("year").first()


def judge(*, value: Decimal | None, baseline: Decimal | None, target: Decimal, higher_is_better: bool) -> Effect | None:
    """Achieved when the target is reached, partly when the value moved toward it from the baseline, else not."""
    if value is None:
        return None
    reached = value >= target if higher_is_better else value <= target
    if reached:
        return Effect.ACHIEVED
    if baseline is not None and (value > baseline if higher_is_better else value < baseline):
        return Effect.PARTLY
    return Effect.NOT


@dataclass
class Judged:
    """A measure with what the next period says about it."""

    measure: Measure
    unit_name: str
    next_year: int | None
    value: Decimal | None
    effect: Effect | None

    @property
    def effect_label(self) -> str:
        if self.effect is None:
            return "нет данных следующего периода"
        return Effect(self.effect).label


def judged(measures: Iterable[Measure]) -> list[Judged]:
    """Every measure with its effect, in a few queries whatever their number (the annual report judges all)."""
    measures = list(measures)
    by_period: dict[int, list[Measure]] = {}
    for m in measures:
        by_period.setdefault(m.period_id, []).append(m)
    periods = {p.pk: p for p in MonitoringPeriod.objects.filter(pk__in=by_period)}
    higher = {
        (p, i): h
        for p, i, h in PeriodIndicator.objects.filter(period_id__in=by_period).values_list(
            "period_id", "indicator_id", "higher_is_better"
        )
    }
    names = _unit_names(measures)
    result: dict[int, Judged] = {}
    for period_id, group in by_period.items():
        following = next_period(periods[period_id])
        values: dict[tuple, Decimal | None] = {}
        if following is not None:
            rows = IndicatorValue.objects.filter(
                period=following,
                breakdown="",
                indicator_id__in={m.indicator_id for m in group},
                org_code__in={m.org_code for m in group},
            ).values_list("indicator_id", "level", "org_code", "value")
            values = {(i, lv, org): v for i, lv, org, v in rows}
        for m in group:
            value = values.get((m.indicator_id, m.level, m.org_code))
            effect = judge(
                value=value,
                baseline=m.baseline,
                target=m.target,
                higher_is_better=higher.get((period_id, m.indicator_id), True),
            )
            result[m.pk] = Judged(
                m, names.get((m.level, m.org_code), m.org_code), following.year if following else None, value, effect
            )
    return [result[m.pk] for m in measures]


def effect_of(measure: Measure) -> Effect | None:
    """The effect of one measure; None while the next period has no value for its unit."""
    return judged([measure])[0].effect


def _unit_names(measures: list[Measure]) -> dict[tuple[str, str], str]:
    schools = {m.org_code for m in measures if m.level == Level.SCHOOL}
    municipalities = {m.org_code for m in measures if m.level == Level.MUNICIPALITY}
    names = {(Level.SCHOOL, c): n for c, n in School.objects.filter(code__in=schools).values_list("code", "name")}
    names.update(
        {
            (Level.MUNICIPALITY, c): n
            for c, n in Municipality.objects.filter(code__in=municipalities).values_list("code", "name")
        }
    )
    names.update({(Level.REGION, m.org_code): "Регион" for m in measures if m.level == Level.REGION})
    return names
