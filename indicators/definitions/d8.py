"""Direction 8 — Сетевое взаимодействие педагогов.

Associations (and their events) are placed by their owner: a school-level association
counts at its school (and so in the school's municipality and the region), a municipal
one at its municipality (and the region), a regional one at the region only. 8.1 and
8.3–8.5 place them so; each is one grouped query per owner level.

Choices where the spec leaves room:

- An association "of the period" is one imported for the period (associations and
  memberships have no dates).
- 8.2 counts roster teachers of the period who are members of at least one association
  of the period (of any level), once each, at the school of their roster row; members
  not on the roster count nowhere.
- 8.3, 8.4: an event counts when its association is of the period *and* the event is
  dated within [Y-01-01, Y-12-31]; it is placed where its association is.
- 8.5: one row per criterion (``criterion=<title>``, the six titles of
  ASSOCIATION_CRITERIA), numerator the associations meeting it, denominator the
  associations placed as in 8.1; an org unit without associations has empty values.
- 8.6: the denominator is every municipality of the register, also one without schools;
  a school took part when its submission for the period is submitted or accepted
  (a draft or a returned one does not count).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, F, Q

from indicators.context import Contribution, key, roster_count
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from monitoring.models import (
    ASSOCIATION_CRITERIA,
    AssociationEvent,
    AssociationMember,
    MethodicalAssociation,
    Municipality,
    SchoolSubmission,
    SubmissionStatus,
)

PLACEMENT_NOTE = (
    "Школьное МО учитывается в своей ОО (и далее в муниципалитете и регионе), муниципальное — в муниципалитете, "
    "региональное — только в регионе."
)


def placed(ctx, queryset, prefix: str = "", **aggregates) -> Iterator[tuple[str, int, dict]]:
    """(level, org id, aggregates) of school- and municipality-owned rows of the chunk.

    ``prefix`` leads from the queryset's model to the association ("association__" for events).
    """
    school = f"{prefix}school_id"
    municipality = f"{prefix}municipality_id"
    by_school = (
        queryset.filter(**{f"{school}__isnull": False})
        .filter(ctx.within(f"{prefix}school__municipality_id"))
        .values(org=F(school))
        .annotate(**aggregates)
        .order_by()
    )
    by_municipality = (
        queryset.filter(**{f"{municipality}__isnull": False})
        .filter(ctx.within(municipality))
        .values(org=F(municipality))
        .annotate(**aggregates)
        .order_by()
    )
    for r in by_school:
        yield Level.SCHOOL, r["org"], r
    for r in by_municipality:
        yield Level.MUNICIPALITY, r["org"], r


def regional(queryset, prefix: str = "", **aggregates) -> dict:
    """The aggregates over the rows owned by the region (neither school nor municipality)."""
    return queryset.filter(**{f"{prefix}school__isnull": True, f"{prefix}municipality__isnull": True}).aggregate(
        **aggregates
    )


def associations(ctx):
    return MethodicalAssociation.objects.filter(period=ctx.period)


def events(ctx, **filters):
    period = ctx.period
    return AssociationEvent.objects.filter(
        association__period=period, date__gte=period.start, date__lte=period.end, **filters
    )


def placed_count(queryset_of, prefix: str = ""):
    """compute and compute_region counting the rows of ``queryset_of(ctx)`` where they are placed."""

    def compute(ctx):
        return [
            Contribution(level, org, "", r["n"], None)
            for level, org, r in placed(ctx, queryset_of(ctx), prefix, n=Count("pk"))
        ]

    def compute_region(ctx):
        return [Contribution(Level.REGION, None, "", regional(queryset_of(ctx), prefix, n=Count("pk"))["n"], None)]

    return {"compute": compute, "compute_region": compute_region}


# --- 8.1 -------------------------------------------------------------------

indicator(
    Definition(
        "8.1",
        "Число методических объединений и профессиональных сообществ педагогов",
        Unit.COUNT,
        **placed_count(associations),
        note=PLACEMENT_NOTE,
    )
)


# --- 8.2 -------------------------------------------------------------------


def _members(ctx):
    members = AssociationMember.objects.filter(ctx.teachers_within(), association__period=ctx.period)
    members = members.values("teacher_id")
    return roster_count(ctx, Q(teacher_id__in=members))


indicator(
    Definition(
        "8.2",
        "Число участников методических объединений и профессиональных сообществ",
        Unit.COUNT,
        compute=_members,
        note=(
            "Педагоги списка периода, состоящие хотя бы в одном МО периода (любого уровня), — каждый один раз, "
            "по ОО своей строки списка педагогов."
        ),
    )
)


# --- 8.3, 8.4 --------------------------------------------------------------

EVENTS_NOTE = "Мероприятия МО периода с датой в календарном году периода; мероприятие учитывается там же, где его МО."

indicator(
    Definition(
        "8.3",
        "Число научно-методических мероприятий, организованных методическими объединениями",
        Unit.COUNT,
        **placed_count(events, "association__"),
        note=EVENTS_NOTE + " " + PLACEMENT_NOTE,
    )
)

indicator(
    Definition(
        "8.4",
        "Число научно-методических мероприятий, организованных в форме сетевого взаимодействия",
        Unit.COUNT,
        **placed_count(lambda ctx: events(ctx, networked=True), "association__"),
        note=EVENTS_NOTE + " Учитываются мероприятия с отметкой «Сетевая форма». " + PLACEMENT_NOTE,
    )
)


# --- 8.5 -------------------------------------------------------------------

CRITERIA = tuple(ASSOCIATION_CRITERIA.items())  # (field, title)


def _criteria_aggregates() -> dict:
    aggregates = {"den": Count("pk")}
    aggregates.update({field: Count("pk", filter=Q(**{field: True})) for field, _title in CRITERIA})
    return aggregates


def _criteria_rows(level: str, org, r: dict) -> list[Contribution]:
    return [Contribution(level, org, key(criterion=title), r[field], r["den"]) for field, title in CRITERIA]


def _effective(ctx):
    out = []
    for level, org, r in placed(ctx, associations(ctx), **_criteria_aggregates()):
        out += _criteria_rows(level, org, r)
    return out


def _effective_region(ctx):
    return _criteria_rows(Level.REGION, None, regional(associations(ctx), **_criteria_aggregates()))


indicator(
    Definition(
        "8.5",
        "Доля методических объединений, соответствующих критерию эффективности",
        Unit.PERCENT,
        breakdown="criterion",
        keys=tuple(key(criterion=title) for _field, title in CRITERIA),
        compute=_effective,
        compute_region=_effective_region,
        note="Строка на каждый из шести критериев; знаменатель — МО, учитываемые как в 8.1. " + PLACEMENT_NOTE,
    )
)


# --- 8.6 -------------------------------------------------------------------


def _participating(ctx):
    submitted = SchoolSubmission.objects.filter(
        period=ctx.period, status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
    )
    num = submitted.values("school__municipality_id").distinct().count()
    return [Contribution(Level.REGION, None, "", num, Municipality.objects.count())]


indicator(
    Definition(
        "8.6",
        "Доля муниципалитетов, принявших участие в мониторинге",
        Unit.PERCENT,
        start=Level.REGION,
        compute_region=_participating,
        target=Decimal(100),
        note=(
            "Муниципалитет участвовал, если хотя бы одна его ОО представила данные за период (статус «Представлено» "
            "или «Принято»; черновик и возвращенные на доработку не учитываются). Знаменатель — все муниципалитеты "
            "справочника, в том числе без ОО."
        ),
    )
)
