"""Scoring of diagnostics: one service used by the questionnaire pages and the import.

A group's score is the sum of its items; its level is the band the score falls in;
a band marked deficit makes the group a deficit (spec/indicators.md, "Deficits
instrument"). Nothing here is specific to the deficit questionnaire: any instrument
with groups, items, a scale and bands is scored the same way.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True)
class GroupScores:
    """One group's scores, levels and deficits for many diagnostics, in the diagnostics' order."""

    group_code: str
    scores: list[int]
    levels: list[str]
    deficits: list[bool]


def score_columns(*, spec: InstrumentSpec, answers: Mapping[str, Sequence[int]]) -> list[GroupScores]:
    """``score_answers`` for many diagnostics at once, their answers given column by column.

    ``answers`` maps each item code to one answer per diagnostic (all columns as long).
    An import scores tens of thousands of diagnostics: summed a column at a time and with
    each distinct sum banded once, that is a few C-level passes per group instead of a
    dict, a sum and a band search per diagnostic and group. The scores, levels and
    deficits are the ones ``score_answers`` gives diagnostic by diagnostic; whatever it
    would refuse (an item unanswered, an answer off the scale, a sum in no band) is left
    to it, diagnostic by diagnostic, so the refusal and its message are its own.
    """
    count = len(next(iter(answers.values()))) if answers else 0
    if any(len(column) != count for column in answers.values()):
        raise ValueError("score_columns: answer columns of different lengths")
    try:
        if count:
            for code in spec.item_codes:
                column = answers[code]
                if min(column) < spec.min_item or max(column) > spec.max_item:
                    raise ValueError("an answer off the scale")
        results = []
        for group_code, codes in spec.groups:
            # From 0 and in item order, as sum() adds them.
            totals = [0] * count
            for code in codes:
                totals = list(map(operator.add, totals, answers[code]))
            bands = {total: band_of(spec, total) for total in set(totals)}
            levels = {total: band[0] for total, band in bands.items()}
            deficits = {total: band[1] for total, band in bands.items()}
            results.append(
                GroupScores(
                    group_code, totals, list(map(levels.__getitem__, totals)), list(map(deficits.__getitem__, totals))
                )
            )
        return results
    except (KeyError, TypeError, ValueError, ValidationError):
        pass
    per_diagnostic = [
        score_answers(spec=spec, answers={code: column[i] for code, column in answers.items()}) for i in range(count)
    ]
    return [
        GroupScores(
            group_code,
            [scores[g].score for scores in per_diagnostic],
            [scores[g].level for scores in per_diagnostic],
            [scores[g].is_deficit for scores in per_diagnostic],
        )
        for g, (group_code, _) in enumerate(spec.groups)
    ]


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
