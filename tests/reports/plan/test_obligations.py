"""Who owes what: the diagnostic, routes waiting for their head, questionnaires; bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from iom.models import RouteEvent
from monitoring.models import PlanObligation, Role
from reports.models import Notice
from reports.notices import notices_daily
from reports.plan.obligations import units_for_item
from reports.plan.reminders import plan_reminders
from tests import factories
from tests.deficits.questionnaire import answering
from tests.reports.plan.helpers import DEADLINE, plan_item

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def plan_keys(user) -> list[str]:
    return sorted(Notice.objects.filter(user=user).values_list("key", flat=True))


def test_teachers_without_a_diagnostic_in_the_period_owe_it(people):
    item = plan_item(people, direction=1, obligation=PlanObligation.DIAGNOSTIC)
    teacher_c = factories.UserFactory(username="teacher_c", role=Role.TEACHER, teacher=people.teacher_c, is_staff=False)
    factories.DiagnosticFactory(teacher=people.teacher_c, date=dt.date(2025, 3, 1), submit=True)
    # A diagnostic of the year before does not count.
    factories.DiagnosticFactory(teacher=people.teacher_a, date=dt.date(2024, 3, 1), submit=True)
    units = {u.key: u for u in units_for_item(item=item, today=DEADLINE)}
    assert set(units) == {f"teacher{t.pk}" for t in (people.teacher_a, people.teacher_b, people.teacher_c)}
    assert units[f"teacher{people.teacher_c.pk}"].done
    assert not units[f"teacher{people.teacher_a.pk}"].done
    notices_daily(today=DEADLINE)
    assert plan_keys(people.teacher) == [f"plan:{item.pk}:teacher{people.teacher_a.pk}:on"]
    assert not plan_keys(teacher_c)
    # Teachers are not escalated to the municipality.
    notices_daily(today=DEADLINE + 30 * DAY)
    assert not Notice.objects.filter(user=people.municipal, key__startswith="plan:").exists()
    reason = Notice.objects.get(user=people.teacher, key__endswith=":on").reason
    assert reason.startswith("Вы получили это напоминание как педагог МКОУ «Алексеевская СШ»")
    assert "диагностика профессиональных дефицитов не пройдена" in reason


def _submitted_route(teacher, *, days_ago: int, today: dt.date, start: dt.date | None = None):
    extra = {"start": start} if start else {}
    route = factories.RouteFactory(teacher=teacher, status="submitted", **extra)
    event = RouteEvent.objects.create(route=route, status="submitted")
    at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10)))
    RouteEvent.objects.filter(pk=event.pk).update(at=at)
    return route


def test_a_route_waiting_more_than_a_week_reminds_the_head_of_the_teachers_school(people):
    today = dt.date(2025, 10, 20)
    item = plan_item(people, direction=2, obligation=PlanObligation.ROUTES, deadline=dt.date(2025, 12, 31))
    late = _submitted_route(people.teacher_a, days_ago=9, today=today)
    fresh = _submitted_route(people.teacher_b, days_ago=2, today=today)
    # Never sent: nothing owed. Sent and approved: the head's part is done (counted on the plan page).
    factories.RouteFactory(teacher=people.teacher_c, status="draft", start=dt.date(2025, 1, 10))
    # Approved as a package recorded it, without events: reviewed, counted from its start.
    recorded = factories.RouteFactory(teacher=people.teacher_c, status="approved", start=dt.date(2025, 1, 20))
    reviewed = _submitted_route(people.teacher_c, days_ago=20, today=today, start=dt.date(2025, 2, 1))
    reviewed.status = "approved"
    reviewed.save(update_fields=["status"])
    # Sent before the period began: another period's business.
    _submitted_route(people.teacher_c, days_ago=400, today=today, start=dt.date(2024, 9, 1))
    units = {u.key: u for u in units_for_item(item=item, today=today)}
    assert set(units) == {f"route{late.pk}", f"route{fresh.pk}", f"route{reviewed.pk}", f"route{recorded.pk}"}
    assert units[f"route{recorded.pk}"].done
    assert units[f"route{reviewed.pk}"].done and not units[f"route{late.pk}"].done
    assert units[f"route{late.pk}"].is_late(today)
    assert not units[f"route{fresh.pk}"].is_late(today)
    notices_daily(today=today)
    assert plan_keys(people.head_a) == [f"plan:{item.pk}:route{late.pk}:after"]
    # Route B was submitted two days ago: its week is not out, its head hears nothing yet.
    assert not plan_keys(people.head_b)
    # After the grace days the municipal official of school A's municipality is told.
    notices_daily(today=today + 10 * DAY)
    assert plan_keys(people.municipal) == [f"plan:{item.pk}:school{people.school_a.pk}:escalation"]


def test_an_unanswered_questionnaire_reminds_its_teacher_by_the_closing_date(people):
    today = dt.date(2025, 10, 20)
    campaign = answering.campaign(people, opens=today - 5 * DAY, closes=today + 3 * DAY)
    answering.invitation(campaign, people.teacher_a, people.school_a)
    answering.invitation(campaign, people.teacher_c, people.school_c, answered=True)
    teacher_c = factories.UserFactory(username="teacher_c", role=Role.TEACHER, teacher=people.teacher_c, is_staff=False)
    notices_daily(today=today)
    notices_daily(today=today)
    [notice] = Notice.objects.filter(user=people.teacher, key__startswith="survey:")
    assert notice.key.endswith(":before")
    assert "срок 23.10.2025" in notice.reason and "анкета «Проверка» не заполнена" in notice.reason
    assert not Notice.objects.filter(user=teacher_c).exists()
    notices_daily(today=today + 3 * DAY)
    assert Notice.objects.filter(user=people.teacher, key__startswith="survey:").count() == 2


@pytest.mark.parametrize("obligation", [PlanObligation.SCHOOL_DATA, PlanObligation.DIAGNOSTIC, PlanObligation.ROUTES])
def test_the_registry_reads_a_fixed_number_of_queries_whatever_the_schools(
    people, obligation, django_assert_max_num_queries
):
    item = plan_item(people, direction=9, obligation=obligation)

    def grow():
        for n in range(5):
            school = factories.SchoolFactory(municipality=people.m1)
            teacher = factories.TeacherFactory()
            factories.RosterEntryFactory(period=people.period, teacher=teacher, school=school)
            factories.UserFactory(role=Role.SCHOOL_HEAD, school=school)
            _submitted_route(teacher, days_ago=9, today=DEADLINE)
            if n % 2:
                factories.SubmissionFactory(period=people.period, school=school)

    with django_assert_max_num_queries(6):
        small = units_for_item(item=item, today=DEADLINE)
    grow()
    with django_assert_max_num_queries(6):
        big = units_for_item(item=item, today=DEADLINE)
    assert len(big) > len(small)


def test_the_daily_reminders_read_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    plan_item(people, direction=9)
    with django_assert_max_num_queries(12):
        first = plan_reminders(today=DEADLINE)
    for _ in range(6):
        school = factories.SchoolFactory(municipality=people.m1)
        factories.UserFactory(role=Role.SCHOOL_HEAD, school=school)
    with django_assert_max_num_queries(12):
        second = plan_reminders(today=DEADLINE + DAY)
    assert second > first


def test_a_questionnaire_reminder_leads_to_the_persons_own_form(people):
    today = dt.date(2025, 10, 20)
    campaign = answering.campaign(people, opens=today - 5 * DAY, closes=today + 3 * DAY)
    answering.invitation(campaign, people.teacher_a, people.school_a)
    notices_daily(today=today)
    notice = Notice.objects.get(user=people.teacher, key__startswith="survey:")
    assert notice.url.startswith("/surveys/a/")
