"""Direction 9 — Выявление кадровых потребностей.

Staffing rows are per school and position; sums run over rows. Roster shares count
roster rows (one per teacher and period). Ages are whole years at the period's
reference date with the period's thresholds (monitoring.models.RosterEntryQuerySet).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from indicators.context import Contribution, per_school, roster_count, roster_share
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from monitoring.models import StaffingRow


def staffing(ctx):
    """Per school: Σ positions by schedule, Σ actual need, Σ vacant positions, Σ vacant posts."""

    def build():
        rows = (
            StaffingRow.objects.filter(period=ctx.period)
            .filter(ctx.within_schools("school_id"))
            .values("school_id")
            .annotate(
                schedule=Sum("positions_by_schedule"),
                need=Sum("actual_need"),
                vacant=Sum("vacant_positions"),
                posts=Sum("vacant_posts"),
            )
            .order_by()
        )
        return list(rows)

    return ctx.cached("staffing", build)


def _condition(ctx, named: str):
    """The roster rows a named queryset of RosterEntryQuerySet keeps, as a pk subquery."""
    qs = getattr(ctx.roster(), named)
    kept = qs(period=ctx.period) if named in ("young", "pension_age", "valid_category") else qs()
    return Q(pk__in=kept.values("pk"))


def _staffed(ctx):
    return [
        Contribution(Level.SCHOOL, r["school_id"], "", (r["schedule"] or 0) - (r["vacant"] or 0), r["schedule"] or 0)
        for r in staffing(ctx)
    ]


indicator(
    Definition(
        "9.1",
        "Обеспеченность кадрами образовательных организаций",
        Unit.PERCENT,
        compute=_staffed,
        target=Decimal(100),
        threshold=Decimal(95),
    )
)

indicator(
    Definition(
        "9.2",
        "Доля молодых педагогов",
        Unit.PERCENT,
        compute=lambda ctx: roster_share(ctx, _condition(ctx, "young")),
    )
)

indicator(
    Definition(
        "9.3",
        "Доля педагогических работников пенсионного возраста",
        Unit.PERCENT,
        compute=lambda ctx: roster_share(ctx, _condition(ctx, "pension_age")),
        higher_is_better=False,
        threshold=Decimal(30),
    )
)

indicator(
    Definition(
        "9.4",
        "Доля учителей-совместителей",
        Unit.PERCENT,
        compute=lambda ctx: roster_share(ctx, _condition(ctx, "part_time")),
        higher_is_better=False,
    )
)

indicator(
    Definition(
        "9.5",
        "Доля педагогических работников, имеющих образование, соответствующее профилю преподаваемого предмета",
        Unit.PERCENT,
        compute=lambda ctx: roster_share(ctx, Q(education_matches_profile=True)),
        target=Decimal(100),
        threshold=Decimal(90),
    )
)


def _sum(name: str):
    return lambda ctx: [Contribution(Level.SCHOOL, r["school_id"], "", r[name] or 0, None) for r in staffing(ctx)]


indicator(Definition("9.6", "Число ставок по штату, ед.", Unit.COUNT, compute=_sum("schedule"), decimals=2))
indicator(Definition("9.7", "Фактическая потребность в ставках, ед.", Unit.COUNT, compute=_sum("need"), decimals=2))
indicator(
    Definition(
        "9.8",
        "Списочная численность работников на отчетную дату, чел.",
        Unit.COUNT,
        compute=lambda ctx: roster_count(ctx, Q(part_time=False)),
    )
)
indicator(Definition("9.9", "Число вакантных должностей, ед.", Unit.COUNT, compute=_sum("posts")))


def _workload(ctx):
    rows = ctx.roster().values("school_id").annotate(num=Sum("workload"), den=Count("pk")).order_by()
    return per_school(rows)


indicator(
    Definition(
        "9.10",
        "Среднее число ставок на 1 работника, ед.",
        Unit.AVERAGE,
        compute=_workload,
    )
)


def _vacant_share(ctx):
    return [Contribution(Level.SCHOOL, r["school_id"], "", r["vacant"] or 0, r["schedule"] or 0) for r in staffing(ctx)]


indicator(
    Definition(
        "9.11",
        "Доля вакантных ставок от общего числа ставок по штату, %",
        Unit.PERCENT,
        compute=_vacant_share,
        higher_is_better=False,
        threshold=Decimal(5),
    )
)
