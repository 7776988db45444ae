"""The registry of indicator definitions: the shape of one, and :func:`indicator`, with which a module registers it.

The definition modules (``indicators.definitions.d1`` … ``d9``) register on import;
``indicators.catalog`` imports them all and reads the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from indicators.context import Context, Contribution
from indicators.models import Level, Unit


@dataclass(frozen=True)
class Definition:
    code: str
    title: str
    unit: str
    start: str = Level.SCHOOL
    breakdown: str = ""
    compute: Callable[[Context], Iterable[Contribution]] | None = None
    compute_region: Callable[[Context], Iterable[Contribution]] | None = None
    # Breakdown keys every org unit gets a row for (e.g. the six groups), when known
    # up front; others (subjects, providers) appear where they occur.
    keys: tuple[str, ...] = ()
    # Count values shown with two decimals (9.6, 9.7: sums of positions).
    decimals: int = 0
    target: Decimal | None = None
    threshold: Decimal | None = None
    higher_is_better: bool = True
    # Where the spec leaves room, the choice made (shown in the catalog and the notes).
    note: str = ""
    tags: tuple[str, ...] = field(default=())
    # A declarative indicator (indicators.declarative) names its direction and place
    # itself: its code is the region's own («Ж.5»), not «direction.number».
    direction_number: int = 0
    position: int = 0
    declarative: bool = False

    @property
    def direction(self) -> int:
        return self.direction_number or int(self.code.split(".")[0])

    @property
    def order(self) -> int:
        if self.position:
            return self.position
        direction, number = self.code.split(".")
        return int(direction) * 1000 + int(number)

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def has_denominator(self) -> bool:
        return self.unit in (Unit.PERCENT, Unit.AVERAGE)


_REGISTRY: dict[str, Definition] = {}


def indicator(definition: Definition) -> Definition:
    if definition.code in _REGISTRY:
        raise ValueError(f"Indicator {definition.code} is defined twice")
    if definition.start == Level.REGION and definition.compute is not None:
        raise ValueError(f"Indicator {definition.code} starts at the region: give compute_region only")
    _REGISTRY[definition.code] = definition
    return definition


def registered() -> Mapping[str, Definition]:
    """The definitions registered so far, by code, read-only (``indicators.catalog`` makes sure all are)."""
    return MappingProxyType(_REGISTRY)
