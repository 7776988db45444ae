"""The pages of a municipality's справка: who sees the list and the start, and bad input answered in Russian."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import AnnualReport
from tests import factories
from tests.reports.annual.helpers import make_institute

pytestmark = pytest.mark.django_db


@pytest.fixture
def spravki(world):
    make_institute()
    return {
        m.code: factories.AnnualReportFactory(period=world.period, municipality=m, user=world.analyst)
        for m in (world.m1, world.m2)
    }


def test_the_list_is_scoped_and_offers_each_role_what_it_may_start(client, world, spravki):
    region = factories.AnnualReportFactory(period=world.period, user=world.ministry)
    client.force_login(world.municipal)
    page = client.get(reverse("spravka-list")).content.decode()
    assert f'id="report-{spravki["01"].pk}"' in page and f'id="report-{spravki["02"].pk}"' not in page
    assert f'id="report-{region.pk}"' not in page and "Быковский" not in page
    # Their own municipality, fixed: no choice of another.
    assert '<input type="hidden" name="municipality" value="01">' in page and "spravka-municipality" not in page

    client.force_login(world.analyst)
    page = client.get(reverse("spravka-list")).content.decode()
    assert f'id="report-{spravki["01"].pk}"' in page and f'id="report-{spravki["02"].pk}"' in page
    assert f'id="report-{region.pk}"' not in page  # the region's report has its own list
    assert '<select id="spravka-municipality" name="municipality"' in page
    only = client.get(reverse("spravka-list"), {"municipality": "02"}).content.decode()
    assert f'id="report-{spravki["02"].pk}"' in only and f'id="report-{spravki["01"].pk}"' not in only
    unknown = client.get(reverse("spravka-list"), {"municipality": "zz"}).content.decode()
    assert "Справки еще не формировались" in unknown
    assert client.get(reverse("spravka-list"), {"municipality": "0\x00"}).status_code == 400  # the project's NUL guard

    client.force_login(world.ministry)
    page = client.get(reverse("spravka-list")).content.decode()
    assert f'id="report-{spravki["02"].pk}"' in page and "Сформировать справку" not in page
    for person in (world.head_a, world.teacher):
        client.force_login(person)
        assert client.get(reverse("spravka-list")).status_code == 404


@pytest.mark.parametrize(
    ("person", "body", "told"),
    [
        ("analyst", {"period": "abc", "municipality": "01"}, "Такого периода мониторинга нет"),
        ("analyst", {"period": "", "municipality": "01"}, "Выберите год справки"),
        ("analyst", {"period": "2025"}, "Выберите муниципалитет"),
        ("analyst", {"period": "2025", "municipality": "99"}, "Такого муниципалитета нет"),
        ("municipal", {"period": "2025", "municipality": "<b>"}, "Такого муниципалитета нет"),
        ("municipal", {"period": "99999999999999999999"}, "Такого периода мониторинга нет"),
        ("analyst", {"period": "2025", "municipality": "0\x00"}, "запрещённый символ"),
    ],
)
def test_bad_input_is_a_russian_message_and_starts_nothing(client, world, spravki, person, body, told):
    client.force_login(world.people[person])
    response = client.post(reverse("spravka-start"), body, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Справка не запущена." in page and told in page
    assert AnnualReport.objects.count() == 2


def test_without_the_institutes_requisites_no_spravka_starts(client, world):
    client.force_login(world.municipal)
    page = client.get(reverse("spravka-list")).content.decode()
    assert "disabled>Сформировать справку" in page and "заполняет специалист института" in page
    response = client.post(reverse("spravka-start"), {"period": 2025}, follow=True)
    assert "Справка не запущена. Заполните реквизиты института" in response.content.decode()
    assert not AnnualReport.objects.exists()
