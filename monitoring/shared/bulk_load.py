"""A big COPY into a table: its foreign keys checked once and its plain indexes built once.

PostgreSQL's manual on populating a database ("Populating a Database") advises, for a bulk
load, to drop foreign keys and indexes and to create them again afterwards: a key then
checks the whole table in one anti-join instead of one index probe and row lock per row,
and an index is built by one sort (with parallel workers) instead of one B-tree descent
per row. Measured on the largest region's package (720,000 diagnostic group results,
100,000 roster rows …): see ``loaded_in_bulk``.

Everything happens inside the caller's transaction, so no table ever commits without its
keys or indexes: a violation fails the ``ADD CONSTRAINT`` and with it the whole write. The
price is locks (exclusive on the table, and for a key on the table it references, until
the commit), so only a write that will commit asks for it (``allow_foreign_key_swap``), and
only for a COPY that is most of its table.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.conf import settings
from django.db import OperationalError, ProgrammingError, transaction
from django.db import models as djm

# True while a write that will commit runs (an applied import, not its dry run): only then
# may a big COPY swap its table's checks and indexes (loaded_in_bulk). A dry run (every
# upload's preview) rolls back, so its deferred checks never run and cost nothing; other
# writers never lock tables that way.
_SWAP_ALLOWED = contextvars.ContextVar("bulk_foreign_key_swap_allowed", default=False)

# A COPY of at least this many rows is loaded in bulk (see loaded_in_bulk). Below it the
# row-by-row checks cost little (about 3 microseconds a row here) and are not worth an
# exclusive lock on the table.
BULK_FK_ROWS = 10_000
# How long the ALTER TABLE may wait for its locks before the COPY goes the usual way.
DDL_LOCK_TIMEOUT = "1s"
# SQLSTATEs of a DDL statement that could not take its lock in time (lock_not_available),
# was chosen as a deadlock's victim (deadlock_detected, e.g. against another import), met a
# table with queued trigger events (object_in_use) or ran as a role that does not own the
# table (insufficient_privilege; a deployment may migrate as one role and serve as
# another): the COPY then goes the usual way.
_DDL_REFUSED = {"55P03", "40P01", "55006", "42501"}

# The table's foreign keys, and its estimated size (reltuples: from the last VACUUM or
# ANALYZE, -1 before the first).
_KEYS_SQL = (
    "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
    "WHERE c.conrelid = %s::regclass AND c.contype = 'f' ORDER BY c.conname"
)
_SIZE_SQL = "SELECT reltuples FROM pg_class WHERE oid = %s::regclass"
# Its plain indexes: not unique (a unique index is a rule the rows must keep as they come,
# with Django's error for a duplicate), not a constraint's, valid, and no expression
# indexes' worth of surprise: pg_get_indexdef gives back the very statement that made it.
_INDEXES_SQL = (
    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
    "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary AND x.indisvalid "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY i.relname"
)


def foreign_key_swap_allowed() -> bool:
    """Whether the current code runs inside ``allow_foreign_key_swap()`` (a write that will commit)."""
    return _SWAP_ALLOWED.get()


@contextlib.contextmanager
def allow_foreign_key_swap(on: bool = True) -> Iterator[None]:
    """Mark the code inside as a write that will commit (``on=False``: one that rolls back)."""
    token = _SWAP_ALLOWED.set(on)
    try:
        yield
    finally:
        _SWAP_ALLOWED.reset(token)


@contextlib.contextmanager
def loaded_in_bulk(connection, model: type[djm.Model], count: int) -> Iterator[None]:
    """Around a big COPY of ``count`` rows: the table's foreign keys and plain indexes dropped, then made again.

    Row by row, PostgreSQL checks a foreign key with one index probe and row lock per new
    row, queued to the commit (Django makes every FK DEFERRABLE INITIALLY DEFERRED): for
    the region package 550,000 checks and 1.7 s of its commit. ``ADD CONSTRAINT`` checks
    the table in one anti-join. Each plain index costs a B-tree descent per row; ``CREATE
    INDEX`` sorts once, in parallel workers: the 720,000 group results of the largest
    region's diagnostics took 3.9 s to COPY with their indexes and 0.7 s without, the
    index on (group, deficit) 0.5 s to build afterwards (timed in psql).

    Only in a write that will commit (allow_foreign_key_swap(); an import's dry run rolls
    back and never pays for its checks), with settings.IMPORT_BULK_FOREIGN_KEYS on, for at
    least BULK_FK_ROWS new rows that are a quarter or more of what the table holds (making
    them again reads every stored row too; a re-upload or a school's upload never comes
    here), and only if the locks come within DDL_LOCK_TIMEOUT, since pages queue behind a
    waiting ``ALTER TABLE``. Dropping a key locks the table it references too (periods,
    schools, teachers…) until the commit, so pages reading them wait for the rest of the
    import (some 3 s of a region's first import). Otherwise, and off PostgreSQL, the COPY
    goes the usual way.
    """
    if (
        connection.vendor != "postgresql"
        or count < BULK_FK_ROWS
        or not connection.in_atomic_block
        or not foreign_key_swap_allowed()
        or not settings.IMPORT_BULK_FOREIGN_KEYS
    ):
        yield
        return
    table, quote = model._meta.db_table, connection.ops.quote_name
    keys: list[tuple[str, str]] = []
    indexes: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        cursor.execute(_SIZE_SQL, [quote(table)])
        (size,) = cursor.fetchone()
        if count * 4 >= size:
            cursor.execute(_KEYS_SQL, [quote(table)])
            keys = cursor.fetchall()
            cursor.execute(_INDEXES_SQL, [quote(table)])
            indexes = cursor.fetchall()
        if keys or indexes:
            # Dropping a key touches the referenced table too, which refuses while checks
            # queued by earlier sheets wait on it: run every queued check now (each was due
            # at the commit anyway; a violation raises here as it would have there).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("SET LOCAL lock_timeout = %s", [DDL_LOCK_TIMEOUT])
                    for name, _ in keys:
                        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                    for name, _ in indexes:
                        cursor.execute(f"DROP INDEX {quote(name)}")
                    cursor.execute("SET LOCAL lock_timeout = DEFAULT")
            except (OperationalError, ProgrammingError) as error:
                if getattr(error.__cause__, "pgcode", None) not in _DDL_REFUSED:
                    raise
                keys, indexes = [], []  # the savepoint undid the drops: the COPY goes as before
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    # Not in a finally: after a failed COPY the transaction is aborted and rolls back whole,
    # the dropped keys and indexes with it.
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
