"""Plausibility warnings: figures that are allowed but probably typed wrong.

Not refusals — a school may really have doubled — but the reviewer should look before
the figures reach the indicators. Each rule compares a school with itself a year ago
or with the region, using a handful of grouped queries whatever the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.db.models import Count, Sum

from monitoring.models import MonitoringPeriod, RosterEntry, School, StaffingRow

# A year-over-year change beyond these factors is rarely real (mergers aside).
JUMP_FACTOR = Decimal(3)
ROSTER_DROP = Decimal("0.5")
ROSTER_GROWTH = Decimal(2)
# Small schools swing a lot in relative terms; compare only from this size up.
MIN_BASE = 5
# Positions per teacher this many times off the region's median look like a typing error.
REGION_FACTOR = Decimal(4)


@dataclass(frozen=True)
class PlausibilityWarning:
    school_code: str
    school_name: str
    message: str


# order_by(): the models' default orderings (period year, teacher code) would otherwise keep their
# joins in these grouped queries, over every roster row of the region.


def _staffing_totals(period, school_ids=None) -> dict[int, Decimal]:
    rows = StaffingRow.objects.filter(period=period)
    if school_ids is not None:
        rows = rows.filter(school_id__in=school_ids)
    rows = rows.order_by().values("school_id").annotate(total=Sum("positions_by_schedule"))
    return {r["school_id"]: r["total"] or Decimal(0) for r in rows}


def _roster_counts(period, school_ids=None) -> dict[int, int]:
    rows = RosterEntry.objects.filter(period=period)
    if school_ids is not None:
        rows = rows.filter(school_id__in=school_ids)
    rows = rows.order_by().values("school_id").annotate(n=Count("id"))
    return {r["school_id"]: r["n"] for r in rows}


def plausibility_warnings(*, period: MonitoringPeriod, schools=None) -> list[PlausibilityWarning]:
    """Warnings for ``schools`` (a scoped queryset; all schools when None) in ``period``."""
    previous = MonitoringPeriod.objects.filter(year=period.year - 1).first()
    # The region's median needs every school of this period; last year's figures only the schools asked about.
    staffing, roster = _staffing_totals(period), _roster_counts(period)
    asked = schools.order_by().values("pk") if schools is not None else None
    old_staffing = _staffing_totals(previous, asked) if previous else {}
    old_roster = _roster_counts(previous, asked) if previous else {}
    per_teacher = {sid: staffing[sid] / roster[sid] for sid in staffing if roster.get(sid)}
    region_median = Decimal(median(per_teacher.values())) if per_teacher else None

    qs = (schools if schools is not None else School.objects.all()).order_by("code").values_list("id", "code", "name")
    warnings: list[PlausibilityWarning] = []
    for sid, code, name in qs:

        def warn(text: str, code=code, name=name) -> None:
            warnings.append(PlausibilityWarning(code, name, text))

        now, before = staffing.get(sid), old_staffing.get(sid)
        if (
            now is not None
            and before is not None
            and before >= MIN_BASE
            and (now >= before * JUMP_FACTOR or now * JUMP_FACTOR <= before)
        ):
            warn(f"Ставок по штату {_n(now)} против {_n(before)} в {previous.year} году — проверьте, нет ли опечатки.")
        count, old_count = roster.get(sid, 0), old_roster.get(sid, 0)
        if old_count >= MIN_BASE and count and (count <= old_count * ROSTER_DROP or count >= old_count * ROSTER_GROWTH):
            warn(f"В списке педагогов {count} чел. против {old_count} в {previous.year} году.")
        ratio = per_teacher.get(sid)
        if (
            region_median
            and ratio is not None
            and (ratio >= region_median * REGION_FACTOR or ratio * REGION_FACTOR <= region_median)
        ):
            warn(
                f"Ставок по штату на одного педагога {_n(ratio)} при медиане по региону {_n(region_median)} "
                "— проверьте штатное расписание и список педагогов."
            )
    return warnings


def _n(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
