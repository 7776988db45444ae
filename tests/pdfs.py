"""Reading the portal's PDFs in tests: text, embedded fonts, pages (pypdf, pure Python).

Poppler's pdftotext/pdffonts/pdfinfo did this before, but they are a Debian package a fresh
machine with only Python lacks, and `make test` must pass there.
"""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """The text of every page, in the order the PDF draws it, pages joined by line breaks."""
    return "\n".join(page.extract_text() for page in _reader(data).pages)


def pdf_fonts(data: bytes) -> set[str]:
    """Base names of the fonts the pages use ("ABCDEF+PT-Serif-Regular" for an embedded subset)."""
    names = set()
    for page in _reader(data).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {}).get_object()
        for font in fonts.values():
            font = font.get_object()
            names.add(str(font.get("/BaseFont", "")).lstrip("/"))
            for descendant in font.get("/DescendantFonts", []):
                names.add(str(descendant.get_object().get("/BaseFont", "")).lstrip("/"))
    return names - {""}


def pdf_pages(data: bytes) -> list[tuple[Decimal, Decimal]]:
    """Each page's size in points, width by height."""
    return [(Decimal(str(p.mediabox.width)), Decimal(str(p.mediabox.height))) for p in _reader(data).pages]
