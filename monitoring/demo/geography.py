"""The demo region's geography: its municipalities, the sizes of the demo, the in-memory places.

The real municipalities of Volgograd oblast (six cities, thirty-two districts) and the
numbered extras of the `national` size; a size says how many schools and teachers to
spread over them. Muni and School are the places while they are planned and written.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

REGION_CODE = "34"
REGION_NAME = "Волгоградская область"


@dataclass(frozen=True)
class SizeSpec:
    schools: int
    teachers: int
    # Codes of the real municipalities to use; None means all 38.
    municipalities: tuple[str, ...] | None = None
    extra_municipalities: int = 0
    min_schools: int = 2


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec(schools=20, teachers=300, municipalities=("01", "02", "08", "09", "13")),
    "region": SizeSpec(schools=1000, teachers=30_000, min_schools=8),
    # The largest Russian region's size (about 3,300 schools and 100,000 teachers): what the
    # data package's import must take (tests/perf/bench_import.py --size largest).
    "largest": SizeSpec(schools=3300, teachers=100_000, extra_municipalities=22, min_schools=10),
    "national": SizeSpec(schools=40_000, teachers=1_000_000, extra_municipalities=2150, min_schools=5),
}

# name, population (thousands), suffix in school names, genitive, adjective for colleges
CITIES: tuple[tuple[str, int, str, str, str], ...] = (
    ("город-герой Волгоград", 1025, "Волгограда", "Волгограда", "Волгоградский"),
    ("город Волжский", 323, "г. Волжского", "города Волжского", "Волжский"),
    ("город Камышин", 106, "г. Камышина", "города Камышина", "Камышинский"),
    ("город Михайловка", 85, "г. Михайловки", "городского округа город Михайловка", "Михайловский"),
    ("город Урюпинск", 36, "г. Урюпинска", "города Урюпинска", "Урюпинский"),
    ("город Фролово", 37, "г. Фролово", "города Фролово", "Фроловский"),
)
# adjective of the district's name, population (thousands)
DISTRICTS: tuple[tuple[str, int], ...] = (
    ("Алексеевский", 15),
    ("Быковский", 21),
    ("Городищенский", 60),
    ("Даниловский", 14),
    ("Дубовский", 26),
    ("Еланский", 27),
    ("Жирновский", 38),
    ("Иловлинский", 30),
    ("Калачёвский", 50),
    ("Камышинский", 32),
    ("Киквидзенский", 15),
    ("Клетский", 17),
    ("Котельниковский", 34),
    ("Котовский", 30),
    ("Кумылженский", 20),
    ("Ленинский", 30),
    ("Нехаевский", 13),
    ("Николаевский", 28),
    ("Новоаннинский", 33),
    ("Новониколаевский", 17),
    ("Октябрьский", 20),
    ("Ольховский", 16),
    ("Палласовский", 40),
    ("Руднянский", 15),
    ("Светлоярский", 36),
    ("Серафимовичский", 25),
    ("Среднеахтубинский", 55),
    ("Старополтавский", 15),
    ("Суровикинский", 32),
    ("Урюпинский", 15),
    ("Фроловский", 14),
    ("Чернышковский", 16),
)
# Tax inspection digits of a school INN (34XX…) for the cities; districts use their number.
_CITY_INN = ("43", "35", "36", "56", "38", "39")


def inn(prefix: str, serial: int) -> str:
    """A legal entity's 10-digit INN with its control digit (prefix: region and inspection)."""
    body = f"{prefix}{serial % 100_000:05d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    control = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return f"{body}{control}"


def allocate(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), each part at least ``minimum``."""
    minimum = min(minimum, total // len(weights))
    rest = total - minimum * len(weights)
    scale = sum(weights)
    shares = [rest * w / scale for w in weights]
    parts = [minimum + int(s) for s in shares]
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


class Muni:
    """A municipality while it is planned and written: its place in the list, its style, its schools."""

    __slots__ = (
        "adjective",
        "center",
        "code",
        "genitive",
        "index",
        "inn_prefix",
        "lagging",
        "name",
        "pk",
        "population",
        "school_suffix",
        "schools",
        "style",
    )

    def __init__(self, **fields):
        self.pk: int | None = None
        self.schools: list[School] = []
        self.lagging = False
        for key, value in fields.items():
            setattr(self, key, value)

    @property
    def urban(self) -> bool:
        return self.style in ("volgograd", "city")


class School:
    """A school while it is planned and written; `digital` holds its scores, one tuple per period."""

    __slots__ = (
        "adverse",
        "code",
        "digital",
        "head_name",
        "inn",
        "kind",
        "low",
        "muni",
        "name",
        "pk",
        "rural",
        "size",
    )

    def __init__(self, **fields):
        self.pk: int | None = None
        self.digital: list[tuple[int, ...]] = []
        for key, value in fields.items():
            setattr(self, key, value)


def plan_municipalities(*, spec: SizeSpec, rng: random.Random) -> list[Muni]:
    """The municipalities of a size: the real ones it uses, then any numbered extras."""
    munis: list[Muni] = []
    for i, (name, population, suffix, genitive, adjective) in enumerate(CITIES):
        munis.append(
            Muni(
                index=i,
                code=f"{i + 1:02d}",
                name=name,
                population=population,
                school_suffix=suffix,
                genitive=genitive,
                adjective=adjective,
                center=None,
                inn_prefix=f"34{_CITY_INN[i]}",
                style="volgograd" if i == 0 else "city",
            )
        )
    for j, (adjective, population) in enumerate(DISTRICTS):
        i = len(CITIES) + j
        stem = adjective[:-2]
        munis.append(
            Muni(
                index=i,
                code=f"{i + 1:02d}",
                name=f"{adjective} муниципальный район",
                population=population,
                school_suffix="",
                genitive=f"{stem}ого муниципального района",
                adjective=adjective,
                center=f"{stem}ая",
                inn_prefix=f"34{j + 1:02d}",
                style="district",
            )
        )
    if spec.municipalities is not None:
        munis = [m for m in munis if m.code in spec.municipalities]
    for k in range(spec.extra_municipalities):
        number = len(CITIES) + len(DISTRICTS) + k + 1
        munis.append(
            Muni(
                index=number - 1,
                code=f"{number:04d}",
                name=f"Муниципальный округ № {number}",
                population=max(3, int(rng.lognormvariate(math.log(25), 0.8))),
                school_suffix="",
                genitive=f"муниципального округа № {number}",
                adjective="",
                center=None,
                inn_prefix=f"34{rng.randint(1, 99):02d}",
                style="extra",
            )
        )
    # Lagging municipalities have sent nothing yet in the open period (indicator 8.6);
    # never the first two, which the demo accounts look at.
    for muni in munis[2:]:
        muni.lagging = rng.random() < 0.08
    return munis
