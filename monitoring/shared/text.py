"""Checks of free text for the doors that take it without a Django form field.

A form's CharField already refuses NUL and limits the length; the letter composer and
the services the API calls take plain strings, so they check them here. NUL cannot be
stored by PostgreSQL at all (the request would end in a server error), and control
characters or lone surrogates would break the PDF and the spreadsheets built from the
text later, so all of them are refused with a message naming the field.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

# The years a date may fall in at every door (package cells, forms, the admin), so that no
# door stores a date another refuses: older or later dates are typing mistakes (0205 for 2025).
FIRST_YEAR, LAST_YEAR = 1900, 2100

# C0 controls except tab, newline and carriage return; DEL; lone surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value, *, label: str, max_length: int | None = None, required: bool = False) -> str:
    """``value`` stripped, or a Russian ``ValidationError`` naming the field ``label``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"Поле «{label}» должно быть текстом.")
    # Browsers send a textarea's line breaks as CRLF: kept as sent, a text saved unchanged would differ
    # from the stored one (a change in the history nobody made) and count its line breaks twice.
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if FORBIDDEN.search(value):
        raise ValidationError(
            f"Поле «{label}» содержит недопустимые символы (нулевой байт или управляющие символы); уберите их."
        )
    if max_length is not None and len(value) > max_length:
        raise ValidationError(f"Поле «{label}»: не более {max_length} символов (введено {len(value)}).")
    if required and not value:
        raise ValidationError(f"Заполните поле «{label}».")
    return value


def clean_int(value, *, label: str, minimum: int = 0, maximum: int = 1_000_000) -> int:
    """A whole number typed by a user (ASCII digits, within bounds), or a Russian ``ValidationError``."""
    if isinstance(value, bool):
        raise ValidationError(f"Поле «{label}» должно быть целым числом.")
    if isinstance(value, str):
        text = value.strip()
        # int() would take «²»-free Unicode digits and thousand-digit strings too; only plain digits are numbers here.
        if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 12):
            raise ValidationError(f"Поле «{label}» должно быть целым числом.")
        value = int(text)
    if not isinstance(value, int):
        raise ValidationError(f"Поле «{label}» должно быть целым числом.")
    if not minimum <= value <= maximum:
        raise ValidationError(f"Поле «{label}»: число от {minimum} до {maximum}.")
    return value


def clean_date(value, *, label: str, example: str = "14.07.2026") -> dt.date:
    """A date typed by a user (ISO or «ДД.ММ.ГГГГ», within the portal's years), or a Russian ``ValidationError``."""
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                value = dt.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise ValidationError(f"Поле «{label}»: укажите дату, например {example}.")
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError(f"Поле «{label}»: укажите дату, например {example}.")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(f"Поле «{label}»: год должен быть от {FIRST_YEAR} до {LAST_YEAR}.")
    return value
