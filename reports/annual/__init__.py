"""The annual report of a period for the ministry: a PDF and an .xlsx of the same tables.

Sections: a title page, contents, one section per direction (its indicators by
municipality with the change against the previous period, a chart drawn here as
inline SVG, the direction's findings), the recommendations issued in the period, and
the measures with their effectiveness. A municipality's справка (``municipality``) is the
same structure by that municipality's schools, started by its official or the institute.

The package, by job: ``tables`` (the shapes of the content), ``data`` (reading it),
``chart`` (a direction's SVG chart), ``xlsx`` (the workbook), ``build`` (both files of
a period), ``jobs`` (queueing and generating a report in the background). The names
the rest of the project uses are re-exported here.
"""

from __future__ import annotations

from reports.annual.build import Built, annual_build, annual_html, annual_pdf, pdf_pages
from reports.annual.data import annual_data
from reports.annual.jobs import (
    annual_generate,
    annual_start,
    document_name,
    report_in_progress,
    spravka_municipalities,
    spravka_start,
    waiting_reports,
)
from reports.annual.tables import AnnualData
from reports.annual.xlsx import annual_xlsx

__all__ = [
    "AnnualData",
    "Built",
    "annual_build",
    "annual_data",
    "annual_generate",
    "annual_html",
    "annual_pdf",
    "annual_start",
    "annual_xlsx",
    "document_name",
    "pdf_pages",
    "report_in_progress",
    "spravka_municipalities",
    "spravka_start",
    "waiting_reports",
]
