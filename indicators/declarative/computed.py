"""Fields of the vocabulary that are not a column: each builds its filter for the period.

Part of the closed vocabulary (``indicators.declarative.vocabulary`` mounts them as
fields with ``build=``): a teacher's age and the flags derived from it, a roster row's
valid category, a program's tags, a route active in the period, a teacher's latest
diagnostic and its deficits, a survey response's level in a scored group and its flags.
Each takes the context, the ORM prefix the field is mounted under, the operator and the
value, and returns a ``Q``.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.lookups import Exact

from deficits.models import Diagnostic, GroupResult, QuestionnaireEdition, Response
from iom.models import ProgramTag
from monitoring.models import Category, RosterEntry, Sex
from monitoring.models.people import years_before


def age(ctx, prefix: str, op: str, value) -> Q:
    """Age at the period's reference date, by the rule every age in the portal follows."""
    bound = years_before(ctx.period.reference_date, int(value))
    path = f"{prefix}birth_date"
    # age >= N  <=>  born on or before the day N years before the reference date.
    return {
        "gte": Q(**{f"{path}__lte": bound}),
        "lt": Q(**{f"{path}__gt": bound}),
        "gt": Q(**{f"{path}__lte": years_before(ctx.period.reference_date, int(value) + 1)}),
        "lte": Q(**{f"{path}__gt": years_before(ctx.period.reference_date, int(value) + 1)}),
        "eq": Q(**{f"{path}__lte": bound, f"{path}__gt": years_before(ctx.period.reference_date, int(value) + 1)}),
    }[op]


def young(ctx, prefix: str, op: str, value) -> Q:
    q = age(ctx, prefix, "lt", ctx.period.young_age_limit)
    return q if value else ~q


def pension_age(ctx, prefix: str, op: str, value) -> Q:
    period = ctx.period
    women = years_before(period.reference_date, period.pension_age_women)
    men = years_before(period.reference_date, period.pension_age_men)
    q = Q(**{f"{prefix}sex": Sex.FEMALE, f"{prefix}birth_date__lte": women}) | Q(
        **{f"{prefix}sex": Sex.MALE, f"{prefix}birth_date__lte": men}
    )
    return q if value else ~q


def on_roster(ctx, prefix: str, op: str, value) -> Q:
    """The teacher has a row on the period's roster (anywhere in the region)."""
    q = Q(**{f"{prefix}pk__in": RosterEntry.objects.filter(period=ctx.period).values("teacher_id")})
    return q if value else ~q


def valid_category(ctx, prefix: str, op: str, value) -> Q:
    ref = ctx.period.reference_date
    q = Q(
        **{
            f"{prefix}category__in": [Category.FIRST, Category.HIGHEST],
            f"{prefix}category_date__gte": years_before(ref, 5),
            f"{prefix}category_date__lte": ref,
        }
    )
    return q if value else ~q


def tagged(kind: str):
    def build(ctx, prefix: str, op: str, value) -> Q:
        tagged = ProgramTag.objects.filter(kind=kind, value__in=list(value)).values("program_id")
        q = Q(**{f"{prefix}pk__in": tagged})
        return q if op == "in" else ~q

    return build


def active(ctx, prefix: str, op: str, value) -> Q:
    q = Q(**{f"{prefix}start__lte": ctx.period.end, f"{prefix}end__gte": ctx.period.start})
    return q if value else ~q


def latest(ctx, prefix: str, op: str, value) -> Q:
    # On a chunk, the latest among the chunk's rostered teachers only (the same rows for them).
    teachers = ctx.roster_teachers() if ctx.municipality_ids is not None else None
    q = Q(**{f"{prefix}pk__in": Diagnostic.objects.latest_in_period(ctx.period, teachers=teachers).values("pk")})
    return q if value else ~q


def any_deficit(ctx, prefix: str, op: str, value) -> Q:
    q = Q(**{f"{prefix}pk__in": GroupResult.objects.filter(is_deficit=True).values("diagnostic_id")})
    return q if value else ~q


def deficit_in(ctx, prefix: str, op: str, value) -> Q:
    results = GroupResult.objects.filter(is_deficit=True, group_code__in=list(value)).values("diagnostic_id")
    q = Q(**{f"{prefix}pk__in": results})
    return q if op == "in" else ~q


# --- survey responses: their scores by group (``Response.scores``: code → {score, level, flag}) ---


def _group_level(code: str, level: str) -> Q:
    # Built as expressions, not a lookup string: a group code is data and may hold "__".
    return Q(Exact(KeyTextTransform("level", KeyTransform(code, "scores")), level))


def _responses(prefix: str, q: Q, keep: bool) -> Q:
    """Rows whose response matches ``q`` (or, not ``keep``, does not: a missing key counts as not matching)."""
    matching = Q(**{f"{prefix}pk__in": Response.objects.filter(q).values("pk")})
    return matching if keep else ~matching


def level_in(ctx, prefix: str, op: str, value) -> Q:
    """«ГРУППА:уровень» pairs: the response's level in that group is the one named (any of the pairs)."""
    q = Q(pk__in=[])
    for pair in value:
        code, _sep, level = str(pair).partition(":")
        if code.strip() and level.strip():
            q |= _group_level(code.strip(), level.strip())
    return _responses(prefix, q, op == "in")


def scored_groups() -> list[str]:
    """Every group code the stored questionnaires' scorings name (a handful)."""
    codes: set[str] = set()
    for scoring in QuestionnaireEdition.objects.exclude(scoring={}).values_list("scoring", flat=True):
        codes.update(str(g.get("code")) for g in (scoring or {}).get("groups", []) if g.get("code"))
    return sorted(codes)


def flagged(ctx, prefix: str, op: str, value) -> Q:
    """The response is flagged in at least one group (a band marked ``flag``: «высокий» burnout …)."""
    q = Q(pk__in=[])
    for code in scored_groups():
        # A lookup string, so JSON true is compared as each database stores it; a code with "__"
        # would be read as a path, so such a group (none is shipped) is not looked at.
        if "__" not in code:
            q |= Q(**{f"scores__{code}__flag": True})
    return _responses(prefix, q, bool(value))
