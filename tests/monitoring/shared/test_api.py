"""The API's error body: always renderable, even when it quotes a lone surrogate sent in JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api import token_client

pytestmark = pytest.mark.django_db


def test_an_error_quoting_a_lone_surrogate_renders_with_a_replacement_character(world):
    # The message of an invalid choice quotes the value; "\ud800" cannot be encoded as UTF-8.
    client = token_client(world.teacher)
    response = client.post("/api/v1/diagnostics/", b'{"kind": "\\ud800"}', content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "\ufffd" in body["detail"]


def test_a_body_nested_too_deep_is_a_parse_error(world):
    # The third attack: 5,000 nested arrays made json.loads raise RecursionError (500).
    from tests.api import token_client

    client = token_client(world.teacher)  # a role that may create routes: the body is parsed
    response = client.generic("POST", "/api/v1/routes/", "[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Тело запроса не разобрано")


def test_error_pages_speak_russian(client, world, settings):
    # The attack on the restructured portal: 403, 404 and 500 were Django's English pages.
    settings.DEBUG = False
    client.force_login(world.head_a)
    missing = client.get("/teachers/NO-SUCH-CODE/")
    assert missing.status_code == 404 and "Страница не найдена" in missing.content.decode()
    client.force_login(world.ministry)
    refused = client.get(f"/schools/{world.school_a.code}/staffing/upload/")
    assert refused.status_code == 403
    assert "Загружать данные организации может ее руководитель." in refused.content.decode()
    assert '<html lang="ru"' in (Path(settings.BASE_DIR) / "templates" / "500.html").read_text()


def test_a_500_page_renders_without_a_request_context(rf):
    from monitoring.shared.api import server_error

    response = server_error(rf.get("/letters/1/approve/"))
    assert response.status_code == 500 and "Ошибка на сервере" in response.content.decode()
    api = server_error(rf.get("/api/v1/letters/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
