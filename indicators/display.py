"""How an indicator's numbers read on the dashboards: a value with its unit, a change with its unit, the scale.

The catalog says what an indicator measures (``count``, ``percent``, ``average``,
``flag``); a reader needs more: «75 %», «+18 п.п.» for a change of a percentage,
«2,55 из 4» for a score, «15 человек» or «3 организации» for a count. This module
turns a definition and a number into those words; the templates call it through the
``indicator_units`` filters, the charts through :func:`axis`. It computes nothing.

It also names where a value stands against the period's target and alert threshold
(:func:`standing`), which colours the rows and fills the legend.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.translation import ngettext

from indicators.models import PeriodIndicator, Unit
from indicators.registry import Definition

NBSP = "\u00a0"
MINUS = "\u2212"

# The digital-environment scores (direction 4): each school rates itself 0–4.
SCORE_MAX = {"4.3": 4, "4.4": 4, "4.5": 4, "4.6": 4}


# What a count counts, by indicator. Each noun is a function of an integer so that the
# Russian plural comes from Django's catalog (ngettext), not from hand-made endings.
def _people(n: int) -> str:
    return ngettext("человек", "человек", n)


def _organisations(n: int) -> str:
    return ngettext("организация", "организаций", n)


def _programs(n: int) -> str:
    return ngettext("программа", "программ", n)


def _projects(n: int) -> str:
    return ngettext("проект", "проектов", n)


def _associations(n: int) -> str:
    return ngettext("объединение", "объединений", n)


def _events(n: int) -> str:
    return ngettext("мероприятие", "мероприятий", n)


def _points(n: int) -> str:
    return ngettext("балл", "баллов", n)


def _units(n: int) -> str:
    return "ед."  # staff positions and vacancies: the statistical form's own abbreviation


COUNT_NOUNS: dict[str, Callable[[int], str]] = {
    "1.1": _people,
    "1.3": _organisations,
    "1.4": _programs,
    "1.5": _people,
    "2.1": _people,
    "2.3": _organisations,
    "2.7": _people,
    "4.2": _people,
    "5.1": _people,
    "5.2": _people,
    "6.1": _people,
    "6.2": _people,
    "6.3": _people,
    "7.1": _projects,
    "7.3": _programs,
    "8.1": _associations,
    "8.2": _people,
    "8.3": _events,
    "8.4": _events,
    "9.6": _units,
    "9.7": _units,
    "9.8": _people,
    "9.9": _units,
    "9.10": _units,
}

# What a declarative count counts, by the population of its rows (indicators.engine tags it «counts:…»).
POPULATION_NOUNS: dict[str, Callable[[int], str]] = {
    "teachers": _people,
    "activists": _people,
    "association_members": _people,
    "project_participants": _people,
    "schools": _organisations,
    "programs": _programs,
    "mentoring_programs": _programs,
    "associations": _associations,
    "association_events": _events,
    "route_activities": _events,
}


def _count_noun(defn: Definition) -> Callable[[int], str] | None:
    if not defn.declarative:
        return COUNT_NOUNS.get(defn.code)
    counted = next((t.split(":", 1)[1] for t in defn.tags if t.startswith("counts:")), "")
    return POPULATION_NOUNS.get(counted)


def _score_max(defn: Definition) -> int | None:
    """The maximum of a coded self-assessment score (a declarative code never names a coded one)."""
    return None if defn.declarative else SCORE_MAX.get(defn.code)


# A fractional number takes the genitive singular in Russian («2,5 балла», «0,5 ставки»).
_FRACTION_FORMS = {_points: "балла", _people: "человека", _units: "ед."}


def _number(value: Decimal | float | int) -> str:
    """«2,55», «75», «1,3»: the locale's decimal comma, rounded to hundredths, no trailing zeros."""
    rounded = Decimal(str(value)).quantize(Decimal("0.01"))
    places = next(p for p in (0, 1, 2) if rounded == rounded.quantize(Decimal(1).scaleb(-p)))
    return floatformat(rounded, places)


def _noun(noun: Callable[[int], str], value: Decimal | float | int) -> str:
    number = Decimal(str(value))
    if number != number.to_integral_value():
        return _FRACTION_FORMS.get(noun, noun(5))
    return noun(int(abs(number)))


def value_text(defn: Definition, value: Decimal | float | int | None) -> str:
    """The value as a reader reads it: «75 %», «2,55 из 4», «15 человек», «есть»; «—» when empty."""
    if value is None:
        return "—"
    if defn.unit == Unit.FLAG:
        return "есть" if value else "нет"
    text = _number(value)
    if defn.unit == Unit.PERCENT:
        return f"{text}{NBSP}%"
    if _score_max(defn):
        return f"{text} из{NBSP}{_score_max(defn)}"
    noun = _count_noun(defn)
    return f"{text}{NBSP}{_noun(noun, value)}" if noun else text


def change_text(defn: Definition, delta: Decimal | float | int | None) -> str:
    """A change since the previous period with its sign and unit: «+18 п.п.», «−0,2 балла», «+3 человека»."""
    if delta is None or defn.unit == Unit.FLAG:
        return ""
    sign = "+" if delta > 0 else MINUS if delta < 0 else "±"
    text = f"{sign}{_number(abs(delta))}"
    if defn.unit == Unit.PERCENT:
        return f"{text}{NBSP}п.п."
    if _score_max(defn):
        return f"{text}{NBSP}{_noun(_points, abs(delta))}"
    noun = _count_noun(defn)
    return f"{text}{NBSP}{_noun(noun, abs(delta))}" if noun else text


def unit_short(defn: Definition) -> str:
    """The unit as a column header or an axis says it: «%», «баллы из 4», «человек»."""
    if defn.unit == Unit.PERCENT:
        return "%"
    if _score_max(defn):
        return f"баллы из {_score_max(defn)}"
    if defn.unit == Unit.FLAG:
        return "есть / нет"
    noun = _count_noun(defn)
    return noun(5) if noun else defn.unit_label


def axis(defn: Definition) -> dict:
    """The value axis of a chart: a percentage from 0 to 100, a score from 0 to its maximum, a count from 0."""
    if defn.unit == Unit.PERCENT:
        return {"min": 0, "max": 100, "suffix": " %"}
    if _score_max(defn):
        return {"min": 0, "max": _score_max(defn), "suffix": ""}
    if defn.unit == Unit.FLAG:
        return {"min": 0, "max": 1, "suffix": ""}
    return {"min": 0, "suffix": ""}


# Where a value stands against the period's target and alert threshold, and the row colour it gets.
ALERT, SHORT, REACHED = "alert", "short", "reached"
# standing → (row class, swatch class, colour, meaning)
STANDINGS = {
    ALERT: ("table-danger", "bg-danger-subtle", "розовый", "порог тревоги не достигнут — нужны меры"),
    SHORT: ("table-warning", "bg-warning-subtle", "жёлтый", "порог пройден, но цель еще не достигнута"),
    REACHED: ("table-success", "bg-success-subtle", "зелёный", "цель достигнута"),
}


def standing(setting: PeriodIndicator | None, value: Decimal | None) -> str:
    """``alert`` (misses the threshold), ``short`` (below the target), ``reached``, or "" (nothing to compare)."""
    if setting is None or value is None:
        return ""
    if setting.misses(value):
        return ALERT
    if setting.target is None:
        return ""
    reached = value >= setting.target if setting.higher_is_better else value <= setting.target
    return REACHED if reached else SHORT
