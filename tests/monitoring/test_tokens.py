"""API tokens: issued and revoked by institute staff on /api-tokens/, acting with the role and scope given."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring import models, tokens

pytestmark = pytest.mark.django_db


def _api(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_analyst_issues_a_school_token_shown_once_and_scoped(client, world):
    client.force_login(world.analyst)
    page = client.post(
        reverse("api-token-list"), {"name": "АИС школы А", "role": "school_head", "school": "000001"}
    ).content.decode()
    token = models.ApiToken.objects.get()
    secret = page.split('data-testid="api-token-secret">')[1].split("<")[0]
    assert secret.startswith(token.token_key) and len(secret) > 40
    assert token.digest != secret and secret not in str(token.__dict__)  # only the hash is kept
    assert token.user.role == "school_head" and token.user.school == world.school_a
    assert not token.user.has_usable_password()  # a system account cannot sign in on the pages
    # The list shows the token's start, never the secret again.
    again = client.get(reverse("api-token-list")).content.decode()
    assert token.token_key in again and secret not in again
    schools = _api(secret).get("/api/v1/schools/").json()["results"]
    assert [s["code"] for s in schools] == ["000001"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused_at_once(client, world):
    token, secret = tokens.api_token_create(name="Дашборд министерства", role="ministry", created_by=world.analyst)
    assert _api(secret).get("/api/v1/schools/").status_code == 200
    client.force_login(world.analyst)
    client.post(reverse("api-token-revoke", args=[token.token_key]))
    assert not models.ApiToken.objects.exists()
    assert _api(secret).get("/api/v1/schools/").status_code == 401


def test_a_teachers_token_acts_as_the_teachers_own_account(world):
    token, secret = tokens.api_token_create(
        name="Мобильное приложение", role="teacher", teacher=world.teacher_a, created_by=world.analyst
    )
    assert token.user == world.teacher
    listed = _api(secret).get("/api/v1/teachers/").json()["results"]
    assert [row["teacher"] for row in listed] == ["T0000001"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "role": "ministry"}, "name"),
        ({"name": "X", "role": "municipal"}, "municipality"),
        ({"name": "X", "role": "school_head", "school": "999999"}, "school"),
        ({"name": "X", "role": "teacher"}, "teacher"),
        ({"name": "X", "role": "root"}, "role"),
    ],
)
def test_bad_token_forms_say_what_is_wrong_and_issue_nothing(client, world, data, field):
    client.force_login(world.analyst)
    response = client.post(reverse("api-token-list"), data)
    assert response.status_code == 200 and response.context["form"].errors.get(field)
    assert not models.ApiToken.objects.exists()


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a", "head_b", "teacher"])
def test_only_institute_staff_manage_tokens(client, world, person):
    token, _ = tokens.api_token_create(name="Система", role="ministry", created_by=world.analyst)
    client.force_login(world.people[person])
    assert client.get(reverse("api-token-list")).status_code == 404
    assert client.post(reverse("api-token-list"), {"name": "X", "role": "analyst"}).status_code == 404
    assert client.post(reverse("api-token-revoke", args=[token.token_key])).status_code == 404
    assert models.ApiToken.objects.count() == 1
    with pytest.raises(PermissionDenied):
        tokens.api_token_create(name="X", role="analyst", created_by=world.people[person])


def test_the_service_validates_the_anchor(world):
    with pytest.raises(ValidationError) as error:
        tokens.api_token_create(name="X", role="school_head", created_by=world.analyst)
    assert "school" in error.value.message_dict


@pytest.mark.parametrize(("person", "status"), [("analyst", 200), ("ministry", 403), ("municipal", 403)])
def test_tokens_in_the_admin_only_for_institute_staff(client, world, person, status):
    token, secret = tokens.api_token_create(name="Система", role="ministry", created_by=world.analyst)
    user = world.people[person]
    user.is_staff = True
    user.save()
    client.force_login(user)
    listed = client.get(reverse("admin:monitoring_apitoken_changelist"))
    assert listed.status_code == status
    if status == 200:
        assert token.token_key in listed.content.decode() and secret not in listed.content.decode()


def test_the_token_forms_selects_fit_a_phone(world):
    # The role select took the width of its longest option (588 px on a 390 px phone).
    from monitoring.forms import ApiTokenForm

    form = ApiTokenForm()
    assert 'class="form-select"' in str(form["role"]) and 'class="form-select"' in str(form["municipality"])
