"""Findings, recommendation texts, addressed-recommendation letters, measures and the annual report.

The last steps of the cycle: a finding is an org unit whose indicator value misses the
period's alert threshold; the recommendation library turns findings into conclusions
and recommendations by addressee; a letter carries them under an issuing body's
letterhead with an outgoing number, and once issued never changes; measures taken on
recommendations are judged by the next period's values.
"""

from reports.models.annual import AnnualReport, ReportStatus
from reports.models.findings import Finding
from reports.models.letters import (
    OKPO_MESSAGE,
    AddresseeKind,
    DocumentKind,
    Issuer,
    IssuerKind,
    Letter,
    LetterItem,
    LetterReceipt,
    LetterStatus,
    OutgoingRegister,
    RecommendationText,
    TextKind,
)
from reports.models.measures import DecidedBy, Effect, Measure, MeasureStatus
from reports.models.meetings import Meeting, Presentation, PresentationKind
from reports.models.notices import Notice

__all__ = [
    "OKPO_MESSAGE",
    "AddresseeKind",
    "AnnualReport",
    "DecidedBy",
    "DocumentKind",
    "Effect",
    "Finding",
    "Issuer",
    "IssuerKind",
    "Letter",
    "LetterItem",
    "LetterReceipt",
    "LetterStatus",
    "Measure",
    "MeasureStatus",
    "Meeting",
    "Notice",
    "OutgoingRegister",
    "Presentation",
    "PresentationKind",
    "RecommendationText",
    "ReportStatus",
    "TextKind",
]
