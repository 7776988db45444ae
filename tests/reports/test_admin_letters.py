"""The admin of letters and letterheads: the signatory's door (four eyes, issue 16, item 3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from monitoring.models import Role
from reports import letters
from tests import factories
from tests.reports.letters.helpers import _propose, _signer, staffed  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _offered(client, issuer) -> set[int]:
    page = client.get(reverse("admin:reports_issuer_change", args=[issuer.pk])).content.decode()
    select = re.search(r'<select name="signatory".*?</select>', page, re.S).group(0)
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select)}


def test_a_letterheads_signatory_is_chosen_among_its_writers_only(client, staffed):  # noqa: F811
    # Only a superuser assigns the signatory's login (the analyst sees it read-only: see below).
    root = factories.UserFactory(username="root", role=Role.ANALYST, is_superuser=True, is_staff=True)
    client.force_login(root)
    signer = _signer(staffed)
    assert _offered(client, factories.institute_issuer()) == {staffed.analyst.pk, signer.pk, root.pk}
    assert _offered(client, letters.municipal_issuer(municipality=staffed.m1)) == {staffed.municipal.pk}


def test_the_letter_admin_is_no_door_to_approval(client, staffed):  # noqa: F811
    letter = _propose(staffed, "school_heads", staffed.m1)
    client.force_login(staffed.analyst)
    page = client.get(reverse("admin:reports_letter_change", args=[letter.pk])).content.decode()
    # Status and approver are read-only there: approving goes through the service, which refuses the author.
    assert 'name="status"' not in page and 'name="approved_by"' not in page


def _admin_form(client, url) -> dict:
    """The admin change form as the browser would send it back unchanged (fields and inline management)."""
    response = client.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data |= {f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()}
        for sub in fs.forms:
            data |= {
                sub.add_prefix(name): ("" if sub[name].value() is None else sub[name].value()) for name in sub.fields
            }
    return data


def test_an_approved_letter_is_read_only_in_the_admin_items_too(client, staffed):  # noqa: F811
    """Attack: the analyst changed an approved letter's title and items in the admin; the changed text was issued."""
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_approve(letter=letter, revision=letter.revision, user=_signer(staffed))
    item = letter.items.first()
    client.force_login(staffed.analyst)
    url = reverse("admin:reports_letter_change", args=[letter.pk])
    page = client.get(url)
    assert page.context["has_change_permission"] is False
    assert all(not f.has_change_permission for f in page.context["inline_admin_formsets"])
    form = {"title": "Подмена", "introduction": "Подмена", "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "1"}
    form |= {"items-0-id": item.pk, "items-0-letter": letter.pk, "items-0-text": "Подмена", "items-0-kind": item.kind}
    assert client.post(url, form).status_code == 403
    letter.refresh_from_db()
    item.refresh_from_db()
    assert (letter.status, letter.title != "Подмена", item.text != "Подмена") == ("approved", True, True)


def test_a_drafts_save_in_the_admin_makes_an_opened_approval_stale(client, staffed):  # noqa: F811
    """A draft stays editable in the admin, but a save there is a new revision like the editor's."""
    letter = _propose(staffed, "school_heads", staffed.m1)
    seen = letter.revision  # the signatory opened the letter's page
    client.force_login(staffed.analyst)
    url = reverse("admin:reports_letter_change", args=[letter.pk])
    form = _admin_form(client, url) | {"title": "Новый заголовок"}
    response = client.post(url, form)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    letter.refresh_from_db()
    assert letter.title == "Новый заголовок" and letter.revision == seen + 1
    with pytest.raises(letters.LetterApprovalStale):
        letters.letter_approve(letter=letter, revision=seen, user=_signer(staffed))


def test_only_a_superuser_names_a_letterheads_signatory(client, staffed):  # noqa: F811
    """Attack: the analyst set the institute's signatory login to themselves in the Issuer admin."""
    issuer = factories.institute_issuer()
    signer = _signer(staffed)
    issuer.signatory = signer
    issuer.save()
    client.force_login(staffed.analyst)
    url = reverse("admin:reports_issuer_change", args=[issuer.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="signatory"' not in page.content.decode()
    form = _admin_form(client, url) | {"signatory": staffed.analyst.pk}
    client.post(url, form)
    issuer.refresh_from_db()
    assert issuer.signatory == signer


def test_an_analyst_does_not_change_a_municipal_letterhead_in_the_admin(client, staffed):  # noqa: F811
    municipal = letters.municipal_issuer(municipality=staffed.m1)
    client.force_login(staffed.analyst)
    url = reverse("admin:reports_issuer_change", args=[municipal.pk])
    assert client.get(url).status_code in (302, 404)  # not among the analyst's letterheads at all
    assert client.post(url, {"name": "Подмена", "signatory_name": "Подмена"}).status_code in (302, 403, 404)
    municipal.refresh_from_db()
    assert municipal.name != "Подмена"
    changelist = client.get(reverse("admin:reports_issuer_changelist")).context["cl"]
    assert [i.kind for i in changelist.result_list] == ["institute"]
    assert client.get(reverse("admin:reports_issuer_add")).status_code == 403


def test_the_admin_keeps_fax_and_okpo_and_refuses_a_malformed_okpo(client, staffed):  # noqa: F811
    issuer = factories.institute_issuer()
    client.force_login(staffed.analyst)
    url = reverse("admin:reports_issuer_change", args=[issuer.pk])
    form = _admin_form(client, url)
    assert "fax" in form and "okpo" in form
    refused = client.post(url, form | {"fax": "(84454) 5-57-46", "okpo": "8020018"})
    assert refused.status_code == 200 and "ОКПО должен состоять из 8 или 10 цифр." in refused.content.decode()
    issuer.refresh_from_db()
    assert (issuer.fax, issuer.okpo) == ("", "")
    assert client.post(url, form | {"fax": "(84454) 5-57-46", "okpo": "80200184"}).status_code == 302
    issuer.refresh_from_db()
    assert (issuer.fax, issuer.okpo) == ("(84454) 5-57-46", "80200184")
