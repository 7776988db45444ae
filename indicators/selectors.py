"""Reads behind the dashboards: the user's own unit, rankings, findings and history.

What a user looks at follows their scope: institute and ministry staff the region (and
its municipalities), a municipal official their municipality (and its schools), a
school head their school. Every read goes through ``IndicatorValue.objects.visible_to``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.catalog import Definition, catalog
from indicators.engine import period_edition
from indicators.models import IndicatorValue, Level, PeriodIndicator
from monitoring.models import MonitoringPeriod, Municipality, Role, School
from monitoring.shared.collation import natural_key

DIRECTIONS = {
    1: "Выявление профессиональных дефицитов педагогических работников",
    2: "Учет индивидуальных образовательных маршрутов (ИОМ)",
    3: "Профессиональная переподготовка и качество ДПП",
    4: "Развитие цифровой образовательной среды ДПО",
    5: "Вовлечение педагогов в экспертную деятельность",
    6: "Формирование методического актива",
    7: "Поддержка молодых педагогов, наставничество",
    8: "Сетевое взаимодействие педагогов",
    9: "Выявление кадровых потребностей",
}


@dataclass(frozen=True)
class Unit:
    """The org unit a user's dashboard is about, and the level below it that it ranks."""

    level: str
    code: str | None  # None at the region: its only row
    name: str
    below: str | None  # the level ranked on the direction and indicator pages


def home_unit(user) -> Unit:
    if user.role == Role.SCHOOL_HEAD and user.school_id:
        return Unit(Level.SCHOOL, user.school.code, user.school.name, None)
    if user.role == Role.MUNICIPAL and user.municipality_id:
        return Unit(Level.MUNICIPALITY, user.municipality.code, user.municipality.name, Level.SCHOOL)
    return Unit(Level.REGION, None, "Регион", Level.MUNICIPALITY)


def _unit_rows(qs, unit: Unit):
    qs = qs.filter(level=unit.level)
    return qs.filter(org_code=unit.code) if unit.code else qs


@dataclass
class Tile:
    definition: Definition
    setting: PeriodIndicator | None
    value: Decimal | None
    previous: Decimal | None
    computed: bool

    @property
    def trend(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def better(self) -> bool | None:
        """Whether the change since last period goes the good way (None without a change)."""
        if not self.trend:
            return None
        higher = self.setting.higher_is_better if self.setting else True
        return (self.trend > 0) == higher

    @property
    def finding(self) -> bool:
        return bool(self.setting and self.setting.misses(self.value))


def previous_period(period: MonitoringPeriod) -> MonitoringPeriod | None:
    return MonitoringPeriod.objects.filter(year__lt=period.year).order_by("-year").first()


def overview(*, period: MonitoringPeriod, user, unit: Unit) -> dict[int, list[Tile]]:
    """Per direction, the tiles of its indicators without a breakdown: value, target, change."""
    edition = period_edition(period)
    prev = previous_period(period)
    visible = IndicatorValue.objects.visible_to(user).filter(breakdown="")
    now = {
        v.indicator.code: v.value for v in _unit_rows(visible.filter(period=period), unit).select_related("indicator")
    }
    before = {}
    if prev is not None:
        before = {
            v.indicator.code: v.value for v in _unit_rows(visible.filter(period=prev), unit).select_related("indicator")
        }
    out: dict[int, list[Tile]] = {n: [] for n in DIRECTIONS}
    for defn in catalog():
        has_total = not defn.breakdown or "" in defn.keys
        if defn.code not in edition or not _reaches(defn, unit.level) or not has_total:
            continue
        out[defn.direction].append(
            Tile(defn, edition.get(defn.code), now.get(defn.code), before.get(defn.code), defn.code in now)
        )
    return out


def _reaches(defn: Definition, level: str) -> bool:
    order = [Level.SCHOOL, Level.MUNICIPALITY, Level.REGION]
    return order.index(level) >= order.index(defn.start)


@dataclass
class Ranked:
    code: str
    name: str
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None
    finding: bool = False


def _names(level: str, codes: set[str]) -> dict[str, str]:
    model = School if level == Level.SCHOOL else Municipality
    return dict(model.objects.filter(code__in=codes).values_list("code", "name"))


def ranking(
    *,
    period: MonitoringPeriod,
    user,
    definition: Definition,
    level: str,
    breakdown: str = "",
    parent: Unit | None = None,
) -> list[Ranked]:
    """The org units of a level in the user's scope, best first (empty values last)."""
    setting = period_edition(period).get(definition.code)
    qs = IndicatorValue.objects.visible_to(user).filter(
        period=period, indicator__code=definition.code, level=level, breakdown=breakdown
    )
    if parent is not None and parent.level == Level.MUNICIPALITY and level == Level.SCHOOL:
        qs = qs.filter(municipality__code=parent.code)
    rows = list(qs.values_list("org_code", "numerator", "denominator", "value"))
    names = _names(level, {r[0] for r in rows})
    higher = setting.higher_is_better if setting else True
    ranked = [
        Ranked(code, names.get(code, code), num, den, val, bool(setting and setting.misses(val)))
        for code, num, den, val in rows
    ]
    with_value = sorted((r for r in ranked if r.value is not None), key=lambda r: natural_key(r.name))
    with_value.sort(key=lambda r: r.value, reverse=higher)  # stable: ties stay by name
    return with_value + sorted((r for r in ranked if r.value is None), key=lambda r: natural_key(r.name))


def history(*, user, definition: Definition, unit: Unit, breakdown: str = "") -> list[tuple[int, Decimal | None]]:
    """The unit's value in every period that has one, oldest first."""
    qs = _unit_rows(
        IndicatorValue.objects.visible_to(user).filter(indicator__code=definition.code, breakdown=breakdown), unit
    )
    return list(qs.order_by("period__year").values_list("period__year", "value"))


def breakdown_rows(*, period: MonitoringPeriod, user, definition: Definition, unit: Unit) -> list[IndicatorValue]:
    qs = IndicatorValue.objects.visible_to(user).filter(period=period, indicator__code=definition.code)
    return list(_unit_rows(qs, unit).exclude(breakdown="").order_by("breakdown"))


@dataclass
class Matrix:
    definitions: list[Definition]
    rows: list[tuple[str, str, list[Decimal | None]]] = field(default_factory=list)


def direction_matrix(*, period: MonitoringPeriod, user, direction: int, unit: Unit) -> Matrix:
    """Units one level below the user's × the direction's indicators without a breakdown."""
    definitions = [
        d for d in catalog() if d.direction == direction and not d.breakdown and unit.below and _reaches(d, unit.below)
    ]
    matrix = Matrix(definitions)
    if not definitions:
        return matrix
    qs = IndicatorValue.objects.visible_to(user).filter(
        period=period, level=unit.below, breakdown="", indicator__code__in=[d.code for d in definitions]
    )
    if unit.level == Level.MUNICIPALITY:
        qs = qs.filter(municipality__code=unit.code)
    values: dict[str, dict[str, Decimal | None]] = {}
    for org, code, val in qs.values_list("org_code", "indicator__code", "value"):
        values.setdefault(org, {})[code] = val
    names = _names(unit.below, set(values))
    for org in sorted(values, key=lambda c: natural_key(names.get(c, c))):
        matrix.rows.append((org, names.get(org, org), [values[org].get(d.code) for d in definitions]))
    return matrix


def findings_count(*, period: MonitoringPeriod, user, definition: Definition, level: str) -> int:
    setting = PeriodIndicator.objects.filter(period=period, indicator__code=definition.code).first()
    if setting is None or setting.threshold is None:
        return 0
    qs = IndicatorValue.objects.visible_to(user).filter(
        period=period, indicator__code=definition.code, level=level, breakdown="", value__isnull=False
    )
    op = "value__lt" if setting.higher_is_better else "value__gt"
    return qs.filter(**{op: setting.threshold}).count()
