"""Letter pages through the real views: each role against each page, the composer flow, frozen issued letters."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.urls import reverse

from reports import letters
from reports.models import Letter, LetterReceipt
from tests import factories
from tests.reports.letters.helpers import SHORTAGE_AC, _signer, staffed  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PEOPLE = ["analyst", "ministry", "municipal", "head_a", "head_b", "teacher"]


@pytest.fixture
def two(staffed):  # noqa: F811
    """A draft and an issued institute letter to the school heads of M1."""
    issuer = factories.institute_issuer()
    draft = letters.letter_propose(
        period=staffed.period, issuer=issuer, addressee="school_heads", municipality=staffed.m1, user=staffed.analyst
    )
    issued = letters.letter_propose(
        period=staffed.period, issuer=issuer, addressee="school_heads", municipality=staffed.m1, user=staffed.analyst
    )
    letters.letter_approve(letter=issued, revision=issued.revision, user=_signer(staffed))
    issued = letters.letter_issue(letter=issued, user=staffed.analyst, today=dt.date(2026, 3, 2))
    return staffed, draft, issued


GET_EXPECTED = {
    # page, letter: statuses for analyst, ministry, municipal, head_a, head_b, teacher
    ("letter-list", None): [200, 200, 200, 200, 200, 404],
    ("letter-new", None): [200, 404, 200, 404, 404, 404],
    ("letter-detail", "draft"): [200, 404, 404, 404, 404, 404],
    ("letter-edit", "draft"): [200, 404, 404, 404, 404, 404],
    ("letter-pdf", "draft"): [200, 404, 404, 404, 404, 404],
    ("letter-detail", "issued"): [200, 200, 200, 200, 404, 404],
    ("letter-pdf", "issued"): [200, 200, 200, 200, 404, 404],
    ("letter-edit", "issued"): [302, 302, 302, 302, 404, 404],  # read-only: back to the letter
}


@pytest.mark.parametrize(("page", "which"), list(GET_EXPECTED))
def test_each_role_against_each_page(client, two, page, which):
    world, draft, issued = two
    args = [] if which is None else [{"draft": draft, "issued": issued}[which].pk]
    got = []
    for person in PEOPLE:
        client.force_login(world.people[person])
        got.append(client.get(reverse(page, args=args)).status_code)
    assert got == GET_EXPECTED[(page, which)]


POST_EXPECTED = {
    ("letter-approve", "draft"): [302, 404, 404, 404, 404, 404],
    ("letter-approve", "issued"): [403, 403, 403, 403, 404, 404],
    ("letter-issue", "issued"): [403, 403, 403, 403, 404, 404],
    ("letter-edit", "issued"): [403, 403, 403, 403, 404, 404],
    ("letter-reopen", "issued"): [403, 403, 403, 403, 404, 404],
    ("letter-read", "issued"): [403, 403, 403, 302, 404, 404],
    ("letter-read", "draft"): [403, 404, 404, 404, 404, 404],
}


@pytest.mark.parametrize(("page", "which"), list(POST_EXPECTED))
def test_each_role_against_each_action(client, two, page, which):
    world, draft, issued = two
    letter = {"draft": draft, "issued": issued}[which]
    got = []
    for person in PEOPLE:
        client.force_login(world.people[person])
        got.append(client.post(reverse(page, args=[letter.pk]), {"title": "Подмена"}).status_code)
    assert got == POST_EXPECTED[(page, which)]
    issued.refresh_from_db()
    assert issued.title != "Подмена" and issued.number == "1/26"


def test_the_list_shows_each_addressee_their_letters_and_the_read_button(client, two):
    world, draft, issued = two
    client.force_login(world.head_a)
    page = client.get(reverse("letter-list"))
    assert [lt.pk for lt in page.context["letters"]] == [issued.pk]
    assert "Подтвердить прочтение" in page.content.decode()
    client.post(reverse("letter-read", args=[issued.pk]))
    assert LetterReceipt.objects.filter(letter=issued, user=world.head_a).exists()
    page = client.get(reverse("letter-list"))
    assert "Подтвердить прочтение" not in page.content.decode() and "прочитано" in page.content.decode()
    client.force_login(world.head_b)
    assert list(client.get(reverse("letter-list")).context["letters"]) == []
    client.force_login(world.analyst)
    assert {lt.pk for lt in client.get(reverse("letter-list")).context["letters"]} == {draft.pk, issued.pk}
    detail = client.get(reverse("letter-detail", args=[issued.pk])).content.decode()
    assert "head_a" in detail  # the receipts, for the writer's side


def test_approving_and_issuing_ask_first_naming_the_consequence(client, two, settings):
    # Issue 16, item 3: «Согласовать» and «Зарегистрировать и отправить» (a number drawn, every
    # addressee told) acted on one click.
    world, draft, _ = two
    client.force_login(_signer(world))
    page = client.get(reverse("letter-detail", args=[draft.pk])).content.decode()
    assert 'data-confirm="Согласовать письмо как подписант (Ректор И.А. Воронина)?' in page
    letters.letter_approve(letter=draft, revision=draft.revision, user=_signer(world))
    response = client.get(reverse("letter-detail", args=[draft.pk]))
    page = response.content.decode()
    assert response.status_code == 200, response
    # The number, whom it goes to (M1's heads: head_a only) and that it cannot be undone.
    assert (
        "Оно получит следующий исходящий номер и сегодняшнюю дату, PDF будет зафиксирован, и письмо будет "
        "отправлено 1 адресату: руководителям общеобразовательных организаций (Алексеевский муниципальный район). "
        "Отменить это нельзя"
    ) in page
    assert Path(settings.BASE_DIR, "static/js/portal.js").read_text().count("data-confirm") >= 2


def test_the_composer_flow_from_proposal_to_download(client, staffed):  # noqa: F811
    client.force_login(staffed.analyst)
    issuer = factories.institute_issuer()
    response = client.post(
        reverse("letter-new"),
        {
            "period": staffed.period.pk,
            "issuer": issuer.pk,
            "addressees": ["school_heads"],
            "municipality": staffed.m1.pk,
        },
    )
    letter = Letter.objects.get()
    assert response["Location"] == reverse("letter-edit", args=[letter.pk])
    page = client.get(response["Location"]).content.decode()
    assert SHORTAGE_AC.replace("«", "&laquo;") in page or "Нехватка педагогических кадров в 2 ОО" in page
    first, second = letter.items.filter(kind="conclusion").order_by("order")
    form = {
        "title": "Рекомендации руководителям ОО",
        "introduction": letter.introduction,
        "addressee_line": "Руководителям ОО",
        "reply_to": "",
        "protocol": "",
        "closing": "",
        f"item-{first.pk}-text": first.text,
        f"item-{first.pk}-order": "2",
        f"item-{second.pk}-text": second.text,
        f"item-{second.pk}-order": "1",
        "new-kind": "recommendation",
        "new-addressee": "school_heads",
        "new-text": "Провести педагогический совет по итогам мониторинга.",
        "revision": letter.revision,
    }
    for item in letter.items.filter(kind="recommendation"):
        form[f"item-{item.pk}-text"] = item.text
        form[f"item-{item.pk}-order"] = str(item.order)
    assert client.post(reverse("letter-edit", args=[letter.pk]), form).status_code == 302
    assert list(letter.items.filter(kind="conclusion").order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    assert letter.items.filter(text="Провести педагогический совет по итогам мониторинга.").exists()
    client.post(reverse("letter-move", args=[letter.pk, first.pk]), {"direction": "up"})
    assert letter.items.filter(kind="conclusion").order_by("order").first().pk == first.pk
    preview = client.get(reverse("letter-pdf", args=[letter.pk]))
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    client.force_login(_signer(staffed))  # four eyes: another analyst approves
    client.post(reverse("letter-approve", args=[letter.pk]), {"revision": Letter.objects.get(pk=letter.pk).revision})
    client.force_login(staffed.analyst)
    client.post(reverse("letter-issue", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.is_issued and letter.number == f"1/{dt.date.today().year % 100:02d}"
    download = client.get(reverse("letter-pdf", args=[letter.pk]))
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert hashlib.sha256(body).hexdigest() == letter.pdf_sha256
    # A changed file on disk is refused rather than served.
    with open(letter.pdf.path, "ab") as f:
        f.write(b"x")
    assert client.get(reverse("letter-pdf", args=[letter.pk])).status_code == 409


def test_an_issued_letter_is_read_only_in_the_admin(client, two):
    world, draft, issued = two
    item = issued.items.first()
    client.force_login(world.analyst)
    change = reverse("admin:reports_letter_change", args=[issued.pk])
    assert client.get(change).context["has_change_permission"] is False
    assert client.post(change, {"title": "Подмена"}).status_code == 403
    assert client.post(reverse("admin:reports_letter_delete", args=[issued.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:reports_letter_change", args=[draft.pk])).context["has_change_permission"] is True
    issued.refresh_from_db()
    assert issued.title != "Подмена" and Letter.objects.filter(pk=issued.pk).exists()
    assert issued.items.filter(pk=item.pk, text=item.text).exists()
    # Numbers are drawn only by issuing.
    register = reverse("admin:reports_outgoingregister_changelist")
    assert client.get(register).status_code == 200
    assert client.get(reverse("admin:reports_outgoingregister_add")).status_code == 403


def test_a_municipal_authority_keeps_its_own_letterhead_in_the_admin(client, world):
    m1 = letters.municipal_issuer(municipality=world.m1)
    m2 = letters.municipal_issuer(municipality=world.m2)
    institute = factories.institute_issuer()
    client.force_login(world.municipal)
    page = lambda issuer: client.get(reverse("admin:reports_issuer_change", args=[issuer.pk]))  # noqa: E731
    assert page(m1).context["has_change_permission"] is True
    assert page(m2).context["has_change_permission"] is False
    assert page(institute).context["has_change_permission"] is False
    form = dict.fromkeys(["phone", "email", "ogrn", "inn_kpp", "number_suffix"], "")
    form |= {"name": m1.name, "address": "403791, г. Жирновск"}
    form |= {"signatory_position": "Начальник отдела", "signatory_name": "О.В. Олейникова"}
    form |= {"adoption_body": "программно-методического совета"}  # the admin's form has it (required) too
    assert client.post(reverse("admin:reports_issuer_change", args=[m1.pk]), form).status_code == 302
    m1.refresh_from_db()
    assert (m1.signatory_name, m1.kind, m1.municipality) == ("О.В. Олейникова", "municipal", world.m1)


@pytest.mark.parametrize("person", ["analyst", "municipal"])
def test_the_only_letterhead_is_chosen_already(client, world, person):
    factories.institute_issuer()  # the institute's blank is set up (a fresh portal asks for it first)
    client.force_login(world.people[person])
    form = client.get(reverse("letter-new")).context["form"]
    issuers = letters.issuers_for(world.people[person])
    assert len(issuers) == 1
    assert form["issuer"].value() == issuers[0].pk
    assert form.fields["issuer"].empty_label is None  # no «---------» to pick by mistake


# --- nothing typed in the editor is lost (the attack on issue 14: ↑/↓ dropped edits, the last save won) ---


def _editor_form(letter: Letter, **changes) -> dict:
    """The editor's whole form as the browser sends it, with ``changes``."""
    form = {
        "revision": str(letter.revision),
        "title": letter.title,
        "introduction": letter.introduction,
        "closing": letter.closing,
        "addressee_line": letter.addressee_line,
        "reply_to": letter.reply_to,
        "protocol": letter.protocol,
    }
    for item in letter.items.all():
        form[f"item-{item.pk}-text"] = item.text
        form[f"item-{item.pk}-order"] = str(item.order)
    form.update(changes)
    return form


def test_moving_an_item_keeps_what_was_typed(client, two):
    people, letter, _ = two
    client.force_login(people.analyst)
    first, second = letter.items.filter(kind="conclusion").order_by("order")[:2]
    form = _editor_form(
        letter, introduction="Новое вступление", reply_to="12-34", reply_to_date="2026-02-01", direction="down"
    )
    form[f"item-{second.pk}-text"] = "Исправленный вывод"
    assert client.post(reverse("letter-move", args=[letter.pk, first.pk]), form).status_code == 302
    letter.refresh_from_db()
    assert (letter.introduction, letter.reply_to, letter.reply_to_date) == (
        "Новое вступление",
        "12-34",
        dt.date(2026, 2, 1),
    )
    ordered = list(letter.items.filter(kind="conclusion").order_by("order"))
    assert ordered[0].pk == second.pk and ordered[0].text == "Исправленный вывод" and ordered[1].pk == first.pk
    page = client.get(reverse("letter-edit", args=[letter.pk])).content.decode()
    assert f'formaction="{reverse("letter-move", args=[letter.pk, first.pk])}"' in page  # ↑/↓ send the form


def test_a_refused_save_shows_what_was_typed(client, two):
    people, letter, _ = two
    client.force_login(people.analyst)
    response = client.post(reverse("letter-edit", args=[letter.pk]), _editor_form(letter, title="", closing="Мой итог"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Заголовок письма не может быть пустым" in page and "Мой итог</textarea>" in page
    letter.refresh_from_db()
    assert letter.closing != "Мой итог"


def test_a_save_over_anothers_newer_edit_is_refused_and_keeps_both(client, two):
    people, letter, _ = two
    client.force_login(people.analyst)
    opened_a, opened_b = _editor_form(letter), _editor_form(letter)
    opened_a["introduction"] = "Вступление A"
    assert client.post(reverse("letter-edit", args=[letter.pk]), opened_a).status_code == 302
    opened_b["title"] = "Заголовок B"
    response = client.post(reverse("letter-edit", args=[letter.pk]), opened_b)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Письмо изменили после того, как вы открыли его" in page and "Заголовок B</textarea>" in page
    letter.refresh_from_db()
    assert letter.introduction == "Вступление A" and letter.title != "Заголовок B"
    # The same conflict for ↑/↓ from the stale page.
    item = letter.items.first()
    assert (
        client.post(reverse("letter-move", args=[letter.pk, item.pk]), {**opened_b, "direction": "up"}).status_code
        == 409
    )


def test_the_author_is_not_offered_the_signatorys_approval_and_is_refused_it(client, two):
    """Issue 16, item 3: the analyst who wrote the letter approved it as signatory."""
    world, draft, _ = two
    client.force_login(world.analyst)
    page = client.get(reverse("letter-detail", args=[draft.pk])).content.decode()
    assert "Согласовать (подписант)" not in page and "Автор письма не может согласовать его как подписант" in page
    response = client.post(reverse("letter-approve", args=[draft.pk]), follow=True)
    assert "Автор письма не может согласовать его как подписант" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.approved_by is None


def test_a_municipal_composer_is_not_offered_the_whole_region(client, staffed):  # noqa: F811
    """Issue 16, item 10: a municipal official composing a letter was offered «весь регион»."""
    client.force_login(staffed.municipal)
    page = client.get(reverse("letter-new")).content.decode()
    assert "весь регион" not in page and "Органам местного самоуправления" not in page
    offered = re.search(r'<select name="municipality".*?</select>', page, re.S).group(0)
    assert f'<option value="{staffed.m1.pk}" selected>' in offered and f'value="{staffed.m2.pk}"' not in offered
    client.force_login(staffed.analyst)
    assert "весь регион" in client.get(reverse("letter-new")).content.decode()


def test_the_editor_warns_before_leaving_unsaved_text(client, two, settings):
    """Issue 16, item 1: leaving the editor threw typed text away without a word."""
    world, draft, _ = two
    client.force_login(world.analyst)
    page = client.get(reverse("letter-edit", args=[draft.pk])).content.decode()
    assert "data-warn-unsaved" in page and "js/letter-editor.js" in page and "data-unsaved" not in page
    script = Path(settings.BASE_DIR, "static/js/letter-editor.js").read_text()
    assert "beforeunload" in script and "form[data-warn-unsaved]" in script
    # A refused save shows what was typed, not stored: leaving that page asks from the start.
    refused = client.post(reverse("letter-edit", args=[draft.pk]), {**_editor_form(draft), "revision": "999"})
    assert refused.status_code == 409 and "data-unsaved" in refused.content.decode()


def test_the_editor_has_the_reference_number_and_date_as_two_fields(client, two):
    world, draft, _ = two
    client.force_login(world.analyst)
    form = {**_editor_form(draft), "reply_to": "№ 12-34", "reply_to_date": "2025-02-01"}
    assert client.post(reverse("letter-edit", args=[draft.pk]), form).status_code == 302
    draft.refresh_from_db()
    assert (draft.reply_to, draft.reply_to_date) == ("12-34", dt.date(2025, 2, 1))
    page = client.get(reverse("letter-edit", args=[draft.pk])).content.decode()
    assert 'type="date" id="reply_to_date" name="reply_to_date" value="2025-02-01"' in page


def test_a_stale_approval_does_not_approve_a_text_changed_since(client, two):
    """Attack: the director opened the letter, the analyst then saved a new title, the director's
    «Согласовать» approved the new text unseen."""
    people, draft, _ = two
    signer = _signer(people)
    client.force_login(signer)
    page = client.get(reverse("letter-detail", args=[draft.pk])).content.decode()
    seen = re.search(r'name="revision" value="(\d+)"', page).group(1)
    letters.letter_update(letter=draft, user=people.analyst, title="Подмененный заголовок")
    response = client.post(reverse("letter-approve", args=[draft.pk]), {"revision": seen})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Письмо изменилось после того, как вы его открыли: проверьте текст и согласуйте снова." in body
    assert "Подмененный заголовок" in body  # the current text, to read before approving it
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.approved_by is None
    # A form without its revision is refused the same way; the current one approves.
    assert client.post(reverse("letter-approve", args=[draft.pk])).status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"
    response = client.post(reverse("letter-approve", args=[draft.pk]), {"revision": draft.revision})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("approved", signer)


def test_an_editor_form_without_its_revision_is_refused_as_a_conflict(client, two):
    """Attack: a POST without «revision» skipped the two-tab check and overwrote a newer text."""
    people, letter, _ = two
    client.force_login(people.analyst)
    letters.letter_update(letter=letter, user=people.analyst, introduction="Новее")
    form = _editor_form(letter, title="Старая вкладка")
    del form["revision"]
    response = client.post(reverse("letter-edit", args=[letter.pk]), form)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Письмо изменили после того, как вы открыли его" in page and "Старая вкладка</textarea>" in page
    letter.refresh_from_db()
    assert letter.introduction == "Новее" and letter.title != "Старая вкладка"


def test_a_second_correction_click_opens_the_started_draft(client, two):
    people, _, issued = two
    client.force_login(people.analyst)
    first = client.post(reverse("letter-correct", args=[issued.pk]))
    second = client.post(reverse("letter-correct", args=[issued.pk]), follow=True)
    assert issued.corrections.count() == 1
    correction = issued.corrections.get()
    assert first["Location"] == reverse("letter-edit", args=[correction.pk])
    assert second.redirect_chain[-1][0] == reverse("letter-edit", args=[correction.pk])
    assert "уже начат" in second.content.decode()


def test_the_reply_date_is_limited_to_the_portals_years(client, two):
    people, letter, _ = two
    client.force_login(people.analyst)
    for day in ("0001-01-01", "9999-12-31"):
        form = _editor_form(letter, reply_to="12-34", reply_to_date=day, closing="Мой итог")
        response = client.post(reverse("letter-edit", args=[letter.pk]), form)
        assert response.status_code == 200
        page = response.content.decode()
        assert "год должен быть от 1900 до 2100" in page and "Мой итог</textarea>" in page
        letter.refresh_from_db()
        assert letter.reply_to_date is None and letter.closing != "Мой итог"
