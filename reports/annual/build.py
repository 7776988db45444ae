"""Both files of the annual report: its HTML, the PDF with its page count, the .xlsx; progress told along the way."""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass

from django.template.loader import render_to_string

from monitoring.models import MonitoringPeriod, Municipality
from reports.annual.data import annual_data
from reports.annual.tables import AnnualData
from reports.annual.xlsx import annual_xlsx


def annual_html(data: AnnualData) -> str:
    return render_to_string("reports/annual_pdf.html", {"data": data})


def annual_pdf(data: AnnualData) -> bytes:
    return _render_pdf(annual_html(data))


def pdf_pages(data: bytes) -> int:
    """The page count of a PDF: /Count of its page tree (WeasyPrint compresses it into an object stream)."""
    pattern = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")
    found = [int(a or b) for a, b in pattern.findall(data)]
    for m in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", data):
        start, length = m.end(), int(m.group(1))
        try:
            chunk = zlib.decompress(data[start : start + length])
        except zlib.error:
            continue
        found += [int(a or b) for a, b in pattern.findall(chunk)]
    return max(found, default=0)


@dataclass
class Built:
    pdf: bytes
    pages: int
    xlsx: bytes
    preliminary: bool = False  # built while the period was open: both files say so


def annual_build(*, period: MonitoringPeriod, municipality: Municipality | None = None, progress=None) -> Built:
    """Both files of the period's report (with ``municipality``: its справка); ``progress(percent)`` is told."""
    progress = progress or (lambda percent: None)
    data = annual_data(period=period, municipality=municipality)
    progress(20)
    html = annual_html(data)
    progress(30)
    with _layout_progress(progress, 30, 85):
        pdf = _render_pdf(html)
    progress(90)
    xlsx = annual_xlsx(data)
    progress(98)
    return Built(pdf, pdf_pages(pdf), xlsx, data.preliminary)


class _layout_progress:
    """Turns WeasyPrint's per-page progress log into the report's percentage (a page is a step)."""

    def __init__(self, progress, low: int, high: int, expected_pages: int = 60):
        self.progress, self.low, self.high, self.expected = progress, low, high, expected_pages
        self.logger = logging.getLogger("weasyprint.progress")
        self.handler = logging.Handler()
        self.handler.emit = self._emit
        self.last = low

    def _emit(self, record) -> None:
        match = re.search(r"Page (\d+)", record.getMessage())
        if not match:
            return
        percent = min(self.high, self.low + (self.high - self.low) * int(match.group(1)) // self.expected)
        if percent >= self.last + 5:
            self.last = percent
            self.progress(percent)

    def __enter__(self):
        self.level, self.propagate = self.logger.level, self.logger.propagate
        self.logger.addHandler(self.handler)
        if self.logger.getEffectiveLevel() > logging.INFO:
            # Lowered for our handler only: the log's own handlers asked for less than this.
            self.logger.setLevel(logging.INFO)
            self.logger.propagate = False
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)
        self.logger.propagate = self.propagate
        return False


def _render_pdf(html: str) -> bytes:
    # WeasyPrint (and its Pango bindings) load on the first PDF, not when Django starts:
    # importing them cost every process, the import command's included, 0.4 s.
    from reports.pdf import render_pdf

    return render_pdf(html)
