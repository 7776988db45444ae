"""The admin's import/export of reference tables goes through the data package's sheets."""

from __future__ import annotations

import pytest
import tablib
from django.urls import reverse

from monitoring import models
from monitoring.intake.resources import MunicipalityResource, SchoolResource, TeacherResource

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


# --- every admin export door: no formulas, no personal data for officials (issue 14, items 3-4) ---

HOSTILE_NAMES = ['=HYPERLINK("http://x.example","y")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3"]


def _admin_export(client, user, path, file_format: int):
    from django.forms import BooleanField

    client.force_login(user)
    page = client.get(path)
    assert page.status_code == 200
    form = page.context["form"]
    data = {"format": str(file_format)}
    # Every field checkbox the export form offers, ticked (the admin's default choice).
    data.update({name: "on" for name, field in form.fields.items() if isinstance(field, BooleanField)})
    if "resource" in form.fields:
        data["resource"] = "0"
    response = client.post(path, data)
    assert response.status_code == 200 and response.get("Content-Disposition", "").startswith("attachment"), (
        response.content[:3000]
    )
    return response


@pytest.mark.parametrize("model", ["teacher", "school", "municipality"])
def test_admin_exports_never_carry_a_live_formula(client, world, model):
    import io

    from openpyxl import load_workbook

    targets = {"teacher": world.teacher_a, "school": world.school_a, "municipality": world.m1}
    obj = targets[model]
    field = "full_name" if model == "teacher" else "name"
    path = f"/admin/monitoring/{model}/export/"
    for name in HOSTILE_NAMES:
        setattr(obj, field, name)
        obj.save()
        xlsx = _admin_export(client, world.analyst, path, 0)
        cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row]
        found = [c for c in cells if c.value == name]
        assert found, f"{name!r} is not in the .xlsx as text"
        assert all(c.data_type == "s" for c in found)  # a string cell, never "f" (formula)
        assert not [c for c in cells if c.data_type == "f"]
        csv_text = _admin_export(client, world.analyst, path, 1).content.decode("utf-8-sig")
        assert f"'{name}" in csv_text.replace('""', '"'), csv_text
        for line in csv_text.splitlines():
            assert not any(cell.startswith(("=", "+", "@")) for cell in line.split(","))


def test_the_teacher_resource_leaves_personal_data_out_for_officials(world):
    world.teacher_a.snils = "112-233-445 95"
    world.teacher_a.save()
    columns = ["Дата рождения", "СНИЛС"]
    for person, shown in (("ministry", False), ("municipal", False), ("analyst", True), ("head_a", True)):
        data = TeacherResource(user=world.people[person]).export(models.Teacher.objects.filter(code="T0000001"))
        values = {data.headers.index(c): data[0][data.headers.index(c)] for c in columns}
        assert all(values.values()) is shown, (person, values)


def test_the_admin_offers_only_the_safe_formats(client, world):
    client.force_login(world.analyst)
    choices = client.get("/admin/monitoring/teacher/export/").context["form"].fields["format"].choices
    assert [label for _, label in choices if _ != ""] == ["xlsx", "csv"]


# --- the admin's import door reads as the package reads (issue 14, items 2 and the attack's) ---


def _xlsx(rows) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _admin_import(client, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data)
    return client.post(
        reverse("admin:monitoring_municipality_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )


def test_the_admin_import_previews_and_confirms_a_workbook(client, world, media_root):
    client.force_login(world.analyst)
    # Codes as Excel keeps them (numbers): "5" is the code «05» only as text, so both are text here.
    preview = _admin_import(client, "м.xlsx", _xlsx([["Код", "Наименование"], ["05", "Дубовский муниципальный район"]]))
    assert preview.status_code == 200
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.context.get("errors")
    stored = confirm.initial["import_file_name"]
    assert len(stored) == 32 and "/" not in stored  # a name the storage made, not a path
    response = client.post(reverse("admin:monitoring_municipality_process_import"), confirm.initial)
    assert response.status_code == 302
    assert models.Municipality.objects.get(code="05").name == "Дубовский муниципальный район"


def test_a_refused_table_in_the_admin_import_reads_as_sentences_not_a_traceback(client, world, media_root):
    # The attack on the restructured portal: a whole-file problem showed a Python list and a
    # "Traceback … django.core.exceptions.ValidationError" block.
    client.force_login(world.analyst)
    response = _admin_import(client, "м.xlsx", _xlsx([["Код", "Что-то не то"], ["05", "x"]]))
    page = response.content.decode()
    assert response.status_code == 200 and response.context.get("confirm_form") is None
    assert "<h2>Ошибки</h2>" in page and "нет обязательного столбца" in page
    assert "Traceback" not in page and "ValidationError" not in page and "[&#x27;" not in page


def test_a_hostile_workbook_in_the_admin_import_is_refused_by_the_reader(client, world, media_root):
    from tests.monitoring.intake.package import hostile

    client.force_login(world.analyst)
    response = _admin_import(client, "м.xlsx", hostile.xlsx_corner())
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["import_file"])
    assert "XFD1048576" in errors or "столбец" in errors, errors
    assert response.context.get("confirm_form") is None


@pytest.mark.parametrize("name", ["/etc/hostname", "../hostname", "tmpabcdefgh", "0" * 31 + "g", "a" * 32])
def test_a_confirmation_naming_a_file_the_storage_did_not_make_touches_nothing(client, world, tmp_path, name):
    # The library opened os.path.join(tempdir, name) for any name the browser sent back, and
    # deleted it after the import: any file the web process could read, and then remove.
    client.force_login(world.analyst)
    response = client.post(
        reverse("admin:monitoring_municipality_process_import"),
        {"import_file_name": name, "original_file_name": "x.csv", "format": "1", "resource": "0"},
    )
    assert response.status_code == 400
    assert not models.Municipality.objects.exclude(code__in=["01", "02"]).exists()


@pytest.mark.parametrize("tamper", [{"format": "0"}, {"format": "99"}, {"resource": "5"}, {"format": "-1"}])
def test_a_tampered_confirmation_is_a_bad_request(client, world, media_root, tamper):
    # The second attack: the hidden format or resource changed made IndexError or a CSV read as a workbook (500).
    client.force_login(world.analyst)
    csv = "Код,Наименование\n05,Дубовский муниципальный район\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(
        reverse("admin:monitoring_municipality_import"),
        {"import_file": SimpleUploadedFile("м.csv", csv), "format": "1", "resource": "0"},
    )
    form = {**preview.context["confirm_form"].initial, **tamper}
    response = client.post(reverse("admin:monitoring_municipality_process_import"), form)
    assert response.status_code == 400
    assert not models.Municipality.objects.filter(code="05").exists()


def test_the_admin_export_offers_its_columns_by_their_russian_titles(client, world):
    # The attack on the restructured portal: «Full Name», «Birth Date», «Snils», «Low Results».
    client.force_login(world.analyst)
    page = client.get("/admin/monitoring/teacher/export/").content.decode()
    assert "ФИО" in page and "СНИЛС" in page
    assert "Full Name" not in page and "Snils" not in page
