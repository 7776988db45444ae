"""Skip logic and constraints of a questionnaire: the XLSForm expression language, a closed subset.

An XLSForm's ``relevant`` column says when an item (or a section) is shown, from earlier
answers: ``${role} = 'teacher' and selected(${subjects}, 'math')``; its ``constraint``
column says what a number may be, with ``.`` for the answer itself: ``. >= 0 and . <= 60``.
Such a text is parsed here into a small tree (``parse``) and evaluated on the answers
(``holds``). Nothing is ever handed to Python's own evaluation: the grammar below is all
there is.

    expression := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" "(" expression ")" | comparison
    comparison := term (("=" | "!=" | "<" | "<=" | ">" | ">=") term)?
    term       := "${" name "}" | "." | number | 'text' | "text" | call | "(" expression ")"
    call       := ("selected" "(" term "," term ")") | ("count-selected" "(" term ")")

An unanswered item reads as the empty text, as in ODK: ``${q} = ''`` holds until it is answered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# Longer than any skip rule a methodologist writes; bounds the parser's work on a hostile cell.
MAX_LENGTH = 1000
MAX_DEPTH = 20

_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)\})|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<text>'[^']*'|\"[^\"]*\")|(?P<op>!=|<=|>=|=|<|>|\(|\)|,)"
    r"|(?P<word>count-selected|selected|and|or|not)\b|(?P<dot>\.))"
)
_COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}


class ExpressionError(ValueError):
    """An expression that does not parse; the message is Russian and says where."""


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: ``kind`` is ref, self, literal, call, not, and, or or a comparison."""

    kind: str
    value: Any = None
    args: tuple[Node, ...] = ()


def parse(text: str) -> Node:
    """The tree of ``text``, or ExpressionError naming the place that is wrong."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"условие длиннее {MAX_LENGTH} символов")
    tokens = _tokens(text)
    parser = _Parser(tokens, text)
    node = parser.expression(0)
    if parser.position < len(tokens):
        raise ExpressionError(f"лишнее в условии: «{tokens[parser.position][1]}»")
    return node


def references(node: Node) -> set[str]:
    """The item names an expression reads."""
    found = {node.value} if node.kind == "ref" else set()
    for arg in node.args:
        found |= references(arg)
    return found


def reads_itself(node: Node) -> bool:
    """Whether the expression uses ``.`` (the answer being checked)."""
    return node.kind == "self" or any(reads_itself(arg) for arg in node.args)


def holds(node: Node, answers: Mapping[str, Any], own: Any = None) -> bool:
    """Whether the expression holds for ``answers`` (``own``: the value ``.`` stands for)."""
    return bool(_value(node, answers, own))


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            bad = text[position:].strip()[:20]
            raise ExpressionError(f"непонятное место в условии: «{bad}»")
        kind = match.lastgroup if match.lastgroup != "name" else "ref"
        value = match.group("name") if kind == "ref" else match.group(kind).strip()
        tokens.append((kind, value))
        position = match.end()
    if not tokens:
        raise ExpressionError("условие пустое")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str):
        self.tokens = tokens
        self.position = 0
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("условие оборвано: " + (f"ожидается «{value}»" if value else "ожидается значение"))
        if value is not None and token[1] != value:
            raise ExpressionError(f"ожидается «{value}», а написано «{token[1]}»")
        self.position += 1
        return token

    def expression(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise ExpressionError(f"в условии больше {MAX_DEPTH} уровней скобок")
        node = self.conjunction(depth)
        while self.peek() == ("word", "or"):
            self.take()
            node = Node("or", args=(node, self.conjunction(depth)))
        return node

    def conjunction(self, depth: int) -> Node:
        node = self.negation(depth)
        while self.peek() == ("word", "and"):
            self.take()
            node = Node("and", args=(node, self.negation(depth)))
        return node

    def negation(self, depth: int) -> Node:
        if self.peek() == ("word", "not"):
            self.take()
            self.take("(")
            inner = self.expression(depth + 1)
            self.take(")")
            return Node("not", args=(inner,))
        return self.comparison(depth)

    def comparison(self, depth: int) -> Node:
        left = self.term(depth)
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in _COMPARISONS:
            self.take()
            return Node(token[1], args=(left, self.term(depth)))
        return left

    def term(self, depth: int) -> Node:
        kind, value = self.take()
        if kind == "ref":
            return Node("ref", value)
        if kind == "dot":
            return Node("self")
        if kind == "number":
            return Node("literal", Decimal(value))
        if kind == "text":
            return Node("literal", value[1:-1])
        if kind == "word" and value in ("selected", "count-selected"):
            self.take("(")
            args = [self.term(depth + 1)]
            if value == "selected":
                self.take(",")
                args.append(self.term(depth + 1))
            self.take(")")
            return Node("call", value, tuple(args))
        if (kind, value) == ("op", "("):
            inner = self.expression(depth + 1)
            self.take(")")
            return inner
        raise ExpressionError(f"ожидается значение, а написано «{value}»")


def _value(node: Node, answers: Mapping[str, Any], own: Any) -> Any:
    kind = node.kind
    if kind == "ref":
        return _blank(answers.get(node.value))
    if kind == "self":
        return _blank(own)
    if kind == "literal":
        return node.value
    if kind == "not":
        return not _value(node.args[0], answers, own)
    if kind == "and":
        return all(_value(arg, answers, own) for arg in node.args)
    if kind == "or":
        return any(_value(arg, answers, own) for arg in node.args)
    if kind == "call":
        chosen = _value(node.args[0], answers, own)
        chosen = chosen if isinstance(chosen, list) else ([] if chosen == "" else [chosen])
        if node.value == "count-selected":
            return Decimal(len(chosen))
        return str(_value(node.args[1], answers, own)) in {str(c) for c in chosen}
    left, right = (_value(arg, answers, own) for arg in node.args)
    return _compare(kind, left, right)


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _compare(op: str, left: Any, right: Any) -> bool:
    # Numbers compare as numbers when both sides read as one; otherwise as texts (dates in
    # ISO form compare rightly as texts too).
    a, b = _number(left), _number(right)
    if a is None or b is None:
        a, b = str(left), str(right)
        if op in ("<", "<=", ">", ">=") and ("" in (a, b)):
            return False  # an unanswered item is neither more nor less than anything
    return {
        "=": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or isinstance(value, list):
        return None
    if isinstance(value, Decimal | int | float):
        return Decimal(str(value))
    if isinstance(value, str) and value.strip():
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None
