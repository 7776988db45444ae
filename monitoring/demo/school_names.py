"""Realistic names of a municipality's schools, and the raw size that goes with each kind."""

from __future__ import annotations

import random
from collections import Counter

from monitoring import models
from monitoring.demo.geography import Muni

_VOLGOGRAD_DISTRICTS = (
    "Ворошиловского",
    "Дзержинского",
    "Кировского",
    "Красноармейского",
    "Краснооктябрьского",
    "Советского",
    "Тракторозаводского",
    "Центрального",
)

_VILLAGE_PREFIXES = ("", "Верхне", "Нижне", "Ново", "Старо", "Больше", "Мало")
_VILLAGE_ROOTS = (
    "покровская",
    "ольховская",
    "березовская",
    "каменская",
    "ивановская",
    "михайловская",
    "александровская",
    "песковатская",
    "грачевская",
    "садовская",
    "лозновская",
    "дмитриевская",
    "соленовская",
    "медведевская",
    "липовская",
    "терновская",
    "степновская",
    "ерзовская",
    "бузиновская",
    "чирская",
    "добринская",
    "осиновская",
    "орловская",
    "сосновская",
    "гусевская",
    "перелазовская",
    "ягодновская",
    "кругловская",
    "поповская",
    "тишанская",
)
_KINDERGARTEN_NICKNAMES = (
    "Солнышко",
    "Ромашка",
    "Теремок",
    "Колокольчик",
    "Радуга",
    "Сказка",
    "Берёзка",
    "Золотой ключик",
    "Алёнушка",
    "Журавушка",
    "Ласточка",
    "Улыбка",
    "Звёздочка",
    "Родничок",
)
_ADDITIONAL_CITY = (
    "Центр детского творчества",
    "Дом детского творчества",
    "Детско-юношеский центр",
    "Станция юных техников",
    "Станция юных натуралистов",
    "Центр дополнительного образования детей",
)
_ADDITIONAL_DISTRICT = (
    "Центр детского творчества",
    "Дом детского творчества",
    "Детско-юношеская спортивная школа",
    "Детская школа искусств",
    "Центр дополнительного образования",
)
_COLLEGES = (
    "социально-педагогический колледж",
    "политехнический колледж",
    "технический колледж",
    "колледж искусств",
    "строительный техникум",
    "медицинский колледж",
    "агропромышленный техникум",
    "колледж управления и новых технологий",
)


class SchoolNamer:
    """Realistic names of a municipality's schools, never twice the same."""

    def __init__(self, rng: random.Random, muni: Muni):
        self.rng = rng
        self.muni = muni
        self.numbers: Counter[str] = Counter()
        self.used: set[str] = set()
        self.center_general = 0
        self.center_preschool = 0
        self.center_slots = 1 if muni.population < 20 else 2 if muni.population < 40 else 3
        self.villages = [
            f"{prefix}{root}" if prefix else root.capitalize()
            for prefix in _VILLAGE_PREFIXES
            for root in _VILLAGE_ROOTS
        ]
        rng.shuffle(self.villages)
        self.additional = list(_ADDITIONAL_CITY if muni.urban else _ADDITIONAL_DISTRICT)
        rng.shuffle(self.additional)
        self.colleges = list(_COLLEGES)
        rng.shuffle(self.colleges)

    def _number(self, series: str) -> int:
        # Real numbering has gaps: schools were closed or merged over the years.
        self.numbers[series] += self.rng.choice((1, 1, 1, 2, 3))
        return self.numbers[series]

    def _village(self, school: str, numbered: str) -> str:
        """«Каменская СШ»; a huge municipality of `national` runs out of villages and
        numbers its schools instead."""
        if self.villages:
            return f"{self.villages.pop()} {school}"
        return f"{numbered} № {self._number(numbered)} {self.muni.genitive}"

    def _where(self) -> str:
        if self.muni.style == "volgograd":
            return f"{self.rng.choice(_VOLGOGRAD_DISTRICTS)} района Волгограда"
        return self.muni.school_suffix

    def name(self, kind: str) -> tuple[str, int, bool, str]:
        """(name, raw teacher count, rural, kind): the kind falls back to general when a
        municipality runs out of colleges."""
        rng = self.rng
        urban = self.muni.urban
        if kind == models.SchoolKind.VOCATIONAL:
            if self.colleges:
                name = f"ГБПОУ «{self.muni.adjective} {self.colleges.pop()}»"
                return name, rng.randint(40, 85), False, kind
            kind = models.SchoolKind.GENERAL
        if kind == models.SchoolKind.ADDITIONAL:
            return self._additional(urban)
        if kind == models.SchoolKind.PRESCHOOL:
            return self._preschool(urban)
        return self._general(urban)

    def _additional(self, urban: bool) -> tuple[str, int, bool, str]:
        rng = self.rng
        kind = models.SchoolKind.ADDITIONAL
        form = "МБУ ДО" if rng.random() < 0.7 else "МАУ ДО"
        size = rng.randint(12, 35) if urban else rng.randint(6, 16)
        if self.additional:
            title = self.additional.pop()
        else:
            title = f"Детская школа искусств № {self._number('art')}"
        if urban:
            return f"{form} «{title} {self._where()}»", size, False, kind
        return f"{form} «{title}» {self.muni.genitive}", size, False, kind

    def _general(self, urban: bool) -> tuple[str, int, bool, str]:
        rng = self.rng
        kind = models.SchoolKind.GENERAL
        if urban:
            if self.muni.style == "volgograd":
                form = rng.choice(("МОУ", "МОУ", "МБОУ"))
            else:
                form = rng.choice(("МБОУ", "МБОУ", "МАОУ"))
            r = rng.random() if self.numbers["Средняя школа"] else 1.0
            if r < 0.10:
                title, size = "Лицей", rng.randint(55, 95)
            elif r < 0.20:
                title, size = "Гимназия", rng.randint(55, 95)
            elif r < 0.24:
                title, size = "Основная школа", rng.randint(15, 30)
            else:
                title, size = "Средняя школа", rng.randint(40, 95)
            return f"{form} «{title} № {self._number(title)} {self._where()}»", size, False, kind
        form = "МКОУ" if rng.random() < 0.6 else "МБОУ"
        if self.center_general < self.center_slots:
            self.center_general += 1
            size = rng.randint(30, 60)
            if self.muni.style == "extra":
                name = f"{form} «Средняя школа № {self.center_general} {self.muni.genitive}»"
                return name, size, False, kind
            number = f" № {self.center_general}" if self.center_slots > 1 else ""
            return f"{form} «{self.muni.center} СШ{number}»", size, False, kind
        if rng.random() < 0.65:
            name, size = self._village("СШ", "Средняя школа"), rng.randint(10, 26)
        else:
            name, size = self._village("ОШ", "Основная школа"), rng.randint(6, 14)
        return f"{form} «{name}»", size, True, kind

    def _preschool(self, urban: bool) -> tuple[str, int, bool, str]:
        rng = self.rng
        kind = models.SchoolKind.PRESCHOOL
        if urban:
            if self.muni.style == "volgograd":
                form = "МОУ"
            else:
                form = rng.choice(("МБДОУ", "МБДОУ", "МАДОУ"))
            number = self._number("Детский сад")
            nickname = f" «{rng.choice(_KINDERGARTEN_NICKNAMES)}»" if rng.random() < 0.3 else ""
            name = f"{form} «Детский сад № {number}{nickname} {self._where()}»"
            return name, rng.randint(14, 32), False, kind
        form = "МКДОУ" if rng.random() < 0.6 else "МБДОУ"
        if self.center_preschool < 2 and self.muni.center:
            self.center_preschool += 1
            name = f"{form} «{self.muni.adjective} детский сад № {self.center_preschool}»"
            return name, rng.randint(8, 18), False, kind
        name = f"{form} «Детский сад «{rng.choice(_KINDERGARTEN_NICKNAMES)}»» {self.muni.genitive}"
        if name in self.used:
            village = self._village("детский сад", "Детский сад")
            # «детский сад» is masculine: Каменская → Каменский.
            name = f"{form} «{village.replace('ая детский', 'ий детский')}»"
        self.used.add(name)
        return name, rng.randint(4, 9), True, kind
