"""A declarative indicator's definition as data, and its validation with messages naming the wrong part.

A definition is a JSON object::

    {"code": "Ж.5", "title": "Доля педагогов, …", "direction": 3, "unit": "percent",
     "population": "teachers", "start": "school",
     "numerator": [{"relation": "enrollments", "op": "exists", "where": [
         {"field": "status", "op": "in", "value": ["завершил"]},
         {"field": "course.end", "op": "in_period"},
         {"field": "program.topic", "op": "in", "value": ["воспитание"]}]}],
     "denominator": [], "measure": "", "breakdown": "",
     "target": "80", "threshold": "50", "higher_is_better": true, "note": ""}

Conditions of a list all hold (and); ``{"any": [...]}`` holds when one of its conditions
does (or). Units: ``count`` counts the rows matching the numerator (or sums ``measure``);
``percent`` is the rows matching numerator and denominator over those matching the
denominator; ``average`` is the mean of ``measure`` over the rows matching the
denominator; ``flag`` is 1 when at least one row matches the numerator.

:func:`validate` returns the definition normalized (types checked, defaults filled) or
raises :class:`DefinitionInvalid` with every problem found, each a Russian sentence that
names its part («Числитель, условие 2: …»).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from indicators.declarative.vocabulary import (
    COUNTABLE,
    LIST_OPS,
    NO_VALUE,
    OPERATORS,
    POPULATIONS,
    YEARS,
    Field,
    Kind,
    Population,
)
from indicators.models import Level, Unit

CODE = re.compile(r"^[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё._-]{0,9}$")
MAX_CONDITIONS = 40
MAX_DEPTH = 3
MAX_TEXT = 200
MAX_LIST = 50
MAX_NUMBER = Decimal(10) ** 9
CONDITION_KEYS = {
    "any": {"any"},
    "relation": {"relation", "op", "where"},
    "field": {"field", "op", "value"},
}
# The parts of a definition, in the order files write them.
KEYS = (
    "code",
    "title",
    "direction",
    "unit",
    "population",
    "start",
    "numerator",
    "denominator",
    "measure",
    "breakdown",
    "target",
    "threshold",
    "higher_is_better",
    "note",
)


class DefinitionInvalid(Exception):
    """The definition is refused; ``errors`` are the Russian sentences naming each wrong part."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _decimal(value, part: str, errors: list[str]) -> str | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        shown = f"«{str(value)[:40]}»" if isinstance(value, str | int | float) else "значение"
        errors.append(f"{part}: {shown} — не число.")
        return None
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        errors.append(f"{part}: число вне допустимых пределов.")
        return None
    return str(number)


class _Checker:
    def __init__(self, population: Population):
        self.population = population
        self.count = 0
        self.errors: list[str] = []

    def conditions(self, items, part: str, population: Population, depth: int) -> list[dict]:
        if items in (None, ""):
            return []
        if not isinstance(items, list):
            self.errors.append(f"{part}: ожидается список условий.")
            return []
        checked = (self.condition(item, f"{part}, условие {i}", population, depth) for i, item in enumerate(items, 1))
        return [c for c in checked if c]

    def condition(self, item, part: str, population: Population, depth: int) -> dict | None:
        self.count += 1
        if self.count > MAX_CONDITIONS:
            if self.count == MAX_CONDITIONS + 1:
                self.errors.append(f"Слишком много условий: не больше {MAX_CONDITIONS} в одном показателе.")
            return None
        if not isinstance(item, dict) or not item:
            self.errors.append(f"{part}: условие пустое — выберите поле или связь и операцию.")
            return None
        shape = "any" if "any" in item else "relation" if "relation" in item else "field"
        extra = sorted(str(k)[:30] for k in set(item) - CONDITION_KEYS[shape])
        if extra:
            # A key the condition does not use is a mistake (or a probe): named, never ignored.
            self.errors.append(f"{part}: лишние части условия: {', '.join(extra[:5])}.")
            return None
        if "any" in item:
            if depth >= MAX_DEPTH:
                self.errors.append(f"{part}: слишком глубокая вложенность условий (не больше {MAX_DEPTH}).")
                return None
            said = len(self.errors)
            inner = self.conditions(item["any"], f"{part} (любое из)", population, depth + 1)
            if not inner:
                # Empty as written, not emptied by a wrong condition inside (already named).
                if len(self.errors) == said:
                    self.errors.append(f"{part}: группа «любое из» пуста.")
                return None
            return {"any": inner}
        if "relation" in item:
            return self.relation(item, part, population, depth)
        return self.field(item, part, population)

    def relation(self, item: dict, part: str, population: Population, depth: int) -> dict | None:
        relations = {r.name: r for r in population.relations}
        rel = relations.get(item.get("relation"))
        if rel is None:
            self.errors.append(
                f"{part}: у совокупности «{population.label}» нет связи «{str(item.get('relation'))[:60]}»."
            )
            return None
        op = item.get("op", "exists")
        if op not in ("exists", "not_exists"):
            self.errors.append(f"{part}: для связи «{rel.label}» операция — «есть» или «нет».")
            return None
        if depth >= MAX_DEPTH:
            self.errors.append(f"{part}: слишком глубокая вложенность условий (не больше {MAX_DEPTH}).")
            return None
        where = self.conditions(item.get("where", []), f"{part} («{rel.label}»)", POPULATIONS[rel.target], depth + 1)
        return {"relation": rel.name, "op": op, "where": where}

    def field(self, item: dict, part: str, population: Population) -> dict | None:
        name = item.get("field")
        entry = population.field_map().get(name) if isinstance(name, str) else None
        if entry is None:
            self.errors.append(f"{part}: у совокупности «{population.label}» нет поля «{str(name)[:60]}».")
            return None
        f, _prefix, _entity = entry
        op = item.get("op")
        ops = OPERATORS[f.kind]
        if op not in ops:
            allowed = ", ".join(f"«{label}»" for label in ops.values())
            self.errors.append(f"{part}: поле «{f.label}» не знает операции «{str(op)[:30]}»; допустимы: {allowed}.")
            return None
        value = self.value(f, op, item.get("value"), part)
        if value is _BAD:
            return None
        out = {"field": name, "op": op}
        if op not in NO_VALUE:
            out["value"] = value
        return out

    def value(self, f: Field, op: str, value, part: str):
        where = f"{part} (поле «{f.label}»)"
        if op in NO_VALUE:
            return None
        if op in YEARS:
            if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
                self.errors.append(f"{where}: число лет должно быть целым от 1 до 50.")
                return _BAD
            years = int(str(value).strip())
            if not 1 <= years <= 50:
                self.errors.append(f"{where}: число лет должно быть целым от 1 до 50.")
                return _BAD
            return years
        if f.kind == Kind.BOOL:
            if not isinstance(value, bool):
                self.errors.append(f"{where}: значение — «да» или «нет».")
                return _BAD
            return value
        if f.kind in (Kind.CHOICE, Kind.TAG) or (f.kind == Kind.TEXT and op in LIST_OPS):
            values = value if isinstance(value, list) else [value]
            if not values or len(values) > MAX_LIST or not all(isinstance(v, str) and v.strip() for v in values):
                self.errors.append(f"{where}: выберите от 1 до {MAX_LIST} значений.")
                return _BAD
            if f.choices:
                known = {c for c, _ in f.choices}
                unknown = [v for v in values if v not in known]
                if unknown:
                    self.errors.append(f"{where}: неизвестное значение «{unknown[0][:60]}».")
                    return _BAD
            if any(len(v) > MAX_TEXT for v in values):
                self.errors.append(f"{where}: значение длиннее {MAX_TEXT} знаков.")
                return _BAD
            return [v.strip() for v in values]
        if f.kind == Kind.TEXT:
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
                self.errors.append(f"{where}: укажите текст до {MAX_TEXT} знаков.")
                return _BAD
            return value.strip()
        if f.kind == Kind.NUMBER:
            errors: list[str] = []
            if isinstance(value, bool):
                value = None
            number = _decimal(value, where, errors)
            if number is None:
                self.errors.extend(errors or [f"{where}: укажите число."])
                return _BAD
            if f.build is not None and (Decimal(number) != int(Decimal(number)) or not 0 <= Decimal(number) <= 120):
                self.errors.append(f"{where}: укажите целое число лет от 0 до 120.")
                return _BAD
            return number
        self.errors.append(f"{where}: значение не подходит к полю.")
        return _BAD


_BAD = object()


def validate(data) -> dict:
    """The definition, normalized; raises DefinitionInvalid naming every wrong part."""
    if not isinstance(data, dict):
        raise DefinitionInvalid(["Определение показателя должно быть объектом."])
    errors: list[str] = []
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        errors.append(f"Неизвестные части определения: {', '.join(str(k)[:30] for k in unknown[:5])}.")
    code = data.get("code")
    if not isinstance(code, str) or not CODE.match(code.strip()):
        errors.append(
            "Код: от 1 до 10 знаков — буквы, цифры, точка, дефис или подчеркивание, начиная с буквы или цифры."
        )
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append("Наименование: укажите наименование показателя.")
    elif len(title) > 500:
        errors.append("Наименование: не длиннее 500 знаков.")
    direction = data.get("direction")
    if (
        isinstance(direction, bool)
        or not isinstance(direction, int | str)
        or str(direction).strip() not in {str(n) for n in range(1, 10)}
    ):
        errors.append("Направление: номер от 1 до 9.")
        direction = 0
    unit = data.get("unit")
    if unit not in Unit.values:
        errors.append(f"Единица: одна из {', '.join('«' + label + '»' for label in Unit.labels)}.")
    population = POPULATIONS.get(data.get("population")) if data.get("population") in COUNTABLE else None
    if population is None:
        errors.append(f"Совокупность: «{str(data.get('population'))[:60]}» — не из списка совокупностей.")
        raise DefinitionInvalid(errors)
    start = data.get("start") or (Level.REGION if population.region_only else Level.SCHOOL)
    if start not in Level.values:
        errors.append("Уровень: школа, муниципалитет или регион.")
    elif population.region_only and start != Level.REGION:
        errors.append(f"Уровень: совокупность «{population.label}» считается только для региона.")
    elif start == Level.SCHOOL and population.school is None and population.teacher is None:
        errors.append(f"Уровень: совокупность «{population.label}» не относится к школам; начните с муниципалитета.")
    checker = _Checker(population)
    numerator = checker.conditions(data.get("numerator", []), "Числитель", population, 0)
    denominator = checker.conditions(data.get("denominator", []), "Знаменатель", population, 0)
    errors += checker.errors
    fields = population.field_map()
    measure = data.get("measure") or ""
    if unit == Unit.AVERAGE and not measure:
        errors.append("Показатель: для среднего значения выберите числовое поле, среднее которого считается.")
    if measure:
        f = fields.get(measure)[0] if isinstance(measure, str) and measure in fields else None
        if f is None or not f.measurable:
            errors.append(f"Показатель: «{str(measure)[:60]}» — не числовое поле совокупности «{population.label}».")
        elif unit not in (Unit.AVERAGE, Unit.COUNT):
            errors.append("Показатель: числовое поле суммируется только для количества и среднего.")
    if unit == Unit.AVERAGE and numerator:
        errors.append("Числитель: для среднего значения условия задаются в знаменателе (кого учитывать).")
    if unit in (Unit.COUNT, Unit.FLAG) and denominator:
        errors.append("Знаменатель: у количества и признака наличия знаменателя нет.")
    breakdown = data.get("breakdown") or ""
    if breakdown:
        f = fields.get(breakdown)[0] if isinstance(breakdown, str) and breakdown in fields else None
        if f is None or not f.breakdown or f.kind not in (Kind.CHOICE, Kind.BOOL, Kind.TEXT):
            errors.append(f"Разрез: по полю «{str(breakdown)[:60]}» разрез не строится.")
    target = _decimal(data.get("target"), "Целевое значение", errors)
    threshold = _decimal(data.get("threshold"), "Порог тревоги", errors)
    higher = data.get("higher_is_better", True)
    if not isinstance(higher, bool):
        errors.append("Направление оценки: «чем больше, тем лучше» — да или нет.")
        higher = True
    bounds = {Unit.PERCENT: (0, 100), Unit.FLAG: (0, 1)}.get(unit, (0, None))
    for name, number in (("Целевое значение", target), ("Порог тревоги", threshold)):
        if number is None or unit not in Unit.values:
            continue
        low, high = bounds
        if Decimal(number) < low or (high is not None and Decimal(number) > high):
            span = f"от {low} до {high}" if high is not None else f"не меньше {low}"
            errors.append(f"{name}: для единицы «{Unit(unit).label}» — {span}.")
    if target is not None and threshold is not None:
        if higher and Decimal(threshold) > Decimal(target):
            errors.append(
                "Порог тревоги: выше целевого значения, а чем больше, тем лучше — порог должен быть не выше цели."
            )
        if not higher and Decimal(threshold) < Decimal(target):
            errors.append(
                "Порог тревоги: ниже целевого значения, а чем меньше, тем лучше — порог должен быть не ниже цели."
            )
    note = data.get("note") or ""
    if not isinstance(note, str) or len(note) > 2000:
        errors.append("Пояснение: текст не длиннее 2000 знаков.")
        note = ""
    if errors:
        raise DefinitionInvalid(errors)
    return {
        "code": code.strip(),
        "title": " ".join(title.split()),
        "direction": int(direction),
        "unit": unit,
        "population": population.name,
        "start": start,
        "numerator": numerator,
        "denominator": denominator,
        "measure": measure,
        "breakdown": breakdown,
        "target": target,
        "threshold": threshold,
        "higher_is_better": higher,
        "note": note.strip(),
    }
