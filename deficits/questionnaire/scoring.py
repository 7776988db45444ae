"""Optional scoring of a questionnaire: sums per group of items, and the band each sum falls in.

The same rule as the deficit diagnostic's (``deficits.scoring``: a group's score is the sum
of its items, its level the band the score falls in, a flagged band marks the group),
written for a questionnaire's JSON definition. The scoring of an edition is::

    {"groups": [{"code": "ЭИ", "name": "Эмоциональное истощение", "items": ["q1", "q2"],
                 "bands": [{"name": "высокий", "min": 12, "max": 18, "flag": true}, …]}, …],
     "bands": […]}   # used by a group without bands of its own

An item counts with its answer's number: a scale's or a number's value, a single choice's
name when it is a number («0»…«4»), a multiple choice's count of options. An unanswered
item (skipped by the form's logic) adds nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_GROUPS = 50


class ScoringError(ValueError):
    """A scoring that does not fit its form (Russian message naming the place)."""


def _bands(group: Mapping[str, Any], scoring: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(group.get("bands") or scoring.get("bands") or [])


def scoring_check(*, definition: Mapping[str, Any], scoring: Mapping[str, Any]) -> list[str]:
    """Problems of a scoring against its form (empty: it fits); an empty scoring fits every form."""
    if not scoring:
        return []
    problems: list[str] = []
    items = {item["name"]: item for section in definition.get("sections", []) for item in section["items"]}
    groups = scoring.get("groups")
    if not isinstance(groups, list) or not groups:
        return ["В подсчете баллов нет ни одной группы вопросов."]
    if len(groups) > MAX_GROUPS:
        problems.append(f"Групп в подсчете баллов больше {MAX_GROUPS}.")
    seen: set[str] = set()
    for number, group in enumerate(groups, start=1):
        code = str(group.get("code") or "").strip() if isinstance(group, Mapping) else ""
        where = f"Группа {number}" + (f" «{code}»" if code else "")
        if not code:
            problems.append(f"{where}: не указан код группы.")
            continue
        if code in seen:
            problems.append(f"{where}: код группы повторяется.")
        seen.add(code)
        names = group.get("items")
        if not isinstance(names, list) or not names:
            problems.append(f"{where}: не указаны вопросы группы.")
            names = []
        for name in names:
            item = items.get(name)
            if item is None:
                problems.append(f"{where}: вопроса «{name}» в анкете нет.")
            elif item["type"] not in ("scale", "number", "single", "multiple"):
                problems.append(f"{where}: вопрос «{name}» — текст или дата, баллы по нему не считаются.")
        bands = _bands(group, scoring)
        for band in bands:
            try:
                low, high = Decimal(str(band["min"])), Decimal(str(band["max"]))
            except (KeyError, TypeError, InvalidOperation):
                problems.append(f"{where}: у уровня «{band.get('name', '')}» не заданы границы числами.")
                continue
            if not str(band.get("name") or "").strip():
                problems.append(f"{where}: у уровня {low}–{high} нет названия.")
            if low > high:
                problems.append(f"{where}: у уровня «{band['name']}» нижняя граница больше верхней.")
        ordered = sorted(
            (b for b in bands if isinstance(b, Mapping) and "min" in b and "max" in b),
            key=lambda b: Decimal(str(b["min"])) if _is_number(b["min"]) else Decimal(0),
        )
        for left, right in itertools.pairwise(ordered):
            if (
                _is_number(left["max"])
                and _is_number(right["min"])
                and Decimal(str(right["min"])) <= Decimal(str(left["max"]))
            ):
                problems.append(f"{where}: уровни «{left['name']}» и «{right['name']}» пересекаются.")
    return problems


def _is_number(value: Any) -> bool:
    try:
        Decimal(str(value))
    except InvalidOperation:
        return False
    return True


def item_points(item: Mapping[str, Any], answer: Any) -> Decimal | None:
    """What one answer adds to its group (None: nothing — unanswered or not a number)."""
    if answer is None or answer == "" or answer == []:
        return None
    if item["type"] == "multiple":
        return Decimal(len(answer)) if isinstance(answer, list) else None
    try:
        return Decimal(str(answer))
    except InvalidOperation:
        return None


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def score_answers(
    *, definition: Mapping[str, Any], scoring: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Group code → {"score", "level", "flag"}; empty without scoring. The level is "" outside every band."""
    if not scoring:
        return {}
    items = {item["name"]: item for section in definition.get("sections", []) for item in section["items"]}
    out: dict[str, dict[str, Any]] = {}
    for group in scoring.get("groups", []):
        total = Decimal(0)
        for name in group["items"]:
            points = item_points(items[name], answers.get(name)) if name in items else None
            if points is not None:
                total += points
        level, flag = "", False
        for band in _bands(group, scoring):
            if Decimal(str(band["min"])) <= total <= Decimal(str(band["max"])):
                level, flag = str(band["name"]), bool(band.get("flag"))
                break
        out[str(group["code"])] = {"score": _plain(total), "level": level, "flag": flag}
    return out
