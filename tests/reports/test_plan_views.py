"""The plan pages: counts and units narrowed to the reader's scope, the edit door's refusals, the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from monitoring.models import MonitoringPeriod, PeriodStatus, PlanItemState
from reports.notices import notices_daily
from tests import factories
from tests.reports.plan.helpers import DEADLINE, plan_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(people, settings):
    """Staffing due 30.09.2025; school C submitted, A and B did not; the daily job ran the day after."""
    item = plan_item(people)
    factories.SubmissionFactory(period=people.period, school=people.school_c)
    notices_daily(today=DEADLINE + dt.timedelta(days=1))
    return item


def _as(client, user):
    client.force_login(user)
    return client


def test_the_plan_lists_items_with_counts_in_the_readers_scope(client, people, late):
    page = _as(client, people.analyst).get(reverse("plan-list", args=[2025]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Выявление кадровых потребностей" in text and "30.09.2025" in text
    assert "1 из 3" in text and "Просрочен" in text
    text = _as(client, people.municipal).get(reverse("plan-list", args=[2025])).content.decode()
    assert "1 из 2" in text  # M1: schools A and C
    text = _as(client, people.head_b).get(reverse("plan-list", args=[2025])).content.decode()
    assert "0 из 1" in text


def test_an_item_page_shows_who_is_late_in_scope_with_the_reminders_sent(client, people, late):
    url = reverse("plan-item", args=[2025, late.pk])
    text = _as(client, people.municipal).get(url).content.decode()
    assert "Алексеевская" in text and "Аржановская" in text and "Быковская" not in text
    assert "Опаздывает" in text and "Выполнено" in text and "срок прошел" in text
    text = _as(client, people.head_a).get(url).content.decode()
    assert "Алексеевская" in text and "Аржановская" not in text
    assert "Изменить пункт плана" not in text


def test_the_edit_door_refuses_in_russian_and_keeps_the_item(client, people, late):
    url = reverse("plan-item-edit", args=[2025, late.pk])
    data = {"deadline": "31.02.2025", "state": "in_progress", "obligation": "school_data", "grace_days": "120"}
    page = _as(client, people.analyst).post(url, data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "Введите дату срока (ДД.ММ.ГГГГ)." in text
    assert "Отсрочка до сообщения муниципалитету — не больше 90 дней." in text
    page = client.post(url, {**data, "deadline": "2027-01-10", "grace_days": "3"})
    assert page.status_code == 400
    assert "Срок пункта плана — дата 2025 или 2026 года (год периода или следующий)." in page.content.decode()
    late.refresh_from_db()
    assert late.deadline == DEADLINE and late.grace_days == 5
    page = client.post(url, {**data, "deadline": "2025-10-15", "grace_days": "3", "municipalities": [people.m1.pk]})
    assert page.status_code == 302
    late.refresh_from_db()
    assert late.deadline == dt.date(2025, 10, 15) and late.grace_days == 3


def test_a_municipal_official_cannot_edit_or_mark_done(client, people, late):
    _as(client, people.municipal)
    assert client.post(reverse("plan-item-edit", args=[2025, late.pk]), {}).status_code == 404
    assert client.post(reverse("plan-item-done", args=[2025, late.pk])).status_code == 404
    late.refresh_from_db()
    assert late.state == PlanItemState.NOT_STARTED


def test_the_notices_page_says_why(client, people, late):
    text = _as(client, people.head_a).get(reverse("notice-list")).content.decode()
    assert "Почему я это получил?" in text
    assert "Вы получили это напоминание как руководитель МКОУ «Алексеевская СШ»" in text


def test_the_period_page_links_to_the_plan(client, people):
    text = _as(client, people.head_a).get(reverse("period-detail", args=[2025])).content.decode()
    assert reverse("plan-list", args=[2025]) in text


def test_the_responsible_user_marks_the_item_and_a_bad_state_is_refused_in_russian(client, people, late):
    late.responsible = people.head_b
    late.save()
    url = reverse("plan-item-done", args=[2025, late.pk])
    page = _as(client, people.head_b).post(url, {"state": "whatever"}, follow=True)
    assert "Неизвестное состояние пункта плана." in page.content.decode()
    # A state sent empty is no «done».
    page = client.post(url, {"state": ""}, follow=True)
    assert "Неизвестное состояние пункта плана." in page.content.decode()
    late.refresh_from_db()
    assert late.state == PlanItemState.NOT_STARTED
    assert client.post(url, {"state": "in_progress"}).status_code == 302
    late.refresh_from_db()
    assert late.state == PlanItemState.IN_PROGRESS
    assert client.post(url).status_code == 302
    late.refresh_from_db()
    assert late.state == PlanItemState.DONE


def test_a_closed_periods_item_is_refused_in_russian_and_offers_no_form(client, people, late):
    MonitoringPeriod.objects.filter(pk=people.period.pk).update(status=PeriodStatus.CLOSED)
    client = _as(client, people.analyst)
    url = reverse("plan-item-edit", args=[2025, late.pk])
    data = {"deadline": "2025-10-31", "state": "in_progress", "obligation": "school_data", "grace_days": "3"}
    page = client.post(url, data)
    assert page.status_code == 400
    assert "закрыт" in page.content.decode()
    late.refresh_from_db()
    assert late.deadline == DEADLINE
    shown = client.get(reverse("plan-item", args=[2025, late.pk])).content.decode()
    assert "Изменить пункт плана" not in shown and reverse("plan-item-done", args=[2025, late.pk]) not in shown
