"""Who a row names: a teacher's code and ФИО as a person reads them, for telling one person from two.

A spreadsheet shows «T0000148», «Т0000148» (Cyrillic), «T0000148» with a zero-width space,
«T0O00148» and «T00000148» alike; «Сазонова Нина» and «САЗОНОВА НИНА» with a Latin «a» are one
person. Uploads used to take each of these as a new teacher — a second card of another school's
teacher. The folds below set aside what the eye does not see (case, script, invisible
characters, separators, leading zeros, the order of the name's words); two rows whose folds
agree are refused (or, in the institute's package, reported) as one person twice.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Characters no one sees or that only decorate another: format and control characters,
# combining marks, and the blank "letters" some scripts have (Hangul fillers, the Braille blank).
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Cs", "Co", "Cn", "Mn", "Me", "Mc"}
_BLANKS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}

# A new teacher's code is written with Latin letters, digits and simple separators: a code in
# another script cannot be told from a Latin one on screen.
PLAIN_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_./]*")

# Upper-case letters of other scripts drawn like Latin ones, and Latin letters drawn like digits.
_LATIN_LOOK_ALIKES = {
    **dict(zip("АВЕКМНОРСТУХЅІЈ", "ABEKMHOPCTYXSIJ", strict=True)),  # Cyrillic
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹ", "ABEZHIKMNOPTYXC", strict=True)),  # Greek
    **dict(zip("ᎪᏴᎬᎻᏆᎫᏦᏞᎷᏢᏚᎢᏙᏔᏃ", "ABEHIJKLMPSTVWZ", strict=True)),  # Cherokee
    **dict(zip("ⲀⲂⲆⲈⲎⲒⲔⲘⲚⲞⲢⲤⲦⲬ", "ABAEHIKMNOPCTX", strict=True)),  # Coptic
    **dict(zip("ᴀʙᴄᴅᴇɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ", "ABCDEGHIJKLMNOPRSTUVWYZ", strict=True)),  # small capitals
}
_DIGIT_LOOK_ALIKES = dict(zip("OQDILBSZG", "000118526", strict=True))  # Latin letters drawn like digits
# One pass: a Cyrillic «О» among digits is a zero too, as the Latin «O» it looks like.
_CODE_LOOK_ALIKES = str.maketrans(
    {**{k: _DIGIT_LOOK_ALIKES.get(v, v) for k, v in _LATIN_LOOK_ALIKES.items()}, **_DIGIT_LOOK_ALIKES}
)
_SEPARATORS = re.compile(r"[\s\-_.,/\\]+")
_DIGIT_RUNS = re.compile(r"[0-9]+")

# Letters drawn like Cyrillic ones, for names (after casefold): Latin, Greek, small capitals.
_NAME_LOOK_ALIKES = str.maketrans(
    {
        **dict(zip("aeopcxykmthbё", "аеорсхукмтнве", strict=True)),
        **dict(zip("αεορκτυχβηϲ", "аеорктухвнс", strict=True)),
        **dict(zip("ᴀᴄᴇʜᴋᴍᴏᴘᴛʙ", "асенкмортв", strict=True)),
    }
)
_NAME_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.,]+")


@functools.cache
def _invisible() -> re.Pattern:
    """One character class of every invisible character of the Basic Multilingual Plane, and the planes'
    tags and variation selectors: a C-speed search instead of a category lookup per character
    (a region's package has 30,000 names and codes to fold)."""
    ranges: list[tuple[int, int]] = []
    for point in range(0x10000):
        ch = chr(point)
        if ch in _BLANKS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
    ranges += [(0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]  # musical formatting, tags and variation selectors
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


def visible(text: str, *, blanks: str = "") -> str:
    """``text`` in NFKC without the characters no one sees (or with each replaced by ``blanks``)."""
    return _invisible().sub(blanks, unicodedata.normalize("NFKC", text))


def fold_code(code: str) -> str:
    """A code as the eye reads it: «Т-00О0148», «t0000148» and «T00000148» all read «T148»."""
    # Printable ASCII (nearly every code) is its own NFKC form and holds nothing invisible:
    # a region's first package folds 100,000 codes.
    plain = code.isascii() and code.isprintable()
    text = _SEPARATORS.sub("", (code if plain else visible(code)).upper().translate(_CODE_LOOK_ALIKES))
    if not text.isascii():
        # Digits of other scripts (Arabic-Indic, Devanagari…) are the same digits to the eye.
        text = "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in text)
    return _DIGIT_RUNS.sub(lambda m: m[0].lstrip("0") or "0", text)


def fold_name(name: str) -> str:
    """A ФИО as the eye reads it: case, ё/е, look-alike letters, hyphens and the words' order set aside."""
    return _words(visible(name))


def name_keys(name: str) -> set[str]:
    """The folds under which two ФИО are one: an invisible character dropped inside a word or read as a space
    between words, and (for words run together) the letters alone."""
    normal = unicodedata.normalize("NFKC", name)
    seen = _invisible().sub("", normal)  # visible(name), its NFKC form kept for the test below
    folded = seen.casefold().translate(_NAME_LOOK_ALIKES)  # what _words(seen) folds, done once for both keys
    words = " ".join(sorted(word for word in _NAME_SEPARATORS.split(folded) if word))
    keys = {words, "".join(folded.split()).replace("-", "")}
    if seen != normal:  # an invisible character was dropped: it may have stood between two words
        keys.add(_words(_invisible().sub(" ", normal)))
    return keys


def _words(text: str) -> str:
    text = text.casefold().translate(_NAME_LOOK_ALIKES)
    return " ".join(sorted(word for word in _NAME_SEPARATORS.split(text) if word))


TRANSFER_HINT = (
    "перевести педагога в вашу организацию может муниципальный координатор (между организациями своего "
    "муниципалитета) или специалист института: страница педагога, «Перевести в другую организацию»"
)
