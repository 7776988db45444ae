"""The plan pages' rows: counts in the reader's scope; units late first, each with its reminders once."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.notices import notices_daily
from reports.plan.pages import plan_rows, unit_rows
from tests import factories
from tests.reports.plan.helpers import DEADLINE, plan_item

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_counts_follow_the_readers_scope(people):
    plan_item(people)
    factories.SubmissionFactory(period=people.period, school=people.school_b)
    today = DEADLINE + DAY
    [row] = plan_rows(period=people.period, user=people.analyst, today=today)
    assert (row.total, row.done, row.late, row.overdue) == (3, 1, 2, True)
    [row] = plan_rows(period=people.period, user=people.municipal, today=today)
    assert (row.total, row.done, row.late) == (2, 0, 2)
    [row] = plan_rows(period=people.period, user=people.head_b, today=today)
    assert (row.total, row.done, row.late) == (1, 1, 0)


def test_units_list_late_first_with_each_step_once(people):
    item = plan_item(people, areas=[people.m1])
    people.head_a2 = factories.UserFactory(username="head_a2", role="school_head", school=people.school_a)
    factories.SubmissionFactory(period=people.period, school=people.school_c)
    notices_daily(today=DEADLINE - 2 * DAY)
    notices_daily(today=DEADLINE + DAY)
    rows = unit_rows(item=item, user=people.analyst, today=DEADLINE + DAY)
    assert [r.unit.school_id for r in rows] == [people.school_a.pk, people.school_c.pk]
    late, done = rows
    # Two heads of school A were reminded: each step is listed once.
    assert [word for word, _ in late.reminders] == ["срок приближается", "срок прошел"]
    assert late.late and done.unit.done and done.reminders == []
