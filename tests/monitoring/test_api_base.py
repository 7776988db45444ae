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
