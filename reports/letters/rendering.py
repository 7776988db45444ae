"""The letter as a document: the template's context, its HTML, its PDF, and the stored PDF checked against its hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string

from reports import library
from reports.issuers import institute_issuer_or_none, require_complete
from reports.letters.citing import adoption_sentence
from reports.letters.errors import LetterTampered
from reports.models import AddresseeKind, DocumentKind, IssuerKind, Letter, LetterItem, TextKind


@dataclass
class RecommendationGroup:
    heading: str
    items: list[LetterItem]


def letter_context(letter: Letter, *, draft: bool) -> dict:
    items = list(letter.items.order_by("kind", "addressee", "order", "pk"))
    conclusions = [i for i in items if i.kind == TextKind.CONCLUSION]
    by_kind: dict[str, list[LetterItem]] = {}
    for i in items:
        if i.kind == TextKind.RECOMMENDATION:
            by_kind.setdefault(i.addressee, []).append(i)
    # No blank, no document: RequisitesMissing (the setup-needed page, reports.issuer_middleware).
    issuer = require_complete(letter.issuer, kind=letter.issuer.kind)
    headings = dict(AddresseeKind.choices)
    if AddresseeKind.INSTITUTE in by_kind:
        # Recommendations to the institute are headed by its own name, as «ГАУ ДПО СОИРО:» in seed 000.
        institute = issuer if issuer.kind == IssuerKind.INSTITUTE else institute_issuer_or_none()
        if institute is not None:
            headings[AddresseeKind.INSTITUTE] = institute.display_short_name
    groups = [RecommendationGroup(headings[k], by_kind[k]) for k in library.ADDRESSEE_ORDER if k in by_kind]
    return {
        "letter": letter,
        "issuer": issuer,
        "conclusions": conclusions,
        "groups": groups,
        # One group reads as a plain numbered list; several are headed by their addressee (seed 000).
        "grouped": len(groups) > 1,
        "draft": draft,
        "is_note": letter.document_kind == DocumentKind.NOTE,
        # Paragraphs of the free texts: each line its own indented paragraph.
        "intro_lines": [line.strip() for line in letter.introduction.splitlines() if line.strip()],
        "closing_lines": [line.strip() for line in letter.closing.splitlines() if line.strip()],
        # «…одобрены на заседании <совета> (протокол № 4 от 14.07.2026).», or nothing.
        "adoption": adoption_sentence(letter),
    }


def letter_document(*, letter: Letter, draft: bool) -> str:
    """The letter as a document (HTML, styled by static/css/letter.css): what the PDF prints and the page previews.

    One rendering for both, so what the signatory approves on screen is what is issued on paper.
    """
    return render_to_string("reports/letter_document.html", letter_context(letter, draft=draft))


def letter_html(*, letter: Letter, draft: bool) -> str:
    """The PDF's HTML: the page frame (A4, margins, page numbers) around ``letter_document``."""
    # The template engine's output is already safe HTML (every typed text in it escaped).
    document = letter_document(letter=letter, draft=draft)
    return render_to_string("reports/letter_pdf.html", {"letter": letter, "document": document})


def letter_render(*, letter: Letter, draft: bool) -> bytes:
    return _render_pdf(letter_html(letter=letter, draft=draft))


def letter_pdf_verified(*, letter: Letter) -> bytes:
    """The stored PDF of an issued letter, after checking it against the hash recorded at issue."""
    if not letter.is_issued or not letter.pdf:
        raise LetterTampered("У письма нет зарегистрированного PDF.")
    with letter.pdf.open("rb") as f:
        content = f.read()
    if hashlib.sha256(content).hexdigest() != letter.pdf_sha256:
        raise LetterTampered("Файл письма изменен после регистрации: контрольная сумма не совпадает.")
    return content


def _render_pdf(html: str) -> bytes:
    # WeasyPrint (and its Pango bindings) load on the first PDF, not when Django starts:
    # importing them cost every process, the import command's included, 0.4 s.
    from reports.pdf import render_pdf

    return render_pdf(html)
