"""Checking a questionnaire that did not come from a workbook (the builder's JSON), by the workbook's rules.

One set of rules: a definition is first brought to the definition format's shape (every
key present, of its type; what cannot be read is a problem naming the section and item),
then written as an XLSForm workbook and read back by ``deficits.questionnaire.xlsform`` —
the very reader an uploaded workbook meets. Its problems (sheet, row, column) are mapped
back to the section, item, choice list or scoring group that row was written from, so the
builder says «Раздел «load», вопрос «tired», условие показа: …». What is read back is the
canonical definition and scoring that an edition stores.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from deficits.questionnaire.xlsform import FormRefused, form_from_xlsform, xlsform_from_questionnaire
from deficits.questionnaire.xlsform_scoring import plain_number

ITEM_TYPES = {
    "single": "один вариант",
    "multiple": "несколько вариантов",
    "scale": "шкала",
    "number": "число",
    "date": "дата",
    "text": "строка текста",
    "long_text": "текст в несколько строк",
}
COLUMN_NAMES = {
    "type": "тип",
    "name": "имя",
    "label": "текст",
    "hint": "подсказка",
    "required": "обязательный",
    "relevant": "условие показа",
    "constraint": "ограничение",
    "constraint_message": "сообщение при нарушении",
    "parameters": "шкала",
    "list_name": "список",
    "form_title": "название",
    "form_id": "код",
    "version": "версия",
    "group": "группа",
    "item": "вопрос",
    "band": "уровень",
    "min": "от",
    "max": "до",
    "flag": "отметка",
}
MAX_SECTIONS = 100


class DefinitionRefused(Exception):
    """A definition (or scoring) that was not taken; ``problems`` are Russian, each naming its place."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def definition_check(definition: Any, scoring: Any = None) -> list[str]:
    """Problems of a definition (and scoring) from the builder; empty: it is taken as it is."""
    try:
        form_clean(definition=definition, scoring=scoring)
    except DefinitionRefused as exc:
        return exc.problems
    return []


def form_clean(*, definition: Any, scoring: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The canonical (definition, scoring) an edition stores, or DefinitionRefused with every problem."""
    shaped = _Shaper()
    clean = shaped.definition(definition)
    clean_scoring = shaped.scoring(scoring)
    if shaped.problems:
        raise DefinitionRefused(shaped.problems)
    book = xlsform_from_questionnaire(questionnaire=clean, scoring=clean_scoring)
    try:
        return form_from_xlsform(source=io.BytesIO(book), filename="анкета.xlsx", isolated=False)
    except FormRefused as exc:
        places = _places(clean, clean_scoring)
        raise DefinitionRefused([_say(problem, places) for problem in exc.problems]) from exc


def _section_place(number: int, section: Mapping[str, Any]) -> str:
    name = section["name"]
    return f"Раздел {number}" + (f" «{name}»" if name else "")


def _places(definition: dict[str, Any], scoring: dict[str, Any]) -> dict[tuple[str, int], str]:
    """(sheet, Excel row) → the place it was written from, in xlsform_from_questionnaire's order."""
    places: dict[tuple[str, int], str] = {}
    row = 1
    for number, section in enumerate(definition["sections"], start=1):
        where = _section_place(number, section)
        if section["name"]:
            row += 1
            places["survey", row] = where
        for item in section["items"]:
            row += 1
            places["survey", row] = f"{where}, вопрос «{item['name']}»"
        if section["name"]:
            row += 1
            places["survey", row] = f"{where}, конец раздела"
    row = 1
    for list_name, options in definition["choice_lists"].items():
        for option in options:
            row += 1
            places["choices", row] = f"Список вариантов «{list_name}», вариант «{option['name']}»"
    places["settings", 2] = "Анкета"
    row = 1
    for group in scoring.get("groups", []):
        for _ in range(max(1, len(group["items"]) + len(group["bands"]))):
            row += 1
            places["scoring", row] = f"Подсчет баллов, группа «{group['code']}»"
    for _ in scoring.get("bands", []):
        row += 1
        places["scoring", row] = "Подсчет баллов, общие уровни"
    return places


def _say(problem, places: dict[tuple[str, int], str]) -> str:
    if problem.sheet == "scoring" and problem.row is None:
        return f"Подсчет баллов: {problem.message}"
    place = places.get((problem.sheet, problem.row)) if problem.row is not None else None
    if place is None:
        place = "Анкета"
    if problem.column:
        found = re.search(r"«([^»]+)»", problem.column)
        column = found.group(1) if found else problem.column
        place += f", {COLUMN_NAMES.get(column, column)}"
    return f"{place}: {problem.message}"


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ""
    return " ".join(str(value).split()) if not isinstance(value, (dict, list)) else ""


class _Shaper:
    """Brings posted JSON to the definition format's shape, naming what cannot be read."""

    def __init__(self):
        self.problems: list[str] = []

    def definition(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            self.problems.append("Анкета не прочитана: ожидается описание анкеты.")
            return {"title": "", "form_id": "", "version": "", "sections": [], "choice_lists": {}}
        lists = self.choice_lists(data.get("choice_lists"))
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            self.problems.append("В анкете нет ни одного раздела.")
            raw_sections = []
        if len(raw_sections) > MAX_SECTIONS:
            self.problems.append(f"В анкете больше {MAX_SECTIONS} разделов.")
            raw_sections = raw_sections[:MAX_SECTIONS]
        sections = []
        for number, raw in enumerate(raw_sections, start=1):
            section = self.section(number, raw, lists)
            if section is None:
                continue
            where = _section_place(number, section)
            if not section["name"]:
                if section["title"] or section["relevant"]:
                    self.problems.append(f"{where}: у раздела с заголовком или условием должно быть имя.")
                elif sections and not sections[-1]["name"]:
                    self.problems.append(f"{where}: укажите имя раздела (без имени может быть только первый).")
                elif not section["items"]:
                    self.problems.append(f"{where}: в разделе нет вопросов.")
            sections.append(section)
        used = {item["list"] for section in sections for item in section["items"] if "list" in item}
        return {
            "title": _str(data.get("title")) or "Анкета",
            "form_id": _str(data.get("form_id")),
            "version": _str(data.get("version")),
            "sections": sections,
            "choice_lists": {name: options for name, options in lists.items() if name in used},
        }

    def choice_lists(self, data: Any) -> dict[str, list[dict[str, str]]]:
        if data in (None, ""):
            return {}
        if not isinstance(data, Mapping):
            self.problems.append("Списки вариантов не прочитаны.")
            return {}
        lists = {}
        for name, options in data.items():
            if not isinstance(options, list):
                self.problems.append(f"Список вариантов «{name}»: не прочитан.")
                continue
            lists[_str(name)] = [
                {"name": _str(o.get("name")), "label": _str(o.get("label"))} for o in options if isinstance(o, Mapping)
            ]
        return lists

    def section(self, number: int, data: Any, lists) -> dict[str, Any] | None:
        if not isinstance(data, Mapping):
            self.problems.append(f"Раздел {number}: не прочитан.")
            return None
        section = {
            "name": _str(data.get("name")),
            "title": _str(data.get("title")),
            "relevant": _str(data.get("relevant")),
            "items": [],
        }
        where = _section_place(number, section)
        items = data.get("items")
        if not isinstance(items, list):
            items = []
        for index, raw in enumerate(items, start=1):
            item = self.item(f"{where}, вопрос {index}", raw, lists)
            if item is not None:
                section["items"].append(item)
        return section

    def item(self, where: str, data: Any, lists) -> dict[str, Any] | None:
        if not isinstance(data, Mapping):
            self.problems.append(f"{where}: не прочитан.")
            return None
        kind = _str(data.get("type"))
        name = _str(data.get("name"))
        if name:
            where = f"{where} «{name}»"
        if kind not in ITEM_TYPES:
            self.problems.append(f"{where}: неизвестный тип вопроса «{kind}».")
            return None
        item: dict[str, Any] = {"type": kind}
        if kind in ("single", "multiple"):
            item["list"] = _str(data.get("list"))
            if not item["list"]:
                self.problems.append(f"{where}: не выбран список вариантов.")
                return None
            if item["list"] not in lists or not lists[item["list"]]:
                self.problems.append(f"{where}: в списке вариантов «{item['list']}» нет ни одного варианта.")
                return None
        elif kind == "scale":
            for key, default in (("start", 1), ("end", 5), ("step", 1)):
                value = plain_number(data.get(key, default))
                if not isinstance(value, int):
                    self.problems.append(f"{where}: границы и шаг шкалы — целые числа.")
                    return None
                item[key] = value
        elif kind == "number":
            item["integer"] = bool(data.get("integer", True))
        item.update(
            name=name,
            label=_str(data.get("label")),
            hint=_str(data.get("hint")),
            required=data.get("required") is True,
            relevant=_str(data.get("relevant")),
            constraint=_str(data.get("constraint")),
            constraint_message=_str(data.get("constraint_message")),
        )
        return item

    def scoring(self, data: Any) -> dict[str, Any]:
        # None (no scoring given) and an explicit {} mean "not scored"; anything else must be an
        # object of groups and bands, every part of the right shape: a part that is not is named,
        # never dropped silently (an edition saved without the scoring someone meant to send).
        if data is None or (isinstance(data, Mapping) and not data):
            return {}
        if not isinstance(data, Mapping):
            self.problems.append(
                f"Подсчет баллов не прочитан: ожидается описание групп и уровней, а пришло {_kind(data)}."
            )
            return {}
        for key in sorted(set(data) - {"groups", "bands"}, key=str):
            self.problems.append(f"Подсчет баллов: неизвестное поле «{key}».")
        # Present but null is not "absent": a sender meant something there.
        for key, what in (("groups", "группы"), ("bands", "общие уровни")):
            if key in data and data[key] is None:
                self.problems.append(
                    f"Подсчет баллов: {what} не прочитаны: ожидается список, а пришло пустое значение."
                )
        groups = []
        raw_groups = self.listed("Подсчет баллов: группы", data.get("groups"), "список групп")
        for number, raw in enumerate(raw_groups, start=1):
            if not isinstance(raw, Mapping):
                self.problems.append(f"Подсчет баллов, группа {number}: не прочитана.")
                continue
            code = _str(raw.get("code"))
            where = f"Подсчет баллов, группа {number}" + (f" «{code}»" if code else "")
            if not code:
                self.problems.append(f"{where}: не указан код группы.")
                continue
            if any(group["code"] == code for group in groups):
                self.problems.append(f"{where}: код группы повторяется.")
                continue
            items = self.listed(f"{where}: вопросы группы", raw.get("items"), "список имен вопросов")
            groups.append(
                {
                    "code": code,
                    "name": _str(raw.get("name")),
                    "items": [_str(name) for name in items if _str(name)],
                    "bands": self.bands(where, raw.get("bands")),
                }
            )
        bands = self.bands("Подсчет баллов, общие уровни", data.get("bands"))
        if not groups and not bands:
            return {}
        return {"groups": groups, "bands": bands}

    def listed(self, what: str, data: Any, expected: str) -> list[Any]:
        """``data`` when it is a list (absent: empty); otherwise a problem naming ``what`` and an empty list."""
        if data is None:
            return []
        if not isinstance(data, list):
            self.problems.append(f"{what} не прочитаны: ожидается {expected}, а пришло {_kind(data)}.")
            return []
        return data

    def bands(self, where: str, data: Any) -> list[dict[str, Any]]:
        bands = []
        for number, raw in enumerate(self.listed(f"{where}: уровни", data, "список уровней"), start=1):
            if not isinstance(raw, Mapping):
                self.problems.append(f"{where}: уровень {number} не прочитан.")
                continue
            name = _str(raw.get("name"))
            low, high = plain_number(raw.get("min")), plain_number(raw.get("max"))
            if not name:
                self.problems.append(f"{where}: у уровня не указано название.")
            elif low is None or high is None:
                self.problems.append(f"{where}: у уровня «{name}» границы должны быть числами.")
            else:
                bands.append({"name": name, "min": low, "max": high, "flag": raw.get("flag") is True})
        return bands


def _kind(value: Any) -> str:
    """What a JSON value is, in Russian (for a message saying what came instead of what was expected)."""
    if value is None:
        return "пустое значение (null)"
    if isinstance(value, bool):
        return "логическое значение"
    if isinstance(value, int | float):
        return "число"
    if isinstance(value, str):
        return "строка"
    if isinstance(value, list | tuple):
        return "список"
    return "значение другого вида"
