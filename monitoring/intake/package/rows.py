"""What the import reads and reports: a parsed row (``Row``) and a reason to refuse (``Problem``).

The bottom of the package's import: the registry, the context and the importer all use
these, and they use nothing of them.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any


@dataclass
class Problem:
    """One reason a package is refused (or, with ``warning``, only reported)."""

    sheet: str
    row: int | None
    column: str | None
    value: str
    message: str
    warning: bool = False

    @classmethod
    def about_file(cls, filename: str | None, message: str) -> Problem:
        """A problem of the whole file (no sheet, row or column of it)."""
        return cls(filename or "файл", None, None, "", message)

    def __str__(self) -> str:
        where = [f"лист «{self.sheet}»"]
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец «{self.column}»")
        text = ", ".join(where)
        text = text[0].upper() + text[1:] + f": {self.message}"
        if self.value:
            text += f" (значение: «{self.value}»)"
        return text


class Row:
    """A parsed data row: its number as the user sees it and its values by field.

    ``raw`` holds the row's cells by field as read, for a row parsed cell by cell (None
    otherwise). The column-wise parse of a large sheet keeps no source cells at all:
    nothing reads them on the way to the database, and a large package's cells held
    until its write were as much memory as its parsed values. It does not build
    ``values`` either: the row keeps its values as a tuple in the order of a
    ``positions`` map (field -> place) shared by the sheet's rows, and the dict is made
    on first use. ``row[field]`` and ``row.get`` read the tuple, so a sheet that uses
    only them (or ``row_values``) never pays for sixty-odd dict entries per row.
    """

    __slots__ = ("_positions", "_tuple", "number", "raw", "values")

    def __init__(
        self,
        number: int,
        values: dict[str, Any] | None,
        raw: dict[str, Any] | None = None,
        *,
        value_tuple: tuple | None = None,
        positions: dict[str, int] | None = None,
    ):
        self.number = number
        # With a value tuple the ``values`` slot stays unset until __getattr__ fills it:
        # after that it is a plain attribute again, as fast to read as before.
        if value_tuple is None:
            self.values = values
        self._tuple = value_tuple
        self._positions = positions
        self.raw = raw

    def __getattr__(self, name: str) -> Any:
        # Only reached for an unset slot: build the dict from the tuple, once. From then
        # on the dict is the row's values (a sheet may change it), so the tuple is dropped.
        if name == "values" and self._tuple is not None:
            self.values = dict(zip(self._positions, self._tuple, strict=True))
            self._tuple = None
            return self.values
        raise AttributeError(name)

    def __getitem__(self, key: str) -> Any:
        if self._tuple is not None:
            return self._tuple[self._positions[key]]
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        if self._tuple is not None:
            at = self._positions.get(key)
            return default if at is None else self._tuple[at]
        return self.values.get(key, default)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        # What the row is, not how it was read: a row parsed column-wise keeps no source cells.
        return (self.number, self.values) == (other.number, other.values)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaces

    def __repr__(self) -> str:
        return f"Row(number={self.number!r}, values={self.values!r}, raw={self.raw!r})"


def row_values(rows: list[Row], fields: tuple[str, ...]) -> list[tuple]:
    """Each row's values of ``fields``, as one tuple per row in that order.

    For rows parsed column-wise (one ``positions`` map for all) it is one C-level
    itemgetter per row over the kept tuples; otherwise it reads each row's dict.
    """
    if not fields:
        return [() for _ in rows]
    positions = rows[0]._positions if rows else None
    if positions is not None and all(r._positions is positions and r._tuple is not None for r in rows):
        getter = operator.itemgetter(*(positions[f] for f in fields))
        tuples = (r._tuple for r in rows)
    else:
        getter = operator.itemgetter(*fields)
        tuples = (r.values for r in rows)
    if len(fields) == 1:  # itemgetter of one item returns the item, not a 1-tuple
        return [(value,) for value in map(getter, tuples)]
    return list(map(getter, tuples))
