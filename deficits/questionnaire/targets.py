"""Who a campaign reaches: one target per ``TargetKind``, resolving (period, params) to people.

A target has two steps: ``clean(period=, params=)`` checks the parameters a person typed
(every refusal a Russian message, raised as a ``ValidationError`` keyed by the parameter)
and returns them normalised, as they are stored in ``Campaign.target``; ``reach(period=,
params=, seed=)`` returns the people reached as ``Reached`` rows sorted by person, the
same rows for the same data every time (a sample: for the same seed).

Teachers are reached through the period's roster, which gives each their school and
municipality. The roster holds one row per teacher and period (the constraint
``roster_one_row_per_teacher_period``: a teacher who also works part-time elsewhere is
listed at their main school), so each teacher is reached once, at that school. Should
the constraint ever go, ``roster_reached`` still keeps one row per teacher, the main job:
not part-time first, then the largest workload, then the smaller school id — never the
order the rows were imported in.

The registry ``TARGETS`` holds the kinds this app can resolve. Kinds whose data live in
apps above ``deficits`` (course runs are ``iom``'s, which ``deficits`` may not import) are
declared in the extension store ``survey_targets`` (monitoring/config/extensions.py) and
found by ``target_for``; ``register_target`` adds one at run time (tests, other apps' code).
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.core.exceptions import ValidationError

from deficits.models import CompetenceGroup, Diagnostic, RespondentRole, TargetKind
from monitoring.models import (
    AssociationMember,
    MonitoringPeriod,
    Municipality,
    Role,
    RosterEntry,
    School,
    User,
)
from monitoring.models.people import years_before
from monitoring.shared import extensions

# The largest sample a campaign may draw by size (a region's roster is some 30,000 teachers).
MAX_SAMPLE_SIZE = 100_000


@dataclass(frozen=True, order=True)
class Reached:
    """One person a campaign reaches, where they were when reached."""

    teacher_id: int | None
    user_id: int | None
    school_id: int
    municipality_id: int
    role: str = RespondentRole.TEACHER


class Target(Protocol):
    # The form's parameter fields this target reads (deficits.questionnaire.views.campaigns).
    fields: tuple[str, ...]

    def clean(self, *, period: MonitoringPeriod, params: dict[str, Any]) -> dict[str, Any]: ...

    def reach(self, *, period: MonitoringPeriod, params: dict[str, Any], seed: int | None) -> list[Reached]: ...


def roster_reached(period: MonitoringPeriod, **filters) -> list[Reached]:
    """The period's roster narrowed by ``filters``, one row per teacher sorted by teacher id (see above)."""
    rows = (
        RosterEntry.objects.filter(period=period, **filters)
        .order_by("teacher_id", "part_time", "-workload", "school_id", "pk")
        .values_list("teacher_id", "school_id", "school__municipality_id")
    )
    reached: list[Reached] = []
    last = None
    for teacher_id, school_id, municipality_id in rows:
        if teacher_id != last:
            reached.append(Reached(teacher_id, None, school_id, municipality_id))
            last = teacher_id
    return reached


def _no_params(params: dict[str, Any]) -> dict[str, Any]:
    return {}


def _ids(params: dict[str, Any], key: str, model, empty: str, unknown: str) -> list[int]:
    raw = params.get(key)
    if not raw:
        raise ValidationError({key: empty})
    if not isinstance(raw, list | tuple):
        raw = [raw]
    try:
        ids = sorted({int(getattr(value, "pk", value)) for value in raw})
    except (TypeError, ValueError):
        raise ValidationError({key: unknown}) from None
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        raise ValidationError({key: unknown})
    return ids


class RosterTarget:
    """Every teacher on the period's roster."""

    fields: tuple[str, ...] = ()

    def clean(self, *, period, params):
        return _no_params(params)

    def reach(self, *, period, params, seed):
        return roster_reached(period)


def allocation(sizes: dict[int, int], total: int) -> dict[int, int]:
    """``total`` shared among strata in proportion to their ``sizes``, by the largest remainder.

    Each stratum gets the whole part of its quota; the units left go one each to the largest
    remainders (ties: the smaller stratum id). A non-empty stratum whose share rounds to 0
    gets 1 when ``total`` > 0, so every municipality has a respondent to report — the sample
    can then exceed ``total`` by at most the number of such small municipalities. No stratum
    gets more than it has.
    """
    population = sum(sizes.values())
    if population == 0 or total <= 0:
        return dict.fromkeys(sizes, 0)
    total = min(total, population)
    quotas = {key: Decimal(total) * size / population for key, size in sizes.items()}
    result = {key: int(quota) for key, quota in quotas.items()}
    left = total - sum(result.values())
    for key in sorted(quotas, key=lambda k: (-(quotas[k] - result[k]), k))[:left]:
        result[key] += 1
    for key, size in sizes.items():
        if size and result[key] == 0:
            result[key] = 1
        result[key] = min(result[key], size)
    return result


class SampleTarget:
    """A reproducible random sample of the roster, stratified by municipality.

    ``{"share": 0.1}`` (0 < share ≤ 1: the sample's size is the roster's size times the
    share, rounded half up) or ``{"size": N}``. The size is shared among municipalities in
    proportion to their teachers (``allocation``); each municipality's teachers, sorted by
    id, are drawn from with one ``random.Random(seed)`` taken through the municipalities in
    id order — the same seed and the same roster draw the same people.
    """

    fields = ("share", "size")

    def clean(self, *, period, params):
        share, size = params.get("share"), params.get("size")
        if share in (None, "") and size in (None, ""):
            raise ValidationError({"share": "Укажите долю педагогов или размер выборки."})
        if share not in (None, "") and size not in (None, ""):
            raise ValidationError({"size": "Укажите что-то одно: долю педагогов или размер выборки."})
        if share not in (None, ""):
            try:
                value = Decimal(str(share).replace(",", "."))
            except InvalidOperation:
                value = None
            # "nan", "snan", "inf" parse, but are no share (and a NaN raises when compared).
            if value is None or not value.is_finite():
                raise ValidationError({"share": "Доля — число от 0 до 1, например 0,1."})
            if not 0 < value <= 1:
                raise ValidationError({"share": "Доля — число больше 0 и не больше 1, например 0,1 (10 %)."})
            return {"share": float(value)}
        try:
            number = int(size)
        except (TypeError, ValueError):
            raise ValidationError({"size": "Размер выборки — целое число педагогов."}) from None
        if not 0 < number <= MAX_SAMPLE_SIZE:
            raise ValidationError({"size": f"Размер выборки — от 1 до {MAX_SAMPLE_SIZE} педагогов."})
        return {"size": number}

    def reach(self, *, period, params, seed):
        if seed is None:
            raise ValueError("a sample needs its seed")
        # Sorted here, not trusted from the query: the draw depends on the order it is given.
        population = sorted(roster_reached(period), key=lambda row: row.teacher_id)
        strata: dict[int, list[Reached]] = defaultdict(list)
        for row in population:
            strata[row.municipality_id].append(row)
        if "share" in params:
            total = int(Decimal(str(params["share"])) * len(population) + Decimal("0.5"))
        else:
            total = int(params["size"])
        quotas = allocation({key: len(rows) for key, rows in strata.items()}, total)
        rng = random.Random(seed)
        drawn: list[Reached] = []
        for municipality_id in sorted(strata):
            drawn += rng.sample(strata[municipality_id], quotas[municipality_id])
        return sorted(drawn)


class YoungTarget:
    """Teachers younger than the period's young_age_limit at its reference date (the portal's one rule)."""

    fields: tuple[str, ...] = ()

    def clean(self, *, period, params):
        return _no_params(params)

    def reach(self, *, period, params, seed):
        # Age < limit  <=>  born after the day ``limit`` years before the reference date.
        bound = years_before(period.reference_date, period.young_age_limit)
        return roster_reached(period, teacher__birth_date__gt=bound)


class DeficitTarget:
    """Teachers whose latest diagnostic of the period shows a deficit in the group: ``{"group": "МЕТ"}``."""

    fields = ("group",)

    def clean(self, *, period, params):
        group = str(params.get("group") or "").strip()
        if not group:
            raise ValidationError({"group": "Выберите группу компетенций."})
        if not CompetenceGroup.objects.filter(code=group).exists():
            raise ValidationError({"group": f"Группы компетенций «{group}» нет в инструментах диагностики."})
        return {"group": group}

    def reach(self, *, period, params, seed):
        teachers = Diagnostic.objects.latest_in_period(period).with_deficit_in(params["group"]).values("teacher_id")
        return roster_reached(period, teacher_id__in=teachers)


class LowResultsTarget:
    """Teachers of schools with low educational results (ШНОР)."""

    fields: tuple[str, ...] = ()

    def clean(self, *, period, params):
        return _no_params(params)

    def reach(self, *, period, params, seed):
        return roster_reached(period, school__low_results=True)


class HeadsTarget:
    """School heads: active accounts with the school head's role and their school."""

    fields: tuple[str, ...] = ()

    def clean(self, *, period, params):
        return _no_params(params)

    def reach(self, *, period, params, seed):
        rows = (
            User.objects.filter(role=Role.SCHOOL_HEAD, school__isnull=False, is_active=True)
            .order_by("pk")
            .values_list("pk", "school_id", "school__municipality_id")
        )
        return [Reached(None, pk, school, municipality, RespondentRole.HEAD) for pk, school, municipality in rows]


class AssociationHeadsTarget:
    """Heads of the period's methodical associations (``AssociationMember.is_head``).

    Each head is reached once (one who heads two associations too), at their school on the
    period's roster, as ``RespondentRole.ASSOCIATION_HEAD``. A head not on the period's
    roster is skipped: the roster is where a teacher's school and municipality come from,
    and a response without them could not be tallied. The data package imports members
    only from the roster, so such a head is one whose roster row has since gone.
    """

    fields: tuple[str, ...] = ()

    def clean(self, *, period, params):
        return _no_params(params)

    def reach(self, *, period, params, seed):
        heads = AssociationMember.objects.filter(association__period=period, is_head=True).values("teacher_id")
        return [
            dataclasses.replace(row, role=RespondentRole.ASSOCIATION_HEAD)
            for row in roster_reached(period, teacher_id__in=heads)
        ]


class SchoolsTarget:
    """Teachers of the chosen schools: ``{"schools": [ids]}``."""

    fields = ("schools",)

    def clean(self, *, period, params):
        ids = _ids(
            params,
            "schools",
            School,
            "Выберите хотя бы одну образовательную организацию.",
            "Среди выбранных есть неизвестная образовательная организация.",
        )
        return {"schools": ids}

    def reach(self, *, period, params, seed):
        return roster_reached(period, school_id__in=params["schools"])


class MunicipalitiesTarget:
    """Teachers of the chosen municipalities: ``{"municipalities": [ids]}``."""

    fields = ("municipalities",)

    def clean(self, *, period, params):
        ids = _ids(
            params,
            "municipalities",
            Municipality,
            "Выберите хотя бы один муниципалитет.",
            "Среди выбранных есть неизвестный муниципалитет.",
        )
        return {"municipalities": ids}

    def reach(self, *, period, params, seed):
        return roster_reached(period, school__municipality_id__in=params["municipalities"])


TARGETS: dict[str, Target] = {
    TargetKind.ROSTER: RosterTarget(),
    TargetKind.SAMPLE: SampleTarget(),
    TargetKind.YOUNG: YoungTarget(),
    TargetKind.DEFICIT: DeficitTarget(),
    TargetKind.LOW_RESULTS: LowResultsTarget(),
    TargetKind.HEADS: HeadsTarget(),
    TargetKind.ASSOCIATION_HEADS: AssociationHeadsTarget(),
    TargetKind.SCHOOLS: SchoolsTarget(),
    TargetKind.MUNICIPALITIES: MunicipalitiesTarget(),
}


def register_target(kind: str, target: Target) -> None:
    """Add (or replace) the target of a kind at run time."""
    if kind not in TargetKind.values:
        raise ValueError(f"unknown target kind {kind!r}")
    TARGETS[kind] = target


def target_for(kind: str) -> Target:
    """The target of a kind: this module's, else one declared in the ``survey_targets`` store."""
    if kind in TARGETS:
        return TARGETS[kind]
    declared = extensions.entries("survey_targets")
    if kind in declared:
        return declared[kind]
    raise ValidationError({"target_kind": "Такой вид выборки портал пока не умеет составлять."})


def target_clean(*, period: MonitoringPeriod, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a target checked and normalised (ValidationError with Russian messages)."""
    if kind not in TargetKind.values:
        raise ValidationError({"target_kind": "Неизвестный вид выборки."})
    if not isinstance(params, dict):
        raise ValidationError({"target_kind": "Параметры выборки не распознаны."})
    return target_for(kind).clean(period=period, params=params)


def target_reach(*, period: MonitoringPeriod, kind: str, params: dict[str, Any], seed: int | None) -> list[Reached]:
    return target_for(kind).reach(period=period, params=params, seed=seed)
