"""Helpers for API tests: a client signed in with a token, and the constant-query check for lists."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from monitoring.models import ApiToken


def token_client(user) -> APIClient:
    """A client that signs in as ``user`` with a fresh API token (as another system would)."""
    _, secret = ApiToken.objects.create(user=user, name=f"тест {user.username}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def session_client(user) -> APIClient:
    """A client signed in as ``user`` in the portal (a person's session, not a system's token)."""
    client = APIClient()
    client.force_login(user)
    return client


def rows(response) -> list[dict]:
    """The rows of a paged list response (fails on an error response)."""
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return response.json()["results"]


def assert_constant_queries(client: APIClient, url: str, grow: Callable[[], None], *, params=None) -> None:
    """The list at ``url`` costs the same number of queries after ``grow()`` adds more rows to it.

    Called with the rows a page shows growing from a few to many, it catches a query per row
    (an N+1) that a fixed maximum in one test might not.
    """
    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params or {})
        return len(rows(response)), len(ctx.captured_queries)

    count()  # warm-up: the first call of a token notes its use (one write), later calls don't
    before_rows, before = count()
    grow()
    after_rows, after = count()
    assert before_rows >= 1, f"{url} should show a row before growing (an empty page skips queries)"
    assert after_rows > before_rows, f"grow() added no rows to {url} ({before_rows} → {after_rows})"
    assert after == before, f"{url}: {before} queries for {before_rows} rows, {after} for {after_rows}"
