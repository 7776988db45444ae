"""Reminders of the plan: each once per step, to whoever owes a unit, and escalation to the municipality.

Steps of a unit with deadline D, read off ``today`` (the daily job sends the step that applies
today and never goes back for one it missed):

- ``before``: D − 7 ≤ today < D;
- ``on``: today = D;
- ``after``: today > D while the unit is still late (a route waiting for its head: this step only,
  D being a week after it was submitted);
- ``escalation``: today > D + grace days and a school still late: the municipal officials of the
  school's municipality are told (once per school and item).

A notice's key is ``plan:<item>:<unit>:<step>`` (``survey:<campaign>:<unit>:<step>`` for
questionnaires) and is unique per person, so running the job again adds nothing. Notices are
created without e-mail: the daily digest (``reports.notices``) mails each person once per run.
Reads and writes are in bulk: a fixed number of queries whatever the number of schools.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from monitoring.models import MonitoringPlanItem, PeriodStatus, PlanItemState, PlanObligation, Role
from reports.models import Notice
from reports.plan.obligations import Unit, open_campaigns, questionnaire_units, units_for_item

BEFORE_DAYS = 7
KEY_CHUNK = 5000
BEFORE, ON, AFTER, ESCALATION = "before", "on", "after", "escalation"
STEP_WORDS = {
    BEFORE: "срок приближается",
    ON: "срок истекает сегодня",
    AFTER: "срок прошел",
    ESCALATION: "срок прошел, организация не выполнила обязательство",
}
RHYTHM = "напоминания приходят за неделю до срока, в день срока и после него"
# The obligations a school answers for: only these escalate to the municipality.
SCHOOL_OWED = frozenset({PlanObligation.SCHOOL_DATA, PlanObligation.ROUTES})


def step_of(*, unit: Unit, today: dt.date) -> str | None:
    """The reminder step that applies to ``unit`` today, or None (done, or too early)."""
    if unit.done:
        return None
    if today > unit.deadline:
        return AFTER
    if today == unit.deadline:
        return ON
    if today >= unit.deadline - dt.timedelta(days=BEFORE_DAYS):
        return BEFORE
    return None


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def item_title(item: MonitoringPlanItem) -> str:
    return f"{item.direction}. {item.get_direction_display()}"


def _reminder_text(*, what: str, unit: Unit, step: str) -> str:
    if step == BEFORE:
        head = f"Напоминание: {what} — срок {_date(unit.deadline)}."
    elif step == ON:
        head = f"Сегодня срок: {what} — {_date(unit.deadline)}."
    else:
        head = f"Просрочено: {what} — срок был {_date(unit.deadline)}."
    return f"{head} {unit.label}: {unit.missing}."


def _reason(*, role_text: str, what: str, unit: Unit, step: str) -> str:
    return (
        f"Вы получили это напоминание как {role_text}: {what} срок {_date(unit.deadline)}, "
        f"{unit.missing} ({STEP_WORDS[step]}); {RHYTHM}."
    )


def _create(rows: list[tuple]) -> int:
    """Notices ``(user, key, text, url, reason)`` not yet given: a read per chunk of keys and bulk inserts."""
    told = set()
    keys = sorted({r[1][:200] for r in rows})
    # In chunks: a region's keys are more than a query's parameters allow.
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        told |= set(Notice.objects.filter(key__in=chunk).values_list("user_id", "key"))
    fresh, seen = [], set()
    for user, key, text, url, reason in rows:
        key = key[:200]
        if (user.pk, key) in told or (user.pk, key) in seen:
            continue
        seen.add((user.pk, key))
        fresh.append(Notice(user=user, key=key, text=text[:1000], url=url[:500], reason=reason[:1000]))
    # A concurrent run may have given some of them meanwhile: the unique key keeps each once.
    Notice.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    return len(fresh)


def _municipal_by_area(area_ids) -> dict[int, list]:
    officials = defaultdict(list)
    users = get_user_model().objects.filter(is_active=True, role=Role.MUNICIPAL, municipality_id__in=area_ids)
    for u in users.select_related("municipality").order_by("pk"):
        officials[u.municipality_id].append(u)
    return officials


def item_rows(*, item: MonitoringPlanItem, today: dt.date) -> list[tuple]:
    """The notices one plan item calls for today (before deduplication)."""
    if item.state == PlanItemState.DONE or item.period.status == PeriodStatus.CLOSED:
        return []
    units = units_for_item(item=item, today=today)
    what = f"по пункту плана мониторинга {item.period.year} года «{item_title(item)}»"
    url = _url("plan-item", item.period.year, item.pk)
    rows = []
    late_schools: dict[int, Unit] = {}
    for unit in units:
        step = step_of(unit=unit, today=today)
        # A route is owed once it has waited more than a week: its head hears of it then, not before.
        if step is None or (item.obligation == PlanObligation.ROUTES and step != AFTER):
            continue
        for user in unit.recipients:
            rows.append(
                (
                    user,
                    f"plan:{item.pk}:{unit.key}:{step}",
                    _reminder_text(what=what, unit=unit, step=step),
                    url,
                    _reason(role_text=unit.role_text, what=what, unit=unit, step=step),
                )
            )
        grace_over = today > unit.deadline + dt.timedelta(days=item.grace_days)
        if step == AFTER and grace_over and item.obligation in SCHOOL_OWED and unit.school_id:
            late_schools.setdefault(unit.school_id, unit)
    officials = _municipal_by_area({u.municipality_id for u in late_schools.values()})
    for school_id, unit in late_schools.items():
        for user in officials.get(unit.municipality_id, []):
            area = user.municipality.name if user.municipality_id else ""
            role_text = f"специалист органа управления образованием ({area})"
            text = (
                f"{unit.school_name} не выполнила обязательство {what}: {unit.missing}; "
                f"срок был {_date(unit.deadline)}, прошло больше {item.grace_days} дн."
            )
            rows.append(
                (
                    user,
                    f"plan:{item.pk}:school{school_id}:{ESCALATION}",
                    text,
                    url,
                    _reason(role_text=role_text, what=what, unit=unit, step=ESCALATION)
                    + " Муниципалитету сообщается, когда организация не выполнила обязательство и после отсрочки.",
                )
            )
    return rows


def plan_reminders(*, today: dt.date) -> int:
    """The daily job's plan part: every open item's reminders and escalations, created once."""
    items = (
        MonitoringPlanItem.objects.exclude(state=PlanItemState.DONE)
        .exclude(obligation=PlanObligation.INSTITUTE)
        .exclude(period__status=PeriodStatus.CLOSED)
        .select_related("period")
        .prefetch_related("municipalities")
    )
    rows = []
    for item in items:
        rows += item_rows(item=item, today=today)
    return _create(rows)


def survey_reminders(*, today: dt.date) -> int:
    """Teachers (and heads) who have not answered an open campaign, reminded by its closing date."""
    rows = []
    for campaign in open_campaigns(today=today):
        title = campaign.edition.questionnaire.title
        what = f"по опросу «{title}»"
        for unit in questionnaire_units(campaign=campaign):
            step = step_of(unit=unit, today=today)
            if step is None:
                continue
            for user in unit.recipients:
                rows.append(
                    (
                        user,
                        f"survey:{campaign.pk}:{unit.key}:{step}",
                        _reminder_text(what=what, unit=unit, step=step).replace(f" {unit.label}:", ""),
                        unit.url or _url("notice-list"),
                        _reason(role_text=unit.role_text, what=what, unit=unit, step=step),
                    )
                )
    return _create(rows)
