"""Reads behind the dashboards: the user's own unit, rankings, findings and history.

What a user looks at follows their scope: institute and ministry staff the region (and
its municipalities), a municipal official their municipality (and its schools), a
school head their school. Every read goes through ``IndicatorValue.objects.visible_to``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.display import standing
from indicators.engine import definitions_of, period_edition
from indicators.models import IndicatorValue, Level, PeriodIndicator
from indicators.registry import Definition
from monitoring.models import MonitoringPeriod, Municipality, Role, School

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
    # The unit's value in every period that has one, oldest first (the tile's sparkline).
    series: list[tuple[int, Decimal | None]] = field(default_factory=list)

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

    @property
    def standing(self) -> str:
        return standing(self.setting, self.value)


@dataclass(frozen=True)
class Edition:
    """A period's indicators as its pages use them: the definitions (coded and declarative) and the settings.

    Read once per page (two queries whatever the number of indicators) and passed around.
    """

    definitions: list[Definition]
    settings: dict[str, PeriodIndicator]

    def get(self, code: str) -> Definition | None:
        return next((d for d in self.definitions if d.code == code), None)

    def of_direction(self, direction: int) -> list[Definition]:
        return [d for d in self.definitions if d.direction == direction]


def period_definitions(period: MonitoringPeriod) -> Edition:
    """The period's edition: what its dashboards, findings and exports show (never the coded catalog alone)."""
    settings = period_edition(period)
    return Edition(definitions_of(settings), settings)


def previous_period(period: MonitoringPeriod) -> MonitoringPeriod | None:
    return MonitoringPeriod.objects.filter(year__lt=period.year).order_by("-year").first()


def overview(*, period: MonitoringPeriod, user, unit: Unit, edition: Edition | None = None) -> dict[int, list[Tile]]:
    """Per direction, the tiles of its indicators without a breakdown: value, target, change."""
    edition = edition or period_definitions(period)
    prev = previous_period(period)
    visible = _unit_rows(IndicatorValue.objects.visible_to(user).filter(breakdown=""), unit)
    series: dict[str, list[tuple[int, Decimal | None]]] = {}
    for code, year, value in visible.order_by("period__year").values_list("indicator__code", "period__year", "value"):
        series.setdefault(code, []).append((year, value))
    now = {code: dict(points)[period.year] for code, points in series.items() if period.year in dict(points)}
    before = {}
    if prev is not None:
        before = {code: dict(points)[prev.year] for code, points in series.items() if prev.year in dict(points)}
    out: dict[int, list[Tile]] = {n: [] for n in DIRECTIONS}
    for defn in edition.definitions:
        has_total = not defn.breakdown or "" in defn.keys
        if defn.direction not in out or not _reaches(defn, unit.level) or not has_total:
            continue
        out[defn.direction].append(
            Tile(
                defn,
                edition.settings.get(defn.code),
                now.get(defn.code),
                before.get(defn.code),
                defn.code in now,
                [(year, value) for year, value in series.get(defn.code, []) if year <= period.year],
            )
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
    standing: str = ""
    linked: bool = False  # the user may open the unit's own page


def _model(level: str):
    return School if level == Level.SCHOOL else Municipality


def _names(level: str, codes: set[str]) -> dict[str, str]:
    """Code → name of the units, in the database's order of names (the words' collation sorts them)."""
    return dict(_model(level).objects.filter(code__in=codes).order_by("name", "code").values_list("code", "name"))


def _linked(user, level: str, codes: set[str]) -> set[str]:
    """The units whose page (municipality-detail, school-detail) the user's scope opens."""
    return set(_model(level).objects.visible_to(user).filter(code__in=codes).values_list("code", flat=True))


def ranking(
    *,
    period: MonitoringPeriod,
    user,
    definition: Definition,
    level: str,
    breakdown: str = "",
    parent: Unit | None = None,
    setting: PeriodIndicator | None = None,
) -> list[Ranked]:
    """The org units of a level in the user's scope, best first (empty values last)."""
    setting = setting or period_edition(period).get(definition.code)
    qs = IndicatorValue.objects.visible_to(user).filter(
        period=period, indicator__code=definition.code, level=level, breakdown=breakdown
    )
    if parent is not None and parent.level == Level.MUNICIPALITY and level == Level.SCHOOL:
        qs = qs.filter(municipality__code=parent.code)
    rows = list(qs.values_list("org_code", "numerator", "denominator", "value"))
    codes = {r[0] for r in rows}
    names = _names(level, codes)
    linked = _linked(user, level, codes)
    place = {code: i for i, code in enumerate(names)}  # the database's order of names
    higher = setting.higher_is_better if setting else True
    ranked = [
        Ranked(
            code,
            names.get(code, code),
            num,
            den,
            val,
            bool(setting and setting.misses(val)),
            standing(setting, val),
            code in linked,
        )
        for code, num, den, val in rows
    ]
    by_name = sorted(ranked, key=lambda r: place.get(r.code, len(place)))
    with_value = [r for r in by_name if r.value is not None]
    with_value.sort(key=lambda r: r.value, reverse=higher)  # stable: ties stay by name
    return with_value + [r for r in by_name if r.value is None]


def history(*, user, definition: Definition, unit: Unit, breakdown: str = "") -> list[tuple[int, Decimal | None]]:
    """The unit's value in every period that has one, oldest first."""
    qs = _unit_rows(
        IndicatorValue.objects.visible_to(user).filter(indicator__code=definition.code, breakdown=breakdown), unit
    )
    return list(qs.order_by("period__year").values_list("period__year", "value"))


def breakdown_rows(*, period: MonitoringPeriod, user, definition: Definition, unit: Unit) -> list[IndicatorValue]:
    qs = IndicatorValue.objects.visible_to(user).filter(period=period, indicator__code=definition.code)
    return list(_unit_rows(qs, unit).exclude(breakdown="").order_by("breakdown"))


@dataclass(frozen=True)
class Cell:
    definition: Definition
    value: Decimal | None
    standing: str = ""


@dataclass(frozen=True)
class MatrixRow:
    code: str
    name: str
    cells: list[Cell]
    linked: bool = False

    @property
    def values(self) -> list[Decimal | None]:
        return [c.value for c in self.cells]


@dataclass
class Matrix:
    definitions: list[Definition]
    rows: list[MatrixRow] = field(default_factory=list)


def direction_matrix(
    *, period: MonitoringPeriod, user, direction: int, unit: Unit, edition: Edition | None = None
) -> Matrix:
    """Units one level below the user's × the direction's indicators without a breakdown."""
    edition = edition or period_definitions(period)
    definitions = [
        d for d in edition.of_direction(direction) if not d.breakdown and unit.below and _reaches(d, unit.below)
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
    linked = _linked(user, unit.below, set(values))
    settings = edition.settings
    unnamed = sorted(set(values) - set(names))
    for org in [*names, *unnamed]:
        if org not in values:
            continue
        own = values[org]
        cells = [Cell(d, own.get(d.code), standing(settings.get(d.code), own.get(d.code))) for d in definitions]
        matrix.rows.append(MatrixRow(org, names.get(org, org), cells, org in linked))
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
