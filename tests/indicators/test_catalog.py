"""The catalog in code against the spec's tables: every code, every title verbatim, every unit."""

from __future__ import annotations

import re

from indicators.catalog import catalog
from tests.paths import SPEC

# Rows of the spec's tables: "| 1.2 | Доля … | percent | … |" (3.1–3.13 have no unit column:
# they are program shares, percent, except 3.11, a flag).
ROW = re.compile(r"^\|\s*(\d+\.\d+)\s*\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|")


def _spec() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in (SPEC / "indicators.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            code, title, third = match.groups()
            unit = third.split()[0].strip("`") if third else ""
            if unit not in ("count", "percent", "average", "flag"):
                unit = "flag" if code == "3.11" else "percent"
            rows[code] = (title, unit)
    return rows


def test_the_catalog_has_exactly_the_specs_codes():
    spec = _spec()
    assert len(spec) == 69  # 9 + 7 + 16 + 6 + 4 + 3 + 7 + 6 + 11
    assert [d.code for d in catalog()] == sorted(spec, key=lambda c: tuple(map(int, c.split("."))))


def test_titles_are_verbatim_and_units_as_specified():
    spec = _spec()
    for d in catalog():
        title, unit = spec[d.code]
        assert d.title == title, d.code
        assert d.unit == unit, d.code
