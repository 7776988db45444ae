"""The admin of letters and letterheads: the signatory's door (four eyes, issue 16, item 3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reports import letters
from tests import factories
from tests.reports.letters.helpers import _propose, _signer, staffed  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _offered(client, issuer) -> set[int]:
    page = client.get(reverse("admin:reports_issuer_change", args=[issuer.pk])).content.decode()
    select = re.search(r'<select name="signatory".*?</select>', page, re.S).group(0)
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select)}


def test_a_letterheads_signatory_is_chosen_among_its_writers_only(client, staffed):  # noqa: F811
    client.force_login(staffed.analyst)
    signer = _signer(staffed)
    assert _offered(client, factories.institute_issuer()) == {staffed.analyst.pk, signer.pk}
    assert _offered(client, letters.municipal_issuer(municipality=staffed.m1)) == {staffed.municipal.pk}


def test_the_letter_admin_is_no_door_to_approval(client, staffed):  # noqa: F811
    letter = _propose(staffed, "school_heads", staffed.m1)
    client.force_login(staffed.analyst)
    page = client.get(reverse("admin:reports_letter_change", args=[letter.pk])).content.decode()
    # Status and approver are read-only there: approving goes through the service, which refuses the author.
    assert 'name="status"' not in page and 'name="approved_by"' not in page
