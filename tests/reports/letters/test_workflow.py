"""The workflow: who proposes, approves and issues, numbering, frozen issued letters, corrections, receipts."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from monitoring.models import Role
from reports import letters
from reports.models import Letter, LetterReceipt, LetterStatus, OutgoingRegister
from tests import factories
from tests.pdfs import pdf_text
from tests.reports.letters.helpers import (
    SHORTAGE_AC,
    VACANT_AC,
    _issued,
    _items,
    _municipal_signer,
    _propose,
    _signer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_a_municipal_authority_writes_for_its_own_municipality_only(staffed):
    issuer = letters.municipal_issuer(municipality=staffed.m1)
    letter = _propose(staffed, "school_heads", user=staffed.municipal, issuer=issuer)
    assert letter.municipality == staffed.m1
    assert [t for k, _, _, t in _items(letter) if k == "conclusion"] == [SHORTAGE_AC, VACANT_AC]
    with pytest.raises(ValidationError):
        _propose(staffed, "school_heads", staffed.m2, user=staffed.municipal, issuer=issuer)
    for person in ("analyst", "ministry", "head_a", "teacher"):
        with pytest.raises(PermissionDenied):
            _propose(staffed, "school_heads", user=staffed.people[person], issuer=issuer)
    for person in ("ministry", "municipal", "head_a", "teacher"):
        with pytest.raises(PermissionDenied):
            _propose(staffed, "school_heads", user=staffed.people[person])


def test_approve_then_issue_only_by_the_signatory_side(staffed):
    letter = _propose(staffed, "school_heads", staffed.m1)
    with pytest.raises(ValidationError):
        letters.letter_issue(letter=letter, user=staffed.analyst)  # not approved yet
    with pytest.raises(PermissionDenied):
        letters.letter_approve(letter=letter, revision=letter.revision, user=staffed.municipal)
    letters.letter_approve(letter=letter, revision=letter.revision, user=_signer(staffed))
    with pytest.raises(ValidationError):
        letters.letter_update(letter=letter, user=staffed.analyst, title="после согласования")
    letters.letter_reopen(letter=letter, user=staffed.analyst)
    letters.letter_update(letter=letter, user=staffed.analyst, title="после возврата")
    letter.refresh_from_db()  # the revision the signatory reads
    letters.letter_approve(letter=letter, revision=letter.revision, user=_signer(staffed))
    with pytest.raises(PermissionDenied):
        letters.letter_issue(letter=letter, user=staffed.ministry)
    issued = letters.letter_issue(letter=letter, user=staffed.analyst, today=dt.date(2026, 3, 2))
    assert (issued.status, issued.number, issued.issued_on) == ("issued", "1/26", dt.date(2026, 3, 2))
    assert issued.pdf_sha256 == hashlib.sha256(issued.pdf.read()).hexdigest()


def test_numbers_run_per_issuer_and_year(staffed):
    signers = {staffed.analyst: _signer(staffed), staffed.municipal: _municipal_signer(staffed)}

    def issue(issuer, user, day):
        letter = _propose(staffed, "school_heads", staffed.m1, user=user, issuer=issuer)
        letters.letter_approve(letter=letter, revision=letter.revision, user=signers[user])
        return letters.letter_issue(letter=letter, user=user, today=day).number

    institute = factories.institute_issuer()
    m1 = letters.municipal_issuer(municipality=staffed.m1)
    m1.number_suffix = "-ОО"
    m1.signatory_name = "О.П. Смирнова"  # a named person signs (the default is a dash to fill in)
    m1.save()
    numbers = [
        issue(institute, staffed.analyst, dt.date(2026, 1, 9)),
        issue(institute, staffed.analyst, dt.date(2026, 5, 1)),
        issue(m1, staffed.municipal, dt.date(2026, 5, 1)),
        issue(institute, staffed.analyst, dt.date(2026, 12, 31)),
        issue(institute, staffed.analyst, dt.date(2027, 1, 10)),
        issue(m1, staffed.municipal, dt.date(2026, 6, 1)),
    ]
    assert numbers == ["1/26", "2/26", "1-ОО/26", "3/26", "1/27", "2-ОО/26"]
    assert set(OutgoingRegister.objects.values_list("issuer__kind", "year", "last_number")) == {
        ("institute", 2026, 3),
        ("institute", 2027, 1),
        ("municipal", 2026, 2),
    }


def test_an_issued_letter_refuses_every_service(staffed):
    letter = _issued(staffed)
    item = letter.items.first()
    for call in (
        lambda: letters.letter_update(letter=letter, user=staffed.analyst, title="x"),
        lambda: letters.letter_update(letter=letter, user=staffed.analyst, remove=[item.pk]),
        lambda: letters.letter_move(letter=letter, user=staffed.analyst, item_id=item.pk, delta=1),
        lambda: letters.letter_approve(letter=letter, revision=letter.revision, user=staffed.analyst),
        lambda: letters.letter_reopen(letter=letter, user=staffed.analyst),
        lambda: letters.letter_issue(letter=letter, user=staffed.analyst),
    ):
        with pytest.raises(letters.LetterFrozen):
            call()
    assert OutgoingRegister.objects.get().last_number == 1


def test_a_correction_is_a_new_draft_citing_the_old_letter(staffed):
    old = _issued(staffed, today=dt.date(2026, 2, 3))
    new = letters.letter_correct(letter=old, user=staffed.analyst)
    assert new.corrects == old and new.status == "draft" and new.number == ""
    assert [t for *_, t in _items(new)] == [t for *_, t in _items(old)]
    letters.letter_approve(letter=new, revision=new.revision, user=_signer(staffed))
    new = letters.letter_issue(letter=new, user=staffed.analyst, today=dt.date(2026, 2, 4))
    assert new.number == "2/26"
    assert "Взамен письма от 03.02.2026 № 1/26." in letters.letter_html(letter=new, draft=False)
    with pytest.raises(ValidationError):
        letters.letter_correct(letter=_propose(staffed, "municipal"), user=staffed.analyst)


def test_addressees_confirm_reading_once(staffed):
    letter = _issued(staffed)
    letters.receipt_confirm(letter=letter, user=staffed.head_a)
    letters.receipt_confirm(letter=letter, user=staffed.head_a)
    assert LetterReceipt.objects.filter(letter=letter).count() == 1
    for person in ("head_b", "municipal", "ministry", "teacher", "analyst"):
        # head_b is in M2; the others are not school heads, to whom the letter speaks.
        with pytest.raises(PermissionDenied):
            letters.receipt_confirm(letter=letter, user=staffed.people[person])
    draft = _propose(staffed, "school_heads", staffed.m1)
    with pytest.raises(PermissionDenied):
        letters.receipt_confirm(letter=draft, user=staffed.head_a)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_issues_draw_consecutive_numbers(staffed):
    import threading

    from django.db import connection

    drafts = []
    for _ in range(4):
        letter = _propose(staffed, "school_heads", staffed.m1)
        drafts.append(letters.letter_approve(letter=letter, revision=letter.revision, user=_signer(staffed)))
    barrier = threading.Barrier(len(drafts))
    errors = []

    def issue(letter):
        try:
            barrier.wait()
            letters.letter_issue(letter=letter, user=staffed.analyst, today=dt.date(2026, 4, 1))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(Letter.objects.values_list("number", flat=True)) == ["1/26", "2/26", "3/26", "4/26"]
    assert OutgoingRegister.objects.get().last_number == 4


def test_a_closed_periods_letters_are_read_only(staffed):
    """Composing, editing, approving, issuing and correcting are refused once the period is closed (item 6)."""
    from monitoring.models import MonitoringPeriod, PeriodStatus

    world = staffed
    draft = _propose(world, "school_heads", world.m1)
    issued = _issued(world)
    MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=PeriodStatus.CLOSED)
    attempts = [
        lambda: _propose(world, "school_heads", world.m1),
        lambda: letters.letter_update(letter=draft, user=world.analyst, title="Иное"),
        lambda: letters.letter_approve(letter=draft, revision=draft.revision, user=world.analyst),
        lambda: letters.letter_correct(letter=issued, user=world.analyst),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="закрыт"):
            attempt()
    draft.refresh_from_db()
    assert draft.status == LetterStatus.DRAFT and draft.title != "Иное"
    assert Letter.objects.count() == 2


def test_the_author_never_approves_their_own_letter(staffed):
    """Four eyes (issue 16, item 3): the analyst who wrote the letter approved it as signatory."""
    letter = _propose(staffed, "school_heads", staffed.m1)
    with pytest.raises(ValidationError, match="Автор письма не может согласовать его как подписант"):
        letters.letter_approve(letter=letter, revision=letter.revision, user=staffed.analyst)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and letter.approved_by is None
    signer = _signer(staffed)
    approved = letters.letter_approve(letter=letter, revision=letter.revision, user=signer)
    assert (approved.status, approved.approved_by) == (LetterStatus.APPROVED, signer)
    # Reopened and changed by the signer, it is still the analyst's letter: the signer approves again.
    letters.letter_reopen(letter=letter, user=signer)
    letters.letter_update(letter=letter, user=signer, title="Правка подписанта")
    letter.refresh_from_db()  # the revision the signatory reads
    with pytest.raises(ValidationError, match="Автор письма"):
        letters.letter_approve(letter=letter, revision=letter.revision, user=staffed.analyst)
    assert letters.letter_approve(letter=letter, revision=letter.revision, user=signer).approved_by == signer


def test_a_named_signatory_alone_approves_and_the_letter_prints_that_person(staffed):
    issuer = factories.institute_issuer()
    rector = _signer(staffed)
    colleague = factories.UserFactory(username="colleague", role=Role.ANALYST)
    issuer.signatory, issuer.signatory_position, issuer.signatory_name = rector, "Ректор", "И.С. Воронина"
    issuer.save()
    letter = _propose(staffed, "school_heads", staffed.m1)
    Letter.objects.filter(pk=letter.pk).update(signatory_name="Кто-то другой")  # an older snapshot
    with pytest.raises(ValidationError, match=r"согласует подписант: Ректор И\.С\. Воронина"):
        letters.letter_approve(letter=letter, revision=letter.revision, user=colleague)
    approved = letters.letter_approve(letter=letter, revision=letter.revision, user=rector)
    assert (approved.signatory_position, approved.signatory_name) == ("Ректор", "И.С. Воронина")
    issued = letters.letter_issue(letter=approved, user=staffed.analyst, today=dt.date(2026, 3, 2))
    assert "И.С. Воронина" in pdf_text(issued.pdf.read())


def test_a_body_without_a_named_signatory_has_no_one_to_approve(staffed):
    issuer = letters.municipal_issuer(municipality=staffed.m1)
    assert issuer.signatory_name == "—"
    letter = _propose(staffed, "school_heads", user=staffed.municipal, issuer=issuer)
    with pytest.raises(ValidationError, match="не указан подписант"):
        letters.letter_approve(letter=letter, revision=letter.revision, user=_municipal_signer(staffed))
    issuer.signatory_name = "О.П. Смирнова"
    issuer.save()
    assert (
        letters.letter_approve(letter=letter, revision=letter.revision, user=_municipal_signer(staffed)).signatory_name
        == "О.П. Смирнова"
    )


def test_the_signatory_approves_only_the_revision_they_read(staffed):
    letter = _propose(staffed, "school_heads", staffed.m1)
    seen = letter.revision
    letters.letter_update(letter=letter, user=staffed.analyst, title="Новый заголовок после прочтения")
    for revision in (seen, None, "", "x"):
        with pytest.raises(letters.LetterApprovalStale):
            letters.letter_approve(letter=letter, revision=revision, user=_signer(staffed))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and letter.approved_by is None
    approved = letters.letter_approve(letter=letter, revision=letter.revision, user=_signer(staffed))
    assert approved.status == LetterStatus.APPROVED


def test_a_correction_started_is_reopened_not_copied_again(staffed):
    old = _issued(staffed)
    first = letters.letter_correct(letter=old, user=staffed.analyst)
    assert letters.letter_correct(letter=old, user=staffed.analyst) == first
    assert old.corrections.count() == 1
