"""Answers checked against a questionnaire's form: types, required items, skip logic, constraints.

``answers_clean`` walks the form in its order, the way the person meets it: a section or
an item whose ``relevant`` does not hold for the answers given so far (earlier, shown
ones only) is not shown, so it is not required and whatever answer it had is dropped —
a changed earlier answer that hides a later item leaves no trace of the old answer.
Each shown item's answer is read for its type (what a browser posts: texts and lists of
texts; or what was stored: numbers, lists), checked, and kept in the stored form:

- single: the chosen option's name; multiple: a list of names in the list's order;
- scale: an integer on the scale's step; number: an integer or a decimal (``float``);
- date: "YYYY-MM-DD"; text and long text: the text, stripped, without control characters.

A single-valued item posted with several different values is refused, never read as one of them.

Expressions are parsed once per definition (``form_compile``, cached by the definition's
digest, so an edition still being edited is never read through a stale cache).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from deficits.questionnaire.logic import ExpressionError, Node, holds, parse

REQUIRED = "Ответьте на этот вопрос"
CONSTRAINT_DEFAULT = "Ответ не подходит под условие вопроса. Проверьте его."
TEXT_MAX = 1000
LONG_TEXT_MAX = 10000
# Sane bounds of a number answer: counts, hours, years, shares — never beyond these.
NUMBER_MAX = Decimal("1000000000")
NUMBER_PLACES = 6
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
_CACHE_SIZE = 64


@dataclass(frozen=True)
class Item:
    name: str
    type: str
    label: str
    hint: str
    required: bool
    relevant: Node | None
    constraint: Node | None
    constraint_message: str
    choices: tuple[tuple[str, str], ...] = ()
    start: int = 0
    end: int = 0
    step: int = 1
    integer: bool = True
    # The source texts of the expressions (shown to no one; sent to the page's script parsed).
    relevant_text: str = ""

    @property
    def points(self) -> list[int]:
        return list(range(self.start, self.end + 1, self.step)) if self.type == "scale" else []


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    relevant: Node | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Form:
    title: str
    sections: tuple[Section, ...]

    def item(self, name: str) -> Item | None:
        for section in self.sections:
            for item in section.items:
                if item.name == name:
                    return item
        return None


@dataclass
class Walk:
    """What the answers make of the form: the stored answers, errors, and what is shown."""

    clean: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    sections: list[int] = field(default_factory=list)  # indexes of the shown sections
    items: set[str] = field(default_factory=set)  # names of the shown items


_compiled: OrderedDict[str, Form] = OrderedDict()


def _expression(text: Any) -> Node | None:
    text = str(text or "").strip()
    if not text:
        return None
    try:
        return parse(text)
    except ExpressionError:
        # A stored definition was checked when it was imported or saved; an expression that
        # no longer parses hides nothing and constrains nothing rather than breaking the form.
        return None


def _item(raw: Mapping[str, Any], lists: Mapping[str, Any]) -> Item:
    kind = raw["type"]
    extra: dict[str, Any] = {}
    if kind in ("single", "multiple"):
        extra["choices"] = tuple((str(c["name"]), str(c["label"])) for c in lists.get(raw.get("list"), []))
    elif kind == "scale":
        extra.update(start=int(raw["start"]), end=int(raw["end"]), step=max(1, int(raw.get("step") or 1)))
    elif kind == "number":
        extra["integer"] = bool(raw.get("integer", True))
    return Item(
        name=raw["name"],
        type=kind,
        label=str(raw.get("label") or raw["name"]),
        hint=str(raw.get("hint") or ""),
        required=bool(raw.get("required")),
        relevant=_expression(raw.get("relevant")),
        constraint=_expression(raw.get("constraint")),
        constraint_message=str(raw.get("constraint_message") or ""),
        relevant_text=str(raw.get("relevant") or ""),
        **extra,
    )


def _digest(definition: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def form_compile(definition: Mapping[str, Any]) -> Form:
    """The definition with its expressions parsed (cached by the definition's content)."""
    key = _digest(definition)
    form = _compiled.get(key)
    if form is not None:
        _compiled.move_to_end(key)
        return form
    lists = definition.get("choice_lists") or {}
    form = Form(
        title=str(definition.get("title") or ""),
        sections=tuple(
            Section(
                name=str(section.get("name") or ""),
                title=str(section.get("title") or ""),
                relevant=_expression(section.get("relevant")),
                items=tuple(_item(item, lists) for item in section.get("items", [])),
            )
            for section in definition.get("sections", [])
        ),
    )
    _compiled[key] = form
    while len(_compiled) > _CACHE_SIZE:
        _compiled.popitem(last=False)
    return form


def _blank(value: Any) -> bool:
    if value is None or value == [] or value == ():
        return True
    return isinstance(value, str) and not value.strip()


# C0 control characters but tab and newline (PostgreSQL's jsonb cannot even hold NUL), and
# lone surrogates (no UTF-8 for them): never part of an answer, dropped from what is stored.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")


def without_controls(text: str) -> str:
    """``text`` without control characters (a Windows line break becomes a newline first)."""
    return CONTROL.sub("", text.replace("\r\n", "\n"))


def _one(value: Any) -> tuple[Any, bool]:
    """(the single value posted, whether more than one different value was posted instead)."""
    if isinstance(value, list | tuple):
        given = list(dict.fromkeys(v for v in value if not _blank(v)))
        if len(given) > 1:
            return None, True
        return (given[0] if given else None), False
    return value, False


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    text = str(value).strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    if not text.isascii():
        # Decimal() takes any script's digits ("٣", "３"); a number field takes 0-9 only, as the
        # browser's number input does, so such an answer is refused with the field's usual message.
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def answer_read(item: Item, value: Any) -> tuple[Any, str | None]:
    """One answer in its stored form, or (None, the Russian reason it is refused); blank is (None, None)."""
    # Read as the draft keeps it (responding._draft_bounded): without control characters.
    if isinstance(value, str):
        value = without_controls(value)
    elif isinstance(value, list | tuple):
        value = [without_controls(v) if isinstance(v, str) else v for v in value]
    if item.type == "multiple":
        values = value if isinstance(value, list | tuple) else ([] if _blank(value) else [value])
        chosen = [str(v) for v in values if not _blank(v)]
        if not chosen:
            return None, None
        names = [name for name, _ in item.choices]
        if any(c not in names for c in chosen):
            return None, "Выберите варианты из предложенных."
        if len(set(chosen)) != len(chosen):
            return None, "Каждый вариант можно выбрать один раз."
        return [name for name in names if name in chosen], None
    value, several = _one(value)
    if several:
        return None, "Выберите один вариант." if item.type == "single" else "Введите один ответ."
    if _blank(value):
        return None, None
    if item.type == "single":
        if str(value) not in {name for name, _ in item.choices}:
            return None, "Выберите один из предложенных вариантов."
        return str(value), None
    if item.type == "scale":
        number = _decimal(value)
        if number is None or number != number.to_integral_value() or int(number) not in item.points:
            return None, f"Выберите значение шкалы от {item.start} до {item.end}."
        return int(number), None
    if item.type == "number":
        number = _decimal(value)
        if number is None:
            return None, "Введите число." if not item.integer else "Введите целое число."
        if item.integer and number != number.to_integral_value():
            return None, "Введите целое число."
        if abs(number) > NUMBER_MAX:
            return None, "Слишком большое число."
        if item.integer:
            return int(number), None
        if number.as_tuple().exponent < -NUMBER_PLACES:  # type: ignore[operator]
            return None, f"Не больше {NUMBER_PLACES} знаков после запятой."
        return (int(number) if number == number.to_integral_value() else float(number)), None
    if item.type == "date":
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            return None, "Введите дату в виде ГГГГ-ММ-ДД."
        if not DATE_MIN <= day <= DATE_MAX:
            return None, f"Дата должна быть между {DATE_MIN:%d.%m.%Y} и {DATE_MAX:%d.%m.%Y}."
        return day.isoformat(), None
    if item.type in ("text", "long_text"):
        text = without_controls(str(value)).strip()
        if not text:
            return None, None  # nothing but control characters: no answer
        limit = TEXT_MAX if item.type == "text" else LONG_TEXT_MAX
        if len(text) > limit:
            return None, f"Ответ длиннее {limit} символов: сократите его."
        return text, None
    return None, "Вопрос неизвестного типа."


def answers_walk(*, form: Form, answers: Mapping[str, Any]) -> Walk:
    """Walk the form in order over ``answers``: what is shown, stored and refused."""
    walk = Walk()
    for index, section in enumerate(form.sections):
        if section.relevant is not None and not holds(section.relevant, walk.clean):
            continue
        walk.sections.append(index)
        for item in section.items:
            if item.relevant is not None and not holds(item.relevant, walk.clean):
                continue
            walk.items.add(item.name)
            value, error = answer_read(item, answers.get(item.name))
            if error is None and value is None and item.required:
                error = REQUIRED
            if error is None and value is not None and item.constraint is not None:
                if not holds(item.constraint, walk.clean, own=value):
                    error = item.constraint_message or CONSTRAINT_DEFAULT
            if error is not None:
                walk.errors[item.name] = error
            elif value is not None:
                walk.clean[item.name] = value
    return walk


def answers_clean(
    *, definition: Mapping[str, Any], answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(the answers to store, item name → Russian error); hidden items' answers and unknown names dropped."""
    walk = answers_walk(form=form_compile(definition), answers=answers)
    return walk.clean, walk.errors


def expression_json(node: Node | None) -> Any:
    """A parsed expression as plain JSON for the page's script (which evaluates the same subset)."""
    if node is None:
        return None
    value = node.value
    if isinstance(value, Decimal):
        value = {"n": str(value)}
    return {"k": node.kind, "v": value, "a": [expression_json(arg) for arg in node.args]}
