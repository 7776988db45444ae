"""A document asked for before its blank is set up: the setup-needed page, whichever door raised it."""

from __future__ import annotations

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from reports.issuer_middleware import RequisitesMissingMiddleware
from reports.issuers import RequisitesMissing
from reports.models import Issuer, IssuerKind

pytestmark = pytest.mark.django_db


def _answer(user, exception):
    request = RequestFactory().get("/letters/7/pdf/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return RequisitesMissingMiddleware(lambda r: None).process_exception(request, exception)


def test_institute_staff_get_the_message_and_the_link_to_the_setup(world):
    response = _answer(world.analyst, RequisitesMissing(issuer=None))
    page = response.content.decode()
    assert response.status_code == 409
    assert "Заполните реквизиты института" in page
    assert 'href="/requisites/?next=/letters/7/pdf/"' in page


def test_others_are_told_whom_to_ask(world):
    page = _answer(world.head_a, RequisitesMissing(issuer=None)).content.decode()
    assert "Заполните реквизиты института" in page and "/requisites/" not in page
    assert "заполняет специалист института" in page


def test_a_municipal_blank_links_its_own_official_only(world):
    own = Issuer(kind=IssuerKind.MUNICIPAL, municipality=world.m1, name="Отдел", signatory_name="—")
    # The page's own message (the menu has its «Реквизиты бланка» link for every municipal official).
    def message(page: str) -> str:
        return page.split('id="content"', 1)[1]

    assert "/requisites/" in message(_answer(world.municipal, RequisitesMissing(issuer=own)).content.decode())
    other = Issuer(kind=IssuerKind.MUNICIPAL, municipality=world.m2, name="Отдел", signatory_name="—")
    page = message(_answer(world.municipal, RequisitesMissing(issuer=other)).content.decode())
    assert "Заполните реквизиты муниципального органа" in page and "/requisites/" not in page


def test_other_errors_pass_through(world):
    assert _answer(world.analyst, ValueError("x")) is None
