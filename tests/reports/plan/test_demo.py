"""The demo's cycle step: the council and its meeting, the closed period presented, the day's reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring.models import PeriodStatus
from reports.models import Meeting, Notice, Presentation
from reports.plan.demo import COUNCIL, seed_cycle, wipe_cycle
from tests import factories
from tests.reports.plan.helpers import plan_item

pytestmark = pytest.mark.django_db


def test_the_cycle_step_records_the_council_presents_the_closed_period_and_reminds_late_schools(people):
    issuer = factories.institute_issuer()
    closed = factories.PeriodFactory(year=2024, status=PeriodStatus.CLOSED)
    plan_item(people, direction=9, deadline=dt.date(2025, 1, 31), grace_days=0, areas=[people.m1])
    lines = []

    counts = seed_cycle(periods=None, seed=1, log=lines.append)

    issuer.refresh_from_db()
    assert issuer.adoption_body == COUNCIL
    meeting = Meeting.objects.get(issuer=issuer)
    assert (meeting.number, meeting.date) == ("4", dt.date(2025, 3, 14))
    assert Presentation.objects.get().period == closed
    # Schools A and C of M1 submitted nothing: their heads are reminded, and the municipal
    # official told (no grace days), each once.
    reminded = set(Notice.objects.filter(key__startswith="plan:").values_list("user__username", flat=True))
    assert reminded == {"head_a", "head_c", "municipal"}
    assert counts["Notice"] == Notice.objects.count()
    assert "напоминаний" in lines[0]
    # A second seed adds nothing.
    assert seed_cycle(periods=None, seed=1, log=lines.append) == {"Meeting": 0, "Presentation": 0, "Notice": 0}


def test_the_wipe_removes_the_notices_of_the_plan_about_to_be_deleted(people):
    factories.institute_issuer()
    plan_item(people, direction=9, deadline=dt.date(2025, 1, 31), grace_days=0, areas=[people.m1])
    seed_cycle(periods=None, seed=1, log=lambda line: None)
    assert Notice.objects.exists()

    assert wipe_cycle()["Notice"] > 0
    assert not Notice.objects.exists()
