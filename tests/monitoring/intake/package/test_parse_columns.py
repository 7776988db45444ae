"""The column-wise parse of large sheets gives exactly the cell-by-cell values."""

from __future__ import annotations

import pytest

from monitoring.intake.package import parsing as p
from monitoring.intake.package.importer import _parse_column


def test_a_column_of_lists_is_parsed_once_per_text_but_no_two_rows_share_a_list():
    raw = ["Математика; Физика", "История", None, "Математика; Физика"] * 300
    values, empty = _parse_column(p.parse_list, raw)
    assert values == list(map(p.parse_list, raw)) and empty
    assert len({id(v) for v in values}) == len(values)
    values[0].append("Химия")
    assert values[3] == ["Математика", "Физика"]


@pytest.mark.parametrize("text", ["112-233-445 95", "11223344595", " 112 233 445 95 ", "112-233-44595"])
def test_snils_is_stored_in_one_form_however_written(text):
    from monitoring.intake.package.sheets.people import _snils

    assert _snils(text) == "112-233-445 95"
    with pytest.raises(p.CellError, match="контрольного числа"):
        _snils("112-233-445 96")
