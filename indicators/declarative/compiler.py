"""Declarative definitions compiled to the engine's shape: grouped ORM queries yielding contributions.

A validated definition (``indicators.declarative.spec``) becomes a
:class:`~indicators.registry.Definition` whose ``compute`` runs one grouped query per
placing of the population's rows — ``SELECT school_id, COUNT(*) FILTER (numerator),
COUNT(*) FILTER (denominator) … GROUP BY school_id`` for rows placed at a school, the
same by municipality for rows placed at a municipality — and whose ``compute_region``
counts the rows that belong to the region only. The engine then sums and rounds them
exactly as it does the coded catalog's, so a declarative indicator is computed, chunked,
stored, compared and reported like any other. Conditions become ``Q`` objects over the
vocabulary's paths and semi-join subqueries; nothing of a user's definition is ever
SQL text, and no row is looked at in Python.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When

from indicators.context import Context, Contribution, key
from indicators.declarative.vocabulary import POPULATIONS, YEARS, Field, Kind, Population
from indicators.models import Level, Unit
from indicators.registry import Definition
from monitoring.models.people import years_before

YES, NO, EMPTY = "да", "нет", "не указано"


def population_rows(ctx: Context, population: Population) -> QuerySet:
    """Every row of the population that belongs to the period (not yet placed or chunked)."""
    qs = population.model.objects.all()
    if population.period:
        qs = qs.filter(**{population.period: ctx.period})
    if population.base:
        qs = population.base(qs)
    return qs


def _date_q(ctx: Context, path: str, op: str, value) -> Q:
    period = ctx.period
    if op == "in_period":
        return Q(**{f"{path}__gte": period.start, f"{path}__lte": period.end})
    if op == "until_period_end":
        return Q(**{f"{path}__lte": period.end})
    if op == "before_period":
        return Q(**{f"{path}__lt": period.start})
    if op == "within_years":
        # The last N years up to the period's end: (end − N years, end].
        return Q(**{f"{path}__gt": years_before(period.end, value), f"{path}__lte": period.end})
    if op == "within_years_of_reference":
        ref = period.reference_date
        return Q(**{f"{path}__gte": years_before(ref, value), f"{path}__lte": ref})
    raise ValueError(op)


def _field_q(ctx: Context, f: Field, prefix: str, op: str, value) -> Q:
    if f.build is not None:
        return f.build(ctx, prefix, op, value)
    path = f"{prefix}{f.path}"
    if op == "empty":
        return Q(**{f"{path}__isnull": True}) | (Q(**{path: ""}) if f.kind == Kind.TEXT else Q(pk__in=[]))
    if op == "filled":
        q = Q(**{f"{path}__isnull": False})
        return q & ~Q(**{path: ""}) if f.kind == Kind.TEXT else q
    if f.kind == Kind.DATE:
        return _date_q(ctx, path, op, value)
    if f.kind == Kind.BOOL:
        return Q(**{path: value})
    if op in ("in", "not_in"):
        q = Q(**{f"{path}__in": list(value)})
        return q if op == "in" else ~q
    if op == "contains":
        return Q(**{f"{path}__icontains": value})
    if op == "eq":
        return Q(**{path: value})
    return Q(**{f"{path}__{op}": value})


def conditions_q(ctx: Context, population: Population, conditions: list[dict]) -> Q | None:
    """All ``conditions`` as one Q (None when there are none: every row)."""
    out: Q | None = None
    for c in conditions:
        q = condition_q(ctx, population, c)
        out = q if out is None else out & q
    return out


def condition_q(ctx: Context, population: Population, c: dict) -> Q:
    if "any" in c:
        out = Q(pk__in=[])
        for inner in c["any"]:
            out |= condition_q(ctx, population, inner)
        return out
    if "relation" in c:
        rel = next(r for r in population.relations if r.name == c["relation"])
        target = POPULATIONS[rel.target]
        related = population_rows(ctx, target)
        where = conditions_q(ctx, target, c["where"])
        if where is not None:
            related = related.filter(where)
        # The key's column can be empty (an activist who is not on the roster): the
        # subquery must not yield NULL, or NOT IN would exclude every row.
        related = related.filter(**{f"{rel.inner}__isnull": False})
        if rel.outer == "teacher_id":
            # Keyed by teacher: on a chunk only the chunk's rostered teachers can match, so the
            # subquery reads theirs, not the country's (nothing is added for a whole-region run).
            related = related.filter(ctx.teachers_within(rel.inner))
        related = related.values(rel.inner)
        q = Q(**{f"{rel.outer}__in": related})
        return q if c["op"] == "exists" else ~q
    f, prefix, _ = population.field_map()[c["field"]]
    value = c.get("value")
    if c["op"] in YEARS:
        value = int(value)
    return _field_q(ctx, f, prefix, c["op"], value)


def _measure_path(population: Population, name: str) -> str:
    f, prefix, _ = population.field_map()[name]
    return f"{prefix}{f.path}"


def counted(ctx: Context, spec: dict, population: Population, qs: QuerySet) -> QuerySet:
    """The rows a count or a flag looks at: those matching its numerator (a WHERE, not a FILTER).

    So a breakdown value appears where something is counted (as in the coded catalog),
    not wherever the population has a row; percent and average keep every row.
    """
    if spec["unit"] in (Unit.COUNT, Unit.FLAG):
        num = conditions_q(ctx, population, spec["numerator"])
        if num is not None:
            return qs.filter(num)
    return qs


def aggregates(ctx: Context, spec: dict, population: Population) -> dict:
    """The numerator's and denominator's aggregates of the definition's unit (over :func:`counted` rows)."""
    measure = _measure_path(population, spec["measure"]) if spec["measure"] else None
    unit = spec["unit"]
    if unit == Unit.PERCENT:
        num = conditions_q(ctx, population, spec["numerator"])
        den = conditions_q(ctx, population, spec["denominator"])
        both = num if den is None else (den if num is None else den & num)
        return {"num": Count("pk", filter=both), "den": Count("pk", filter=den)}
    if unit == Unit.AVERAGE:
        den = conditions_q(ctx, population, spec["denominator"])
        return {"num": Sum(measure, filter=den), "den": Count(measure, filter=den)}
    if measure:
        return {"num": Sum(measure)}
    return {"num": Count("pk")}


def _numerator(spec: dict, value) -> Decimal | int:
    """A contribution's numerator: a flag's is presence (1 or 0) at the level it starts from.

    Summed up the hierarchy it is the number of units that have it, as for the coded
    flags; the engine makes the value presence again at every level.
    """
    value = value or 0
    if spec["unit"] == Unit.FLAG:
        return 1 if value > 0 else 0
    return value


def _breakdown(ctx: Context, spec: dict, population: Population) -> tuple[dict, str | None, Field | None]:
    """An annotation naming each row's breakdown value (or nothing), and its column."""
    if not spec["breakdown"]:
        return {}, None, None
    f, prefix, _ = population.field_map()[spec["breakdown"]]
    if f.build is not None:
        when = f.build(ctx, prefix, "is", True)
        return (
            {"_bk": Case(When(when, then=Value(YES)), default=Value(NO), output_field=CharField())},
            "_bk",
            f,
        )
    return {}, f"{prefix}{f.path}", f


def _label(f: Field | None, value) -> str:
    if f is None:
        return ""
    if value is None or value == "":
        text = EMPTY
    elif value is True:
        text = YES
    elif value is False:
        text = NO
    else:
        text = str(value)
    return key(**{f.name: text})


def breakdown_keys(spec: dict) -> tuple[str, ...]:
    """Breakdown keys every org unit gets a row for: the total, a choice's values, a flag's yes and no."""
    if not spec["breakdown"]:
        return ()
    f, _, _ = POPULATIONS[spec["population"]].field_map()[spec["breakdown"]]
    if f.kind == Kind.BOOL:
        return ("", key(**{f.name: YES}), key(**{f.name: NO}))
    if f.kind == Kind.CHOICE:
        return ("", *(key(**{f.name: value}) for value, _ in f.choices))
    return ("",)


def _grouped(qs: QuerySet, group: str, level: str, ctx: Context, spec: dict, population: Population):
    qs = counted(ctx, spec, population, qs)
    extra, column, f = _breakdown(ctx, spec, population)
    if extra:
        qs = qs.annotate(**extra)
    names = [group] + ([column] if column else [])
    has_den = spec["unit"] in (Unit.PERCENT, Unit.AVERAGE)
    for r in qs.values(*names).annotate(**aggregates(ctx, spec, population)).order_by():
        num, den = _numerator(spec, r["num"]), (r["den"] or 0) if has_den else None
        yield Contribution(level, r[group], _label(f, r[column]) if column else "", num, den)
        if column:
            # The breakdown's values add up to the whole: its total row, which rankings,
            # findings and the region's figure read, is their sum.
            yield Contribution(level, r[group], "", num, den)


def _region(qs: QuerySet, ctx: Context, spec: dict, population: Population):
    qs = counted(ctx, spec, population, qs)
    extra, column, f = _breakdown(ctx, spec, population)
    if extra:
        qs = qs.annotate(**extra)
    has_den = spec["unit"] in (Unit.PERCENT, Unit.AVERAGE)
    if column:
        rows = list(qs.values(column).annotate(**aggregates(ctx, spec, population)).order_by())
    else:
        rows = [qs.aggregate(**aggregates(ctx, spec, population))]
    for r in rows:
        num, den = _numerator(spec, r["num"]), (r["den"] or 0) if has_den else None
        yield Contribution(Level.REGION, None, _label(f, r[column]) if column else "", num, den)
        if column:
            yield Contribution(Level.REGION, None, "", num, den)


def _on_roster(ctx: Context, population: Population) -> tuple[Q, str]:
    rel = f"{population.teacher}__roster_entries"
    return Q(**{f"{rel}__period": ctx.period}) & ctx.within_schools(f"{rel}__school_id"), f"{rel}__school_id"


def compute_units(ctx: Context, spec: dict):
    """School and municipality contributions of the chunk: one grouped query per placing."""
    population = POPULATIONS[spec["population"]]
    rows = population_rows(ctx, population)
    if population.teacher:
        on_roster, school = _on_roster(ctx, population)
        yield from _grouped(rows.filter(on_roster), school, Level.SCHOOL, ctx, spec, population)
        return
    if population.school:
        placed = rows.filter(**{f"{population.school}__isnull": False}).filter(ctx.within_schools(population.school))
        yield from _grouped(placed, population.school, Level.SCHOOL, ctx, spec, population)
    if population.municipality:
        placed = rows.filter(**{f"{population.municipality}__isnull": False})
        if population.school:
            placed = placed.filter(**{f"{population.school}__isnull": True})
        placed = placed.filter(ctx.within(population.municipality))
        yield from _grouped(placed, population.municipality, Level.MUNICIPALITY, ctx, spec, population)


def compute_region_only(ctx: Context, spec: dict):
    """Rows placed at the region only (no school, no municipality): their own contribution."""
    population = POPULATIONS[spec["population"]]
    rows = population_rows(ctx, population)
    for path in (population.school, population.municipality):
        if path:
            rows = rows.filter(**{f"{path}__isnull": True})
    yield from _region(rows, ctx, spec, population)


def compute_whole_region(ctx: Context, spec: dict):
    """An indicator that starts at the region: every placed row of the population, in one aggregate."""
    population = POPULATIONS[spec["population"]]
    rows = population_rows(ctx, population)
    if population.teacher:
        rows = rows.filter(**{f"{population.teacher}__roster_entries__period": ctx.period})
    yield from _region(rows, ctx, spec, population)


def _nullable(model, path: str) -> bool:
    """Whether the placing ``path`` (``school_id``, ``association__school_id``, ``pk``) can be empty."""
    if path == "pk":
        return False
    for part in path.removesuffix("_id").split("__"):
        f = model._meta.get_field(part)
        if f.null:
            return True
        model = f.related_model
    return False


def placed_nowhere(population: Population) -> bool:
    """Whether some rows of the population may belong to the region only (every placing column can be empty)."""
    paths = [p for p in (population.school, population.municipality) if p]
    return bool(paths) and not population.teacher and all(_nullable(population.model, p) for p in paths)


def compile_definition(spec: dict, *, position: int = 0) -> Definition:
    """The engine's definition of a validated declarative one."""
    population = POPULATIONS[spec["population"]]
    region_rows = placed_nowhere(population)
    if spec["start"] == Level.REGION:
        compute = None

        def compute_region(ctx, spec=spec):
            return list(compute_whole_region(ctx, spec))

    else:

        def compute(ctx, spec=spec):
            return list(compute_units(ctx, spec))

        compute_region = (lambda ctx, spec=spec: list(compute_region_only(ctx, spec))) if region_rows else None
    return Definition(
        spec["code"],
        spec["title"],
        spec["unit"],
        start=spec["start"],
        breakdown=spec["breakdown"],
        compute=compute,
        compute_region=compute_region,
        keys=breakdown_keys(spec),
        decimals=2 if spec["unit"] == Unit.COUNT and spec["measure"] else 0,
        target=_dec(spec["target"]),
        threshold=_dec(spec["threshold"]),
        higher_is_better=spec["higher_is_better"],
        note=spec["note"],
        direction_number=spec["direction"],
        position=position or spec["direction"] * 1000 + 900,
        declarative=True,
    )


def _dec(value) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None
