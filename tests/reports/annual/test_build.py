"""Both files of the annual report: the PDF's sections and figures, progress along the way."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from indicators.selectors import DIRECTIONS
from reports.annual import annual_build
from tests.pdfs import pdf_fonts, pdf_pages
from tests.reports.annual.helpers import pdftext

pytestmark = pytest.mark.django_db


def test_the_pdf_has_every_direction_and_the_figures(year):
    built = annual_build(period=year.period)
    assert built.pdf.startswith(b"%PDF") and built.pages >= 12
    text = pdftext(built.pdf)
    for number, title in DIRECTIONS.items():
        assert f"{number}. {title}" in text
    assert "Содержание" in text and "Годовой отчет" in text
    # M1's 9.1 and its change against 2024 (the text layer reads a cell's two lines apart).
    assert "Алексеевский муниципальный район 75,0" in text and "+15,0" in text
    assert "565/1" in text and "Разработать план привлечения молодых специалистов" in text
    assert "Целевое обучение в педагогическом вузе" in text and "достигнут" in text
    assert "Алексеевский муниципальный район — 2" in text  # 9.1's findings: two schools of M1
    pages = pdf_pages(built.pdf)
    assert len(pages) == built.pages
    assert {(round(w), round(h)) for w, h in pages} == {(595, 842)}  # A4 portrait, every page
    fonts = pdf_fonts(built.pdf)
    assert fonts and all("+PT-" in name for name in fonts), fonts  # only the shipped faces: no fallback glyphs


def test_the_build_reports_its_progress(year):
    seen: list[int] = []
    annual_build(period=year.period, progress=seen.append)
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] >= 90


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_title_page_wears_the_institutes_setup_and_only_an_open_period_is_marked_on_every_page(year):
    pages = _pages(annual_build(period=year.period).pdf)
    title = pages[0]
    # The name as the institute's staff entered it (upper-cased by the title page's style), its city.
    assert "СЕВЕРО-ОСЕТИНСКИЙ РЕСПУБЛИКАНСКИЙ ИНСТИТУТ ПОВЫШЕНИЯ КВАЛИФИКАЦИИ" in title
    assert "Владикавказ" in title
    assert "РАЗВИТИЯ ОБРАЗОВАНИЯ" not in title and "Волгоград" not in " ".join(pages)
    assert "Предварительные данные: сбор данных за 2025 год не завершен" in title
    assert "Содержание" in pages[1]  # the title page stays one page with its mark
    unmarked = [n for n, text in enumerate(pages, start=1) if "ПРЕДВАРИТЕЛЬНЫЕ ДАННЫЕ" not in text]
    assert not unmarked, f"pages without the mark: {unmarked}"

    # Once the period is closed the same report carries no mark.
    year.period.status = "closed"
    year.period.save()
    text = " ".join(_pages(annual_build(period=year.period).pdf))
    assert "ПРЕДВАРИТЕЛЬНЫЕ" not in text and "Предварительные" not in text
