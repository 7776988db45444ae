"""The document: the PDF of an issued letter, escaped text, the stored file checked, the draft command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from reports import letters, pdf
from reports.models import Issuer, Letter, OutgoingRegister
from tests import factories
from tests.pdfs import pdf_fonts, pdf_text
from tests.reports.letters.helpers import (
    HEADS_9,
    SHORTAGE_AC,
    VACANT_AC,
    _issued,
    _items,
    _propose,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_a_stored_pdf_that_changed_is_refused(staffed):
    letter = _issued(staffed)
    assert letters.letter_pdf_verified(letter=letter)[:5] == b"%PDF-"
    with open(letter.pdf.path, "ab") as f:
        f.write(b"%tampered")
    with pytest.raises(letters.LetterTampered):
        letters.letter_pdf_verified(letter=letter)


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
    assert "ГАУ ДПО «ИНСТИТУТ РАЗВИТИЯ ОБРАЗОВАНИЯ»" in text and "ОГРН 1023403432290" in text  # the setup's blank
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
    # M1's authority prints once its keeper has named the signatory (a dash is not a person).
    Issuer.objects.filter(municipality=staffed.m1).update(signatory_name="О.П. Смирнова")
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


def test_the_preview_is_the_pdfs_own_rendering(staffed, client):
    """Issue 16, item 2: what the signatory approves on screen is what the PDF prints, and nothing else."""
    import re
    from html import unescape

    # A letter (not a справка, which has no letterhead) to two kinds of addressee: grouped recommendations.
    letter = letters.letter_propose(
        period=staffed.period,
        issuer=factories.institute_issuer(),
        addressee=["school_heads", "municipal"],
        municipality=staffed.m1,
        user=staffed.analyst,
        document_kind="letter",
    )
    letters.letter_update(
        letter=letter,
        user=staffed.analyst,
        reply_to="12-34",
        reply_to_date="2025-02-01",
        closing="Просим сообщить о принятых мерах до 1 июня.",
        addressee_line="Руководителям ОО\nАлексеевского района",
    )
    letter.refresh_from_db()
    client.force_login(staffed.analyst)
    page = client.get(f"/letters/{letter.pk}/").content.decode()
    document = letters.letter_document(letter=letter, draft=True)
    # The page embeds the PDF's document itself, and the PDF's HTML is that document in a page frame.
    assert document in page and document in letters.letter_html(letter=letter, draft=True)
    shown = " ".join(unescape(re.sub(r"<[^>]+>", " ", page.split('id="letter-preview">', 1)[1])).split())
    printed = " ".join(pdf_text(letters.letter_render(letter=letter, draft=True)).split()).replace("- ", "")
    items = [t for *_, t in _items(letter)]
    expected = [
        "на № 12-34 от 01.02.2025",
        "Просим сообщить о принятых мерах до 1 июня.",
        "Руководителям ОО",
        "Алексеевского района",
        "Рекомендации:",
        "Руководителям общеобразовательных организаций:",
        "Органам местного самоуправления",
        "Ректор",
        "И.А. Воронина",
        *items,
    ]
    assert [e for e in expected if " ".join(e.split()) not in shown] == []
    assert [e for e in expected if " ".join(e.split()) not in printed] == []


def test_list_items_are_not_justified(staffed):
    """Issue 16, item 10: justified list items in the letter PDF showed wide gaps between words."""
    import re
    from pathlib import Path

    from django.conf import settings

    css = re.sub(r"/\*.*?\*/", "", Path(settings.BASE_DIR, "static/css/letter.css").read_text(), flags=re.S)
    html = letters.letter_html(letter=_propose(staffed, "school_heads", staffed.m1), draft=True)
    assert 'href="css/letter.css"' in html and 'lang="ru"' in html
    rules = {sel.strip(): body for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)}
    for selector in (".letter-doc ol li", ".letter-doc ul.dash li"):
        assert "text-align: left" in rules[selector] and "hyphens: auto" in rules[selector]
    assert "justify" not in " ".join(body for sel, body in rules.items() if "li" in sel.split()[-1])


def test_a_blank_not_filled_in_is_not_printed(db):
    from reports.issuers import RequisitesMissing
    from reports.letters.rendering import letter_context
    from reports.models import Issuer

    municipality = factories.MunicipalityFactory(code="88", name="Район")
    blank = Issuer.objects.create(
        kind="municipal", municipality=municipality, name="Отдел", signatory_position="Начальник", signatory_name="—"
    )
    letter = factories.LetterFactory(issuer=blank, municipality=municipality)
    with pytest.raises(RequisitesMissing, match="Заполните реквизиты муниципального органа"):
        letter_context(letter, draft=True)


def test_the_blank_prints_fax_and_okpo_only_when_filled(staffed):
    """Issue 19: the seeds' letterheads carry a fax and an ОКПО; the blank prints them beside phone and codes."""
    letter = _propose(staffed, "school_heads", staffed.m1)
    issuer = letter.issuer
    issuer.fax, issuer.okpo = "(84454) 5-57-46", "80200184"
    issuer.save()
    letter.refresh_from_db()
    html = letters.letter_document(letter=letter, draft=True)
    printed = " ".join(pdf_text(letters.letter_render(letter=letter, draft=True)).split())
    for shown in (html, printed):
        assert "Тел. (000) 00-00-00. Факс (84454) 5-57-46" in shown
        assert "ОКПО 80200184, ОГРН 1023403432290" in shown

    issuer.fax = issuer.okpo = ""
    issuer.save()
    letter.refresh_from_db()
    html = letters.letter_document(letter=letter, draft=True)
    printed = " ".join(pdf_text(letters.letter_render(letter=letter, draft=True)).split())
    for shown in (html, printed):
        assert "Факс" not in shown and "ОКПО" not in shown
        assert "Тел. (000) 00-00-00" in shown and "ОГРН 1023403432290" in shown  # the rest of the blank is there
