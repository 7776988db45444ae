"""The recommendation library: conclusions and recommendations by direction, indicator and addressee kind.

The shipped set (fixtures/recommendations.json) is loaded on first need, like the
diagnostic instrument; after that the institute edits the texts in the admin and the
file is never read again, so an edit is never overwritten by a reload.

Texts carry placeholders filled from the findings of one indicator: ``{count}``,
``{orgs}`` (the unit noun agreeing with the count), ``{units}``, ``{indicator}``,
``{threshold}``, ``{value}`` (one unit only) and ``{period}``.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import ngettext

from indicators.engine import ensure_indicators
from indicators.models import Indicator, Level
from reports.models import AddresseeKind, RecommendationText, TextKind

DEFAULT_LIBRARY = Path(settings.BASE_DIR) / "fixtures" / "recommendations.json"
PLACEHOLDERS = frozenset({"count", "orgs", "units", "indicator", "threshold", "value", "period"})
DIRECTIONS = range(1, 10)

# Used only if the institute deactivated every conclusion of a direction: a finding
# must never vanish from a letter because its text is missing.
FALLBACK_CONCLUSION = "Показатель «{indicator}» не достигает порогового значения в {count} {orgs}: {units}."


def placeholders_of(text: str) -> set[str]:
    """The placeholder names a text uses (``{count}`` → ``count``)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def text_validate(text: str) -> None:
    """Refuse a text a letter could not be filled from (unknown placeholder, stray brace)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(
            "Фигурные скобки в тексте используются только для подстановок, например {count}."
        ) from exc
    if any(spec or conversion for _, name, spec, conversion in parsed if name is not None):
        raise ValidationError("Подстановка пишется без форматирования: {count}, {units}.")
    names = {name for _, name, _, _ in parsed if name is not None}
    unknown = names - PLACEHOLDERS
    if unknown:
        allowed = ", ".join("{" + n + "}" for n in sorted(PLACEHOLDERS))
        raise ValidationError(f"Неизвестные подстановки: {', '.join(sorted(unknown))}. Допустимы: {allowed}.")


@transaction.atomic
def library_load(*, path: Path | str = DEFAULT_LIBRARY) -> int:
    """Load the shipped texts into an empty library (idempotent: a library with texts is kept)."""
    if RecommendationText.objects.exists():
        return 0
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    rows = []
    for order, row in enumerate(data["texts"]):
        text_validate(row["text"])
        code = row.get("indicator")
        if code and code not in indicators:
            # A library may mention an indicator this database has not synced yet;
            # the text then stays a direction-level one rather than failing the load.
            code = None
        rows.append(
            RecommendationText(
                kind=row["kind"],
                direction=row["direction"],
                indicator_id=indicators[code] if code else None,
                addressee=row.get("addressee") or "",
                text=row["text"],
                order=order,
            )
        )
    RecommendationText.objects.bulk_create(rows)
    return len(rows)


def library_ensure() -> None:
    """Load the shipped library on first need."""
    if not RecommendationText.objects.exists():
        # Indicator rows are synced from the catalog by the engine; a fresh database that
        # never computed anything still needs them for the library's indicator links.
        ensure_indicators()
        library_load()


@dataclass(frozen=True)
class Library:
    """The active texts, indexed for the composer."""

    conclusions: dict[str, str]  # indicator code -> text
    direction_conclusions: dict[int, str]
    # (addressee, indicator code or None, direction) -> texts in order
    recommendations: dict[tuple[str, str | None, int], list[str]]

    def conclusion_for(self, code: str, *, direction: int) -> str:
        """The indicator's own conclusion, else its direction's (the indicator's, never read from its code)."""
        return self.conclusions.get(code) or self.direction_conclusions.get(direction) or FALLBACK_CONCLUSION

    def recommendations_for(self, *, addressee: str, direction: int, code: str | None) -> list[str]:
        return self.recommendations.get((addressee, code, direction), [])


def library_active() -> Library:
    library_ensure()
    conclusions: dict[str, str] = {}
    direction_conclusions: dict[int, str] = {}
    recommendations: dict[tuple[str, str | None, int], list[str]] = {}
    rows = (
        RecommendationText.objects.filter(is_active=True)
        .select_related("indicator")
        .order_by("direction", "kind", "order", "pk")
    )
    for t in rows:
        code = t.indicator.code if t.indicator_id else None
        if t.kind == TextKind.CONCLUSION:
            if code:
                conclusions.setdefault(code, t.text)
            else:
                direction_conclusions.setdefault(t.direction, t.text)
        else:
            recommendations.setdefault((t.addressee, code, t.direction), []).append(t.text)
    return Library(conclusions, direction_conclusions, recommendations)


# --- filling placeholders ------------------------------------------------------------


class _Keep(dict):
    """Leaves a placeholder it cannot fill as it was, so a typo shows in the draft instead of failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def fill(text: str, values: dict[str, str]) -> str:
    try:
        return string.Formatter().vformat(text, (), _Keep(values))
    except (ValueError, IndexError, AttributeError):
        return text


def number(value) -> str:
    """A figure as Russian documents print it: 95, 70,5."""
    if value is None:
        return ""
    d = Decimal(value).normalize()
    text = f"{d:f}"
    return text.replace(".", ",")


def orgs_word(level: str, count: int) -> str:
    """The unit noun after «в {count}»: ОО is indeclinable; municipalities agree with the count."""
    if level == Level.MUNICIPALITY:
        return ngettext("муниципальном образовании", "муниципальных образованиях", count)
    return "ОО"


ADDRESSEE_ORDER = [AddresseeKind.MUNICIPAL, AddresseeKind.SCHOOL_HEADS, AddresseeKind.INSTITUTE]
