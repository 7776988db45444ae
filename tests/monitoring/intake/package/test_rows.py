"""Rows of the column-wise parse keep their values as tuples; every way of reading them agrees."""

from __future__ import annotations

import pytest

from monitoring.intake.package import registry, rows
from monitoring.intake.package.importer import _map_headers, _parse_by_columns, _parse_by_rows
from monitoring.intake.package.reader import read_package
from tests.paths import SPEC


@pytest.fixture
def teachers():
    raw = read_package(SPEC / "sample-package.zip")["Педагоги"]
    sheet = registry.sheet_by_name("Педагоги")
    index, usable = _map_headers(sheet, raw, [], [])
    assert usable
    by_columns = _parse_by_columns(sheet, raw.rows, index)
    by_rows = _parse_by_rows(sheet, raw.rows, index, [])
    assert by_columns is not None and len(by_columns) == len(by_rows) == 80
    return sheet, by_columns, by_rows


def test_column_parsed_rows_read_like_row_parsed_ones(teachers):
    sheet, by_columns, by_rows = teachers
    fields = tuple(c.field for c in sheet.columns)
    assert rows.row_values(by_columns, fields) == rows.row_values(by_rows, fields)
    assert rows.row_values(by_columns, ("code",)) == [(r["code"],) for r in by_rows]
    for lazy, plain in zip(by_columns, by_rows, strict=True):
        assert [lazy[f] for f in fields] == [plain[f] for f in fields]
        assert lazy.get("nonexistent", "-") == plain.get("nonexistent", "-") == "-"
        assert lazy.values == plain.values and lazy == plain
        # The column-wise parse keeps no source cells (a large package's memory); the row-wise one does.
        assert lazy.raw is None and plain.raw is not None


def test_a_changed_values_dict_is_what_the_row_reads_afterwards(teachers):
    _, by_columns, _ = teachers
    row = by_columns[0]
    row.values["position"] = "директор"
    assert row["position"] == row.get("position") == "директор"
    # A sheet of rows whose dicts exist is read through the dicts.
    assert rows.row_values(by_columns[:2], ("position",))[0] == ("директор",)
    with pytest.raises(AttributeError):
        row.nonexistent  # noqa: B018
