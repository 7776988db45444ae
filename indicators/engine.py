"""The computation: contributions per org unit, summed up the hierarchy, values by the unit rules.

Two steps, so that a region can be split across Celery workers by municipality:

1. :func:`compute_chunk` — for a set of municipalities (or all), each definition's
   school- and municipality-level contributions, a few grouped queries per indicator
   whatever the number of schools; school contributions are added to their
   municipality; rows for every school and municipality of the chunk are upserted.
2. :func:`compute_region` — the region's rows: the sums of the stored municipality
   rows (one grouped query) plus the contributions that exist only at the region.

Numerators and denominators are summed, then each value is computed once:
``percent`` = 100·num/den and ``average`` = num/den, both rounded half-up to two
places, empty when den = 0; ``count`` = num; ``flag`` = num (1 or 0).
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from indicators.catalog import Definition, catalog, definition
from indicators.context import Context, Contribution
from indicators.declarative.compiler import compile_definition
from indicators.declarative.spec import validate
from indicators.models import Indicator, IndicatorKind, IndicatorValue, Level, PeriodIndicator, Unit
from monitoring.models import MonitoringPeriod, Municipality, Region, School
from monitoring.shared.bulk import upsert_on_conflict

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
BATCH = 5000
# PostgreSQL's memory for a query's hashes while indicators are computed (see _hash_memory).
WORK_MEM = "256MB"


def value_of(unit: str, numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    if unit == Unit.COUNT:
        return numerator
    if unit == Unit.FLAG:
        # The numerator counts what is there (a municipality's schools that have it);
        # the flag says whether anything is.
        return Decimal(1) if numerator > 0 else Decimal(0)
    if not denominator:
        return None
    ratio = numerator / denominator * (HUNDRED if unit == Unit.PERCENT else 1)
    return ratio.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(number) -> Decimal:
    return number if isinstance(number, Decimal) else Decimal(number or 0)


def _keys(defn: Definition) -> tuple[str, ...]:
    return defn.keys or (("",) if not defn.breakdown else ())


class _Sums:
    """Numerators and denominators summed by org unit (level, org id) and breakdown."""

    def __init__(self):
        # (level, org id) -> breakdown -> [numerator, denominator]; indexed by unit so
        # that writing one unit's rows never scans the others'.
        self.units: dict[tuple, dict[str, list[Decimal]]] = defaultdict(dict)

    def add(self, level: str, org_id, breakdown: str, num, den) -> None:
        cell = self.units[(level, org_id)].get(breakdown)
        if cell is None:
            cell = self.units[(level, org_id)][breakdown] = [Decimal(0), Decimal(0)]
        cell[0] += _dec(num)
        if den is not None:
            cell[1] += _dec(den)

    def get(self, level: str, org_id, breakdown: str) -> tuple[Decimal, Decimal]:
        cell = self.units.get((level, org_id), {}).get(breakdown)
        return (cell[0], cell[1]) if cell else (Decimal(0), Decimal(0))

    def breakdowns(self, level: str, org_id) -> set[str]:
        return set(self.units.get((level, org_id), ()))


def ensure_indicators() -> dict[str, Indicator]:
    """Sync the ``Indicator`` table from the catalog (titles, units, levels) and return code → row.

    Declarative rows are returned as they are: their own services keep them.
    """
    existing = {i.code: i for i in Indicator.objects.all()}
    for defn in catalog():
        values = {
            "direction": defn.direction,
            "order": defn.order,
            "title": defn.title,
            "unit": defn.unit,
            "start_level": defn.start,
            "breakdown": defn.breakdown,
        }
        row = existing.get(defn.code)
        if row is None:
            existing[defn.code] = Indicator.objects.create(code=defn.code, **values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
    return existing


def period_edition(period: MonitoringPeriod) -> dict[str, PeriodIndicator]:
    """The period's indicators with their targets; an open period gains the catalog's new ones.

    A closed period's edition is never extended: its reports must stay as they were.
    (One closed before its first computation gets the catalog as it is then.)
    """
    indicators = ensure_indicators()
    edition = {
        pi.indicator.code: pi for pi in PeriodIndicator.objects.filter(period=period).select_related("indicator")
    }
    # A period closed before it was ever computed gets its edition on first use.
    if not period.is_closed or not edition:
        missing = [d for d in catalog() if d.code not in edition]
        created = PeriodIndicator.objects.bulk_create(
            [
                PeriodIndicator(
                    period=period,
                    indicator=indicators[d.code],
                    target=d.target,
                    threshold=d.threshold,
                    higher_is_better=d.higher_is_better,
                )
                for d in missing
            ]
        )
        for pi in created:
            edition[pi.indicator.code] = pi
    return edition


def definitions_for(period: MonitoringPeriod, directions: Iterable[int] | None = None) -> list[Definition]:
    """The definitions the period uses (its edition): the coded ones and its declarative ones, in order.

    A declarative indicator is compiled from the definition the period's edition keeps,
    so a closed period computes (and shows) what it was computed with.
    """
    return definitions_of(period_edition(period), directions)


def definitions_of(edition: Mapping[str, PeriodIndicator], directions: Iterable[int] | None = None) -> list[Definition]:
    """The definitions of an edition already read (:func:`period_edition`): a page reads it once for both."""
    wanted = set(directions) if directions else None
    coded = [d for d in catalog() if d.code in edition and edition[d.code].indicator.kind == IndicatorKind.CODED]
    declarative = [
        _declarative(pi) for pi in edition.values() if pi.indicator.kind == IndicatorKind.DECLARATIVE and pi.spec
    ]
    return sorted(
        (d for d in coded + declarative if wanted is None or d.direction in wanted), key=lambda d: (d.order, d.code)
    )


def _declarative(pi: PeriodIndicator) -> Definition:
    spec = validate(pi.spec)
    defn = compile_definition(spec, position=pi.indicator.order)
    if spec["unit"] == Unit.COUNT and not spec["measure"]:
        # A count of rows: their population names its noun on the dashboards (indicators.display).
        defn = replace(defn, tags=(*defn.tags, f"counts:{spec['population']}"))
    return defn


def definition_for(period: MonitoringPeriod | None, code: str) -> Definition | None:
    """One definition as the period uses it (a coded one whatever the period; None when unknown)."""
    if period is not None:
        for d in definitions_for(period):
            if d.code == code:
                return d
    try:
        return definition(code)
    except KeyError:
        return None


def definition_current(code: str) -> Definition | None:
    """An indicator as it is defined now, whatever the period: coded, or a declarative one's current definition."""
    try:
        return definition(code)
    except KeyError:
        pass
    row = Indicator.objects.filter(code=code, kind=IndicatorKind.DECLARATIVE).first()
    if row is None or not row.spec:
        return None
    return _declarative(PeriodIndicator(indicator=row, spec=row.spec))


# Columns of a stored value, in the order rows are built as tuples.
_COLUMNS = (
    "period_id",
    "indicator_id",
    "level",
    "org_code",
    "school_id",
    "municipality_id",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "computed_at",
)
_KEY = ("period_id", "indicator_id", "level", "org_code", "breakdown")


def _upsert(rows: list[tuple]) -> None:
    """Insert or update rows keyed by (period, indicator, level, org, breakdown).

    Through the shared bulk writer: on PostgreSQL a COPY into a temporary table and one
    INSERT … ON CONFLICT DO UPDATE, elsewhere bulk_create with update_conflicts.
    """
    upsert_on_conflict(
        model=IndicatorValue,
        fields=_COLUMNS,
        rows=rows,
        unique=_KEY,
        update=[c for c in _COLUMNS if c not in _KEY],
        batch_size=BATCH,
    )


def _hash_memory(compute):
    """Run ``compute`` with room to hash a subquery's ids on PostgreSQL (its default work_mem is 4 MB).

    A count's ``FILTER (WHERE teacher_id IN (subquery))`` is never made a join: PostgreSQL
    hashes the subquery's rows when they fit in work_mem, and otherwise scans them again
    for every roster row. On the national demo (700,000 diagnostics of the period) 1.2's
    count then ran for minutes without end; hashed it takes 3 s. SET LOCAL: for this
    transaction only.
    """

    @functools.wraps(compute)
    def wrapper(*args, **kwargs):
        if connection.vendor != "postgresql":
            return compute(*args, **kwargs)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            return compute(*args, **kwargs)

    return wrapper


@_hash_memory
def compute_chunk(
    *,
    period: MonitoringPeriod,
    definitions: list[Definition],
    municipality_ids: list[int] | None = None,
    computed_at=None,
    on_indicator: Callable[[Definition, float], None] | None = None,
) -> int:
    """School and municipality rows of the definitions for a chunk of municipalities (all when None)."""
    computed_at = computed_at or timezone.now()
    ctx = Context(period=period, municipality_ids=municipality_ids)
    indicators = ensure_indicators()
    schools = list(School.objects.filter(ctx.within("municipality_id")).values_list("id", "code", "municipality_id"))
    municipalities = list(Municipality.objects.filter(ctx.within("id")).values_list("id", "code"))
    school_mun = {sid: mid for sid, _, mid in schools}
    rows: list[IndicatorValue] = []
    for defn in definitions:
        if defn.start == Level.REGION or defn.compute is None:
            continue
        started = time.perf_counter()
        sums = _Sums()
        for c in defn.compute(ctx):
            sums.add(c.level, c.org_id, c.breakdown, c.numerator, c.denominator)
            if c.level == Level.SCHOOL and c.org_id in school_mun:
                sums.add(Level.MUNICIPALITY, school_mun[c.org_id], c.breakdown, c.numerator, c.denominator)
        indicator = indicators[defn.code]
        units = [(Level.MUNICIPALITY, mid, code, None, mid) for mid, code in municipalities]
        if defn.start == Level.SCHOOL:
            units = [(Level.SCHOOL, sid, code, sid, mid) for sid, code, mid in schools] + units
        for level, org_id, code, school_id, mun_id in units:
            for b in sorted(set(_keys(defn)) | sums.breakdowns(level, org_id)):
                num, den = sums.get(level, org_id, b)
                rows.append(
                    (
                        period.pk,
                        indicator.pk,
                        level,
                        code,
                        school_id,
                        mun_id,
                        b,
                        num,
                        den if defn.has_denominator else None,
                        value_of(defn.unit, num, den),
                        computed_at,
                    )
                )
        if on_indicator:
            on_indicator(defn, time.perf_counter() - started)
    ids = [indicators[d.code].pk for d in definitions if d.start != Level.REGION and d.compute is not None]
    with transaction.atomic():
        _upsert(rows)
        # Rows this computation no longer produces (a breakdown that vanished, a school
        # that left the chunk's municipalities) go; fresh ones carry computed_at. A school's
        # rows carry its municipality too: a chunk finds its own through that column's index
        # rather than reading the period's values of the whole country.
        IndicatorValue.objects.filter(
            ctx.within("municipality_id"),
            period=period,
            indicator_id__in=ids,
            computed_at__lt=computed_at,
            level__in=[Level.SCHOOL, Level.MUNICIPALITY],
        ).delete()
    return len(rows)


@_hash_memory
def compute_region(
    *,
    period: MonitoringPeriod,
    definitions: list[Definition],
    computed_at=None,
    on_indicator: Callable[[Definition, float], None] | None = None,
) -> int:
    """The region's rows: the stored municipality rows summed, plus region-only contributions."""
    computed_at = computed_at or timezone.now()
    ctx = Context(period=period)
    indicators = ensure_indicators()
    region = Region.objects.order_by("pk").first()
    if region is None:
        return 0
    by_indicator: dict[int, list[dict]] = defaultdict(list)
    chunked = [indicators[d.code].pk for d in definitions if d.start != Level.REGION and d.compute is not None]
    for r in (
        IndicatorValue.objects.filter(period=period, level=Level.MUNICIPALITY, indicator_id__in=chunked)
        .values("indicator_id", "breakdown")
        .annotate(num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    ):
        by_indicator[r["indicator_id"]].append(r)
    rows = []
    for defn in definitions:
        started = time.perf_counter()
        sums = _Sums()
        indicator = indicators[defn.code]
        for r in by_indicator.get(indicator.pk, []):
            sums.add(Level.REGION, None, r["breakdown"], r["num"], r["den"] if defn.has_denominator else None)
        if defn.compute_region is not None:
            for c in defn.compute_region(ctx):
                sums.add(Level.REGION, None, c.breakdown, c.numerator, c.denominator)
        for b in sorted(set(_keys(defn)) | sums.breakdowns(Level.REGION, None)):
            num, den = sums.get(Level.REGION, None, b)
            rows.append(
                (
                    period.pk,
                    indicator.pk,
                    Level.REGION,
                    region.code,
                    None,
                    None,
                    b,
                    num,
                    den if defn.has_denominator else None,
                    value_of(defn.unit, num, den),
                    computed_at,
                )
            )
        if on_indicator:
            on_indicator(defn, time.perf_counter() - started)
    with transaction.atomic():
        _upsert(rows)
        IndicatorValue.objects.filter(
            period=period,
            level=Level.REGION,
            indicator_id__in=[indicators[d.code].pk for d in definitions],
            computed_at__lt=computed_at,
        ).delete()
    return len(rows)


def compute_period(
    *,
    period: MonitoringPeriod,
    directions: Iterable[int] | None = None,
    on_indicator: Callable[[Definition, float], None] | None = None,
) -> int:
    """Everything in one process: all municipalities as one chunk, then the region."""
    definitions = definitions_for(period, directions)
    computed_at = timezone.now()
    written = compute_chunk(period=period, definitions=definitions, computed_at=computed_at, on_indicator=on_indicator)
    return written + compute_region(
        period=period, definitions=definitions, computed_at=computed_at, on_indicator=on_indicator
    )


def contributions(defn: Definition, ctx: Context) -> list[Contribution]:
    """A definition's raw contributions (for tests and debugging)."""
    out = list(defn.compute(ctx)) if defn.compute else []
    return out + (list(defn.compute_region(ctx)) if defn.compute_region else [])
