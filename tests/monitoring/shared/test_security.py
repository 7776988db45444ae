"""Hardening: security headers and the CSP, login throttling, API throttling, personal data per role."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from monitoring import models
from monitoring.intake.package.exporter import package_export
from monitoring.shared.security import client_ip
from tests.api import token_client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates"
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


# -- headers and the Content-Security-Policy -------------------------------------------------


def _assert_hardened(response) -> None:
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"], "no inline or foreign script may run"
    assert csp["style-src"] == ["'self'"] and csp["style-src-attr"] == ["'unsafe-inline'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_a_page_carries_the_security_headers(client, world):
    client.force_login(world.analyst)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    _assert_hardened(response)


def test_the_login_page_and_an_api_response_carry_them_too(client, world):
    _assert_hardened(client.get(reverse("login")))
    response = token_client(world.analyst).get("/api/v1/schools/")
    assert response.status_code == 200
    _assert_hardened(response)
    _assert_hardened(APIClient().get("/api/v1/schools/"))  # a 401 as well


def test_no_template_runs_inline_script_or_inline_handlers():
    """Pages served to browsers keep behaviour in static/js/ (the CSP would block it inline)."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(TEMPLATES))
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{name}: {tag}")
        for handler in re.findall(r"\son[a-z]+\s*=", text):
            offenders.append(f"{name}: {handler.strip()}")
        # <style> only in what WeasyPrint renders to PDF, never served as a page.
        if "<style" in text and not name.endswith("_pdf.html") and not name.startswith("drf_spectacular/"):
            offenders.append(f"{name}: <style>")
    assert offenders == []


@pytest.mark.parametrize(
    "path", ["/", "/indicators/", "/measures/", "/routes/", "/measures/new/", "/diagnostics/results/", "/admin/"]
)
def test_rendered_pages_have_no_inline_script(client, world, path):
    client.force_login(world.analyst)
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    html = response.content.decode()
    inline = [t for t in re.findall(r"<script\b[^>]*>", html) if "src=" not in t and "application/json" not in t]
    assert inline == [] and not re.search(r"\son(change|click|submit|load)\s*=", html)
    assert 'src="/static/js/portal.js"' in html or path == "/admin/"


def test_api_docs_work_under_a_relaxed_style_policy_only(client, world):
    client.force_login(world.analyst)
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    csp = _csp(docs)
    assert csp["script-src"] == ["'self'"], "Swagger UI's start script comes from a URL, not inline"
    assert "'unsafe-inline'" in csp["style-src"]
    html = docs.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in s for s in scripts)
    start = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    js = client.get(start)
    assert js.status_code == 200 and "SwaggerUIBundle" in js.content.decode()

    redoc = client.get(reverse("api-redoc"))
    assert redoc.status_code == 200
    csp = _csp(redoc)
    assert csp["script-src"] == ["'self'"] and "blob:" in csp["worker-src"]
    html = redoc.content.decode()
    assert "googleapis" not in html and "/static/drf_spectacular_sidecar/redoc" in html
    assert all("src=" in s for s in re.findall(r"<script\b[^>]*>", html))
    # The relaxation is those two pages' only: the schema itself keeps the strict policy.
    assert "'unsafe-inline'" not in _csp(client.get(reverse("api-schema")))["style-src"]


def test_production_settings_send_hsts_and_the_rest(tmp_path):
    # Hashed static names need collectstatic, which this test has no need to run.
    plain = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
             "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    script = (
        "from django.test import Client, override_settings\n"
        f"override_settings(STORAGES={plain!r}).enable()\n"
        "r = Client().get('/login/', secure=True)\n"
        "print(r.status_code)\n"
        "for h in ('Strict-Transport-Security', 'Content-Security-Policy', 'X-Frame-Options', "
        "'Permissions-Policy', 'Cross-Origin-Opener-Policy', 'Referrer-Policy', 'X-Content-Type-Options'):\n"
        "    print(h + ': ' + r.headers.get(h, '-'))\n"
        "print('insecure: ' + str(Client().get('/login/').status_code))\n"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    environ.update(
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-a-long-random-production-secret-0123456789-xyz",
        ALLOWED_HOSTS="testserver",
        STATIC_ROOT=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "\n200\n" in "\n" + out
    assert "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload" in out
    assert "X-Frame-Options: DENY" in out and "Cross-Origin-Opener-Policy: same-origin" in out
    # django-csp joins the directives in no fixed order, so the policy is read directive by directive.
    csp_line = next(line for line in out.splitlines() if line.startswith("Content-Security-Policy: "))
    directives = dict(d.strip().partition(" ")[::2] for d in csp_line.partition(": ")[2].split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert "Permissions-Policy: " in out and "camera=()" in out
    assert "insecure: 301" in out  # plain HTTP is sent to HTTPS


# -- login throttling (django-axes) ----------------------------------------------------------


def _login(client, username: str, password: str, ip: str = "10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failed_logins_lock_the_username_from_that_address(client, world):
    for _ in range(4):
        response = _login(client, "head_a", "wrong")
        assert response.status_code == 200 and "Неверное имя пользователя или пароль" in response.content.decode()
    fifth = _login(client, "head_a", "wrong")
    assert fifth.status_code == 429
    text = fifth.content.decode()
    assert "Слишком много неудачных попыток входа" in text and "«head_a»" in text and "15 мин" in text
    assert 'name="password"' in text  # the login page itself, with the reason on top
    assert _login(client, "head_a", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session  # even the right password is refused while locked
    # The admin's login door is the same lock.
    admin = client.post(reverse("admin:login"), {"username": "head_a", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert admin.status_code == 429


def test_the_lock_spares_other_addresses_and_other_people(client, world):
    for _ in range(5):
        _login(client, "head_a", "wrong")
    assert _login(client, "head_a", PASSWORD, ip="10.2.2.2").status_code == 302  # the person, elsewhere
    client.logout()
    assert _login(client, "head_b", PASSWORD).status_code == 302  # a colleague behind the same address


def test_a_success_resets_the_count_and_the_lock_ends_after_fifteen_minutes(client, world):
    for _ in range(4):
        _login(client, "head_a", "wrong")
    assert _login(client, "head_a", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "head_a", "wrong")
    assert _login(client, "head_a", PASSWORD).status_code == 302  # 4 + 4 failures, not 8
    client.logout()
    for _ in range(5):
        _login(client, "head_a", "wrong")
    assert _login(client, "head_a", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert _login(client, "head_a", PASSWORD).status_code == 302


def test_the_client_address_is_believed_only_from_a_configured_proxy(settings):
    forged = "6.6.6.6, 203.0.113.7"
    request = RequestFactory().get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=forged)
    settings.TRUSTED_PROXIES = []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # production settings alone trust nothing
    assert client_ip(request) == "172.18.0.5"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "172.18.0.5"  # the header came from somewhere we do not know
    settings.TRUSTED_PROXIES = ["172.18.0.5"]
    assert client_ip(request) == "203.0.113.7"  # what our proxy appended, not what the client claimed
    settings.TRUSTED_PROXIES = ["172.18.0.0/24", "203.0.113.7"]  # two proxies in a row
    assert client_ip(request) == "6.6.6.6"
    odd = RequestFactory().get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="x, not-an-address")
    settings.TRUSTED_PROXIES = ["172.18.0.5"]
    assert client_ip(odd) == "172.18.0.5"


def test_a_new_forwarded_for_per_attempt_does_not_lift_a_lockout(client, world, settings):
    """The reported bypass: 12 failures with fresh X-Forwarded-For values, then the right password."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["10.9.9.9"]  # a proxy exists, but these requests do not come from it
    statuses = [
        client.post(
            "/login/", {"username": "head_a", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(12)
    ]
    assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}  # the fifth failure locks
    fresh = client.post("/login/", {"username": "head_a", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert fresh.status_code == 429


# -- API throttling ---------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min"})


def test_a_token_over_its_rate_gets_429_in_russian(world, low_rates):
    api = token_client(world.analyst)
    for _ in range(3):
        assert api.get("/api/v1/schools/").status_code == 200
    response = api.get("/api/v1/schools/")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert re.fullmatch(r"Слишком много запросов\. Повторите через \d+ с\.", body["detail"])
    assert int(response["Retry-After"]) > 0
    # Counted per user: another system's token is not held back.
    assert token_client(world.ministry).get("/api/v1/schools/").status_code == 200


def test_anonymous_calls_are_throttled_per_address(world, low_rates):
    # Anonymous callers reach only the public schema and docs; elsewhere DRF answers 401 first.
    api = APIClient()
    assert [api.get("/api/v1/docs/").status_code for _ in range(3)] == [200, 200, 429]
    assert api.get("/api/v1/schools/").status_code == 401
    assert APIClient(REMOTE_ADDR="10.9.9.9").get("/api/v1/docs/").status_code == 200


# -- personal data: birth dates and СНИЛС ----------------------------------------------------

SNILS = "112-233-445 95"
PERSONAL_STATUS = {
    # person: (status of teacher A's page, birth date and СНИЛС shown)
    "analyst": (200, True),
    "ministry": (200, False),
    "municipal": (200, False),
    "head_a": (200, True),
    "head_b": (404, False),
    "teacher": (200, True),  # their own card
}


@pytest.fixture
def snils(world):
    assert models.snils_is_valid(SNILS)
    world.teacher_a.snils = SNILS
    world.teacher_a.save()
    return SNILS


@pytest.mark.parametrize("person", list(PERSONAL_STATUS))
def test_teacher_page_shows_personal_data_only_to_roles_that_need_it(client, world, snils, person):
    client.force_login(world.people[person])
    response = client.get(reverse("teacher-detail", args=[world.teacher_a.code]))
    status, shown = PERSONAL_STATUS[person]
    assert response.status_code == status
    html = response.content.decode()
    assert ("17.05.1980" in html) is shown and (SNILS in html) is shown


@pytest.mark.parametrize(
    ("person", "shown"), [("analyst", True), ("head_a", True), ("ministry", False), ("municipal", False)]
)
def test_teacher_admin_shows_personal_data_only_to_roles_that_need_it(client, world, snils, person, shown):
    client.force_login(world.people[person])
    listing = client.get(reverse("admin:monitoring_teacher_changelist")).content.decode()
    assert ("17.05.1980" in listing or "17 мая 1980" in listing) is shown
    card = client.get(reverse("admin:monitoring_teacher_change", args=[world.teacher_a.pk]))
    assert card.status_code == 200
    html = card.content.decode()
    assert ("birth_date" in html) is shown and (SNILS in html) is shown
    export = client.get(reverse("admin:monitoring_teacher_export"))
    assert (export.status_code == 200) is shown


def test_package_export_without_personal_data_leaves_those_columns_empty(world, snils, tmp_path):
    package_export(period=world.period, path=tmp_path / "full", sheet_names=["Педагоги"])
    package_export(period=world.period, path=tmp_path / "bare", sheet_names=["Педагоги"], personal_data=False)
    full = (tmp_path / "full" / "Педагоги.csv").read_text(encoding="utf-8-sig")
    bare = (tmp_path / "bare" / "Педагоги.csv").read_text(encoding="utf-8-sig")
    assert "17.05.1980" in full and SNILS in full
    assert "17.05.1980" not in bare and SNILS not in bare
    assert "Петрова Анна Ивановна" in bare and bare.splitlines()[0] == full.splitlines()[0]


def test_a_ministry_export_leaves_personal_data_out_and_others_exports_stay_closed(
    client, world, snils, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    def export(person) -> models.ExportJob:
        client.force_login(world.people[person])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("export-start"), {"period": world.period.pk, "format": "zip"})
        return models.ExportJob.objects.filter(user=world.people[person]).get()

    def teachers_csv(job) -> str:
        response = client.get(reverse("export-file", args=[job.pk]))
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        return archive.read("Педагоги.csv").decode("utf-8-sig")

    institute = export("analyst")
    text = teachers_csv(institute)
    assert "17.05.1980" in text and SNILS in text
    ministry = export("ministry")
    text = teachers_csv(ministry)
    assert "Петрова Анна Ивановна" in text and "17.05.1980" not in text and SNILS not in text
    # The institute's file (with the data) is not the ministry's to download.
    assert client.get(reverse("export-file", args=[institute.pk])).status_code == 404


@pytest.mark.parametrize(
    ("person", "status"), [("analyst", 200), ("head_a", 200), ("ministry", 404), ("municipal", 404)]
)
def test_uploaded_files_carrying_personal_data_open_only_to_roles_that_need_it(
    client, world, person, status, settings, tmp_path
):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    problem = {"sheet": "Педагоги", "row": 2, "column": "Дата рождения", "value": "17.05.1980", "message": "пример"}
    job = models.ImportJob(
        kind="staffing",
        period=world.period,
        school=world.school_a,
        user=world.head_a,
        original_name="штат.xlsx",
        status="refused",
        problems=[problem],
    )
    job.file.save("штат.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=False)
    job.save()
    client.force_login(world.people[person])
    assert client.get(reverse("import-file", args=[job.pk])).status_code == status
    if status == 404:
        assert client.get(reverse("import-error-report", args=[job.pk])).status_code == 404


def test_the_compose_file_publishes_the_app_only_behind_its_proxy():
    """The address the lockout counts is the proxy's word only if nobody reaches gunicorn around it."""
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).resolve().parents[3] / "docker-compose.yml").read_text())
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["TRUSTED_PROXIES"] == proxy_address
    nginx = compose["configs"]["nginx"]["content"]
    assert "proxy_set_header X-Forwarded-For $$remote_addr;" in nginx  # replaced, not $proxy_add_x_forwarded_for


def test_management_commands_print_only_what_they_say():
    """django-axes logged «AXES: BEGIN version …» on every start, so every command printed it."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=root, capture_output=True, text=True, timeout=120, check=True
    )
    assert "AXES" not in done.stdout + done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize(
    "address",
    [
        "/admin/autocomplete/?app_label=monitoring&model_name=rosterentry&field_name=teacher&term=%00",
        "/teachers/?q=%00",
        "/schools/?%00=1",
        "/api/v1/teachers/?search=a%00b",
    ],
)
def test_a_nul_in_a_query_parameter_is_a_bad_request_at_every_door(client, world, address):
    # The second attack: the admin's autocomplete passed a NUL to PostgreSQL (500 there).
    client.force_login(world.analyst)
    response = client.get(address)
    assert response.status_code == 400
    if address.startswith("/api/"):
        assert response.json()["code"] == "invalid" and "search" in response.json()["errors"]
    else:
        assert "Недопустимый символ в параметрах адреса." in response.content.decode()


def test_a_form_door_opened_with_get_explains_itself_in_russian(client, world):
    client.force_login(world.analyst)
    # A POST-only door (logging out), asked with GET as a bookmark or the login's «next» would.
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    text = response.content.decode()
    assert "Это действие выполняется кнопкой на странице" in text and "На главную" in text


def test_the_api_keeps_its_own_405(client, world):
    client.force_login(world.analyst)
    response = client.put("/api/v1/periods/", {}, content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
