"""The monitoring endpoints of /api/v1/: scope per role, tokens, errors, uploads and query counts."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from monitoring import models
from tests import factories
from tests.api import assert_constant_queries, rows, token_client
from tests.monitoring.intake.package.test_importer import BAD, SPEC

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "on_commit_now")]


def _codes(response, key="code") -> list[str]:
    return [row[key] for row in rows(response)]


# -- scope per role ------------------------------------------------------------------

SCHOOLS = {
    "analyst": ["000001", "000002", "000003"],
    "ministry": ["000001", "000002", "000003"],
    "municipal": ["000001", "000003"],
    "head_a": ["000001"],
    "head_b": ["000002"],
    "teacher": [],
}
TEACHERS = {
    "analyst": ["T0000001", "T0000002", "T0000003"],
    "ministry": ["T0000001", "T0000002", "T0000003"],
    "municipal": ["T0000001", "T0000003"],
    "head_a": ["T0000001"],
    "head_b": ["T0000002"],
    "teacher": ["T0000001"],
}


@pytest.mark.parametrize("person", list(SCHOOLS))
def test_each_role_lists_only_its_scope(world, person):
    client = token_client(world.people[person])
    assert _codes(client.get("/api/v1/schools/")) == SCHOOLS[person]
    assert _codes(client.get("/api/v1/teachers/"), "teacher") == TEACHERS[person]
    municipalities = {"municipal": ["01"], "head_a": [], "head_b": [], "teacher": []}.get(person, ["01", "02"])
    assert _codes(client.get("/api/v1/municipalities/")) == municipalities
    # An object out of scope is "not found", as on the pages.
    other = "000002" if person != "head_b" else "000001"
    expected = 200 if other in SCHOOLS[person] else 404
    response = client.get(f"/api/v1/schools/{other}/")
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["code"] == "not_found"


def test_a_school_heads_token_lists_only_their_schools_teachers(world):
    factories.RosterEntryFactory(period=world.period, school=world.school_c)
    factories.RosterEntryFactory(period=world.period, school=world.school_a, teacher__code="T0000009")
    listed = rows(token_client(world.head_a).get("/api/v1/teachers/"))
    assert {row["school"] for row in listed} == {"000001"}
    assert [row["teacher"] for row in listed] == ["T0000001", "T0000009"]


def test_staffing_rows_follow_the_scope_and_filters(world):
    factories.StaffingRowFactory(period=world.period, school=world.school_a, position="учитель")
    factories.StaffingRowFactory(period=world.period, school=world.school_b, position="учитель")
    assert _codes(token_client(world.head_a).get("/api/v1/staffing-rows/"), "school") == ["000001"]
    analyst = token_client(world.analyst)
    assert _codes(analyst.get("/api/v1/staffing-rows/", {"municipality": "02"}), "school") == ["000002"]
    assert _codes(analyst.get("/api/v1/staffing-rows/", {"period": 2024}), "school") == []


@pytest.mark.parametrize("person", ["analyst", "head_a", "teacher", "ministry", "municipal"])
def test_personal_data_only_for_roles_that_need_it(world, person):
    entry = next(
        r for r in rows(token_client(world.people[person]).get("/api/v1/teachers/")) if r["teacher"] == "T0000001"
    )
    if person in ("analyst", "head_a", "teacher"):
        assert entry["birth_date"] == world.teacher_a.birth_date.isoformat()
    else:
        assert entry["birth_date"] is None and entry["snils"] is None


def test_filters_are_the_html_lists(world):
    client = token_client(world.analyst)
    assert _codes(client.get("/api/v1/schools/", {"q": "Быковская"})) == ["000002"]
    assert _codes(client.get("/api/v1/teachers/", {"q": "Петрова"}), "teacher") == ["T0000001"]
    # A municipality outside the filter's choices is a validation error, in JSON and Russian.
    bad = client.get("/api/v1/schools/", {"municipality": "999999"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "municipality" in bad.json()["errors"]


# -- authentication and errors -----------------------------------------------------------


def test_no_token_is_401_in_json_and_russian():
    response = APIClient().get("/api/v1/schools/")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": "Учетные данные не были предоставлены."}
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_wrong_or_revoked_token_is_refused(world):
    client = token_client(world.analyst)
    assert client.get("/api/v1/schools/").status_code == 200
    models.ApiToken.objects.all().delete()
    response = client.get("/api/v1/schools/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_an_unknown_api_address_is_a_json_404(world, settings):
    settings.DEBUG = False
    response = token_client(world.analyst).get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_pages_stay_stable_and_have_a_size_limit(world):
    for n in range(5, 9):
        factories.SchoolFactory(municipality=world.m1, code=f"00001{n}")
    client = token_client(world.analyst)
    first = client.get("/api/v1/schools/", {"page_size": 3})
    second = client.get("/api/v1/schools/", {"page_size": 3, "page": 2})
    codes = _codes(first) + _codes(second)
    assert codes == sorted(codes) and len(set(codes)) == 6 and first.json()["count"] == 7
    assert client.get("/api/v1/schools/", {"page": 99}).json()["code"] == "not_found"


def test_list_queries_do_not_grow_with_the_page(world, django_assert_max_num_queries):
    client = token_client(world.analyst)

    def more_teachers():
        for _ in range(6):
            factories.RosterEntryFactory(period=world.period, school=world.school_b)

    factories.StaffingRowFactory(period=world.period, school=world.school_a, position="учитель")

    def more_rows():
        for n in range(6):
            factories.StaffingRowFactory(period=world.period, school=world.school_c, position=f"должность {n}")

    def more_schools():
        for n in range(6):
            factories.SchoolFactory(municipality=world.m2, code=f"00009{n}")

    def more_municipalities():
        for n in range(6):
            factories.MunicipalityFactory(region=world.m1.region, code=f"9{n}")

    def more_periods():
        for year in range(2018, 2024):
            factories.PeriodFactory(year=year)

    def more_imports():
        for school in (world.school_a, world.school_b, world.school_c):
            factories.ImportJobFactory.create_batch(2, period=world.period, school=school, user=world.head_a)

    factories.ImportJobFactory(period=world.period, school=None, kind="package", user=world.analyst)
    assert_constant_queries(client, "/api/v1/teachers/", more_teachers)
    assert_constant_queries(client, "/api/v1/staffing-rows/", more_rows)
    assert_constant_queries(client, "/api/v1/schools/", more_schools)
    assert_constant_queries(client, "/api/v1/municipalities/", more_municipalities)
    assert_constant_queries(client, "/api/v1/periods/", more_periods)
    assert_constant_queries(client, "/api/v1/import-jobs/", more_imports)
    with django_assert_max_num_queries(4):  # token, count, page; no query per row
        rows(client.get("/api/v1/teachers/"))


# -- imports through the API -------------------------------------------------------------


def _file(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


@pytest.fixture
def r15(world):
    models.Region.objects.update(code="R15")  # the sample package's region
    return world


def test_a_system_uploads_checks_and_confirms_a_package(r15):
    client = token_client(r15.analyst)
    created = client.post("/api/v1/import-jobs/", {"period": 2025, "file": _file(SPEC / "sample-package.zip")})
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["status"] == "checked" and job["problem_count"] == 0
    assert not models.School.objects.filter(code="000009").exists()  # the check wrote nothing
    confirmed = client.post(f"/api/v1/import-jobs/{job['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "applied"
    assert client.get(f"/api/v1/import-jobs/{job['id']}/").json()["applied_at"]
    assert models.RosterEntry.objects.filter(period=r15.period, teacher__code="T000080").exists()


def test_an_upload_into_a_closed_period_says_it_is_closed(r15):
    # The attack on the restructured portal: «Объект с year=2024 не существует» for a period that exists.
    models.MonitoringPeriod.objects.create(year=2024, reference_date="2024-12-31", status=models.PeriodStatus.CLOSED)
    client = token_client(r15.analyst)
    refused = client.post("/api/v1/import-jobs/", {"period": 2024, "file": _file(SPEC / "sample-package.zip")})
    assert refused.status_code == 400
    assert "Период 2024 закрыт или не существует" in refused.content.decode()
    assert not models.ImportJob.objects.exists()


def test_a_refused_package_reports_sheet_row_column_and_changes_nothing(r15):
    client = token_client(r15.analyst)
    path = BAD / "vacant-over-schedule" / "Штатное расписание.csv"
    job = client.post("/api/v1/import-jobs/", {"period": 2025, "file": _file(path)}).json()
    assert job["status"] == "refused" and job["problem_count"] >= 1
    errors = client.get(f"/api/v1/import-jobs/{job['id']}/errors/").json()
    assert errors[0]["sheet"] == "Штатное расписание" and errors[0]["row"] == 2
    assert errors[0]["column"] and "Вакантных ставок" in errors[0]["text"]
    refused = client.post(f"/api/v1/import-jobs/{job['id']}/confirm/")
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    assert "отклонена" in refused.json()["detail"]
    assert not models.StaffingRow.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"period": 2025}, "file"),
        ({"period": 1999, "file": SimpleUploadedFile("p.xlsx", b"x")}, "period"),
        ({"period": 2025, "file": SimpleUploadedFile("../../etc/passwd", b"x")}, "file"),
        ({"period": 2025, "kind": "staffing", "file": SimpleUploadedFile("s.xlsx", b"x")}, "school"),
        ({"period": 2025, "kind": "что-то", "file": SimpleUploadedFile("s.xlsx", b"x")}, "kind"),
    ],
)
def test_bad_uploads_are_400_with_the_field_and_store_nothing(r15, data, field):
    response = token_client(r15.analyst).post("/api/v1/import-jobs/", data)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"] and body["detail"].startswith("Данные не прошли")
    assert not models.ImportJob.objects.exists()


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a", "teacher"])
def test_only_the_institute_uploads_a_package(r15, person):
    response = token_client(r15.people[person]).post(
        "/api/v1/import-jobs/", {"period": 2025, "file": _file(SPEC / "sample-package.zip")}
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not models.ImportJob.objects.exists()


def _staffing(rows_: list[list]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = "Штатное расписание"
    ws.append(["Код ОО", "Должность", "Ставок по штату", "Фактическая потребность в ставках",
               "Вакантных ставок", "Вакантных должностей"])  # fmt: skip
    for row in rows_:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("штатное.xlsx", out.getvalue())


def test_a_school_system_uploads_its_staffing_and_not_another_schools(world):
    head = token_client(world.head_a)
    job = head.post(
        "/api/v1/import-jobs/",
        {
            "period": 2025,
            "kind": "staffing",
            "school": "000001",
            "file": _staffing([["000001", "учитель", 10, 10, 1, 1]]),
        },
    ).json()
    assert job["status"] == "checked", job
    assert head.post(f"/api/v1/import-jobs/{job['id']}/confirm/").json()["status"] == "applied"
    assert models.StaffingRow.objects.get(school=world.school_a).vacant_posts == 1
    other = head.post(
        "/api/v1/import-jobs/",
        {
            "period": 2025,
            "kind": "staffing",
            "school": "000002",
            "file": _staffing([["000002", "учитель", 1, 1, 0, 0]]),
        },
    )
    assert other.status_code == 400 and "school" in other.json()["errors"]
    # Another school's head neither sees nor confirms the first job.
    assert token_client(world.head_b).post(f"/api/v1/import-jobs/{job['id']}/confirm/").status_code == 404


# -- schema and docs -----------------------------------------------------------------------


def test_schema_and_docs_are_served_without_a_cdn(world, client):
    api = token_client(world.analyst)
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/v1/import-jobs/" in schema.json()["paths"]
    client.force_login(world.analyst)
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


def test_a_malformed_json_body_is_a_russian_parse_error(world):
    response = token_client(world.analyst).post(
        "/api/v1/computation-runs/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "Тело запроса не разобрано: проверьте, что это корректный JSON или форма.",
    }


def test_with_the_queue_down_an_upload_is_kept_and_the_caller_told(r15, monkeypatch):
    from monitoring.shared.dispatch import QUEUE_DOWN_MESSAGE
    from tests.broker import broker_down

    client = token_client(r15.analyst)
    with broker_down(monkeypatch) as tried:
        created = client.post("/api/v1/import-jobs/", {"period": 2025, "file": _file(SPEC / "sample-package.zip")})
    assert tried == ["monitoring.tasks.import_job_check_task"]
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "checking" and body["warning"] == QUEUE_DOWN_MESSAGE
    assert models.ImportJob.objects.get().status == "checking"  # waiting for the re-send
    # Reads carry no warning.
    assert client.get(f"/api/v1/import-jobs/{body['id']}/").json()["warning"] is None


@pytest.mark.parametrize(("person", "hidden"), [("analyst", False), ("ministry", True)])
def test_personal_values_in_import_errors_only_for_roles_that_see_personal_data(r15, client, person, hidden):
    from monitoring.intake.jobs import HIDDEN

    job = models.ImportJob.objects.create(
        kind="package", period=r15.period, user=r15.analyst, original_name="p.xlsx", status="refused",
        problems=[
            {"sheet": "Педагоги", "row": 5, "column": "СНИЛС", "value": "112-233-445 95", "message": "неверный СНИЛС",
             "text": "Лист «Педагоги», строка 5, столбец «СНИЛС»: неверный СНИЛС (значение: «112-233-445 95»)"},
            {"sheet": "Педагоги", "row": 6, "column": "Должность", "value": "дворник", "message": "нет в перечне",
             "text": "Лист «Педагоги», строка 6, столбец «Должность»: нет в перечне (значение: «дворник»)"},
        ],
    )  # fmt: skip
    user = r15.people[person]
    errors = token_client(user).get(f"/api/v1/import-jobs/{job.pk}/errors/").json()
    client.force_login(user)
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert errors[1]["value"] == "дворник" and "дворник" in page  # not personal: shown to all
    if hidden:
        assert errors[0]["value"] == HIDDEN and "112-233-445 95" not in errors[0]["text"]
        assert "112-233-445 95" not in page
    else:
        assert errors[0]["value"] == "112-233-445 95" and "112-233-445 95" in page


def test_a_control_character_in_an_api_address_is_a_json_404(world, settings):
    settings.DEBUG = False
    response = token_client(world.analyst).get("/api/v1/schools/%00/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
