"""Skip logic and constraints told in words, for people who read a form rather than write it.

``${role} = 'teacher' and selected(${subjects}, 'math')`` reads as «Ваша должность» =
«Учитель» и в «Предметы» выбрано «Математика»: items by their text, choices by their label.
The preview of a questionnaire shows this next to the expression itself. An expression that
does not parse is returned as it is (the checks that refuse it live in the XLSForm reader).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from deficits.questionnaire import logic

LABEL_LENGTH = 60
_SIGNS = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_PRECEDENCE = {"or": 1, "and": 2}


def condition_text(text: str, definition: dict[str, Any]) -> str:
    """``text`` (a relevant or constraint expression) in words, with the form's labels."""
    try:
        node = logic.parse(text)
    except logic.ExpressionError:
        return text
    items = {item["name"]: item for section in definition.get("sections", []) for item in section.get("items", [])}
    return _Teller(items, definition.get("choice_lists", {})).tell(node)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1].rstrip() + "…"


class _Teller:
    def __init__(self, items: dict[str, dict], lists: dict[str, list]):
        self.items, self.lists = items, lists

    def item(self, name: str) -> str:
        item = self.items.get(name)
        return f"«{_short(item['label'] or name)}»" if item else f"«{name}»"

    def literal(self, value: Any, beside: logic.Node | None = None) -> str:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if beside is not None and beside.kind == "ref" and beside.value in self.items:
            options = self.lists.get(self.items[beside.value].get("list", ""), [])
            for option in options:
                if option["name"] == value:
                    return f"«{_short(option['label'])}»"
        return f"«{value}»"

    def term(self, node: logic.Node, beside: logic.Node | None = None) -> str:
        if node.kind == "ref":
            return self.item(node.value)
        if node.kind == "self":
            return "ответ"
        if node.kind == "literal":
            return self.literal(node.value, beside)
        return self.tell(node)

    def tell(self, node: logic.Node, outer: int = 0) -> str:
        kind = node.kind
        if kind in _PRECEDENCE:
            joined = f" {'и' if kind == 'and' else 'или'} ".join(self.tell(arg, _PRECEDENCE[kind]) for arg in node.args)
            # «и» inside «или» (and the other way round) gets brackets: nobody has to know which binds first.
            return f"({joined})" if outer and outer != _PRECEDENCE[kind] else joined
        if kind == "not":
            return f"не ({self.tell(node.args[0])})"
        if kind == "call" and node.value == "selected":
            target, option = node.args
            return f"в {self.term(target)} выбрано {self.term(option, target)}"
        if kind == "call":
            return f"число выбранных в {self.term(node.args[0])}"
        if kind in _SIGNS:
            left, right = node.args
            if right.kind == "literal" and right.value == "" and kind in ("=", "!="):
                return f"на {self.term(left)} {'нет ответа' if kind == '=' else 'дан ответ'}"
            return f"{self.term(left, right)} {_SIGNS[kind]} {self.term(right, left)}"
        return self.term(node)
