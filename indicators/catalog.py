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
registers its direction's indicators with ``indicators.registry.indicator``, and this
module imports them all, so the catalog is complete for every caller. What a
definition computes over and yields (``Context``, ``Contribution``) and the helpers
the definitions share live below them, in ``indicators.context``.
"""

from __future__ import annotations

# Each definition module registers its direction's indicators when imported.
from indicators.definitions import d1, d2, d3, d4, d5, d6, d7, d8, d9  # noqa: F401
from indicators.registry import Definition, registered

__all__ = ["Definition", "catalog", "definition", "registered_codes"]


def catalog() -> list[Definition]:
    """Every definition, in the spec's order (1.1, 1.2, …, 1.9, 2.1, …)."""
    return sorted(registered().values(), key=lambda d: d.order)


def definition(code: str) -> Definition:
    return registered()[code]


def registered_codes() -> frozenset[str]:
    """The codes the coded catalog uses (a declarative indicator may not take one)."""
    return frozenset(registered())
