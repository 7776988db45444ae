"""Addressed-recommendation letters: propose from the findings, edit, approve, issue, correct, confirm reading.

The package, by job:

- ``permissions`` — the issuing bodies, who writes a body's letters, who reads and receives them;
- ``wording`` — what a proposed letter says (conclusions and recommendations from the findings);
- ``workflow`` — the state machine draft → approved (by a signatory, not the author) → issued, corrections,
  receipts (what follows an issue is declared in monitoring/config/extensions.py);
- ``editing`` — changes to a draft's texts and items;
- ``rendering`` — the document (one rendering for the PDF and the page's preview), its PDF, the stored PDF's check;
- ``guards`` — the ORM guard that keeps an issued letter frozen (registered on import);
- ``demo`` — the demo's signatory (the store ``demo_steps``);
- ``errors`` — what the services refuse with.

The names the rest of the project uses are re-exported here (``from reports import letters``).
"""

from __future__ import annotations

from reports.letters import guards  # noqa: F401  (registers the frozen-letter guard)
from reports.letters.citing import adoption_sentence, meeting_choices, meeting_for_letter
from reports.letters.editing import TEXT_LIMIT, letter_move, letter_update
from reports.letters.errors import LetterApprovalStale, LetterEditConflict, LetterFrozen, LetterTampered
from reports.letters.permissions import (
    addressee_kinds,
    institute_issuer,
    issuers_for,
    letters_visible,
    may_receive,
    may_write,
    municipal_issuer,
)
from reports.letters.rendering import (
    RecommendationGroup,
    letter_context,
    letter_document,
    letter_html,
    letter_pdf_verified,
    letter_render,
)
from reports.letters.wording import (
    MONITORING,
    Proposal,
    letter_proposal,
    proposed_addressee_line,
    proposed_introduction,
    proposed_title,
)
from reports.letters.workflow import (
    approval_refusal,
    letter_approve,
    letter_correct,
    letter_issue,
    letter_propose,
    letter_reopen,
    receipt_confirm,
)

__all__ = [
    "MONITORING",
    "TEXT_LIMIT",
    "LetterApprovalStale",
    "LetterEditConflict",
    "LetterFrozen",
    "LetterTampered",
    "Proposal",
    "RecommendationGroup",
    "addressee_kinds",
    "adoption_sentence",
    "approval_refusal",
    "institute_issuer",
    "issuers_for",
    "letter_approve",
    "letter_context",
    "letter_correct",
    "letter_document",
    "letter_html",
    "letter_issue",
    "letter_move",
    "letter_pdf_verified",
    "letter_proposal",
    "letter_propose",
    "letter_render",
    "letter_reopen",
    "letter_update",
    "letters_visible",
    "may_receive",
    "may_write",
    "meeting_choices",
    "meeting_for_letter",
    "municipal_issuer",
    "proposed_addressee_line",
    "proposed_introduction",
    "proposed_title",
    "receipt_confirm",
]
