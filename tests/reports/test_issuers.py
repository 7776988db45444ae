"""The one institute setup: a portal without it has no blank; each writer keeps only their own."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reports import issuers
from reports.models import Issuer, IssuerKind

pytestmark = pytest.mark.django_db

FILLED = {
    "name": "Государственное бюджетное учреждение дополнительного профессионального образования «Институт»",
    "short_name": "ГБУ ДПО «Институт»",
    "address": "214000, г. Смоленск, ул. Примерная, д. 2",
    "city": "Смоленск",
    "phone": "(4812) 00-00-00",
    "signatory_position": "Ректор",
    "signatory_name": "В. Г. Петрова",
}


def test_a_fresh_portal_has_no_blank_and_says_what_to_fill_in(world):
    with pytest.raises(issuers.RequisitesMissing) as caught:
        issuers.require_institute_issuer()
    assert caught.value.message.startswith("Заполните реквизиты института")
    assert not Issuer.objects.exists()  # nothing is made up on the way

    Issuer.objects.create(kind=IssuerKind.INSTITUTE, name="Институт", signatory_position="Ректор", signatory_name="—")
    with pytest.raises(issuers.RequisitesMissing) as caught:
        issuers.require_institute_issuer()
    assert "адрес" in caught.value.message and "город" in caught.value.message
    assert "подписант" in caught.value.message


def test_institute_staff_keep_the_regional_blank(world):
    saved = issuers.requisites_save(user=world.analyst, values=FILLED)
    assert saved.kind == IssuerKind.INSTITUTE and saved.municipality is None
    assert issuers.require_institute_issuer() == saved
    again = issuers.requisites_save(user=world.analyst, values=FILLED | {"phone": "(4812) 11-11-11"})
    assert again.pk == saved.pk and Issuer.objects.count() == 1


def test_a_municipal_official_keeps_only_their_municipalitys_blank(world):
    institute = issuers.requisites_save(user=world.analyst, values=FILLED)
    other = Issuer.objects.create(
        kind=IssuerKind.MUNICIPAL, municipality=world.m2, name="Отдел М2", signatory_position="Начальник",
        signatory_name="Е. Ж. Иванова",
    )  # fmt: skip
    before = {i.pk: (i.name, i.address, i.signatory_name) for i in Issuer.objects.all()}
    own = issuers.requisites_save(user=world.municipal, values=FILLED | {"name": "Отдел по образованию М1"})
    assert (own.kind, own.municipality) == (IssuerKind.MUNICIPAL, world.m1)
    after = {i.pk: (i.name, i.address, i.signatory_name) for i in Issuer.objects.exclude(pk=own.pk)}
    assert after == {pk: row for pk, row in before.items() if pk in (institute.pk, other.pk)}
    assert issuers.require_institute_issuer().name == FILLED["name"]


@pytest.mark.parametrize("role", ["ministry", "head_a", "teacher"])
def test_readers_keep_no_blank(world, role):
    with pytest.raises(PermissionDenied):
        issuers.requisites_save(user=world.people[role], values=FILLED)
    assert not Issuer.objects.exists()


def test_an_incomplete_blank_is_refused_and_the_stored_one_kept(world):
    issuers.requisites_save(user=world.analyst, values=FILLED)
    with pytest.raises(ValidationError, match="Заполните обязательные реквизиты: город"):
        issuers.requisites_save(user=world.analyst, values=FILLED | {"city": "  "})
    assert Issuer.objects.get().city == "Смоленск"


def test_the_letterhead_lines_print_what_is_given():
    issuer = Issuer(
        name="Отдел", address="403791, г. Жирновск, ул. З. Космодемьянской, д. 1", phone="(84454) 5-43-26",
        fax="(84454) 5-57-46", email="edu_zhirn@volganet.ru", okpo="80200184", ogrn="1073453000796",
        inn_kpp="3407011107/340701001",
    )  # fmt: skip
    assert issuer.requisite_lines == [
        "403791, г. Жирновск, ул. З. Космодемьянской, д. 1. Тел. (84454) 5-43-26. Факс (84454) 5-57-46",
        "E-mail: edu_zhirn@volganet.ru",
        "ОКПО 80200184, ОГРН 1073453000796, ИНН/КПП 3407011107/340701001",
    ]
    assert Issuer(name="Отдел").requisite_lines == []


def test_the_service_refuses_a_malformed_okpo_and_keeps_the_stored_one(world):
    issuers.requisites_save(user=world.analyst, values=FILLED | {"okpo": "80200184"})
    with pytest.raises(ValidationError, match="ОКПО должен состоять из 8 или 10 цифр"):
        issuers.requisites_save(user=world.analyst, values=FILLED | {"okpo": "802-001-84"})
    assert Issuer.objects.get().okpo == "80200184"


def test_the_database_holds_okpo_to_8_or_10_digits(world):
    issuer = issuers.requisites_save(user=world.analyst, values=FILLED)
    for good in ("", "80200184", "0123456789"):
        Issuer.objects.filter(pk=issuer.pk).update(okpo=good)
    for bad in ("8020018", "802001844", "8020018X", "12345678901234"):
        with pytest.raises(IntegrityError, match="issuer_okpo_digits"), transaction.atomic():
            Issuer.objects.filter(pk=issuer.pk).update(okpo=bad)
    assert Issuer.objects.get().okpo == "0123456789"


def test_the_letterhead_prints_no_fax_or_okpo_when_empty():
    issuer = Issuer(name="Отдел", address="403791, г. Жирновск", phone="(84454) 5-43-26", ogrn="1073453000796")
    assert issuer.requisite_lines == ["403791, г. Жирновск. Тел. (84454) 5-43-26", "ОГРН 1073453000796"]
    assert not any("Факс" in line or "ОКПО" in line for line in issuer.requisite_lines)
