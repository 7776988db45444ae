"""The vocabulary's terms: kinds of fields, the operators each takes, and what a field is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


class Kind:
    BOOL = "bool"
    CHOICE = "choice"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    TAG = "tag"


# Operators each kind of field takes, with the words the builder shows.
OPERATORS: dict[str, dict[str, str]] = {
    Kind.BOOL: {"is": "равно"},
    Kind.CHOICE: {"in": "одно из", "not_in": "ни одно из"},
    Kind.TAG: {"in": "одна из", "not_in": "ни одна из"},
    Kind.NUMBER: {
        "eq": "=",
        "gte": "≥",
        "gt": ">",
        "lte": "≤",
        "lt": "<",
        "empty": "не указано",
        "filled": "указано",
    },
    # «ни одно из»: seed 002 counts programs taken «в сторонних организациях» (a provider none of a list).
    Kind.TEXT: {
        "eq": "равно",
        "contains": "содержит",
        "in": "одно из",
        "filled": "указано",
        "empty": "не указано",
        "not_in": "ни одно из",
    },
    Kind.DATE: {
        "in_period": "в году периода",
        "until_period_end": "не позже конца года периода",
        "before_period": "до начала года периода",
        "within_years": "за N лет до конца периода",
        "within_years_of_reference": "за N лет до отчетной даты",
        "filled": "указана",
        "empty": "не указана",
    },
}
# Operators that take no value, and those whose value is a whole number of years.
NO_VALUE = {"empty", "filled", "in_period", "until_period_end", "before_period"}
YEARS = {"within_years", "within_years_of_reference"}
LIST_OPS = frozenset({"in", "not_in"})  # operators whose value is a list, on text fields too


@dataclass(frozen=True)
class Field:
    """A field of an entity: its name in definitions, the label users read, where it is in the ORM."""

    name: str
    label: str
    kind: str
    path: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    # Fields that are not a column (a teacher's age, a program's topic tag): build the filter.
    build: Callable[..., Q] | None = None
    # Whether the field can break an indicator down (choices, flags and short texts can).
    breakdown: bool = True

    @property
    def measurable(self) -> bool:
        return self.kind == Kind.NUMBER and self.build is None


def choices_of(text_choices) -> tuple[tuple[str, str], ...]:
    return tuple(text_choices.choices)
