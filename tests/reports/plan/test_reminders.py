"""The issue's «done when»: late schools get each step's reminder once, the digest holds both items,
the municipal official is told after the grace days, a school that submitted is left alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from monitoring.models import PlanItemState, PlanObligation
from reports.models import Notice
from reports.notices import notices_daily
from reports.plan.obligations import Unit
from reports.plan.reminders import AFTER, BEFORE, ON, step_of
from tests import factories
from tests.reports.plan.helpers import DEADLINE, plan_item

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def keys(user) -> list[str]:
    return sorted(Notice.objects.filter(user=user, key__startswith="plan:").values_list("key", flat=True))


def mails_to(address: str):
    return [m for m in mail.outbox if m.to == [address]]


def run_twice(today):
    notices_daily(today=today)
    notices_daily(today=today)


def test_two_late_schools_are_reminded_once_per_step_and_escalated_after_the_grace_days(people):
    staffing = plan_item(people, direction=9, areas=[people.m1])
    digital = plan_item(people, direction=4, areas=[people.m1])
    w = people
    # Too early: nothing.
    run_twice(DEADLINE - 8 * DAY)
    assert not Notice.objects.filter(key__startswith="plan:").exists()
    # A week before: each late school's head gets «before» for both items, once, in ONE mail.
    run_twice(DEADLINE - 3 * DAY)
    for head, school in ((w.head_a, w.school_a), (w.head_c, w.school_c)):
        assert keys(head) == sorted(
            [f"plan:{staffing.pk}:school{school.pk}:before", f"plan:{digital.pk}:school{school.pk}:before"]
        )
    [digest] = mails_to("head_a@example.org")
    assert digest.subject == "Мониторинг ПРП: напоминания на 27.09.2025"
    assert "Выявление кадровых потребностей" in digest.body
    assert "Развитие цифровой образовательной среды" in digest.body
    assert len(mails_to("head_c@example.org")) == 1
    # Head B's school is of M2, outside the items' organisations.
    assert not keys(w.head_b) and not mails_to("head_b@example.org")
    # School C submits its data: it hears nothing more.
    factories.SubmissionFactory(period=w.period, school=w.school_c)
    mail.outbox.clear()
    run_twice(DEADLINE)
    assert [k.rsplit(":", 1)[1] for k in keys(w.head_a)].count("on") == 2
    assert not any(k.endswith(":on") for k in keys(w.head_c))
    assert len(mails_to("head_a@example.org")) == 1 and not mails_to("head_c@example.org")
    # After the deadline: «after», once, whatever the number of runs.
    mail.outbox.clear()
    run_twice(DEADLINE + DAY)
    run_twice(DEADLINE + 2 * DAY)
    assert [k.rsplit(":", 1)[1] for k in keys(w.head_a)].count("after") == 2
    assert len(mails_to("head_a@example.org")) == 1
    # Within the grace days the municipality hears nothing.
    run_twice(DEADLINE + 5 * DAY)
    assert not keys(w.municipal)
    # After them: the municipal official of M1 is told once per school and item; M2's is not.
    mail.outbox.clear()
    run_twice(DEADLINE + 6 * DAY)
    run_twice(DEADLINE + 7 * DAY)
    assert keys(w.municipal) == sorted(
        [f"plan:{staffing.pk}:school{w.school_a.pk}:escalation", f"plan:{digital.pk}:school{w.school_a.pk}:escalation"]
    )
    assert not keys(w.municipal_b)
    [told] = mails_to("municipal@example.org")
    assert "МКОУ «Алексеевская СШ»" in told.body and "Аржановская" not in told.body
    assert len(mail.outbox) == 1
    # Head A got each step of each item exactly once.
    assert len(keys(w.head_a)) == 6
    assert len(keys(w.head_c)) == 2


def test_a_done_item_stops_its_reminders(people):
    item = plan_item(people, areas=[people.m1])
    notices_daily(today=DEADLINE - 3 * DAY)
    item.state = PlanItemState.DONE
    item.save()
    notices_daily(today=DEADLINE + 10 * DAY)
    assert {k.rsplit(":", 1)[1] for k in keys(people.head_a)} == {"before"}
    assert not keys(people.municipal)


def test_a_failed_send_is_retried_by_the_next_run(people, monkeypatch):
    plan_item(people, areas=[people.m1])

    def down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("reports.notices.send_mail", down)
    notices_daily(today=DEADLINE - 3 * DAY)
    assert Notice.objects.filter(user=people.head_a, emailed=False).count() == 1
    monkeypatch.undo()
    notices_daily(today=DEADLINE - 2 * DAY)
    assert Notice.objects.filter(user=people.head_a, emailed=True).count() == 1
    assert len(mails_to("head_a@example.org")) == 1


def test_the_reason_says_role_item_deadline_and_step(people):
    plan_item(people, areas=[people.m1])
    notices_daily(today=DEADLINE + DAY)
    notice = Notice.objects.get(user=people.head_a, key__endswith=":after")
    assert notice.reason == (
        "Вы получили это напоминание как руководитель МКОУ «Алексеевская СШ»: по пункту плана мониторинга "
        "2025 года «9. Выявление кадровых потребностей» срок 30.09.2025, данные не представлены (срок прошел); "
        "напоминания приходят за неделю до срока, в день срока и после него."
    )
    assert notice.url == f"/periods/2025/plan/{notice.key.split(':')[1]}/"


def test_an_item_without_municipalities_concerns_every_school(people):
    plan_item(people)
    notices_daily(today=DEADLINE)
    assert keys(people.head_b) and keys(people.head_a)


def test_the_institutes_own_items_remind_no_organisation(people):
    plan_item(people, direction=3, obligation=PlanObligation.INSTITUTE)
    notices_daily(today=DEADLINE + 30 * DAY)
    assert not Notice.objects.filter(key__startswith="plan:").exists()


def test_steps_read_off_the_date():
    unit = Unit(key="x", label="", deadline=DEADLINE, done=False, school_id=None, school_name="", municipality_id=None)
    assert step_of(unit=unit, today=DEADLINE - 8 * DAY) is None
    assert step_of(unit=unit, today=DEADLINE - 7 * DAY) == BEFORE
    assert step_of(unit=unit, today=DEADLINE) == ON
    assert step_of(unit=unit, today=DEADLINE + DAY) == AFTER
    unit.done = True
    assert step_of(unit=unit, today=DEADLINE + DAY) is None


def test_two_schools_that_stay_late_each_reach_the_municipal_official_once_after_the_grace_days(people):
    """The issue's case as written: two schools miss the deadline and never catch up."""
    item = plan_item(people, direction=9, grace_days=5, areas=[people.m1])
    w = people
    for day in range(-8, 12):  # the daily job every day from before the week to well past the grace days
        run_twice(DEADLINE + day * DAY)
        if day == 5:
            # The last day of grace: the municipality has heard nothing yet.
            assert not keys(w.municipal)
    for head, school in ((w.head_a, w.school_a), (w.head_c, w.school_c)):
        assert keys(head) == sorted(f"plan:{item.pk}:school{school.pk}:{step}" for step in ("after", "before", "on"))
    assert keys(w.municipal) == sorted(
        f"plan:{item.pk}:school{school.pk}:escalation" for school in (w.school_a, w.school_c)
    )
    # Both schools were told to the official in one digest, on the first day after the grace days.
    [told] = mails_to("municipal@example.org")
    assert "Алексеевская" in told.body and "Аржановская" in told.body
    assert told.subject == f"Мониторинг ПРП: напоминания на {DEADLINE + 6 * DAY:%d.%m.%Y}"
    assert not keys(w.municipal_b)
