"""What a definition computes over and what it yields: the context, contributions, shared counting helpers.

A definition's ``compute`` yields *contributions* — (level, org id, breakdown,
numerator, denominator) — for the chunk of municipalities its :class:`Context` covers.
The engine adds them up the hierarchy; the definitions (``indicators.definitions``)
and the engine both import this module, which imports neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet

from indicators.models import Level
from monitoring.models import MonitoringPeriod, RosterEntry, School


class Context:
    """What a definition computes over: the period and, for a chunk, its municipalities."""

    def __init__(self, *, period: MonitoringPeriod, municipality_ids: list[int] | None = None):
        self.period = period
        self.municipality_ids = municipality_ids
        self._cache: dict[str, object] = {}

    def within(self, path: str) -> Q:
        """A filter keeping rows whose ``path`` (a municipality id path) is in the chunk."""
        if self.municipality_ids is None:
            return Q()
        return Q(**{f"{path}__in": self.municipality_ids})

    def school_ids(self) -> list[int] | None:
        """The chunk's schools (None for all), read once per context."""
        if self.municipality_ids is None:
            return None
        return self.cached(
            "school_ids",
            lambda: list(School.objects.filter(municipality_id__in=self.municipality_ids).values_list("pk", flat=True)),
        )

    def within_schools(self, path: str) -> Q:
        """A filter keeping rows whose ``path`` (a school id path) is a school of the chunk.

        By the schools' ids rather than through a join to the school's municipality: so
        the planner reads the chunk's roster rows off the (period, school) index instead
        of the whole period's roster, hashed against the chunk's schools, in every chunk.
        """
        ids = self.school_ids()
        return Q() if ids is None else Q(**{f"{path}__in": ids})

    def roster(self):
        """The period's roster in the chunk (a fresh queryset each call, safe to chain)."""
        return RosterEntry.objects.filter(period=self.period).filter(self.within_schools("school_id"))

    def roster_teachers(self):
        return self.roster().values("teacher_id")

    def teachers_within(self, path: str = "teacher_id") -> Q:
        """A filter keeping rows whose teacher (``path``, a teacher id path) is on the chunk's roster.

        For the subqueries a definition matches roster rows against (``teacher_id IN (…)``):
        their rows of teachers outside the chunk could never match, so leaving this out
        changes no value, but every chunk then read (and sorted) the whole country's rows.
        Nothing to add when the context covers every municipality.
        """
        if self.municipality_ids is None:
            return Q()
        return Q(**{f"{path}__in": self.roster_teachers()})

    def cached(self, name: str, build: Callable[[], object]):
        """A value several definitions share (a subquery, a map), built once per context."""
        if name not in self._cache:
            self._cache[name] = build()
        return self._cache[name]


class Contribution(NamedTuple):
    """A numerator and denominator an org unit adds to an indicator (and breakdown)."""

    level: str
    org_id: int | None  # school or municipality id; None at the region
    breakdown: str
    numerator: Decimal | int
    denominator: Decimal | int | None


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
