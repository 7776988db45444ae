"""Cell parsers of the data package's reading rules (spec/data-package.md, "Reading rules").

Each parser takes a cell as the reader returns it (str, int, float, bool, date,
datetime or None) and returns the value, or raises :class:`CellError` whose message
says in Russian what was expected. ``None`` is returned for an empty cell; whether
an empty cell is allowed is the column's business, not the parser's.

A region's package has hundreds of thousands of cells, most of them text, so each
parser tries the exact ``str`` case first: the same result as the general path, without
its function calls and type checks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from monitoring.shared.identity import visible
from monitoring.shared.text import FIRST_YEAR, FORBIDDEN, LAST_YEAR


class CellError(ValueError):
    """A cell that cannot be read as its column expects; the message is for the user."""


TRUE_WORDS = {"да", "1", "true", "+", "истина"}
FALSE_WORDS = {"нет", "0", "false", "-", "ложь"}
_BOOL_WORDS = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}
# Floats up to 2**53 are integers exactly, so int() of one equals the Decimal route.
_EXACT_FLOAT = float(2**53)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_text(value: Any) -> str | None:
    if value.__class__ is str:
        # split() and strip() agree on what whitespace is: "" here means an empty cell.
        text = " ".join(value.split()) or None
        if text is not None and FORBIDDEN.search(text):
            # A control character (ESC, \x01…) is no letter anyone typed, and no workbook can carry it.
            raise CellError("в тексте есть непечатаемые управляющие символы: удалите их из ячейки")
        return text
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_code(value: Any) -> str | None:
    """Codes are strings: leading zeros kept, and a number cell 7.0 reads as "7".

    A code is what a person types: full-width «Ｔ０００１» is «T0001» (NFKC), and characters no
    one sees (zero-width spaces, a BOM, joiners, combining accents) are not part of it — else
    «T0000148» with a zero-width space is another teacher's code that looks the same.
    """
    if value.__class__ is str:
        if not value.isascii():
            value = visible(value)
        return value.strip() or None
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError("ожидается код (текст или число)")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("ожидается код без дробной части")
        return str(int(value))
    return str(value).strip()


def parse_bool(value: Any) -> bool | None:
    if value.__class__ is str:
        word = value.strip()
        if not word:
            return None
    else:
        if is_empty(value):
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        word = str(value).strip()
    found = _BOOL_WORDS.get(word.lower())
    if found is not None:
        return found
    raise CellError("ожидается «да» или «нет» (также 1/0, true/false, +/-)")


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: Any) -> dt.date | None:
    if value.__class__ is str:
        text = value.strip()
        if not text:
            return None
    else:
        if is_empty(value):
            return None
        if isinstance(value, dt.datetime):
            return _plausible(value.date())
        if isinstance(value, dt.date):
            return _plausible(value)
        text = str(value).strip()
    # A datetime written as text ("2025-03-01 00:00:00") keeps its date part.
    text = text.split(" ")[0].split("T")[0]
    if m := _DMY.match(text):
        year, month, day = int(m[3]), int(m[2]), int(m[1])
    elif m := _ISO.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise CellError("ожидается дата в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД")
    try:
        date = dt.date(year, month, day)
    except ValueError as exc:
        raise CellError("такой даты нет в календаре") from exc
    return _plausible(date)


def _plausible(day: dt.date) -> dt.date:
    # No date of the monitoring (a birth, a course, a category, a contest, a route) lies outside
    # FIRST_YEAR..LAST_YEAR: 01.01.0001 or 31.12.9999 is a typo or a probe, and a course ending
    # in 9999 skewed every period.
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CellError(f"ожидается дата между {FIRST_YEAR} и {LAST_YEAR} годами")
    return day


def parse_decimal(value: Any) -> Decimal | None:
    if value.__class__ is str:
        text = value.strip()
        if not text:
            return None
    else:
        if is_empty(value):
            return None
        if isinstance(value, bool):
            raise CellError("ожидается число")
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            # repr of a float is its shortest round-trip form: 25.07 stays 25.07.
            return Decimal(repr(value))
        text = str(value).strip()
    text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError("ожидается число (дробная часть — через запятую или точку)") from exc
    if not number.is_finite():
        raise CellError("ожидается число")
    return number


def parse_int(value: Any) -> int | None:
    # A number cell is the usual case: skip the Decimal round trip when it is exact.
    if value.__class__ is int:
        return value
    if value.__class__ is float and value.is_integer() and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:
        return int(value)
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError("ожидается целое число")
    return int(number)


# A list cell names a teacher's subjects or a program's target positions: a few items of a few
# words. 5,000 subjects of 30,000 characters each made the school's page 72 MB.
MAX_LIST_ITEMS = 50
MAX_LIST_ITEM = 200


def parse_list(value: Any) -> list[str]:
    """Lists inside a cell are separated by ";" or ","."""
    text = parse_text(value)
    if text is None:
        return []
    items = [item.strip() for item in re.split(r"[;,]", text) if item.strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise CellError(
            f"в ячейке {count_of(len(items), 'значение', 'значения', 'значений')}, а можно не более {MAX_LIST_ITEMS}"
        )
    longest = max(items, key=len, default="")
    if len(longest) > MAX_LIST_ITEM:
        raise CellError(
            f"значение «{longest[:40]}…» длиннее допустимого: "
            f"{count_of(len(longest), 'символ', 'символа', 'символов')}, а можно не более {MAX_LIST_ITEM}"
        )
    return items


def choice(allowed: Iterable[str], *, base: Callable[[Any], Any] = parse_text) -> Callable[[Any], str | None]:
    """A parser that accepts one of ``allowed`` (compared ignoring case and extra spaces)."""
    allowed = list(allowed)
    by_key = {_key(a): a for a in allowed}

    def parse(value: Any) -> str | None:
        text = base(value)
        if text is None:
            return None
        found = by_key.get(_key(text))
        if found is None:
            raise CellError("допустимые значения: " + ", ".join(f"«{a}»" for a in allowed))
        return found

    return parse


def list_of_choices(allowed: Iterable[str]) -> Callable[[Any], list[str]]:
    one = choice(allowed)

    def parse(value: Any) -> list[str]:
        return [one(item) for item in parse_list(value)]

    return parse


def ranged_int(low: int | None = None, high: int | None = None) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        number = parse_int(value)
        if number is None:
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            raise CellError(_range_text("целое число", low, high))
        return number

    return parse


def ranged_decimal(low: Decimal | int | None = None, *, exclusive_low: bool = False) -> Callable[[Any], Decimal | None]:
    def parse(value: Any) -> Decimal | None:
        number = parse_decimal(value)
        if number is None:
            return None
        if low is not None and (number < low or (exclusive_low and number == low)):
            raise CellError(f"ожидается число {'больше' if exclusive_low else 'не меньше'} {low}")
        if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):
            raise CellError("ожидается число не более чем с двумя знаками после запятой")
        return number

    return parse


def _range_text(kind: str, low, high) -> str:
    if low is not None and high is not None:
        return f"ожидается {kind} от {low} до {high}"
    if low is not None:
        return f"ожидается {kind} не меньше {low}"
    return f"ожидается {kind} не больше {high}"


def _key(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).lower().replace("–", "-").replace("—", "-")


def header_key(text: str) -> str:
    """Headers match after trimming spaces and ignoring case."""
    return " ".join(str(text or "").split()).lower()


def unescape(value: Any) -> Any:
    """Undo the export's formula protection: "'=x" in a CSV is the text "=x"."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def count_of(number: int, one: str, few: str, many: str) -> str:
    """«1 ячейка», «3 ячейки», «17 179 869 184 ячейки», «16 777 216 ячеек»."""
    if number % 10 == 1 and number % 100 != 11:
        word = one
    elif 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        word = few
    else:
        word = many
    return f"{thousands(number)} {word}"


def thousands(number: int) -> str:
    """A number with its thousands apart, as Russian text writes it."""
    return f"{number:,}".replace(",", " ")


def display(value: Any) -> str:
    """How a bad cell is quoted back to the user."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
