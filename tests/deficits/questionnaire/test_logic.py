"""Skip logic and constraints (deficits.questionnaire.logic): what parses, what it means, what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deficits.questionnaire.logic import ExpressionError, holds, parse, reads_itself, references


@pytest.mark.parametrize(
    ("text", "answers", "expected"),
    [
        ("${role} = 'teacher'", {"role": "teacher"}, True),
        ("${role} = 'teacher'", {"role": "head"}, False),
        ("${role} != 'teacher'", {}, True),  # unanswered reads as the empty text
        ("${role} = ''", {}, True),
        ("${years} >= 3", {"years": 5}, True),
        ("${years} >= 3", {"years": "2"}, False),
        ("${years} > 3", {}, False),  # unanswered is neither more nor less than a number
        ("${years} < 3", {}, False),
        ("selected(${subjects}, 'math')", {"subjects": ["math", "art"]}, True),
        ("selected(${subjects}, 'math')", {"subjects": ["art"]}, False),
        ("count-selected(${subjects}) >= 2", {"subjects": ["math", "art"]}, True),
        ("not(selected(${subjects}, 'math'))", {"subjects": []}, True),
        ("${a} = 'x' and ${b} = 'y' or ${c} = 'z'", {"c": "z"}, True),
        ("${a} = 'x' and (${b} = 'y' or ${c} = 'z')", {"c": "z"}, False),
        ("${day} >= '2025-01-01'", {"day": "2025-03-01"}, True),
        ('${role} = "head"', {"role": "head"}, True),
        ("${score} = 4", {"score": 4.0}, True),
    ],
)
def test_expressions_mean_what_xlsform_says(text, answers, expected):
    assert holds(parse(text), answers) is expected


def test_a_constraint_reads_the_answer_itself():
    rule = parse(". >= 0 and . <= 60")
    assert reads_itself(rule) and not references(rule)
    assert holds(rule, {}, own=Decimal("12"))
    assert not holds(rule, {}, own=61)
    assert not holds(rule, {}, own=-1)


def test_references_are_the_items_read():
    assert references(parse("${a} = 1 and selected(${b}, 'x') or not(${c} = '')")) == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "пустое"),
        ("${a} =", "оборвано"),
        ("${a} = 1)", "лишнее"),
        ("${a} == 1", "ожидается значение"),
        ("__import__('os').system('x')", "непонятное место"),
        ("${a} + 1 = 2", "непонятное место"),
        ("selected(${a})", "ожидается «,»"),
        ("not ${a} = 1", r"ожидается «\(»"),
        ("(" * 30 + "${a} = 1" + ")" * 30, "уровней скобок"),
        ("${a} = '" + "x" * 1000 + "'", "длиннее"),
    ],
)
def test_what_does_not_parse_is_refused_with_a_russian_reason(text, said):
    with pytest.raises(ExpressionError, match=said):
        parse(text)
