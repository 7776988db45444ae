"""Letters: proposals from the findings, the workflow, numbering, immutability, the PDF and receipts."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction

from indicators.engine import compute_period
from indicators.models import ComputationRun
from indicators.services import run_begin, run_finish
from reports import letters, pdf
from reports.models import Letter, LetterItem, LetterReceipt, LetterStatus, OutgoingRegister
from tests import factories
from tests.pdfs import pdf_fonts, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

A, C = "МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»"
SHORTAGE_AC = f"Нехватка педагогических кадров в 2 ОО: {A}, {C}."
VACANT_AC = f"Высокая доля вакантных ставок (более 5 % ставок по штату) в 2 ОО: {A}, {C}."
HEADS_9 = (
    "Своевременно выявлять кадровые потребности и направлять сведения о вакансиях в орган управления образованием."
)
MUNICIPAL_9 = (
    "Разработать меры по привлечению и закреплению педагогических кадров, в том числе в рамках целевого обучения "
    "и программы «Земский учитель»."
)
INSTITUTE_9 = (
    "Формировать график повышения квалификации и профессиональной переподготовки с учетом кадровых потребностей "
    "образовательных организаций региона."
)


@pytest.fixture
def staffed(world):
    # As in test_findings: 9.1 (≥ 95 %) and 9.11 (≤ 5 %) miss at schools A and C and at M1; B and M2 are fine.
    factories.StaffingRowFactory(period=world.period, school=world.school_a, vacant_positions=4)
    factories.StaffingRowFactory(period=world.period, school=world.school_b, vacant_positions=0)
    factories.StaffingRowFactory(period=world.period, school=world.school_c, vacant_positions=1)
    compute_period(period=world.period, directions=[9])
    run = ComputationRun.objects.create(period=world.period)
    run_begin(run_id=run.pk, steps=0)
    run_finish(run_id=run.pk)
    return world


def _items(letter: Letter) -> list[tuple[str, str, int, str]]:
    return list(letter.items.order_by("kind", "addressee", "order").values_list("kind", "addressee", "order", "text"))


def _propose(world, addressee, municipality=None, user=None, issuer=None) -> Letter:
    return letters.letter_propose(
        period=world.period,
        issuer=issuer or letters.institute_issuer(),
        addressee=addressee,
        municipality=municipality,
        user=user or world.analyst,
    )


def _issued(world, **kw) -> Letter:
    letter = _propose(world, "school_heads", world.m1)
    letters.letter_approve(letter=letter, user=world.analyst)
    return letters.letter_issue(letter=letter, user=world.analyst, **kw)


# --- proposals ---------------------------------------------------------------------


def test_a_letter_to_the_school_heads_of_m1_concludes_with_the_school_lists(staffed):
    letter = _propose(staffed, "school_heads", staffed.m1)
    assert _items(letter) == [
        ("conclusion", "", 1, SHORTAGE_AC),
        ("conclusion", "", 2, VACANT_AC),
        ("recommendation", "school_heads", 1, HEADS_9),
    ]
    assert letter.status == LetterStatus.DRAFT and letter.addressee_line == "Руководителям ОО"
    assert letter.title == (
        "Адресные рекомендации руководителям общеобразовательных организаций муниципального образования "
        "«Алексеевский муниципальный район» по итогам мониторинга системы обеспечения профессионального развития "
        "педагогических работников за 2025 год"
    )
    assert (
        "(далее – мониторинг)" in letter.introduction and "9. Выявление кадровых потребностей." in letter.introduction
    )
    assert (letter.signatory_position, letter.signatory_name) == ("Ректор", "И.А. Воронина")


def test_a_letter_to_all_municipal_authorities_names_the_municipalities(staffed):
    letter = _propose(staffed, "municipal")
    assert _items(letter) == [
        (
            "conclusion",
            "",
            1,
            "Нехватка педагогических кадров в 1 муниципальном образовании: Алексеевский муниципальный район.",
        ),
        (
            "conclusion",
            "",
            2,
            "Высокая доля вакантных ставок (более 5 % ставок по штату) в 1 муниципальном образовании: "
            "Алексеевский муниципальный район.",
        ),
        ("recommendation", "municipal", 1, MUNICIPAL_9),
        (
            "recommendation",
            "municipal",
            2,
            "Обеспечить укомплектование педагогическими кадрами в 1 муниципальном образовании: "
            "Алексеевский муниципальный район.",
        ),
    ]


def test_a_note_to_several_addressees_groups_recommendations_by_addressee(staffed):
    letter = _propose(staffed, ["institute", "school_heads", "municipal"])
    assert letter.document_kind == "note" and letter.addressee_line == ""
    context = letters.letter_context(letter, draft=True)
    assert [i.text for i in context["conclusions"]] == [SHORTAGE_AC, VACANT_AC]
    assert context["grouped"] is True
    assert [(g.heading, [i.text for i in g.items]) for g in context["groups"]] == [
        (
            "Органам местного самоуправления, осуществляющим управление в сфере образования",
            [MUNICIPAL_9, f"Обеспечить укомплектование педагогическими кадрами в 2 ОО: {A}, {C}."],
        ),
        ("Руководителям общеобразовательных организаций", [HEADS_9]),
        ("Институту развития образования", [INSTITUTE_9]),
    ]


def test_a_municipality_without_findings_gets_no_conclusions(staffed):
    letter = _propose(staffed, "school_heads", staffed.m2)
    assert _items(letter) == []
    assert "все показатели, для которых установлены пороговые значения, их достигают" in letter.introduction


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


# --- editing and the workflow ------------------------------------------------------


def test_a_draft_is_edited_reordered_extended_and_trimmed(staffed):
    letter = _propose(staffed, "school_heads", staffed.m1)
    first, second = letter.items.filter(kind="conclusion").order_by("order")
    letters.letter_update(
        letter=letter,
        user=staffed.analyst,
        title="Новый заголовок",
        items=[{"id": first.pk, "text": "Исправленный вывод", "order": 5}],
        add=[{"kind": "recommendation", "addressee": "school_heads", "text": "Дополнительная рекомендация"}],
    )
    assert [(k, o, t) for k, _, o, t in _items(letter)] == [
        ("conclusion", 1, VACANT_AC),
        ("conclusion", 2, "Исправленный вывод"),
        ("recommendation", 1, HEADS_9),
        ("recommendation", 2, "Дополнительная рекомендация"),
    ]
    letters.letter_move(letter=letter, user=staffed.analyst, item_id=first.pk, delta=-1)
    letters.letter_update(letter=letter, user=staffed.analyst, remove=[second.pk])
    assert [t for k, _, _, t in _items(letter) if k == "conclusion"] == ["Исправленный вывод"]
    letter.refresh_from_db()
    assert letter.title == "Новый заголовок"
    with pytest.raises(ValidationError):
        letters.letter_update(
            letter=letter, user=staffed.analyst, add=[{"kind": "recommendation", "text": "без адресата"}]
        )
    with pytest.raises(PermissionDenied):
        letters.letter_update(letter=letter, user=staffed.municipal, title="Чужое")


def test_approve_then_issue_only_by_the_signatory_side(staffed):
    letter = _propose(staffed, "school_heads", staffed.m1)
    with pytest.raises(ValidationError):
        letters.letter_issue(letter=letter, user=staffed.analyst)  # not approved yet
    with pytest.raises(PermissionDenied):
        letters.letter_approve(letter=letter, user=staffed.municipal)
    letters.letter_approve(letter=letter, user=staffed.analyst)
    with pytest.raises(ValidationError):
        letters.letter_update(letter=letter, user=staffed.analyst, title="после согласования")
    letters.letter_reopen(letter=letter, user=staffed.analyst)
    letters.letter_update(letter=letter, user=staffed.analyst, title="после возврата")
    letters.letter_approve(letter=letter, user=staffed.analyst)
    with pytest.raises(PermissionDenied):
        letters.letter_issue(letter=letter, user=staffed.ministry)
    issued = letters.letter_issue(letter=letter, user=staffed.analyst, today=dt.date(2026, 3, 2))
    assert (issued.status, issued.number, issued.issued_on) == ("issued", "1/26", dt.date(2026, 3, 2))
    assert issued.pdf_sha256 == hashlib.sha256(issued.pdf.read()).hexdigest()


def test_numbers_run_per_issuer_and_year(staffed):
    def issue(issuer, user, day):
        letter = _propose(staffed, "school_heads", staffed.m1, user=user, issuer=issuer)
        letters.letter_approve(letter=letter, user=user)
        return letters.letter_issue(letter=letter, user=user, today=day).number

    institute = letters.institute_issuer()
    m1 = letters.municipal_issuer(municipality=staffed.m1)
    m1.number_suffix = "-ОО"
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


# --- an issued letter never changes -------------------------------------------------


def test_an_issued_letter_refuses_every_service(staffed):
    letter = _issued(staffed)
    item = letter.items.first()
    for call in (
        lambda: letters.letter_update(letter=letter, user=staffed.analyst, title="x"),
        lambda: letters.letter_update(letter=letter, user=staffed.analyst, remove=[item.pk]),
        lambda: letters.letter_move(letter=letter, user=staffed.analyst, item_id=item.pk, delta=1),
        lambda: letters.letter_approve(letter=letter, user=staffed.analyst),
        lambda: letters.letter_reopen(letter=letter, user=staffed.analyst),
        lambda: letters.letter_issue(letter=letter, user=staffed.analyst),
    ):
        with pytest.raises(letters.LetterFrozen):
            call()
    assert OutgoingRegister.objects.get().last_number == 1


def test_an_issued_letter_refuses_the_orm_too(staffed):
    letter = _issued(staffed)
    before = (letter.title, letter.number, letter.pdf_sha256)
    letter.title = "Подмена"
    item = LetterItem.objects.filter(letter=letter).first()
    item.text = "Подмена"
    # Each attempt in its own savepoint: Django's delete() runs in the caller's transaction.
    for attempt in (
        letter.save,
        letter.delete,
        item.save,
        item.delete,
        lambda: LetterItem.objects.create(letter=letter, kind="conclusion", text="Новый"),
    ):
        with pytest.raises(letters.LetterFrozen), transaction.atomic():
            attempt()
    letter = Letter.objects.get(pk=letter.pk)
    assert (letter.title, letter.number, letter.pdf_sha256) == before


def test_a_correction_is_a_new_draft_citing_the_old_letter(staffed):
    old = _issued(staffed, today=dt.date(2026, 2, 3))
    new = letters.letter_correct(letter=old, user=staffed.analyst)
    assert new.corrects == old and new.status == "draft" and new.number == ""
    assert [t for *_, t in _items(new)] == [t for *_, t in _items(old)]
    letters.letter_approve(letter=new, user=staffed.analyst)
    new = letters.letter_issue(letter=new, user=staffed.analyst, today=dt.date(2026, 2, 4))
    assert new.number == "2/26"
    assert "Взамен письма от 03.02.2026 № 1/26." in letters.letter_html(letter=new, draft=False)
    with pytest.raises(ValidationError):
        letters.letter_correct(letter=_propose(staffed, "municipal"), user=staffed.analyst)


def test_a_stored_pdf_that_changed_is_refused(staffed):
    letter = _issued(staffed)
    assert letters.letter_pdf_verified(letter=letter)[:5] == b"%PDF-"
    with open(letter.pdf.path, "ab") as f:
        f.write(b"%tampered")
    with pytest.raises(letters.LetterTampered):
        letters.letter_pdf_verified(letter=letter)


# --- the document ------------------------------------------------------------------


def test_the_pdf_carries_title_conclusions_and_signatory_exactly(staffed):
    letter = _issued(staffed, today=dt.date(2026, 3, 2))
    data = letter.pdf.read()
    text = pdf_text(data)
    flat = " ".join(text.split())
    # Words may be hyphenated at line ends in the justified body; compare without them.
    joined = flat.replace("- ", "")
    assert " ".join(letter.title.split()) in joined
    assert SHORTAGE_AC in joined and VACANT_AC in joined and HEADS_9 in joined
    assert "И.А. Воронина" in text and "Ректор" in text
    assert "02.03.2026 г. № 1/26" in text and "на № _____ от _____" in text
    assert "ГАУ ДПО «ВОЛГОГРАДСКАЯ ГОСУДАРСТВЕННАЯ АКАДЕМИЯ" in text and "ОГРН 1023403432290" in text
    assert "Руководителям ОО" in text and "Общие выводы:" in text and "Рекомендации:" in text
    assert "ПРОЕКТ" not in text
    fonts = pdf_fonts(data)
    # Only the shipped faces: a fallback font would mean a glyph PT Serif lacks (the hyphen was one).
    assert fonts and all("+PT-" in name for name in fonts), fonts


def test_untrusted_text_is_escaped_and_fetches_nothing(staffed, monkeypatch):
    asked, served = [], []
    original = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        response = original(self, url, headers)
        served.append(url)
        return response

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    evil_img = '<img src="file:///etc/passwd">'
    evil_css = '<div style="background: url(http://127.0.0.1:9/track.png)">x</div><style>@import url(https://example.org/e.css);</style>'
    letter = _propose(staffed, "school_heads", staffed.m1)
    letters.letter_update(
        letter=letter,
        user=staffed.analyst,
        title=f"Заголовок {evil_img}",
        introduction=evil_css,
        add=[{"kind": "conclusion", "text": evil_img + " url(file:///etc/shadow)"}],
    )
    html = letters.letter_html(letter=letter, draft=True)
    assert evil_img not in html and "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert "<style>@import" not in html
    content = letters.letter_render(letter=letter, draft=True)
    assert content[:5] == b"%PDF-"
    assert all(u.startswith(pdf.STATIC_DIR.as_uri()) for u in asked)  # only the fonts were asked for
    assert served and not any("passwd" in u or "127.0.0.1" in u or "example.org" in u for u in asked)


def test_draft_letter_command_renders_without_issuing(staffed, tmp_path):
    out = tmp_path / "draft.pdf"
    call_command(
        "draft_letter",
        "--period",
        "2025",
        "--issuer",
        "institute",
        "--addressees",
        "school-heads",
        "--municipality",
        "01",
        "--out",
        str(out),
    )
    text = " ".join(pdf_text(out.read_bytes()).split()).replace("- ", "")
    assert SHORTAGE_AC in text and "ПРОЕКТ" in text
    assert not Letter.objects.exists() and not OutgoingRegister.objects.exists()
    out2 = tmp_path / "m.pdf"
    call_command(
        "draft_letter",
        "--period",
        "2025",
        "--issuer",
        "municipal",
        "--addressees",
        "school-heads",
        "--municipality",
        "01",
        "--out",
        str(out2),
    )
    assert "ОТДЕЛ ПО ОБРАЗОВАНИЮ АДМИНИСТРАЦИИ" in pdf_text(out2.read_bytes())


# --- receipts ----------------------------------------------------------------------


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
        drafts.append(letters.letter_approve(letter=letter, user=staffed.analyst))
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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "Заголовок\x00"}, "недопустимые символы"),
        ({"addressee_line": "А" * 501}, "не более 500"),
        ({"items": [{"id": "²", "text": "т"}]}, "целым числом"),
        ({"items": [{"order": 10**30}]}, "от 1 до 10000"),
        ({"add": [{"kind": "recommendation", "addressee": "school_heads", "text": "т\x1b"}]}, "Текст пункта"),
    ],
)
def test_update_refuses_control_characters_oversize_and_odd_numbers(world, change, message):
    # The composer's service takes plain strings (from the page and the API): PostgreSQL cannot store NUL,
    # a too long line or a 30-digit order would fail in the database instead of telling the author.
    letter = factories.LetterFactory(period=world.period, municipality=world.m1)
    item = factories.LetterItemFactory(letter=letter)
    for row in change.get("items", []):
        row.setdefault("id", item.pk)
    with pytest.raises(ValidationError) as info:
        letters.letter_update(letter=letter, user=world.analyst, **change)
    assert message in " ".join(info.value.messages)
    letter.refresh_from_db()
    assert letter.title == "Об итогах мониторинга" and list(letter.items.values_list("text", flat=True)) == [item.text]


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
        lambda: letters.letter_approve(letter=draft, user=world.analyst),
        lambda: letters.letter_correct(letter=issued, user=world.analyst),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="закрыт"):
            attempt()
    draft.refresh_from_db()
    assert draft.status == LetterStatus.DRAFT and draft.title != "Иное"
    assert Letter.objects.count() == 2
