"""The API's error body: always renderable, even when it quotes a lone surrogate sent in JSON."""

from __future__ import annotations

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
