"""The document: the PDF of an issued letter, escaped text, the stored file checked, the draft command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from reports import letters, pdf
from reports.models import Letter, OutgoingRegister
from tests.pdfs import pdf_fonts, pdf_text
from tests.reports.letters.helpers import (
    HEADS_9,
    SHORTAGE_AC,
    VACANT_AC,
    _issued,
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
