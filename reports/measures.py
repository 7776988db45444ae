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
from monitoring.shared.text import clean_text
from reports.models import DecidedBy, Effect, LetterItem, Measure, MeasureStatus

# Who records decisions: the institute and the ministry (an executive authority's decision:
# seeds/002, 004) for any unit of the region, a municipal official for their municipality and
# its schools. School heads read them.
CREATOR_ROLES = {Role.ANALYST, Role.MUNICIPAL, Role.MINISTRY}
# Who took a decision follows who records it; the institute may also enter the ministry's or a
# municipality's decision on their behalf (from the order it received).
DECIDED_BY_ROLE = {Role.MINISTRY: DecidedBy.MINISTRY, Role.MUNICIPAL: DecidedBy.MUNICIPAL}


def can_create_measures(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in CREATOR_ROLES))


def decided_by_choices(user) -> list[tuple[str, str]]:
    """Whose decision a user may record: the institute any body's, everyone else their own body's."""
    if user.is_superuser or user.role == Role.ANALYST:
        return list(DecidedBy.choices)
    own = DECIDED_BY_ROLE.get(user.role)
    return [(own, DecidedBy(own).label)] if own else []


def may_change(*, user, measure: Measure) -> bool:
    """Who edits or deletes a recorded decision: the institute any; the ministry official who recorded a
    ministry decision; a municipal official their municipality's own decisions."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.role == Role.ANALYST:
        return True
    if user.role == Role.MINISTRY:
        return measure.decided_by == DecidedBy.MINISTRY and measure.created_by_id == user.pk
    if user.role == Role.MUNICIPAL:
        return (
            measure.decided_by == DecidedBy.MUNICIPAL
            and measure.municipality_id is not None
            and measure.municipality_id == user.municipality_id
        )
    return False


def _decided_by(user, decided_by: str | None) -> str:
    allowed = [value for value, _ in decided_by_choices(user)]
    if decided_by in (None, ""):
        return allowed[0]
    if decided_by not in allowed:
        raise ValidationError({"decided_by": "Записать решение можно только от имени своего органа."})
    return decided_by


def _clean_act(act: str | None, decided_by: str) -> str:
    act = clean_text(act or "", label="Документ", max_length=255)
    if decided_by == DecidedBy.MINISTRY and not act:
        raise ValidationError(
            {"act": "Укажите документ, которым принято решение министерства: «Приказ министерства № … от …»."}
        )
    return act


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
    if user.is_superuser or user.role in (Role.ANALYST, Role.MINISTRY):
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
    decided_by: str | None = None,
    act: str = "",
) -> Measure:
    """Record a decision; ``responsible`` is a person's name or a User (who then gets the overdue notice).

    ``decided_by``: whose decision it is (the recorder's body unless the institute says otherwise);
    ``act``: the document that records it, required of a ministry decision.
    """
    if not can_create_measures(user):
        raise PermissionDenied(
            "Записывать управленческие решения могут сотрудники института, министерства и муниципалитетов."
        )
    period_lock_open(period=period)
    decided_by = _decided_by(user, decided_by)
    act = _clean_act(act, decided_by)
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
        decided_by=decided_by,
        act=act,
        created_by=user,
    )
    measure.full_clean()
    measure.save()
    return measure


def may_mark_done(*, user, measure: Measure) -> bool:
    """The recorder's side for its unit (the ministry: its own decisions only), or the person responsible."""
    if measure.responsible_user_id is not None and measure.responsible_user_id == getattr(user, "pk", None):
        return True
    if user.role == Role.MINISTRY and not user.is_superuser:
        return may_change(user=user, measure=measure)
    return can_create_measures(user) and _may_act_on(user, measure.municipality)


def measure_mark_done(*, measure: Measure, user) -> Measure:
    """The decision was carried out (its effect is still judged by the next period's value)."""
    if not may_mark_done(user=user, measure=measure):
        raise PermissionDenied(
            "Отметить выполнение может автор из института, министерства, муниципалитета или ответственный."
        )
    measure.status = MeasureStatus.DONE
    measure.save(update_fields=["status"])
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    user,
    text: str | None = None,
    responsible=None,
    due: dt.date | None = None,
    target: Decimal | None = None,
    act: str | None = None,
) -> Measure:
    """Correct a recorded decision: its wording, responsible, due date, target and act.

    Its period, indicator and unit stay (their baseline was taken when it was recorded): a
    decision about something else is recorded anew.
    """
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if not may_change(user=user, measure=measure):
        raise PermissionDenied("Изменить решение может внесший его сотрудник министерства или института.")
    period_lock_open(period=measure.period)
    if text is not None:
        measure.text = clean_text(text, label="Мера", max_length=20_000)
        if not measure.text:
            raise ValidationError({"text": "Опишите меру."})
    if responsible is not None:
        if hasattr(responsible, "get_full_name"):
            if tokens.is_system_account(responsible):
                raise ValidationError(
                    {"responsible_user": "Ответственным назначают человека, а не учетную запись интеграции по токену."}
                )
            measure.responsible_user = responsible
            responsible = responsible.get_full_name() or responsible.username
        measure.responsible = clean_text(str(responsible), label="Ответственный", max_length=255)
        if not measure.responsible:
            raise ValidationError({"responsible": "Укажите ответственного."})
    if due is not None:
        measure.due = due
    if target is not None:
        measure.target = Decimal(target)
    if act is not None:
        measure.act = _clean_act(act, measure.decided_by)
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def measure_delete(*, measure: Measure, user) -> None:
    """Delete a decision recorded by mistake (its history keeps what it was)."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if not may_change(user=user, measure=measure):
        raise PermissionDenied("Удалить решение может внесший его сотрудник министерства или института.")
    period_lock_open(period=measure.period)
    measure.delete()


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
