"""The monitoring app's sheets of the data package (spec/data-package.md, "Sheets")."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import OperationalError, ProgrammingError, connections, router, transaction
from django.db import models as djm
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from monitoring import identity
from monitoring import models as m
from monitoring.models.history import bulk_delete
from monitoring.package import parsing as p
from monitoring.package.importer import ImportContext, applying_import, register_namespace
from monitoring.package.registry import Column, Row, Sheet, SheetResult, register

BATCH = 2000


def upsert(
    *,
    model: type[djm.Model],
    existing: Iterable[djm.Model],
    key: tuple[str, ...],
    values: list[dict[str, Any]],
    replace: bool,
    removable: Callable[[djm.Model], bool] | None = None,
) -> SheetResult:
    """Insert new rows, update changed ones, and with ``replace`` delete those not given.

    ``values`` hold model attnames (``school_id``…), the same keys in every dict; ``key``
    names the attnames that identify a row. ``existing`` is the queryset (or iterable of
    instances) of rows the package may match. Bulk statements only: a few queries
    whatever the number of rows.
    """
    result = SheetResult()
    fields = list(values[0]) if values else list(key)
    if missing := [f for f in key if f not in fields]:
        raise ValueError(f"upsert key fields {missing} are not among the values")
    # Stored rows as plain tuples in ``fields`` order: building model instances for
    # tens of thousands of rows only to compare them costs more than the whole read.
    if isinstance(existing, djm.QuerySet):
        # No ordering: a model's default one may join other tables just to sort.
        stored = existing.order_by().values_list("pk", *fields)
    else:
        stored = ((obj.pk, *(getattr(obj, f) for f in fields)) for obj in existing)
    row_of = operator.itemgetter(*fields)
    key_of = operator.itemgetter(*key)  # one field: the bare value, on both sides alike
    key_in_row = operator.itemgetter(*(fields.index(f) for f in key))
    if len(fields) == 1:  # itemgetter of one item returns the item, not a 1-tuple
        row_of = _one_tuple(row_of)
    by_key: dict[Any, tuple[Any, tuple]] = {}
    for pk, *stored_row in stored:
        stored_row = tuple(stored_row)
        by_key[key_in_row(stored_row)] = (pk, stored_row)

    new: list[dict[str, Any]] = []
    changed: list[tuple[Any, dict[str, Any]]] = []
    changed_fields: set[str] = set()
    seen = set()
    # Which stored rows this call changes (as they are now) and removes (SheetResult.digest). Only
    # rows stored before the import count: new rows' keys may hold ids the import itself makes,
    # which a dry run (rolled back, its sequences not) and the apply draw differently.
    plan = hashlib.blake2b(digest_size=16)
    for vals in values:
        k = key_of(vals)
        seen.add(k)
        found = by_key.get(k)
        if found is None:
            new.append(vals)
            continue
        pk, stored_row = found
        row = row_of(vals)
        if row == stored_row:
            result.unchanged += 1
            continue
        changed.append((pk, vals))
        plan.update(b"~" + repr((pk, stored_row)).encode())
        changed_fields.update(f for f, old, v in zip(fields, stored_row, row, strict=True) if old != v)

    connection = connections[router.db_for_write(model)]
    _insert(connection, model, fields, new)
    if changed:
        _update(connection, model, sorted(changed_fields), changed)
    result.added, result.changed = len(new), len(changed)
    if replace:
        gone = [pk for k, (pk, _) in by_key.items() if k not in seen]
        if removable is not None:
            # The rule looks at model instances; only rows about to go are built.
            kept = []
            for start in range(0, len(gone), BATCH):
                kept += [obj.pk for obj in model.objects.filter(pk__in=gone[start : start + BATCH]) if removable(obj)]
            gone = kept
        for start in range(0, len(gone), BATCH):
            # A bulk path like the inserts above: no per-row audit history (monitoring.models.history).
            bulk_delete(model.objects.filter(pk__in=gone[start : start + BATCH]))
        result.removed = len(gone)
        plan.update(b"-" + repr(sorted(gone)).encode())
    result.digest = plan.hexdigest()
    return result


def combined_digest(*results: SheetResult) -> str:
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
    if returning_ids and _psycopg2(connection):
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
    with _foreign_keys_checked_once(connection, model, count), connection.cursor() as cursor:
        # Through Django's error wrapper: a refused row is a django.db.IntegrityError, as with any other write.
        with connection.wrap_database_errors:
            cursor.copy_expert(sql, _Chunks(_copy_chunks(targets, columns, defaults, count)))
    return True


# A COPY of at least this many rows has its table's foreign keys checked in one query
# (see _foreign_keys_checked_once). Below it the row-by-row checks cost little (about
# 3 microseconds a row here) and are not worth an exclusive lock on the table.
BULK_FK_ROWS = 10_000
# How long the ALTER TABLE may wait for its locks before the COPY goes the usual way.
DDL_LOCK_TIMEOUT = "1s"
# SQLSTATEs of a DDL statement that could not take its lock in time (lock_not_available),
# was chosen as a deadlock's victim (deadlock_detected, e.g. against another import), met a
# table with queued trigger events (object_in_use) or ran as a role that does not own the
# table (insufficient_privilege; a deployment may migrate as one role and serve as
# another): the COPY then goes the usual way.
_DDL_REFUSED = {"55P03", "40P01", "55006", "42501"}


@contextlib.contextmanager
def _foreign_keys_checked_once(connection, model: type[djm.Model], count: int) -> Iterator[None]:
    """Around a big COPY: the table's foreign keys dropped, then re-added (and so validated) at once.

    PostgreSQL checks a foreign key row by row, with one index probe and row lock per new
    row, queued to the commit (Django makes every FK DEFERRABLE INITIALLY DEFERRED). For the
    region package that was 550 000 checks and 1.7 s of its commit. ``ADD CONSTRAINT``
    checks the whole table in one anti-join instead, the way PostgreSQL's manual advises
    for bulk loads ("Populating a Database": remove foreign key constraints). Everything
    happens inside the import's transaction, so the table never commits without its
    constraints: a violation fails the ``ADD CONSTRAINT`` and with it the whole import.

    The price is locks: dropping a key takes the table *and the table it references*
    (periods, schools, teachers…) exclusively until the commit, so pages reading them wait
    for the rest of the import (some 3 s of a region's first import). Hence only:
    in an import that will commit (importer.applying_import(); a dry run rolls back and
    never pays for its checks), with settings.IMPORT_BULK_FOREIGN_KEYS on, for at least
    BULK_FK_ROWS new rows that are a quarter or more of what the table holds (re-adding
    validates every stored row too; a re-upload or a school's upload never comes here), and
    only if the locks come within DDL_LOCK_TIMEOUT, since pages queue behind a waiting
    ``ALTER TABLE``. Otherwise, and off PostgreSQL, the keys check row by row as always.
    """
    if (
        connection.vendor != "postgresql"
        or count < BULK_FK_ROWS
        or not connection.in_atomic_block
        or not applying_import()
        or not settings.IMPORT_BULK_FOREIGN_KEYS
    ):
        yield
        return
    table, quote = model._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid), t.reltuples FROM pg_class t "
            "JOIN pg_constraint c ON c.conrelid = t.oid AND c.contype = 'f' WHERE t.oid = %s::regclass",
            [quote(table)],
        )
        keys = cursor.fetchall()
        # reltuples is an estimate from the last VACUUM/ANALYZE, -1 before the first.
        if not keys or count * 4 < keys[0][2]:
            keys = []
        else:
            # Dropping a key touches the referenced table too, which refuses while checks
            # queued by earlier sheets wait on it: run every queued check now (each was due
            # at the commit anyway; a violation raises here as it would have there).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("SET LOCAL lock_timeout = %s", [DDL_LOCK_TIMEOUT])
                    for name, _, _ in keys:
                        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                    cursor.execute("SET LOCAL lock_timeout = DEFAULT")
            except (OperationalError, ProgrammingError) as error:
                if getattr(error.__cause__, "pgcode", None) not in _DDL_REFUSED:
                    raise
                keys = []  # the savepoint undid the drops: the keys check row by row as before
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    # Not in a finally: after a failed COPY the transaction is aborted and rolls back whole,
    # the dropped keys with it.
    with connection.cursor() as cursor:
        for name, definition, _ in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


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
    if not _psycopg2(connection):
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


def _psycopg2(connection) -> bool:
    # COPY and execute_values are psycopg2's; with psycopg 3 the portable path is taken.
    return connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"


def _update(connection, model: type[djm.Model], fields: list[str], rows: list[tuple[Any, dict[str, Any]]]) -> None:
    """Set ``fields`` of the rows given as (pk, attname dict).

    On PostgreSQL one ``UPDATE … FROM (VALUES …)`` per batch: bulk_update's CASE WHEN
    per row and column grows with the square of the batch. Elsewhere bulk_update.
    """
    if not _psycopg2(connection):
        objs = []
        for pk, vals in rows:
            obj = model(**vals)
            obj.pk = pk
            objs.append(obj)
        model.objects.bulk_update(objs, fields, batch_size=BATCH)
        return
    from psycopg2.extras import execute_values

    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    pk_field = model._meta.pk
    targets = [by_attname[f] for f in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    sql = (
        f"UPDATE {table} SET {', '.join(f'{quote(f.column)} = v.{quote(f.column)}' for f in targets)} "
        f"FROM (VALUES %s) AS v({', '.join(quote(f.column) for f in (pk_field, *targets))}) "
        f"WHERE {table}.{quote(pk_field.column)} = v.{quote(pk_field.column)}"
    )
    # VALUES would type bare literals as text; each column is cast to its field's type.
    template = "(" + ", ".join(f"%s::{_cast_type(connection, f)}" for f in (pk_field, *targets)) + ")"
    prepared = [(pk, *(_prepared(f, vals[f.attname]) for f in targets)) for pk, vals in rows]
    with connection.cursor() as cursor:
        execute_values(cursor, sql, prepared, template=template, page_size=BATCH)


def _cast_type(connection, field: djm.Field) -> str:
    # Unsized text and numeric: an explicit cast to varchar(n) would silently cut a long
    # value, while the assignment to the column still checks length and precision.
    if isinstance(field, djm.CharField | djm.TextField):
        return "text"
    if isinstance(field, djm.DecimalField):
        return "numeric"
    return field.rel_db_type(connection) if field.primary_key else field.db_type(connection)


def _prepared(field: djm.Field, value: Any) -> Any:
    if value is not None and isinstance(field, djm.JSONField):
        return json.dumps(value, cls=field.encoder)
    return value


# --- value writers for export ----------------------------------------------------


def yes_no(value: bool) -> str:
    return "да" if value else "нет"


def dmy(value: dt.date | None) -> str | None:
    return value.strftime("%d.%m.%Y") if value else None


def number(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def joined(values: list[str]) -> str:
    return "; ".join(values)


def _b(title: str, field: str) -> Column:
    return Column(title, field, p.parse_bool, default=False, export=yes_no)


# --- namespaces of codes in the database ----------------------------------------

register_namespace("municipality", lambda period: m.Municipality.objects.values_list("code", "id"))
register_namespace("school", lambda period: m.School.objects.values_list("code", "id"))
register_namespace("teacher", lambda period: m.Teacher.objects.values_list("code", "id"))
register_namespace(
    "roster", lambda period: m.RosterEntry.objects.filter(period=period).values_list("teacher__code", "teacher_id")
)
register_namespace("region", lambda period: m.Region.objects.values_list("code", "id"))
register_namespace(
    "support_project", lambda period: m.SupportProject.objects.filter(period=period).values_list("code", "id")
)
register_namespace(
    "mentoring_program", lambda period: m.MentoringProgram.objects.filter(period=period).values_list("code", "id")
)
register_namespace(
    "association", lambda period: m.MethodicalAssociation.objects.filter(period=period).values_list("code", "id")
)


def _own_school(ctx: ImportContext):
    """In a school head's upload, "replace" removes only that school's rows."""
    if ctx.school is None:
        return None
    return lambda obj: obj.school_id == ctx.school.pk


def _future(ctx: ImportContext, sheet: str, row: Row, field: str, title: str, today: dt.date) -> None:
    # ``today`` comes from the caller, once per sheet: timezone.localdate() per row cost
    # more than the rest of the check.
    value = row.values.get(field)
    if value and value > today:
        ctx.problem(sheet, row.number, title, dmy(value), "дата еще не наступила")


# --- sheets ----------------------------------------------------------------------


class RegionSheet(Sheet):
    name = "Регион"
    models = (m.Region,)
    order = 10
    key = ("code",)
    provides = {"region": "code"}
    columns = (
        Column("Код", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
    )

    def check(self, rows, ctx):
        if len(rows) > 1:
            ctx.problem(self.name, rows[1].number, None, None, "на листе «Регион» должна быть одна строка")
        existing = set(m.Region.objects.values_list("code", flat=True))
        if rows and existing and rows[0].values["code"] not in existing:
            ctx.problem(
                self.name,
                rows[0].number,
                "Код",
                rows[0].values["code"],
                "портал уже обслуживает другой регион (" + ", ".join(sorted(existing)) + ")",
            )

    def write(self, rows, ctx):
        return upsert(
            model=m.Region,
            existing=m.Region.objects.all(),
            key=("code",),
            values=[{"code": r.values["code"], "name": r.values["name"]} for r in rows],
            replace=False,
        )

    def export_rows(self, period):
        for region in m.Region.objects.order_by("code"):
            yield [region.code, region.name]


class MunicipalitySheet(Sheet):
    name = "Муниципалитеты"
    models = (m.Municipality,)
    order = 20
    key = ("code",)
    provides = {"municipality": "code"}
    columns = (
        Column("Код", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
    )

    def check(self, rows, ctx):
        if rows and not ctx.known("region"):
            ctx.problem(self.name, rows[0].number, None, None, "регион не задан: добавьте лист «Регион»")

    def write(self, rows, ctx):
        region_id = next(iter(ctx.ids("region").values()))
        return upsert(
            model=m.Municipality,
            existing=m.Municipality.objects.all(),
            key=("code",),
            values=[{"code": r.values["code"], "name": r.values["name"], "region_id": region_id} for r in rows],
            replace=False,
        )

    def export_rows(self, period):
        for mun in m.Municipality.objects.order_by("code"):
            yield [mun.code, mun.name]


class SchoolSheet(Sheet):
    name = "Организации"
    models = (m.School,)
    order = 30
    key = ("code",)
    provides = {"school": "code"}
    columns = (
        Column("Код ОО", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
        Column("Код муниципалитета", "municipality", p.parse_code, required=True),
        Column("Тип", "kind", p.choice(m.SchoolKind.values), default=""),
        _b("ШНОР", "low_results"),
        _b("Неблагоприятные условия", "adverse_conditions"),
        Column("ИНН", "inn", p.parse_code, default=""),
        Column("Руководитель", "head_name", p.parse_text, default=""),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")
            inn = row.values["inn"]
            if inn and not (inn.isdigit() and len(inn) in (10, 12)):
                ctx.problem(self.name, row.number, "ИНН", inn, "ИНН должен состоять из 10 или 12 цифр")

    def write(self, rows, ctx):
        mun = ctx.ids("municipality")
        values = [
            {
                "code": r.values["code"],
                "name": r.values["name"],
                "municipality_id": mun[r.values["municipality"]],
                "kind": r.values["kind"],
                "low_results": r.values["low_results"],
                "adverse_conditions": r.values["adverse_conditions"],
                "inn": r.values["inn"],
                "head_name": r.values["head_name"],
            }
            for r in rows
        ]
        return upsert(model=m.School, existing=m.School.objects.all(), key=("code",), values=values, replace=False)

    def export_rows(self, period):
        for s in m.School.objects.select_related("municipality").order_by("code"):
            yield [
                s.code,
                s.name,
                s.municipality.code,
                s.kind or None,
                yes_no(s.low_results),
                yes_no(s.adverse_conditions),
                s.inn or None,
                s.head_name or None,
            ]


def _snils(value: Any) -> str | None:
    text = p.parse_text(value)
    if text is None:
        return None
    # Full-width or other Unicode digits are the same number: stored in ASCII, so that one
    # person's СНИЛС is one string (and the unique constraint sees a second card).
    text = unicodedata.normalize("NFKC", text)
    if not m.snils_is_valid(text):
        raise p.CellError("СНИЛС не прошел проверку контрольного числа (формат 123-456-789 01)")
    if _SNILS_FORMAT.fullmatch(text):  # already written the way it is stored
        return text
    digits = "".join(filter(str.isdigit, text))
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


_SNILS_FORMAT = re.compile(r"[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}")


# Above this many codes a package is compared with every teacher: one plain scan is
# cheaper than compiling and sending an IN list of tens of thousands of codes.
IN_LIMIT = 1000


def _teachers(codes: list[str]) -> djm.QuerySet:
    """The teachers a package's codes may name (possibly more: codes not given match nothing)."""
    qs = m.Teacher.objects.all()
    return qs if len(codes) > IN_LIMIT else qs.filter(code__in=codes)


class TeacherSheet(Sheet):
    name = "Педагоги"
    models = (m.Teacher, m.RosterEntry)
    order = 40
    key = ("code",)
    provides = {"roster": "code", "teacher": "code"}
    columns = (
        Column("Код педагога", "code", p.parse_code, required=True),
        Column("ФИО", "full_name", p.parse_text, required=True),
        Column("Пол", "sex", p.choice(m.Sex.values), required=True),
        Column("Дата рождения", "birth_date", p.parse_date, required=True, export=dmy, personal=True),
        Column("Код ОО", "school", p.parse_code, required=True),
        Column("Должность", "position", p.parse_text, required=True),
        Column("Предметы", "subjects", p.parse_list, default=[], export=joined),
        Column("Уровень образования", "education_level", p.choice(m.EducationLevel.values), default=""),
        _b("Педагогическое образование", "pedagogical_education"),
        _b("Образование соответствует профилю", "education_matches_profile"),
        Column("Квалификационная категория", "category", p.choice(m.Category.values), default=m.Category.NONE),
        Column("Дата присвоения категории", "category_date", p.parse_date, export=dmy),
        Column("Педагогический стаж", "experience_years", p.ranged_int(0, 80)),
        _b("Совместитель", "part_time"),
        Column("Ставка", "workload", p.ranged_decimal(0, exclusive_low=True), default=Decimal("1"), export=number),
        Column("СНИЛС", "snils", _snils, default="", personal=True),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            birth = row.values["birth_date"]
            age = (today - birth).days // 365
            if birth > today:
                ctx.problem(self.name, row.number, "Дата рождения", dmy(birth), "дата еще не наступила")
            elif not 16 <= age <= 100:
                ctx.problem(self.name, row.number, "Дата рождения", dmy(birth), "возраст педагога неправдоподобен")
            _future(ctx, self.name, row, "category_date", "Дата присвоения категории", today)
        self._check_snils(rows, ctx)
        self._check_people(rows, ctx)

    def _check_people(self, rows, ctx):
        """A new code is one new person, and a card rewritten stays its own person, as the eye reads them.

        A new code may not read as a known teacher's code, nor name a known person (ФИО and birth
        date); a known code whose ФИО or birth date the row changes may not become another known
        person either. Refused in a school's upload; reported to the institute, whose package may
        hold true namesakes (see monitoring.identity). Compared with the portal and within the file.
        """
        report = ctx.problem if ctx.school is not None else ctx.warning
        codes = [r["code"] for r in rows]
        named = set(codes)
        cards = {
            code: (name, born)
            for code, name, born in _teachers(codes).values_list("code", "full_name", "birth_date")
            if code in named
        }
        new = [r for r in rows if r["code"] not in cards]
        rewritten = [r for r in rows if r["code"] in cards and cards[r["code"]] != (r["full_name"], r["birth_date"])]
        if not new and not rewritten:
            return  # a re-upload that names no one new (a region's package every year) costs nothing here
        # Each row's folds once: a region's first package has every row new (30,000 and more).
        code_folds = {r["code"]: identity.fold_code(r["code"]) for r in new}
        looks: dict[str, str] = {}
        if cards or m.Teacher.objects.exists():
            wanted = set(code_folds.values())
            for code in m.Teacher.objects.values_list("code", flat=True).iterator(chunk_size=5000):
                folded = identity.fold_code(code)
                if folded in wanted:
                    looks.setdefault(folded, code)
        for row in rows:  # the file's own codes count as known too
            looks.setdefault(code_folds.get(row["code"]) or identity.fold_code(row["code"]), row["code"])
        checked = new + rewritten
        people: dict[tuple[str, Any], str] = {}
        for name, born, code in m.Teacher.objects.filter(birth_date__in={r["birth_date"] for r in checked}).values_list(
            "full_name", "birth_date", "code"
        ):
            for key in identity.name_keys(name):
                people.setdefault((key, born), code)
        row_keys = {r["code"]: identity.name_keys(r["full_name"]) for r in rows}
        for row in rows:
            for key in row_keys[row["code"]]:
                people.setdefault((key, row["birth_date"]), row["code"])
        for row in checked:
            code = row["code"]
            twin = looks.get(code_folds[code]) if code in code_folds else None
            if code in code_folds and not identity.PLAIN_CODE.fullmatch(code):
                report(
                    self.name,
                    row.number,
                    "Код педагога",
                    code,
                    "новый код педагога записывается латинскими буквами, цифрами и знаками «-», «_», «.», «/»; "
                    "в этом коде есть другие символы (возможно, русские буквы или невидимые знаки)",
                )
            elif twin is not None and twin != code:
                report(
                    self.name,
                    row.number,
                    "Код педагога",
                    code,
                    f"код почти совпадает с кодом «{twin}» (отличаются регистр, разделители, нули или похожие "
                    "буквы); укажите код точно так, как он записан в портале",
                )
            else:
                others = {people.get((key, row["birth_date"])) for key in row_keys[code]} - {None, code}
                if others:
                    same = min(others)
                    where = "в этом файле" if same in row_keys else "в портале"
                    if ctx.school is not None:
                        hint = "; " + identity.TRANSFER_HINT if where == "в портале" and code not in cards else ""
                        text = f"педагог с такими ФИО и датой рождения уже есть {where} под другим кодом{hint}"
                    else:
                        text = f"педагог с такими ФИО и датой рождения уже есть {where} под кодом «{same}»"
                    report(self.name, row.number, "ФИО", row["full_name"], text)

    def _check_snils(self, rows, ctx):
        """A СНИЛС names one person: not two rows of the file, nor a teacher of the portal under another code.

        A head who writes another school's teacher's СНИЛС on a new row would otherwise make a
        second card of that person. The other teacher's code is named for the institute only:
        a school learns no one's code from a СНИЛС.
        """
        first: dict[str, int] = {}
        for row in rows:
            snils = row["snils"]
            if not snils:
                continue
            if snils in first:
                ctx.problem(self.name, row.number, "СНИЛС", snils, f"этот СНИЛС уже указан в строке {first[snils]}")
            else:
                first[snils] = row.number
        if not first:
            return
        stored = m.Teacher.objects.exclude(snils="")
        if len(first) <= IN_LIMIT:
            stored = stored.filter(snils__in=list(first))
        owners = dict(stored.values_list("snils", "code"))
        for row in rows:
            owner = owners.get(row["snils"])
            if owner is not None and owner != row["code"]:
                whose = f" (код {owner})" if ctx.school is None else ""
                ctx.problem(
                    self.name,
                    row.number,
                    "СНИЛС",
                    row["snils"],
                    f"этот СНИЛС в портале указан у другого педагога{whose}",
                )

    def write(self, rows, ctx):
        codes = [r.values["code"] for r in rows]
        people_rows = rows
        roster = m.RosterEntry.objects.filter(period=ctx.period)
        if ctx.school is not None:
            # A school's upload (its check refuses another school's teachers) writes inside the
            # school only: a roster row elsewhere is never matched (the database's unique
            # teacher-per-period constraint would refuse the import rather than move it), and a
            # person's card is rewritten only for teachers the school alone has had.
            roster = roster.filter(school=ctx.school)
            entries = m.RosterEntry.objects.filter(teacher__code__in=codes)
            here = set(entries.filter(school=ctx.school).values_list("teacher__code", flat=True))
            here -= set(entries.exclude(school=ctx.school).values_list("teacher__code", flat=True))
            known = set(_teachers(codes).filter(code__in=codes).values_list("code", flat=True))
            people_rows = [r for r in rows if r.values["code"] not in known or r.values["code"] in here]
        people = upsert(
            model=m.Teacher,
            existing=_teachers([r.values["code"] for r in people_rows]),
            key=("code",),
            values=[
                {
                    "code": r.values["code"],
                    "full_name": r.values["full_name"],
                    "sex": r.values["sex"],
                    "birth_date": r.values["birth_date"],
                    "snils": r.values["snils"],
                }
                for r in people_rows
            ],
            replace=False,
        )
        teacher_ids = dict(_teachers(codes).values_list("code", "id"))
        schools = ctx.ids("school")
        roster_fields = [
            c.field
            for c in self.columns
            if c.field not in ("code", "full_name", "sex", "birth_date", "snils", "school")
        ]
        roster_values = operator.itemgetter(*roster_fields)
        result = upsert(
            model=m.RosterEntry,
            existing=roster,
            key=("teacher_id",),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teacher_ids[r.values["code"]],
                    "school_id": schools[r.values["school"]],
                    **dict(zip(roster_fields, roster_values(r.values), strict=True)),
                }
                for r in rows
            ],
            replace=ctx.replace,
            removable=_own_school(ctx),
        )
        # A change of the person's card (name, birth date) is a change of the row too.
        result.changed += people.changed
        result.unchanged = max(0, result.unchanged - people.changed)
        result.digest = combined_digest(people, result)
        return result

    def replaced_codes(self, namespace, ctx):
        if namespace != "roster":
            return set()  # teachers as people are never removed, only their rows of the period
        roster = m.RosterEntry.objects.filter(period=ctx.period)
        if ctx.school is not None:  # a school head's replace stays inside the school (see _own_school)
            roster = roster.filter(school=ctx.school)
        return set(roster.values_list("teacher__code", flat=True))

    def export_rows(self, period, *, school=None):
        qs = m.RosterEntry.objects.filter(period=period).select_related("teacher", "school").order_by("teacher__code")
        if school is not None:  # a school head's template: one school's roster, not the region's
            qs = qs.filter(school=school)
        for e in qs.iterator(chunk_size=2000):
            t = e.teacher
            yield [
                t.code,
                t.full_name,
                t.sex,
                dmy(t.birth_date),
                e.school.code,
                e.position,
                joined(e.subjects),
                e.education_level or None,
                yes_no(e.pedagogical_education),
                yes_no(e.education_matches_profile),
                e.category,
                dmy(e.category_date),
                e.experience_years,
                yes_no(e.part_time),
                number(e.workload),
                t.snils or None,
            ]


class StaffingSheet(Sheet):
    name = "Штатное расписание"
    models = (m.StaffingRow,)
    order = 50
    key = ("school", "position")
    columns = (
        Column("Код ОО", "school", p.parse_code, required=True),
        Column("Должность", "position", p.parse_text, required=True),
        Column("Ставок по штату", "positions_by_schedule", p.ranged_decimal(0), required=True, export=number),
        Column("Фактическая потребность в ставках", "actual_need", p.ranged_decimal(0), required=True, export=number),
        Column("Вакантных ставок", "vacant_positions", p.ranged_decimal(0), required=True, export=number),
        Column("Вакантных должностей", "vacant_posts", p.ranged_int(0), required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            if row.values["vacant_positions"] > row.values["positions_by_schedule"]:
                ctx.problem(
                    self.name,
                    row.number,
                    "Вакантных ставок",
                    number(row.values["vacant_positions"]),
                    f"вакантных ставок больше, чем ставок по штату ({number(row['positions_by_schedule'])})",
                )

    def write(self, rows, ctx):
        schools = ctx.ids("school")
        return upsert(
            model=m.StaffingRow,
            existing=m.StaffingRow.objects.filter(period=ctx.period),
            key=("school_id", "position"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "school_id": schools[r.values["school"]],
                    "position": r.values["position"],
                    "positions_by_schedule": r.values["positions_by_schedule"],
                    "actual_need": r.values["actual_need"],
                    "vacant_positions": r.values["vacant_positions"],
                    "vacant_posts": r.values["vacant_posts"],
                }
                for r in rows
            ],
            replace=ctx.replace,
            removable=_own_school(ctx),
        )

    def export_rows(self, period):
        qs = m.StaffingRow.objects.filter(period=period).select_related("school").order_by("school__code", "position")
        for r in qs:
            yield [
                r.school.code,
                r.position,
                number(r.positions_by_schedule),
                number(r.actual_need),
                number(r.vacant_positions),
                r.vacant_posts,
            ]


class ExpertSheet(Sheet):
    name = "Экспертная деятельность"
    models = (m.ExpertRole,)
    order = 60
    key = ("teacher", "kind", "subject")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Вид", "kind", p.choice(m.ExpertKind.values), required=True),
        Column("Предмет", "subject", p.parse_text, default=""),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            if row.values["kind"] in (m.ExpertKind.EGE, m.ExpertKind.OGE) and not row.values["subject"]:
                ctx.problem(self.name, row.number, "Предмет", "", f"для эксперта {row['kind']} нужно указать предмет")

    def write(self, rows, ctx):
        teachers = ctx.ids("roster")
        return upsert(
            model=m.ExpertRole,
            existing=m.ExpertRole.objects.filter(period=ctx.period),
            key=("teacher_id", "kind", "subject"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teachers[r.values["teacher"]],
                    "kind": r.values["kind"],
                    "subject": r.values["subject"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.ExpertRole.objects.filter(period=period).select_related("teacher")
        for r in qs.order_by("teacher__code", "kind", "subject"):
            yield [r.teacher.code, r.kind, r.subject or None]


class ActivistSheet(Sheet):
    name = "Методический актив"
    models = (m.MethodicalActivist,)
    order = 60
    key = ("full_name", "municipality", "role")
    columns = (
        Column("ФИО", "full_name", p.parse_text, required=True),
        Column("Код педагога", "teacher", p.parse_code),
        Column("Код муниципалитета", "municipality", p.parse_code, required=True),
        Column("Роль", "role", p.choice(m.ActivistRole.values), required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")
            ctx.check_reference(self.name, row, "teacher", "teacher", "Педагога")

    def write(self, rows, ctx):
        mun, teachers = ctx.ids("municipality"), ctx.ids("teacher")
        return upsert(
            model=m.MethodicalActivist,
            existing=m.MethodicalActivist.objects.filter(period=ctx.period),
            key=("full_name", "municipality_id", "role"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "full_name": r.values["full_name"],
                    "municipality_id": mun[r.values["municipality"]],
                    "role": r.values["role"],
                    "teacher_id": teachers.get(r.values["teacher"]) if r.values["teacher"] else None,
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.MethodicalActivist.objects.filter(period=period).select_related("teacher", "municipality")
        for r in qs.order_by("municipality__code", "role", "full_name"):
            yield [r.full_name, r.teacher.code if r.teacher else None, r.municipality.code, r.role]


class ProjectSheet(Sheet):
    name = "Проекты молодых педагогов"
    models = (m.SupportProject,)
    order = 60
    key = ("code",)
    provides = {"support_project": "code"}
    columns = (
        Column("Код проекта", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
    )

    def replaced_codes(self, namespace, ctx):
        # The period's rows: replace removes those the package lacks.
        return set(m.SupportProject.objects.filter(period=ctx.period).values_list("code", flat=True))

    def write(self, rows, ctx):
        return upsert(
            model=m.SupportProject,
            existing=m.SupportProject.objects.filter(period=ctx.period),
            key=("code",),
            values=[{"period_id": ctx.period.pk, "code": r.values["code"], "name": r.values["name"]} for r in rows],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        for r in m.SupportProject.objects.filter(period=period).order_by("code"):
            yield [r.code, r.name]


class ProjectParticipantSheet(Sheet):
    name = "Участники проектов"
    models = (m.SupportProjectParticipant,)
    order = 70
    key = ("project", "teacher")
    columns = (
        Column("Код проекта", "project", p.parse_code, required=True),
        Column("Код педагога", "teacher", p.parse_code, required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "project", "support_project", "Проекта")
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")

    def write(self, rows, ctx):
        projects, teachers = ctx.ids("support_project"), ctx.ids("roster")
        return upsert(
            model=m.SupportProjectParticipant,
            existing=m.SupportProjectParticipant.objects.filter(project__period=ctx.period),
            key=("project_id", "teacher_id"),
            values=[
                {"project_id": projects[r.values["project"]], "teacher_id": teachers[r.values["teacher"]]} for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.SupportProjectParticipant.objects.filter(project__period=period).select_related("project", "teacher")
        for r in qs.order_by("project__code", "teacher__code"):
            yield [r.project.code, r.teacher.code]


class MentoringProgramSheet(Sheet):
    name = "Программы наставничества"
    models = (m.MentoringProgram,)
    order = 60
    key = ("code",)
    provides = {"mentoring_program": "code"}
    columns = (
        Column("Код программы наставничества", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
        Column("Код ОО", "school", p.parse_code),
        Column("Код муниципалитета", "municipality", p.parse_code),
    )

    def check(self, rows, ctx):
        for row in rows:
            if bool(row.values["school"]) == bool(row.values["municipality"]):
                ctx.problem(
                    self.name,
                    row.number,
                    "Код ОО",
                    row.values["school"],
                    "укажите ровно одно из двух: «Код ОО» или «Код муниципалитета»",
                )
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")

    def replaced_codes(self, namespace, ctx):
        # The period's rows: replace removes those the package lacks.
        return set(m.MentoringProgram.objects.filter(period=ctx.period).values_list("code", flat=True))

    def write(self, rows, ctx):
        schools, mun = ctx.ids("school"), ctx.ids("municipality")
        return upsert(
            model=m.MentoringProgram,
            existing=m.MentoringProgram.objects.filter(period=ctx.period),
            key=("code",),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "code": r.values["code"],
                    "name": r.values["name"],
                    "school_id": schools[r.values["school"]] if r.values["school"] else None,
                    "municipality_id": mun[r.values["municipality"]] if r.values["municipality"] else None,
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.MentoringProgram.objects.filter(period=period).select_related("school", "municipality")
        for r in qs.order_by("code"):
            yield [r.code, r.name, r.school.code if r.school else None, r.municipality.code if r.municipality else None]


class MentoringPairSheet(Sheet):
    name = "Наставничество"
    models = (m.MentoringPair,)
    order = 70
    key = ("program", "mentor", "mentee")
    columns = (
        Column("Код программы наставничества", "program", p.parse_code, required=True),
        Column("Код наставника", "mentor", p.parse_code, required=True),
        Column("Код наставляемого", "mentee", p.parse_code, required=True),
        Column("Форма", "form", p.parse_text, default=""),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "program", "mentoring_program", "Программы наставничества")
            ctx.check_reference(self.name, row, "mentor", "roster", "Наставника в списке периода")
            ctx.check_reference(self.name, row, "mentee", "roster", "Наставляемого в списке периода")
            if row.values["mentor"] == row.values["mentee"]:
                ctx.problem(
                    self.name,
                    row.number,
                    "Код наставляемого",
                    row.values["mentee"],
                    "наставник и наставляемый должны быть разными людьми",
                )

    def write(self, rows, ctx):
        programs, teachers = ctx.ids("mentoring_program"), ctx.ids("roster")
        return upsert(
            model=m.MentoringPair,
            existing=m.MentoringPair.objects.filter(program__period=ctx.period),
            key=("program_id", "mentor_id", "mentee_id"),
            values=[
                {
                    "program_id": programs[r.values["program"]],
                    "mentor_id": teachers[r.values["mentor"]],
                    "mentee_id": teachers[r.values["mentee"]],
                    "form": r.values["form"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.MentoringPair.objects.filter(program__period=period).select_related("program", "mentor", "mentee")
        for r in qs.order_by("program__code", "mentor__code", "mentee__code"):
            yield [r.program.code, r.mentor.code, r.mentee.code, r.form or None]


class CompetitionSheet(Sheet):
    name = "Конкурсы"
    models = (m.CompetitionEntry,)
    order = 60
    key = ("teacher", "competition", "level", "date")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Конкурс", "competition", p.parse_text, required=True),
        Column("Уровень", "level", p.choice(m.CompetitionLevel.values), required=True),
        Column("Результат", "result", p.choice(m.CompetitionResult.values), default=""),
        Column("Дата", "date", p.parse_date, required=True, export=dmy),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            _future(ctx, self.name, row, "date", "Дата", today)

    def write(self, rows, ctx):
        teachers = ctx.ids("roster")
        return upsert(
            model=m.CompetitionEntry,
            existing=m.CompetitionEntry.objects.filter(period=ctx.period),
            key=("teacher_id", "competition", "level", "date"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teachers[r.values["teacher"]],
                    "competition": r.values["competition"],
                    "level": r.values["level"],
                    "result": r.values["result"],
                    "date": r.values["date"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.CompetitionEntry.objects.filter(period=period).select_related("teacher")
        for r in qs.order_by("teacher__code", "date", "competition", "level"):
            yield [r.teacher.code, r.competition, r.level, r.result or None, dmy(r.date)]


class AssociationSheet(Sheet):
    name = "Методические объединения"
    models = (m.MethodicalAssociation,)
    order = 60
    key = ("code",)
    provides = {"association": "code"}
    columns = (
        Column("Код МО", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
        Column("Уровень", "level", p.choice(m.AssociationLevel.values), required=True),
        Column("Код ОО", "school", p.parse_code),
        Column("Код муниципалитета", "municipality", p.parse_code),
        Column("Предмет", "subject", p.parse_text, default=""),
        *(_b(title, field) for field, title in m.ASSOCIATION_CRITERIA.items()),
    )

    def check(self, rows, ctx):
        for row in rows:
            level = row.values["level"]
            if level == m.AssociationLevel.SCHOOL and not row.values["school"]:
                ctx.problem(self.name, row.number, "Код ОО", "", "для школьного МО укажите код ОО")
            if level == m.AssociationLevel.MUNICIPAL and not row.values["municipality"]:
                ctx.problem(
                    self.name, row.number, "Код муниципалитета", "", "для муниципального МО укажите код муниципалитета"
                )
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")

    def replaced_codes(self, namespace, ctx):
        # The period's rows: replace removes those the package lacks.
        return set(m.MethodicalAssociation.objects.filter(period=ctx.period).values_list("code", flat=True))

    def write(self, rows, ctx):
        schools, mun = ctx.ids("school"), ctx.ids("municipality")
        values = []
        for r in rows:
            # The owner follows the level (a school code given for a municipal MO is ignored).
            level = r.values["level"]
            values.append(
                {
                    "period_id": ctx.period.pk,
                    "code": r.values["code"],
                    "name": r.values["name"],
                    "level": level,
                    "school_id": schools[r.values["school"]] if level == m.AssociationLevel.SCHOOL else None,
                    "municipality_id": mun[r.values["municipality"]] if level == m.AssociationLevel.MUNICIPAL else None,
                    "subject": r.values["subject"],
                    **{f: r.values[f] for f in m.ASSOCIATION_CRITERIA},
                }
            )
        return upsert(
            model=m.MethodicalAssociation,
            existing=m.MethodicalAssociation.objects.filter(period=ctx.period),
            key=("code",),
            values=values,
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.MethodicalAssociation.objects.filter(period=period).select_related("school", "municipality")
        for r in qs.order_by("code"):
            yield [
                r.code,
                r.name,
                r.level,
                r.school.code if r.school else None,
                r.municipality.code if r.municipality else None,
                r.subject or None,
                *(yes_no(getattr(r, f)) for f in m.ASSOCIATION_CRITERIA),
            ]


class AssociationMemberSheet(Sheet):
    name = "Участники МО"
    models = (m.AssociationMember,)
    order = 70
    key = ("association", "teacher")
    columns = (
        Column("Код МО", "association", p.parse_code, required=True),
        Column("Код педагога", "teacher", p.parse_code, required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "association", "association", "Методического объединения")
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")

    def write(self, rows, ctx):
        assoc, teachers = ctx.ids("association"), ctx.ids("roster")
        return upsert(
            model=m.AssociationMember,
            existing=m.AssociationMember.objects.filter(association__period=ctx.period),
            key=("association_id", "teacher_id"),
            values=[
                {"association_id": assoc[r.values["association"]], "teacher_id": teachers[r.values["teacher"]]}
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.AssociationMember.objects.filter(association__period=period).select_related("association", "teacher")
        for r in qs.order_by("association__code", "teacher__code"):
            yield [r.association.code, r.teacher.code]


class AssociationEventSheet(Sheet):
    name = "Мероприятия МО"
    models = (m.AssociationEvent,)
    order = 70
    key = ("association", "date", "title")
    columns = (
        Column("Код МО", "association", p.parse_code, required=True),
        Column("Дата", "date", p.parse_date, required=True, export=dmy),
        Column("Название", "title", p.parse_text, required=True),
        _b("Сетевая форма", "networked"),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "association", "association", "Методического объединения")
            _future(ctx, self.name, row, "date", "Дата", today)

    def write(self, rows, ctx):
        assoc = ctx.ids("association")
        return upsert(
            model=m.AssociationEvent,
            existing=m.AssociationEvent.objects.filter(association__period=ctx.period),
            key=("association_id", "date", "title"),
            values=[
                {
                    "association_id": assoc[r.values["association"]],
                    "date": r.values["date"],
                    "title": r.values["title"],
                    "networked": r.values["networked"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.AssociationEvent.objects.filter(association__period=period).select_related("association")
        for r in qs.order_by("association__code", "date", "title"):
            yield [r.association.code, dmy(r.date), r.title, yes_no(r.networked)]


class DigitalSheet(Sheet):
    name = "Цифровая среда"
    models = (m.DigitalEnvironmentScore,)
    order = 60
    key = ("school",)
    columns = (
        Column("Код ОО", "school", p.parse_code, required=True),
        Column("Инфраструктура", "infrastructure", p.ranged_int(0, 4), required=True),
        Column("Инструменты и сервисы", "tools", p.ranged_int(0, 4), required=True),
        Column("Использование в обучении", "usage", p.ranged_int(0, 4), required=True),
        Column("Профессиональное развитие", "professional_development", p.ranged_int(0, 4), required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "school", "school", "Организации")

    def write(self, rows, ctx):
        schools = ctx.ids("school")
        fields = ("infrastructure", "tools", "usage", "professional_development")
        return upsert(
            model=m.DigitalEnvironmentScore,
            existing=m.DigitalEnvironmentScore.objects.filter(period=ctx.period),
            key=("school_id",),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "school_id": schools[r.values["school"]],
                    **{f: r.values[f] for f in fields},
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.DigitalEnvironmentScore.objects.filter(period=period).select_related("school")
        for r in qs.order_by("school__code"):
            yield [r.school.code, r.infrastructure, r.tools, r.usage, r.professional_development]


for _sheet in (
    RegionSheet(),
    MunicipalitySheet(),
    SchoolSheet(),
    TeacherSheet(),
    StaffingSheet(),
    ExpertSheet(),
    ActivistSheet(),
    ProjectSheet(),
    ProjectParticipantSheet(),
    MentoringProgramSheet(),
    MentoringPairSheet(),
    CompetitionSheet(),
    AssociationSheet(),
    AssociationMemberSheet(),
    AssociationEventSheet(),
    DigitalSheet(),
):
    register(_sheet)
