"""Scoring of diagnostics: one service used by the questionnaire pages and the import.

A group's score is the sum of its items; its level is the band the score falls in;
a band marked deficit makes the group a deficit (spec/indicators.md, "Deficits
instrument"). Nothing here is specific to the deficit questionnaire: any instrument
with groups, items, a scale and bands is scored the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from deficits.models import (
    CompetenceGroup,
    Diagnostic,
    DiagnosticStatus,
    GroupResult,
    Instrument,
    Item,
    LevelBand,
)


@dataclass(frozen=True)
class GroupScore:
    group_code: str
    score: int
    level: str
    is_deficit: bool


@dataclass(frozen=True)
class InstrumentSpec:
    """An instrument edition read once: groups with their item codes, bands, the scale's bounds."""

    pk: int
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    bands: tuple[tuple[str, int, int, bool], ...]
    min_item: int
    max_item: int

    @property
    def item_codes(self) -> list[str]:
        return [code for _, codes in self.groups for code in codes]


def instrument_spec(instrument: Instrument) -> InstrumentSpec:
    """Two queries, whatever the number of items."""
    items: dict[str, list[str]] = {}
    order: list[str] = []
    for group_code, number in (
        Item.objects.filter(group__instrument=instrument)
        .order_by("group__order", "number")
        .values_list("group__code", "number")
    ):
        if group_code not in items:
            items[group_code] = []
            order.append(group_code)
        items[group_code].append(f"{group_code}-{number}")
    bands = tuple(instrument.bands.order_by("min_score").values_list("name", "min_score", "max_score", "is_deficit"))
    return InstrumentSpec(
        pk=instrument.pk,
        groups=tuple((code, tuple(items[code])) for code in order),
        bands=bands,
        min_item=instrument.min_item,
        max_item=instrument.max_item,
    )


def band_of(spec: InstrumentSpec, score: int) -> tuple[str, bool]:
    for name, low, high, deficit in spec.bands:
        if low <= score <= high:
            return name, deficit
    raise ValidationError(f"Балл {score} не попадает ни в один уровень инструмента.")


def score_answers(*, spec: InstrumentSpec, answers: dict[str, int]) -> list[GroupScore]:
    """Group scores of a complete set of answers; an incomplete or out-of-scale set is refused."""
    missing = [code for code in spec.item_codes if code not in answers]
    if missing:
        raise ValidationError(
            f"Нет ответа на утверждения: {', '.join(missing[:10])}{' и др.' if len(missing) > 10 else ''}."
        )
    bad = [code for code in spec.item_codes if not spec.min_item <= answers[code] <= spec.max_item]
    if bad:
        raise ValidationError(f"Ответ должен быть от {spec.min_item} до {spec.max_item}: {', '.join(bad[:10])}.")
    scores = []
    for group_code, codes in spec.groups:
        total = sum(answers[code] for code in codes)
        level, deficit = band_of(spec, total)
        scores.append(GroupScore(group_code, total, level, deficit))
    return scores


@transaction.atomic
def diagnostic_submit(*, diagnostic: Diagnostic, spec: InstrumentSpec | None = None) -> Diagnostic:
    """Score a diagnostic and freeze it; a submitted diagnostic is never scored again."""
    if diagnostic.status == DiagnosticStatus.SUBMITTED:
        raise ValidationError("Диагностика уже завершена; ее результаты изменить нельзя.")
    spec = spec or instrument_spec(diagnostic.instrument)
    scores = score_answers(spec=spec, answers=diagnostic.answers)
    GroupResult.objects.bulk_create(
        [
            GroupResult(
                diagnostic=diagnostic, group_code=s.group_code, score=s.score, level=s.level, is_deficit=s.is_deficit
            )
            for s in scores
        ]
    )
    diagnostic.status = DiagnosticStatus.SUBMITTED
    diagnostic.submitted_at = timezone.now()
    diagnostic.save(update_fields=["status", "submitted_at"])
    return diagnostic


DEFAULT_INSTRUMENT = Path(settings.BASE_DIR) / "fixtures" / "instrument_pedagog.json"


def active_instrument(code: str = "pedagog") -> Instrument:
    """The edition new diagnostics use; the shipped questionnaire is loaded on first need."""
    instrument = Instrument.objects.filter(code=code, is_active=True).order_by("-version").first()
    if instrument is None and code == "pedagog":
        instrument = instrument_load(path=DEFAULT_INSTRUMENT)
    if instrument is None:
        raise ValidationError(f"Инструмент диагностики «{code}» не загружен.")
    return instrument


@transaction.atomic
def instrument_load(*, path: Path | str) -> Instrument:
    """Load an instrument edition from its JSON description (idempotent).

    An edition already stored is kept as it is: changing a questionnaire means a new
    version number, so diagnostics taken with the old edition keep their meaning.
    Loading a new edition makes it the active one for its code.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    existing = Instrument.objects.filter(code=data["code"], version=data["version"]).first()
    if existing is not None:
        return existing
    Instrument.objects.filter(code=data["code"]).update(is_active=False)
    instrument = Instrument.objects.create(
        code=data["code"],
        version=data["version"],
        name=data["name"],
        description=data.get("description", ""),
        scale=data["scale"],
        is_active=True,
    )
    LevelBand.objects.bulk_create(
        [
            LevelBand(
                instrument=instrument, name=b["name"], min_score=b["min"], max_score=b["max"], is_deficit=b["deficit"]
            )
            for b in data["bands"]
        ]
    )
    for order, group in enumerate(data["groups"]):
        g = CompetenceGroup.objects.create(
            instrument=instrument,
            code=group["code"],
            name=group["name"],
            description=group.get("description", ""),
            order=order,
        )
        Item.objects.bulk_create([Item(group=g, number=i, text=text) for i, text in enumerate(group["items"], start=1)])
    return instrument
