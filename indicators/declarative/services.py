"""Declarative indicators: save one into a period's edition, remove it, adopt a catalog, preview one.

Every door — the builder page, the API, the admin, the ``indicator_catalog`` command —
calls these functions. A definition is validated (indicators.declarative.spec) before
anything is stored; it lives on its ``Indicator`` (the current definition) and on the
period's ``PeriodIndicator`` (the one that period computes), so a closed period keeps
its own. Saving into an open period drops the indicator's old values there and starts
a computation, so no page shows values of a definition that is no longer the one.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localtime

from indicators import engine
from indicators.catalog import registered_codes
from indicators.context import Context
from indicators.declarative.compiler import compile_definition
from indicators.declarative.spec import DefinitionInvalid, validate
from indicators.models import (
    Indicator,
    IndicatorCatalog,
    IndicatorKind,
    IndicatorValue,
    Level,
    PeriodIndicator,
)
from indicators.services import computation_start
from monitoring.models import MonitoringPeriod, Municipality, School
from monitoring.models.scoping import can_write_region, is_region_wide


class DefinitionRefused(Exception):
    """The definition cannot be stored there (a closed period, a code of the coded catalog)."""


class DefinitionStale(DefinitionRefused):
    """The definition changed since the editor was opened: saving would overwrite someone's edit."""


# Latin letters that look like Cyrillic ones: «C.1» and «С.1» must not be two indicators.
_LOOKALIKES = str.maketrans("aceopxykmtbh", "асеорхукмтвн")


def code_key(code: str) -> str:
    """What a code looks like to a reader: case, Latin look-alikes, separators and leading zeros aside."""
    parts = re.split(r"[._\-]+", code.casefold().translate(_LOOKALIKES))
    return ".".join(p.lstrip("0") or "0" for p in parts if p)


def _confusable(code: str) -> str | None:
    """An existing code (coded or declarative) a reader would take ``code`` for, other than itself."""
    key = code_key(code)
    for other in registered_codes() | set(Indicator.objects.values_list("code", flat=True)):
        if other != code and code_key(other) == key:
            return other
    return None


def require_writer(user) -> None:
    """Only institute staff define indicators (None: a command run by the operator)."""
    if user is not None and not can_write_region(user):
        raise PermissionDenied("Показатели задают сотрудники института.")


def _open(period: MonitoringPeriod) -> None:
    if period.is_closed:
        raise DefinitionRefused(f"Период {period.year} закрыт: его показатели не меняются.")


def _order(spec: dict, existing: Indicator | None) -> int:
    if existing is not None and existing.direction == spec["direction"]:
        return existing.order
    # After the coded indicators of the direction (their numbers stay under 100).
    taken = (
        Indicator.objects.filter(kind=IndicatorKind.DECLARATIVE, order__gte=spec["direction"] * 1000 + 100)
        .filter(order__lt=(spec["direction"] + 1) * 1000)
        .aggregate(m=Max("order"))["m"]
    )
    return (taken or spec["direction"] * 1000 + 100) + 1


def _indicator_values(spec: dict, order: int) -> dict:
    return {
        "kind": IndicatorKind.DECLARATIVE,
        "direction": spec["direction"],
        "order": order,
        "title": spec["title"],
        "unit": spec["unit"],
        "start_level": spec["start"],
        "breakdown": spec["breakdown"],
        "spec": spec,
        "note": spec["note"],
    }


def _last_edit(indicator: Indicator) -> str:
    """« (Ирина Савельева, 06.12.2026 12:48)»: who saved the indicator last, and when."""
    last = indicator.history.order_by("-history_date").select_related("history_user").first()
    if last is None:
        return ""
    who = (last.history_user.get_full_name() or last.history_user.username) if last.history_user else "служба портала"
    return f" ({who}, {localtime(last.history_date).strftime('%d.%m.%Y %H:%M')})"


def store_indicator(
    *,
    spec: dict,
    catalog: IndicatorCatalog | None,
    create: bool = False,
    revision: int | None = None,
    move: bool = False,
) -> Indicator:
    """Create or update the indicator of a validated definition (its current definition).

    ``create``: the caller means a new indicator, so an existing code is refused rather
    than overwritten. ``revision``: the version the editor was opened on; a newer one
    stored meanwhile refuses the save (DefinitionStale). An indicator stays in its
    catalog unless ``move`` (a catalog file replacing its own) says otherwise.
    """
    code = spec["code"]
    if code in registered_codes():
        raise DefinitionRefused(f"Код {code} занят показателем из кода портала; выберите другой код.")
    similar = _confusable(code)
    if similar is not None:
        raise DefinitionRefused(f"Код {code} не отличить на глаз от кода {similar}; выберите другой код.")
    existing = Indicator.objects.select_for_update().filter(code=code).first()
    if existing is not None and existing.kind == IndicatorKind.CODED:
        raise DefinitionRefused(f"Код {code} занят показателем из кода портала; выберите другой код.")
    if existing is not None and create:
        where = f" (набор «{existing.catalog.title}»)" if existing.catalog_id else ""
        raise DefinitionRefused(
            f"Код {code} уже занят показателем «{existing.title}»{where}: откройте его для правки или выберите "
            "другой код."
        )
    if existing is not None and revision is not None and existing.revision != revision:
        raise DefinitionStale(
            f"Показатель {code} изменен после того, как вы его открыли{_last_edit(existing)}. Ваша правка не "
            "сохранена: скопируйте ее, обновите страницу и внесите снова."
        )
    if existing is not None and catalog is not None and existing.catalog_id not in (None, catalog.pk) and not move:
        raise DefinitionRefused(
            f"Показатель {code} входит в набор «{existing.catalog.title}»: в другой набор он не переносится."
        )
    values = _indicator_values(spec, _order(spec, existing))
    if catalog is not None:
        values["catalog"] = catalog
    if existing is None:
        return Indicator.objects.create(code=code, revision=1, **values)
    for name, value in values.items():
        setattr(existing, name, value)
    existing.revision += 1
    existing.save()
    return existing


def _into_period(indicator: Indicator, spec: dict, period: MonitoringPeriod) -> PeriodIndicator:
    pi, created = PeriodIndicator.objects.get_or_create(
        period=period,
        indicator=indicator,
        defaults={
            "spec": spec,
            "target": spec["target"],
            "threshold": spec["threshold"],
            "higher_is_better": spec["higher_is_better"],
        },
    )
    if not created:
        pi.spec = spec
        pi.target = spec["target"]
        pi.threshold = spec["threshold"]
        pi.higher_is_better = spec["higher_is_better"]
        pi.save()
    # Values of the previous definition are not this indicator's any more.
    IndicatorValue.objects.filter(period=period, indicator=indicator).delete()
    return pi


def definition_save(
    *,
    period: MonitoringPeriod,
    data: dict,
    user,
    catalog: IndicatorCatalog | None = None,
    compute: bool = True,
    create: bool = False,
    revision: int | None = None,
) -> PeriodIndicator:
    """Validate a definition and store it in the open period's edition (a new indicator or a new version).

    Doors that create pass ``create=True``; doors that edit pass the ``revision`` they showed.
    """
    require_writer(user)
    _open(period)
    spec = validate(data)
    with transaction.atomic():
        existing = Indicator.objects.filter(code=spec["code"]).first()
        if existing is not None and existing.kind == IndicatorKind.CODED:
            raise DefinitionRefused(f"Код {spec['code']} занят показателем из кода портала; выберите другой код.")
        indicator = store_indicator(spec=spec, catalog=catalog, create=create, revision=revision)
        pi = _into_period(indicator, spec, period)
        if compute:
            computation_start(period=period, user=user, trigger="definition")
    return pi


def definition_remove(*, period: MonitoringPeriod, code: str, user) -> None:
    """Take a declarative indicator out of the open period's edition, with its values there."""
    require_writer(user)
    _open(period)
    with transaction.atomic():
        pi = PeriodIndicator.objects.filter(
            period=period, indicator__code=code, indicator__kind=IndicatorKind.DECLARATIVE
        ).first()
        if pi is None:
            raise DefinitionRefused(f"В периоде {period.year} нет показателя {code}, заданного институтом.")
        IndicatorValue.objects.filter(period=period, indicator=pi.indicator).delete()
        pi.delete()


def catalog_adopt(*, period: MonitoringPeriod, catalog: IndicatorCatalog, user, compute: bool = True) -> int:
    """Add every indicator of a catalog to the open period's edition (their current definitions)."""
    require_writer(user)
    _open(period)
    with transaction.atomic():
        added = 0
        for indicator in catalog.indicators.order_by("order", "code"):
            _into_period(indicator, validate(indicator.spec), period)
            added += 1
        if compute and added:
            computation_start(period=period, user=user, trigger="definition")
    return added


@dataclass
class Preview:
    """A definition on the current data: the region's value, the municipalities', the cost."""

    value: Decimal | None = None
    numerator: Decimal = Decimal(0)
    denominator: Decimal | None = None
    top: list[tuple[str, Decimal]] = field(default_factory=list)
    bottom: list[tuple[str, Decimal]] = field(default_factory=list)
    municipalities: int = 0
    queries: int = 0
    seconds: float = 0.0
    breakdowns: list[tuple[str, Decimal | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    partial: bool = False


def preview(*, period: MonitoringPeriod, data: dict, user, limit: int = 5) -> Preview:
    """Compute a definition, unsaved, on the data the user may see, and what it cost.

    Only municipalities visible to the user are read (``Municipality.objects.visible_to``,
    the one scoping function): a region-wide reader sees the region, anyone else their
    own municipality's rows at most. Nothing is stored.
    """
    try:
        spec = validate(data)
    except DefinitionInvalid as exc:
        return Preview(errors=exc.errors)
    municipalities = dict(Municipality.objects.visible_to(user).values_list("pk", "name"))
    wide = is_region_wide(user)
    ctx = Context(period=period, municipality_ids=None if wide else list(municipalities))
    defn = compile_definition(spec)
    started = time.perf_counter()
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    region: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    if defn.compute is None and not wide:
        return Preview(
            errors=[
                "Показатель считается только для региона: его предварительный расчет видят сотрудники "
                "института и министерства."
            ]
        )
    school_mun = dict(School.objects.filter(ctx.within("municipality_id")).values_list("pk", "municipality_id"))
    with CaptureQueriesContext(connection) as queries:
        for c in defn.compute(ctx) if defn.compute else []:
            mun = c.org_id if c.level == Level.MUNICIPALITY else school_mun.get(c.org_id)
            if mun is None or mun not in municipalities:
                continue
            for bucket in (sums[(mun, c.breakdown)], region[c.breakdown]):
                bucket[0] += Decimal(c.numerator)
                bucket[1] += Decimal(c.denominator or 0)
        if defn.compute_region is not None and wide:
            # Rows placed at the region only, or an indicator that starts there: only a
            # region-wide reader's preview has them; a municipal one holds their units only.
            for c in defn.compute_region(ctx):
                region[c.breakdown][0] += Decimal(c.numerator)
                region[c.breakdown][1] += Decimal(c.denominator or 0)
    out = Preview(queries=len(queries), seconds=round(time.perf_counter() - started, 3), partial=not wide)
    has_den = defn.has_denominator
    total = region.get("", [Decimal(0), Decimal(0)])
    out.numerator = total[0]
    out.denominator = total[1] if has_den else None
    out.value = engine.value_of(defn.unit, total[0], total[1] if has_den else None)
    out.breakdowns = [
        (b, engine.value_of(defn.unit, n, d if has_den else None)) for b, (n, d) in sorted(region.items()) if b
    ]
    ranked = sorted(
        (
            (municipalities[mun], v)
            for (mun, b), (n, d) in sums.items()
            if b == "" and (v := engine.value_of(defn.unit, n, d if has_den else None)) is not None
        ),
        key=lambda pair: (-pair[1], pair[0]),
    )
    out.municipalities = len(ranked)
    out.top = ranked[:limit]
    out.bottom = list(reversed(ranked[-limit:])) if len(ranked) > limit else []
    return out
