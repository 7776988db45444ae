"""The Russian catalog: plural forms by Russian rules, an entry for every ngettext, the .mo up to date.

How to add a count: write ``ngettext("%(n)s организация", "%(n)s организаций", n) % {"n": n}`` (or
``{% blocktranslate count n=… %}{{ n }} организация{% plural %}{{ n }} организаций{% endblocktranslate %}``),
add the entry with its four forms to locale/ru/LC_MESSAGES/django.po by hand and run ``make messages``.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.template import Context, Template
from django.utils.translation import ngettext, override

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CODE = [ROOT / app for app in ("monitoring", "deficits", "iom", "indicators", "reports", "templates")]

_PY_CALL = re.compile(r"\bngettext(?:_lazy)?\(\s*\"([^\"]*)\"\s*,\s*\"([^\"]*)\"", re.S)
_TEMPLATE_BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b[^%]*\bcount\b[^%]*%}(.*?){%\s*plural\s*%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
_TEMPLATE_VAR = re.compile(r"{{\s*(\w+)\s*}}")


def _catalog() -> dict[str, tuple[str, tuple[str, ...]]]:
    with PO.open("rb") as f:
        catalog = read_po(f, locale="ru")
    return {m.id[0]: (m.id[1], tuple(m.string)) for m in catalog if m.id and isinstance(m.id, tuple)}


def _used() -> set[tuple[str, str, str]]:
    found = set()
    for folder in CODE:
        for path in folder.rglob("*"):
            if path.suffix == ".py" and "migrations" not in path.parts:
                for singular, plural in _PY_CALL.findall(path.read_text(encoding="utf-8")):
                    found.add((str(path.relative_to(ROOT)), singular, plural))
            elif path.suffix == ".html":
                for singular, plural in _TEMPLATE_BLOCK.findall(path.read_text(encoding="utf-8")):
                    pair = tuple(_TEMPLATE_VAR.sub(r"%(\1)s", part) for part in (singular, plural))
                    found.add((str(path.relative_to(ROOT)), *pair))
    return found


def test_every_count_in_the_code_has_its_russian_forms_in_the_catalog():
    catalog = _catalog()
    used = _used()
    assert any(path.endswith(".html") for path, _, _ in used)  # the scan sees templates
    missing = [(path, s, p) for path, s, p in used if s not in catalog or catalog[s][0] != p]
    assert not missing, f"no entry in {PO.relative_to(ROOT)} for: {missing}"
    incomplete = [s for s, (_, forms) in catalog.items() if len(forms) != 4 or not all(forms)]
    assert not incomplete, f"entries without all four Russian forms: {incomplete}"


def test_the_compiled_catalog_matches_its_source():
    # Forgetting `make messages` after editing the .po would leave the portal on the old forms.
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for singular, (plural, forms) in _catalog().items():
        assert [compiled.ngettext(singular, plural, n) for n in (1, 2, 5)] == list(forms[:3]), singular


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 организации"),
        (2, "2 организациях"),
        (5, "5 организациях"),
        (11, "11 организациях"),
        (21, "21 организации"),
    ],
)
def test_ngettext_follows_russian_plural_rules(n, expected):
    with override("ru"):
        assert ngettext("%(n)s организации", "%(n)s организациях", n) % {"n": n} == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 муниципалитету"), (3, "3 муниципалитетам"), (11, "11 муниципалитетам"), (31, "31 муниципалитету")],
)
def test_templates_count_in_russian(n, expected):
    template = Template(
        "{% load i18n %}{% blocktranslate count n=n %}{{ n }} муниципалитету{% plural %}{{ n }} муниципалитетам"
        "{% endblocktranslate %}"
    )
    with override("ru"):
        assert template.render(Context({"n": n})) == expected
