"""The bulk writer: rows into a model's table in a few statements, whatever their number.

Framework below the apps' writers (the data package's sheets, the indicator engine): it
knows models and backends, not sheets or imports. ``upsert`` inserts, updates and removes
rows against what the table holds and counts them (``WriteResult``); ``insert_rows`` and
``insert_columns`` only insert; ``upsert_on_conflict`` lets the database match rows by a
unique key. On PostgreSQL with psycopg2 new rows go through ``COPY … FROM STDIN`` and
changed ones through ``UPDATE … FROM (VALUES …)`` (execute_values); elsewhere (SQLite, the
embedded default) through bulk_create and bulk_update. A big COPY may check its table's
foreign keys and build its plain indexes once instead of row by row (``bulk_load``), but
only inside ``allow_foreign_key_swap()``, which a caller that will commit (an applied
import) sets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db import models as djm
from django.db.models.fields import AutoFieldMixin

from monitoring.models.history import bulk_delete
from monitoring.shared.bulk_load import loaded_in_bulk
from monitoring.shared.bulk_update import BATCH, psycopg2_in_use, update_rows

# Stored rows fetched at a time while they are compared with the rows given (upsert).
STREAM_ROWS = 5000
SAMPLE = 100  # rows of each kind (added, changed, removed) a WriteResult keeps for the preview


@dataclass
class WriteResult:
    """What a bulk write did: rows added, changed, removed and left as they were."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    # Which rows are added, changed (from what to what) and removed, hashed: two runs over the
    # same file plan the same writes exactly when their digests agree (counts alone may not
    # tell a teacher removed from another one removed). Empty for writers that do not say.
    digest: str = ""
    # The rows behind the counts, up to SAMPLE of each kind per upsert, for a preview to name.
    rows: tuple[dict[str, Any], ...] = ()

    def counts(self) -> dict[str, int]:
        return {"added": self.added, "changed": self.changed, "removed": self.removed, "unchanged": self.unchanged}


def upsert(
    *,
    model: type[djm.Model],
    existing: Iterable[djm.Model],
    key: tuple[str, ...],
    values: list[dict[str, Any]],
    replace: bool,
    removable: Callable[[djm.Model], bool] | None = None,
) -> WriteResult:
    """Insert new rows, update changed ones, and with ``replace`` delete those not given.

    ``values`` hold model attnames (``school_id``…), the same keys in every dict; ``key``
    names the attnames that identify a row. ``existing`` is the queryset (or iterable of
    instances) of rows the package may match. Bulk statements only: a few queries
    whatever the number of rows.
    """
    result = WriteResult()
    fields = list(values[0]) if values else list(key)
    if missing := [f for f in key if f not in fields]:
        raise ValueError(f"upsert key fields {missing} are not among the values")
    # Stored rows as plain tuples in ``fields`` order: building model instances for
    # tens of thousands of rows only to compare them costs more than the whole read.
    # They are compared as they stream from the database, a chunk at a time, and only the
    # changed ones are kept: a re-upload of a large package never holds its table whole.
    if isinstance(existing, djm.QuerySet):
        # No ordering: a model's default one may join other tables just to sort.
        stored = existing.order_by().values_list("pk", *fields).iterator(chunk_size=STREAM_ROWS)
    else:
        stored = ((obj.pk, *(getattr(obj, f) for f in fields)) for obj in existing)
    row_of = operator.itemgetter(*fields)
    key_of = operator.itemgetter(*key)  # one field: the bare value, on both sides alike
    key_in_row = operator.itemgetter(*(fields.index(f) for f in key))
    if len(fields) == 1:  # itemgetter of one item returns the item, not a 1-tuple
        row_of = _one_tuple(row_of)
    # Where each key is in ``values`` (its later rows, if a key repeats, in ``repeated``).
    position: dict[Any, int] = {}
    repeated: dict[Any, list[int]] = {}
    for i, k in enumerate(map(key_of, values)):
        if position.setdefault(k, i) != i:
            repeated.setdefault(k, []).append(i)
    matched = bytearray(len(values))
    # Position in values -> (pk, stored row) of the rows that change; stored rows not given, by key.
    # A key stored twice is matched by its later row, as a dict of the stored rows would be.
    changing: dict[int, tuple[Any, tuple]] = {}
    gone_by_key: dict[Any, Any] = {}
    for pk, *stored_row in stored:
        stored_row = tuple(stored_row)
        k = key_in_row(stored_row)
        i = position.get(k)
        if i is None:
            if replace:
                gone_by_key[k] = pk
            continue
        for at in (i, *repeated.get(k, ())):
            matched[at] = 1
            if row_of(values[at]) == stored_row:
                changing.pop(at, None)
            else:
                changing[at] = (pk, stored_row)
    result.unchanged = sum(matched) - len(changing)
    gone = list(gone_by_key.values())
    del gone_by_key
    changes = sorted(changing.items())  # in the order of ``values``
    new = [vals for vals, was_matched in zip(values, matched, strict=True) if not was_matched]
    changed: list[tuple[Any, dict[str, Any]]] = []
    changed_fields: set[str] = set()
    # Which stored rows this call changes (as they are now) and removes (WriteResult.digest). Only
    # rows stored before the import count: new rows' keys may hold ids the import itself makes,
    # which a dry run (rolled back, its sequences not) and the apply draw differently.
    plan = hashlib.blake2b(digest_size=16)
    for at, (pk, stored_row) in changes:
        vals = values[at]
        changed.append((pk, vals))
        plan.update(b"~" + repr((pk, stored_row)).encode())
        changed_fields.update(f for f, old, v in zip(fields, stored_row, row_of(vals), strict=True) if old != v)

    connection = connections[router.db_for_write(model)]
    _insert(connection, model, fields, new)
    if changed:
        update_rows(connection, model=model, fields=sorted(changed_fields), rows=changed)
    result.added, result.changed = len(new), len(changed)
    removed_rows: list[dict[str, Any]] = []
    if replace:
        if removable is not None:
            # The rule looks at model instances; only rows about to go are built.
            kept = []
            for start in range(0, len(gone), BATCH):
                kept += [obj.pk for obj in model.objects.filter(pk__in=gone[start : start + BATCH]) if removable(obj)]
            gone = kept
        removed_rows = list(model.objects.filter(pk__in=gone[:SAMPLE]).values(*fields))
        for start in range(0, len(gone), BATCH):
            # A bulk path like the inserts above: no per-row audit history (monitoring.models.history).
            bulk_delete(model.objects.filter(pk__in=gone[start : start + BATCH]))
        result.removed = len(gone)
        plan.update(b"-" + repr(sorted(gone)).encode())
    result.digest = plan.hexdigest()
    before = [(dict(zip(fields, stored_row, strict=True)), values[at]) for at, (_, stored_row) in changes[:SAMPLE]]
    result.rows = ({"model": model, "key": key, "added": new[:SAMPLE], "changed": before, "removed": removed_rows},)
    return result


def combined_digest(*results: WriteResult) -> str:
    """One digest for a sheet that writes through several upserts (a teacher's card and roster row)."""
    return hashlib.blake2b("".join(r.digest for r in results).encode(), digest_size=16).hexdigest()


def _one_tuple(getter: Callable[[Any], Any]) -> Callable[[Any], tuple]:
    return lambda item: (getter(item),)


class JsonText(str):
    """A JSONField value given as its JSON text.

    A sheet writing many JSON values of one shape (a diagnostic's sixty answers) can build
    each text from one template, several times cheaper than encoding a dict per row. COPY
    sends the text as it is; the bulk_create path decodes it back to the value it encodes.
    """


class ComputedColumn(Sequence):
    """A column of ``count`` values made a slice at a time, ``make(start, stop)``, only when asked for.

    ``insert_columns`` formats a COPY a chunk at a time and takes each column's slice for
    it; a column given this way (a diagnostic's JSON answers, a kilobyte and more a row)
    then exists one chunk at a time instead of whole for the length of the write.
    """

    def __init__(self, count: int, make: Callable[[int, int], list[Any]]):
        self._count, self._make = count, make

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                raise ValueError("ComputedColumn: slices are contiguous")
            return self._make(start, max(start, stop))
        if not -self._count <= index < self._count:
            raise IndexError(index)
        index %= self._count
        return self._make(index, index + 1)[0]

    def __iter__(self) -> Iterator[Any]:
        for start in range(0, self._count, COPY_ROWS):
            yield from self._make(start, min(start + COPY_ROWS, self._count))


# Rows per COPY chunk. Chunks are built only as the connection asks for them, so the
# server parses and indexes one chunk while the next is being formatted.
COPY_ROWS = 5000


def insert_rows(*, model: type[djm.Model], rows: list[dict[str, Any]]) -> None:
    """Insert attname dicts (same keys in each) the fastest way the backend allows; no pks come back."""
    if rows:
        _insert(connections[router.db_for_write(model)], model, list(rows[0]), rows)


def insert_columns(
    *, model: type[djm.Model], columns: dict[str, Sequence[Any]], returning_ids: bool = False
) -> list[Any] | None:
    """Insert rows given column by column (attname -> one value per row, all columns as long).

    A sheet that computes its values a column at a time (scores, a constant status) need
    not build a dict per row only for them to be taken apart again. With ``returning_ids``
    the new rows' primary keys come back in row order, or None when the backend cannot
    tell them (the caller then reads them back by a key of its own).
    """
    fields = list(columns)
    count = len(columns[fields[0]]) if fields else 0
    if not count:
        return [] if returning_ids else None
    connection = connections[router.db_for_write(model)]
    ids = None
    if returning_ids and psycopg2_in_use(connection):
        # COPY has no RETURNING: the keys are drawn from the table's own sequence first
        # and sent with the rows, which spares reading tens of thousands of rows back.
        ids = _reserve_ids(connection, model, count)
        if ids is not None:
            columns = {model._meta.pk.attname: ids, **columns}
            fields = list(columns)
    if _copy(connection, model, fields, [columns[f] for f in fields], count):
        return ids
    rows = (dict(zip(fields, values, strict=True)) for values in zip(*(columns[f] for f in fields), strict=True))
    objs = [model(**vals) for vals in _decoded(model, rows)]
    model.objects.bulk_create(objs, batch_size=BATCH)
    if ids is not None:
        return ids
    pks = [obj.pk for obj in objs]
    return pks if returning_ids and None not in pks else None


def _insert(connection, model: type[djm.Model], fields: list[str], rows: list[dict[str, Any]]) -> None:
    """Insert rows given as attname dicts, without model instances where the backend allows.

    On PostgreSQL (psycopg2) the rows go through ``COPY … FROM STDIN``: bulk_create spent
    most of its time building a Model per row and preparing each value through its field,
    several times the cost of the database's own work. Elsewhere (SQLite, the embedded
    default) plain bulk_create.
    """
    if not rows:
        return
    if _copy_plan(connection, model, fields) is not None:
        columns = [list(map(operator.itemgetter(f), rows)) for f in fields]
        if _copy(connection, model, fields, columns, len(rows)):
            return
    model.objects.bulk_create([model(**vals) for vals in _decoded(model, rows)], batch_size=BATCH)


def _decoded(model: type[djm.Model], rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """The attname dicts with each JsonText turned back into the value it encodes."""
    json_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, djm.JSONField)]
    for vals in rows:
        texts = [f for f in json_fields if vals.get(f).__class__ is JsonText]
        yield {**vals, **{f: json.loads(vals[f]) for f in texts}} if texts else vals


def _copy(connection, model: type[djm.Model], fields: list[str], columns: list[Sequence[Any]], count: int) -> bool:
    """COPY the rows (given column by column) into the model's table; False when COPY does not fit."""
    plan = _copy_plan(connection, model, fields)
    if plan is None:
        return False
    sql, targets, defaults = plan
    with loaded_in_bulk(connection, model, count), connection.cursor() as cursor:
        _copy_expert(connection, cursor, sql, _copy_chunks(targets, columns, defaults, count))
    return True


def _copy_expert(connection, cursor, sql: str, chunks: Iterator[str]) -> None:
    # Through Django's error wrapper: a refused row is a django.db.IntegrityError, as with any other write.
    with connection.wrap_database_errors:
        cursor.copy_expert(sql, _Chunks(chunks))


def upsert_on_conflict(
    *,
    model: type[djm.Model],
    fields: Sequence[str],
    rows: Sequence[tuple],
    unique: Sequence[str],
    update: Sequence[str],
    batch_size: int = BATCH,
) -> None:
    """Insert rows (tuples of ``fields`` attnames), updating a stored row whose ``unique`` fields match.

    A matched row gets the new values of its ``update`` fields. The database matches the
    rows (``INSERT … ON CONFLICT … DO UPDATE``): nothing is read back or counted. On
    PostgreSQL (psycopg2) the rows go by COPY into a temporary table and from there in one
    statement: building tens of thousands of model instances and binding a million
    parameters cost ten times the database's own work. Elsewhere bulk_create with
    ``update_conflicts``, which does the same in batches. ``unique`` and
    ``update`` name model fields (names or attnames); ``batch_size`` bounds bulk_create's batches.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if not psycopg2_in_use(connection):
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows],
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=list(unique),
            update_fields=list(update),
        )
        return
    opts, quote = model._meta, connection.ops.quote_name
    targets = [opts.get_field(f) for f in fields]
    table, staged = quote(opts.db_table), quote(f"_staged_{opts.db_table}")
    columns = ", ".join(quote(f.column) for f in targets)
    conflict = ", ".join(quote(opts.get_field(f).column) for f in unique)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (quote(opts.get_field(f).column) for f in update))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {staged} AS SELECT {columns} FROM {table} WITH NO DATA")
        chunks = _copy_chunks(targets, list(zip(*rows, strict=True)), [], len(rows))
        _copy_expert(connection, cursor, f"COPY {staged} ({columns}) FROM STDIN", chunks)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staged} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DROP TABLE {staged}")


class _Chunks:
    """A file for copy_expert whose reads are the chunks of a generator, made as they are read."""

    def __init__(self, chunks: Iterator[str]):
        self._chunks = chunks

    def read(self, size: int = -1) -> str:
        return next(self._chunks, "")

    readline = read


def _copy_chunks(
    targets: list[djm.Field], columns: list[Sequence[Any]], defaults: list[str], count: int
) -> Iterator[str]:
    """COPY text-format data, COPY_ROWS rows at a time, formatted a column at a time.

    Text format rather than CSV: a value needs escaping only for a backslash, a tab or a
    line break, which a whole column is searched for at once, so most columns go out as
    they are; JSON texts, full of quotes, are not doubled up as CSV would.
    """
    json_text = _JsonCache().encode
    for start in range(0, count, COPY_ROWS):
        stop = min(start + COPY_ROWS, count)
        texts = [_copy_texts(f, column[start:stop], json_text) for f, column in zip(targets, columns, strict=True)]
        texts += [itertools.repeat(text, stop - start) for text in defaults]
        yield "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


_COPY_NULL = "\\N"
_COPY_SPECIAL = ("\\", "\t", "\n", "\r")
# Value classes whose equal values always have the same COPY text (unlike Decimal("1.0")
# and Decimal("1"), or 0.0 and -0.0): a column of them is formatted once per distinct value.
_SAME_TEXT_WHEN_EQUAL = {str, int, bool, dt.date, dt.datetime, type(None)}


def _copy_texts(field: djm.Field, values: Sequence[Any], json_text: Callable[[Any], str]) -> Sequence[str]:
    """One column's values as COPY text-format fields."""
    if isinstance(field, djm.JSONField):
        return [
            _COPY_NULL if v is None else _copy_escape(v if v.__class__ is JsonText else json_text(v)) for v in values
        ]
    classes = set(map(type, values))
    if all(issubclass(c, str) for c in classes):  # text and text choices
        joined = "\x00".join(values)
        if any(ch in joined for ch in _COPY_SPECIAL):
            return list(map(_copy_escape, values))
        return values
    if classes == {int}:
        return list(map(str, values))
    if classes <= _SAME_TEXT_WHEN_EQUAL and not {int, bool} <= classes:  # True == 1, but "t" != "1"
        table = {v: _copy_text(v) for v in set(values)}
        return list(map(table.__getitem__, values))
    return list(map(_copy_text, values))


def _copy_text(value: Any) -> str:
    if value is None:
        return _COPY_NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _copy_escape(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return _copy_escape(str(value))  # numbers, UUIDs


def _copy_escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _reserve_ids(connection, model: type[djm.Model], count: int) -> list[int] | None:
    """``count`` fresh primary keys from the table's sequence, ascending; None without one."""
    pk = model._meta.pk
    if not isinstance(pk, AutoFieldMixin):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(s.seq) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) AS s, "
            "generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), pk.column, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != count or None in ids:
        return None
    # Ascending, so the rows go to the end of the primary key's index in order.
    ids.sort()
    return ids


class _JsonCache:
    """JSON text of values, each distinct list of texts encoded once (subjects repeat a lot)."""

    _encoder = json.JSONEncoder(ensure_ascii=False)

    def __init__(self):
        self._texts: dict[tuple, str] = {}

    def encode(self, value: Any) -> str:
        if value.__class__ is list and all(item.__class__ is str for item in value):
            key = tuple(value)
            text = self._texts.get(key)
            if text is None:
                text = self._texts[key] = self._encoder.encode(value)
            return text
        return self._encoder.encode(value)


def _copy_plan(connection, model: type[djm.Model], fields: list[str]):
    """(COPY statement, fields given, COPY texts of the defaults) — None when COPY does not fit."""
    if not psycopg2_in_use(connection):
        return None
    given = set(fields)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    if not given <= by_attname.keys():
        return None
    defaults, default_columns = [], []
    for f in model._meta.concrete_fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) or f.generated:
            return None  # pre_save computes these; bulk_create knows how
        if f.attname in given or (f.primary_key and f.attname not in given):
            continue
        if f.has_db_default():
            return None
        # What bulk_create would store for a field not given: its default ("" for text).
        default = f.get_default()
        if default is not None and isinstance(f, djm.JSONField):
            default = _copy_escape(json.dumps(f.get_prep_value(default), cls=f.encoder, ensure_ascii=False))
        else:
            default = _copy_text(default)
        defaults.append(default)
        default_columns.append(f.column)
    targets = [by_attname[name] for name in fields]
    if any(isinstance(f, djm.JSONField) and f.encoder is not None for f in targets):
        return None
    columns = [f.column for f in targets] + default_columns
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    return sql, targets, defaults
