"""The UPDATE half of the bulk writer (monitoring.shared.bulk): rows changed by primary key, in batches."""

from __future__ import annotations

import json
from typing import Any

from django.db import models as djm

BATCH = 2000  # rows per statement


def psycopg2_in_use(connection) -> bool:
    """Whether ``connection`` is PostgreSQL through psycopg2 (COPY and execute_values are psycopg2's).

    With psycopg 3 the portable paths are taken.
    """
    return connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"


def update_rows(
    connection, *, model: type[djm.Model], fields: list[str], rows: list[tuple[Any, dict[str, Any]]]
) -> None:
    """Set ``fields`` of the rows given as (pk, attname dict).

    On PostgreSQL one ``UPDATE … FROM (VALUES …)`` per batch: bulk_update's CASE WHEN
    per row and column grows with the square of the batch. Elsewhere bulk_update.
    """
    if not psycopg2_in_use(connection):
        objs = []
        for pk, vals in rows:
            obj = model(**vals)
            obj.pk = pk
            objs.append(obj)
        model.objects.bulk_update(objs, fields, batch_size=BATCH)
        return
    # Only a connection through psycopg2 gets here (checked above); a deployment on psycopg 3
    # need not have psycopg2 installed at all.
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
