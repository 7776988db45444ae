"""Direction 6 — Формирование методического актива.

The `Методический актив` sheet lists people by municipality and role; they need not be
on the roster (a tutor of the ЦНППМ may work outside the schools), so the three counts
start at the municipality and are summed to the region.

Choices where the spec leaves room:

- The spec counts *rows*: a person listed twice in one municipality with two roles
  (руководитель ММС and представитель ММС) counts twice in 6.3; a person listed in
  two municipalities counts in each.
- 6.3 counts the rows of both roles, «руководитель ММС» and «представитель ММС».
"""

from __future__ import annotations

from django.db.models import Count

from indicators.context import Contribution
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from monitoring.models import ActivistRole, MethodicalActivist

ROWS_NOTE = (
    "Считаются строки листа «Методический актив» периода: человек, записанный с двумя ролями "
    "или в двух муниципалитетах, учитывается в каждой строке."
)


def activists(*roles: str):
    """Rows of the period's methodical activists with one of the roles, per municipality of the chunk."""

    def compute(ctx):
        rows = (
            MethodicalActivist.objects.filter(period=ctx.period, role__in=roles)
            .filter(ctx.within("municipality_id"))
            .values("municipality_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return [Contribution(Level.MUNICIPALITY, r["municipality_id"], "", r["n"], None) for r in rows]

    return compute


indicator(
    Definition(
        "6.1",
        "Количество тьюторов ЦНППМ",
        Unit.COUNT,
        start=Level.MUNICIPALITY,
        compute=activists(ActivistRole.TUTOR),
        note=ROWS_NOTE,
    )
)

indicator(
    Definition(
        "6.2",
        "Количество членов регионального учебно-методического объединения",
        Unit.COUNT,
        start=Level.MUNICIPALITY,
        compute=activists(ActivistRole.RUMO),
        note=ROWS_NOTE,
    )
)

indicator(
    Definition(
        "6.3",
        "Количество руководителей и представителей методических муниципальных служб",
        Unit.COUNT,
        start=Level.MUNICIPALITY,
        compute=activists(ActivistRole.MMS_HEAD, ActivistRole.MMS_REPRESENTATIVE),
        note=ROWS_NOTE + " Учитываются обе роли: «руководитель ММС» и «представитель ММС».",
    )
)
