"""The annual report's pages before the institute is set up: a clear message and the way to the setup, no report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import AnnualReport

pytestmark = pytest.mark.django_db


def test_a_fresh_portal_asks_for_the_institutes_requisites_instead_of_a_report(client, world):
    client.force_login(world.analyst)
    page = client.get(reverse("report-list")).content.decode()
    assert "Заполните реквизиты института" in page
    assert f'href="{reverse("requisites-edit")}?next=/reports/annual/"' in page
    assert "disabled>Сформировать отчет" in page

    response = client.post(reverse("report-start"), {"period": 2025}, follow=True)
    assert not AnnualReport.objects.exists()
    assert "Отчет не запущен. Заполните реквизиты института" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "", "99999999999999999999", "1900", "2025.5"])
def test_a_period_that_is_no_year_of_the_list_is_a_russian_error(client, world, value):
    # The attack on issue 16: period=abc answered 500.
    client.force_login(world.analyst)
    response = client.post(reverse("report-start"), {"period": value}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Отчет не запущен." in page
    assert "Такого периода мониторинга нет" in page or "Выберите год отчета" in page
    assert not AnnualReport.objects.exists()


def test_the_ministry_is_told_who_fills_the_requisites_in(client, world):
    client.force_login(world.ministry)
    page = client.get(reverse("report-list")).content.decode()
    assert "Заполните реквизиты института" in page and "заполняет специалист института" in page
    assert reverse("requisites-edit") not in page


def test_an_open_period_is_offered_as_preliminary(client, world):
    from tests import factories

    factories.PeriodFactory(year=2024, status="closed")
    client.force_login(world.analyst)
    page = client.get(reverse("report-list")).content.decode()
    assert '<option value="2025">2025 (предварительные данные)</option>' in page
    assert '<option value="2024">2024</option>' in page
