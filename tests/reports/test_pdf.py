"""PDFs: Cyrillic in the shipped serif; untrusted references reach neither the disk nor the network."""

from __future__ import annotations

import pytest

from reports import pdf
from tests.pdfs import pdf_fonts, pdf_text


def test_cyrillic_text_renders_in_the_shipped_serif():
    data = pdf.render_pdf("<p style=\"font-family: 'PT Serif'\">Нехватка педагогических кадров в 2 ОУ</p>")
    assert "Нехватка педагогических кадров в 2 ОУ" in pdf_text(data)
    fonts = pdf_fonts(data)
    assert fonts and all(name.endswith("+PT-Serif") for name in fonts), fonts  # embedded subsets of it only


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.org/font.ttf",
        "data:text/plain,hi",
        "ftp://example.org/x",
    ],
)
def test_the_fetcher_refuses_everything_outside_static(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.StaticOnlyFetcher().fetch(url)


def test_the_fetcher_refuses_a_path_that_climbs_out_of_static():
    with pytest.raises(pdf.RefusedURL):
        pdf.StaticOnlyFetcher().fetch(pdf.STATIC_DIR.as_uri() + "/../manage.py")


def test_untrusted_markup_in_a_document_reads_nothing_outside_static(monkeypatch):
    asked, served = [], []
    original = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        response = original(self, url, headers)
        served.append(url)
        return response

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    html = (
        '<p style="font-family: \'PT Serif\'">Текст</p><img src="file:///etc/passwd">'
        '<div style="background: url(http://127.0.0.1:9/track.png)">x</div>'
        "<style>@import url(https://example.org/evil.css);</style>"
    )
    pdf.render_pdf(html)
    assert "file:///etc/passwd" in asked and any(u.startswith("http://127.0.0.1:9") for u in asked)
    assert served and all(u.startswith(pdf.STATIC_DIR.as_uri()) for u in served)  # only the fonts
