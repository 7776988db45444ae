"""The admin's import/export of reference tables goes through the data package's sheets."""

from __future__ import annotations

import pytest
import tablib
from django.urls import reverse

from monitoring import models
from monitoring.resources import MunicipalityResource, SchoolResource, TeacherResource

pytestmark = pytest.mark.django_db


def test_school_export_has_the_sheet_columns_and_respects_the_queryset(world):
    data = SchoolResource().export(models.School.objects.visible_to(world.municipal))
    assert data.headers[:3] == ["Код ОО", "Наименование", "Код муниципалитета"]
    assert [row[0] for row in data] == ["000001", "000003"]


def test_teacher_export_is_the_current_roster(world):
    data = TeacherResource().export(models.Teacher.objects.all())
    assert data.headers[0] == "Код педагога"
    assert {row[0] for row in data} == {"T0000001", "T0000002", "T0000003"}


def test_import_refuses_with_the_same_messages_and_changes_nothing(world):
    dataset = tablib.Dataset(headers=["Код ОО", "Наименование", "Код муниципалитета", "ИНН"])
    dataset.append(["000010", "Новая школа", "01", "123"])
    dataset.append(["000011", "Еще школа", "99", ""])
    for dry_run in (True, False):
        result = SchoolResource().import_data(dataset, dry_run=dry_run)
        assert result.has_validation_errors()
        errors = {(r.number, k): v for r in result.invalid_rows for k, v in r.error_dict.items()}
        assert errors[(2, "ИНН")] == ["ИНН должен состоять из 10 или 12 цифр"]
        assert errors[(3, "Код муниципалитета")] == ["Муниципалитета с таким кодом нет ни в файле, ни в портале"]
    assert not models.School.objects.filter(code__in=["000010", "000011"]).exists()


def test_import_dry_run_then_real(world):
    dataset = tablib.Dataset(headers=["Код", "Наименование"])
    dataset.append(["01", "Алексеевский муниципальный район"])
    dataset.append(["05", "Дубовский муниципальный район"])
    preview = MunicipalityResource().import_data(dataset, dry_run=True)
    assert not preview.has_errors() and not preview.has_validation_errors()
    assert (preview.totals["new"], preview.totals["skip"]) == (1, 1)
    assert not models.Municipality.objects.filter(code="05").exists()
    MunicipalityResource().import_data(dataset, dry_run=False)
    assert models.Municipality.objects.get(code="05").name == "Дубовский муниципальный район"


@pytest.mark.parametrize(("person", "can_import"), [("analyst", True), ("ministry", False), ("municipal", False)])
def test_admin_import_export_buttons_follow_the_role(client, world, person, can_import):
    client.force_login(world.people[person])
    assert client.get(reverse("admin:monitoring_school_export")).status_code == 200
    assert (client.get(reverse("admin:monitoring_school_import")).status_code == 200) is can_import
