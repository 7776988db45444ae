"""The setup page of the blanks: institute staff fill in the region's, a municipal official their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import Issuer, IssuerKind

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Государственное автономное учреждение дополнительного профессионального образования «Институт»",
    "short_name": "ГАУ ДПО «Институт»",
    "address": "214000, г. Смоленск, ул. Примерная, д. 2",
    "city": "Смоленск",
    "phone": "",
    "fax": "",
    "email": "",
    "site": "",
    "okpo": "",
    "ogrn": "",
    "inn_kpp": "",
    "signatory_position": "Ректор",
    "signatory_name": "В. Г. Петрова",
    "number_suffix": "",
}


def test_institute_staff_fill_in_the_regional_blank(client, world):
    client.force_login(world.analyst)
    page = client.get(reverse("requisites-edit")).content.decode()
    assert "Реквизиты института" in page and "Реквизиты еще не заполнены" in page
    response = client.post(reverse("requisites-edit"), FORM | {"next": "/reports/annual/"})
    assert response.status_code == 302 and response.url == "/reports/annual/"
    issuer = Issuer.objects.get()
    assert (issuer.kind, issuer.city, issuer.name) == (IssuerKind.INSTITUTE, "Смоленск", FORM["name"])
    # Another site named after saving is not followed.
    assert client.post(reverse("requisites-edit"), FORM | {"next": "//evil.example/"}).url == reverse("requisites-edit")


def test_a_missing_requisite_gets_a_russian_message_and_loses_nothing(client, world):
    client.force_login(world.analyst)
    client.post(reverse("requisites-edit"), FORM)
    response = client.post(reverse("requisites-edit"), FORM | {"city": "", "phone": "(4812) 11-11-11"})
    page = response.content.decode()
    assert response.status_code == 200 and "Обязательное поле." in page
    assert 'value="(4812) 11-11-11"' in page  # what was typed is still on the page
    assert Issuer.objects.get().city == "Смоленск" and Issuer.objects.get().phone == ""


def test_a_municipal_official_edits_their_own_authoritys_blank(client, world):
    other = Issuer.objects.create(
        kind=IssuerKind.MUNICIPAL, municipality=world.m2, name="Отдел М2", signatory_position="Начальник",
        signatory_name="Е. Ж. Иванова",
    )  # fmt: skip
    client.force_login(world.municipal)
    page = client.get(reverse("requisites-edit")).content.decode()
    assert "Реквизиты органа управления образованием" in page
    client.post(reverse("requisites-edit"), FORM | {"name": "Отдел по образованию М1"})
    own = Issuer.objects.get(municipality=world.m1)
    assert own.name == "Отдел по образованию М1" and own.kind == IssuerKind.MUNICIPAL
    other.refresh_from_db()
    assert other.name == "Отдел М2"
    assert not Issuer.objects.filter(kind=IssuerKind.INSTITUTE).exists()


@pytest.mark.parametrize("role", ["ministry", "head_a", "teacher"])
def test_others_have_no_setup_page(client, world, role):
    client.force_login(world.people[role])
    assert client.get(reverse("requisites-edit")).status_code == 404
    assert client.post(reverse("requisites-edit"), FORM).status_code == 404
    assert not Issuer.objects.exists()


def test_fax_and_okpo_are_on_the_setup_page(client, world):
    client.force_login(world.analyst)
    page = client.get(reverse("requisites-edit")).content.decode()
    assert 'name="fax"' in page and 'name="okpo"' in page and ">Факс" in page and ">ОКПО" in page


@pytest.mark.parametrize("typed", ["8020018", "802001844", "80200184AB", "ОКПО 80200184", "12345678901"])
def test_a_malformed_okpo_is_refused_in_russian_and_loses_nothing(client, world, typed):
    client.force_login(world.analyst)
    client.post(reverse("requisites-edit"), FORM | {"okpo": "80200184"})
    response = client.post(reverse("requisites-edit"), FORM | {"okpo": typed, "fax": "(84454) 5-57-46"})
    page = response.content.decode()
    assert response.status_code == 200 and "ОКПО должен состоять из 8 или 10 цифр." in page
    assert f'value="{typed}"' in page and 'value="(84454) 5-57-46"' in page  # what was typed is still there
    issuer = Issuer.objects.get()
    assert (issuer.okpo, issuer.fax) == ("80200184", "")


@pytest.mark.parametrize("okpo", ["80200184", "0123456789", ""])
def test_an_okpo_of_8_or_10_digits_or_none_is_kept_with_the_fax(client, world, okpo):
    client.force_login(world.analyst)
    response = client.post(reverse("requisites-edit"), FORM | {"okpo": f" {okpo} ", "fax": "(84454) 5-57-46"})
    assert response.status_code == 302
    issuer = Issuer.objects.get()
    assert (issuer.okpo, issuer.fax) == (okpo, "(84454) 5-57-46")
