"""Both files of the annual report: the PDF's sections and figures, progress along the way."""

from __future__ import annotations

import pytest

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
