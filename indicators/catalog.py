"""The catalog of indicators as code: one declarative definition per indicator of spec/indicators.md.

A definition names the indicator (code, verbatim Russian title, unit, the level it
starts from, its breakdown) and says how its numerator and denominator are counted:
``compute`` yields *contributions* — (level, org id, breakdown, numerator,
denominator) — at the school and municipality levels for the chunk of municipalities
the context covers, and ``compute_region`` yields those that exist only at the region
(the catalog of programs, regional associations). The engine adds contributions up
the hierarchy (school → its municipality → region) and only then computes values, so
a percentage is never averaged.

Conventions every definition follows (spec/indicators.md, "Conventions"):

- Teachers are the period's roster; a teacher belongs to the school of their roster
  row (one per teacher and period, a database constraint), so per-teacher counts
  add up without double counting. Records about people who are not on the period's
  roster (an enrollment of someone who left) count nowhere: they have no school.
- Dated records count in period Y when dated within [Y-01-01, Y-12-31]; per-period
  records belong to the period they were imported for.
- Breakdown keys are ``key=value`` pairs joined by ``;`` in a fixed key order.

The definitions live in ``indicators/definitions/d1.py`` … ``d9.py``; each module
registers its direction's indicators with :func:`indicator`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.db.models import Count, Q, QuerySet

from indicators.models import Level, Unit

if TYPE_CHECKING:
    from indicators.engine import Context


class Contribution(NamedTuple):
    """A numerator and denominator an org unit adds to an indicator (and breakdown)."""

    level: str
    org_id: int | None  # school or municipality id; None at the region
    breakdown: str
    numerator: Decimal | int
    denominator: Decimal | int | None


@dataclass(frozen=True)
class Definition:
    code: str
    title: str
    unit: str
    start: str = Level.SCHOOL
    breakdown: str = ""
    compute: Callable[[Context], Iterable[Contribution]] | None = None
    compute_region: Callable[[Context], Iterable[Contribution]] | None = None
    # Breakdown keys every org unit gets a row for (e.g. the six groups), when known
    # up front; others (subjects, providers) appear where they occur.
    keys: tuple[str, ...] = ()
    # Count values shown with two decimals (9.6, 9.7: sums of positions).
    decimals: int = 0
    target: Decimal | None = None
    threshold: Decimal | None = None
    higher_is_better: bool = True
    # Where the spec leaves room, the choice made (shown in the catalog and the notes).
    note: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def direction(self) -> int:
        return int(self.code.split(".")[0])

    @property
    def order(self) -> int:
        direction, number = self.code.split(".")
        return int(direction) * 1000 + int(number)

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def has_denominator(self) -> bool:
        return self.unit in (Unit.PERCENT, Unit.AVERAGE)


_CATALOG: dict[str, Definition] = {}


def indicator(definition: Definition) -> Definition:
    if definition.code in _CATALOG:
        raise ValueError(f"Indicator {definition.code} is defined twice")
    if definition.start == Level.REGION and definition.compute is not None:
        raise ValueError(f"Indicator {definition.code} starts at the region: give compute_region only")
    _CATALOG[definition.code] = definition
    return definition


def catalog() -> list[Definition]:
    """Every definition, in the spec's order (1.1, 1.2, …, 1.9, 2.1, …)."""
    _load()
    return sorted(_CATALOG.values(), key=lambda d: d.order)


def definition(code: str) -> Definition:
    _load()
    return _CATALOG[code]


def _load() -> None:
    # The modules register on import; importing them here keeps the registry complete
    # for every caller (commands, tasks, tests) without an import-order dependency.
    from indicators.definitions import d1, d2, d3, d4, d5, d6, d7, d8, d9  # noqa: F401


# ---------------------------------------------------------------------------
# Helpers the definitions share
# ---------------------------------------------------------------------------


def key(**parts: str) -> str:
    """A breakdown key: ``group=МЕТ;level=пороговый`` (keys in the order given)."""
    return ";".join(f"{k}={v}" for k, v in parts.items())


def per_school(rows: Iterable[dict], *, num: str = "num", den: str | None = "den", breakdown="") -> list[Contribution]:
    """Contributions from ``values("school_id", …).annotate(num=…, den=…)`` rows."""
    out = []
    for r in rows:
        b = breakdown(r) if callable(breakdown) else breakdown
        out.append(Contribution(Level.SCHOOL, r["school_id"], b, r[num] or 0, (r[den] or 0) if den else None))
    return out


def roster_share(ctx: Context, numerator: Q, *, among: Q | None = None) -> list[Contribution]:
    """Teachers of the roster matching ``numerator`` over the roster (or those matching ``among``), per school.

    One grouped query: ``SELECT school_id, COUNT(*) FILTER (…), COUNT(*) … GROUP BY school_id``.
    """
    roster = ctx.roster()
    if among is not None:
        roster = roster.filter(among)
    rows = roster.values("school_id").annotate(num=Count("pk", filter=numerator), den=Count("pk")).order_by()
    return per_school(rows)


def roster_count(ctx: Context, condition: Q | None = None, queryset: QuerySet | None = None) -> list[Contribution]:
    """Teachers of the roster matching ``condition``, per school (a count)."""
    roster = queryset if queryset is not None else ctx.roster()
    if condition is not None:
        roster = roster.filter(condition)
    rows = roster.values("school_id").annotate(num=Count("pk")).order_by()
    return per_school(rows, den=None)
