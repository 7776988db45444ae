"""upsert, the write half of every sheet: counts and stored values on the backend under test.

On PostgreSQL new rows go through COPY and changed ones through UPDATE … FROM (VALUES …);
on SQLite through bulk_create and bulk_update. Both must count and store the same, so
these tests run on whichever database the suite runs on (SQLite by default,
PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from monitoring import models as m
from monitoring.shared import bulk, bulk_load
from monitoring.shared.bulk import JsonText, insert_columns, upsert
from tests import factories

pytestmark = pytest.mark.django_db

ROSTER_FIELDS = (
    "period_id",
    "teacher_id",
    "school_id",
    "position",
    "subjects",
    "education_level",
    "pedagogical_education",
    "education_matches_profile",
    "category",
    "category_date",
    "experience_years",
    "part_time",
    "workload",
)


@pytest.fixture
def w():
    period = factories.PeriodFactory(year=2025)
    mun = factories.MunicipalityFactory(code="01")
    school_a = factories.SchoolFactory(municipality=mun, code="000001")
    school_b = factories.SchoolFactory(municipality=mun, code="000002")
    teachers = [factories.TeacherFactory(code=f"T{i:07d}") for i in range(1, 4)]
    return SimpleNamespace(period=period, mun=mun, school_a=school_a, school_b=school_b, teachers=teachers)


def roster_rows(w) -> list[dict]:
    t1, t2, t3 = w.teachers
    common = {"period_id": w.period.pk, "education_level": "", "pedagogical_education": False}
    return [
        {
            **common,
            "teacher_id": t1.pk,
            "school_id": w.school_a.pk,
            # Text a CSV buffer must carry intact: quotes, separators, a line break, a
            # backslash, a tab and the text \N that COPY would take for NULL unquoted.
            "position": 'учитель "высшей" категории, 1; 2\nвторая строка \\ \t \\N',
            "subjects": ["Математика", 'кавычки "в" тексте', "запятая, и; точка"],
            "education_matches_profile": True,
            "category": m.Category.HIGHEST,
            "category_date": dt.date(2021, 3, 4),
            "experience_years": 12,
            "part_time": True,
            "workload": Decimal("0.25"),
        },
        {
            **common,
            "teacher_id": t2.pk,
            "school_id": w.school_b.pk,
            "position": "\\N",
            "subjects": [],
            "education_matches_profile": False,
            "category": m.Category.NONE,
            "category_date": None,
            "experience_years": None,
            "part_time": False,
            "workload": Decimal("1"),
        },
        {
            **common,
            "teacher_id": t3.pk,
            "school_id": w.school_a.pk,
            "position": "",
            "subjects": ["Начальные классы"],
            "education_matches_profile": True,
            "category": m.Category.FIRST,
            "category_date": dt.date(2024, 12, 31),
            "experience_years": 0,
            "part_time": False,
            "workload": Decimal("1.5"),
        },
    ]


def stored_roster(w) -> dict[int, dict]:
    rows = m.RosterEntry.objects.filter(period=w.period).values(*ROSTER_FIELDS)
    return {row["teacher_id"]: row for row in rows}


def roster_upsert(w, values, *, replace=False, removable=None):
    return upsert(
        model=m.RosterEntry,
        existing=m.RosterEntry.objects.filter(period=w.period),
        key=("teacher_id",),
        values=values,
        replace=replace,
        removable=removable,
    )


def assert_roster_stored(w, values: list[dict]) -> None:
    """Each of ``values`` is stored as given (other rows of the period may be there too)."""
    stored = stored_roster(w)
    for vals in values:
        assert stored[vals["teacher_id"]] == vals


def counts(result) -> tuple[int, int, int, int]:
    return result.added, result.changed, result.removed, result.unchanged


def test_new_rows_are_stored_exactly(w):
    values = roster_rows(w)
    assert counts(roster_upsert(w, values)) == (3, 0, 0, 0)
    stored = stored_roster(w)
    for vals in values:
        row = stored[vals["teacher_id"]]
        assert row == vals
        # Equal is not enough for the types: JSON comes back a list, Decimal a Decimal,
        # a NULL None and an empty text "".
        for field, value in vals.items():
            assert type(row[field]) is type(value) or isinstance(value, str), field
    assert stored[w.teachers[1].pk]["category_date"] is None
    assert stored[w.teachers[1].pk]["position"] == "\\N"
    assert stored[w.teachers[2].pk]["position"] == ""
    assert stored[w.teachers[0].pk]["workload"] == Decimal("0.25")


def test_fields_not_given_get_their_defaults(w):
    t1 = w.teachers[0]
    values = [{"period_id": w.period.pk, "teacher_id": t1.pk, "school_id": w.school_a.pk, "position": "учитель"}]
    assert counts(roster_upsert(w, values)) == (1, 0, 0, 0)
    entry = m.RosterEntry.objects.get(teacher=t1)
    assert entry.subjects == []
    assert entry.workload == Decimal("1")
    assert entry.category == m.Category.NONE
    assert entry.education_level == ""
    assert entry.pedagogical_education is False
    assert entry.category_date is None
    assert entry.experience_years is None


def test_the_same_values_again_change_nothing(w):
    roster_upsert(w, roster_rows(w))
    before = stored_roster(w)
    pks = set(m.RosterEntry.objects.values_list("pk", flat=True))
    # Decimal("1") against the stored 1.00 is equal: not a change.
    assert counts(roster_upsert(w, roster_rows(w))) == (0, 0, 0, 3)
    assert stored_roster(w) == before
    assert set(m.RosterEntry.objects.values_list("pk", flat=True)) == pks


def test_changed_rows_are_updated_and_counted(w):
    roster_upsert(w, roster_rows(w))
    values = roster_rows(w)
    t1, t2, t3 = w.teachers
    values[0].update(
        subjects=["Физика"], workload=Decimal("0.75"), category_date=None, experience_years=None, position='x,\n"y"'
    )
    values[1].update(category_date=dt.date(2020, 1, 2), experience_years=40, school_id=w.school_a.pk, part_time=True)
    new_teacher = factories.TeacherFactory(code="T0000009")
    values.append({**values[2], "teacher_id": new_teacher.pk})
    assert counts(roster_upsert(w, values)) == (1, 2, 0, 1)
    stored = stored_roster(w)
    assert stored == {vals["teacher_id"]: vals for vals in values}
    assert stored[t1.pk]["subjects"] == ["Физика"]
    assert stored[t1.pk]["category_date"] is None
    assert stored[t2.pk]["experience_years"] == 40
    assert stored[t3.pk] == values[2]


def test_replace_removes_rows_not_given_and_respects_removable(w):
    roster_upsert(w, roster_rows(w))
    other_period = factories.PeriodFactory(year=2024)
    factories.RosterEntryFactory(period=other_period, teacher=w.teachers[0], school=w.school_a)
    only_first = roster_rows(w)[:1]

    # Without replace nothing goes.
    assert counts(roster_upsert(w, only_first)) == (0, 0, 0, 1)
    assert m.RosterEntry.objects.filter(period=w.period).count() == 3

    # A school head's replace reaches only that school's rows: teacher 3 (school A) goes,
    # teacher 2 (school B) stays.
    result = roster_upsert(w, only_first, replace=True, removable=lambda obj: obj.school_id == w.school_a.pk)
    assert counts(result) == (0, 0, 1, 1)
    assert set(stored_roster(w)) == {w.teachers[0].pk, w.teachers[1].pk}

    assert counts(roster_upsert(w, only_first, replace=True)) == (0, 0, 1, 1)
    assert set(stored_roster(w)) == {w.teachers[0].pk}
    # Rows outside ``existing`` (another period) are never touched.
    assert m.RosterEntry.objects.filter(period=other_period).count() == 1


def test_multi_field_key_and_nullable_foreign_key(w):
    t1 = w.teachers[0]

    def activists(teacher_id):
        return [
            {
                "period_id": w.period.pk,
                "full_name": "Иванова Мария Петровна",
                "municipality_id": w.mun.pk,
                "role": m.ActivistRole.values[0],
                "teacher_id": teacher_id,
            },
            {
                "period_id": w.period.pk,
                "full_name": "Иванова Мария Петровна",
                "municipality_id": w.mun.pk,
                "role": m.ActivistRole.values[1],
                "teacher_id": None,
            },
        ]

    def run(values):
        return upsert(
            model=m.MethodicalActivist,
            existing=m.MethodicalActivist.objects.filter(period=w.period),
            key=("full_name", "municipality_id", "role"),
            values=values,
            replace=True,
        )

    assert counts(run(activists(None))) == (2, 0, 0, 0)
    assert list(m.MethodicalActivist.objects.order_by("role").values_list("teacher_id", flat=True)) == [None, None]
    assert counts(run(activists(None))) == (0, 0, 0, 2)
    assert counts(run(activists(t1.pk))) == (0, 1, 0, 1)
    stored = dict(m.MethodicalActivist.objects.values_list("role", "teacher_id"))
    assert stored == {m.ActivistRole.values[0]: t1.pk, m.ActivistRole.values[1]: None}
    assert counts(run(activists(t1.pk)[:1])) == (0, 0, 1, 1)


def test_dates_and_texts_of_a_person_round_trip(w):
    values = [
        {"code": "T0000100", "full_name": "Ёлкина Анна", "sex": m.Sex.FEMALE, "birth_date": dt.date(1960, 2, 29)},
        {"code": "T0000001", "full_name": "Другое Имя", "sex": m.Sex.FEMALE, "birth_date": dt.date(1980, 5, 17)},
    ]
    result = upsert(model=m.Teacher, existing=m.Teacher.objects.all(), key=("code",), values=values, replace=False)
    assert counts(result) == (1, 1, 0, 0)
    stored = {t.code: t for t in m.Teacher.objects.filter(code__in=["T0000100", "T0000001"])}
    assert stored["T0000100"].birth_date == dt.date(1960, 2, 29)
    assert stored["T0000100"].full_name == "Ёлкина Анна"
    assert stored["T0000100"].snils == ""
    assert stored["T0000001"].full_name == "Другое Имя"


def test_existing_may_be_model_instances(w):
    roster_upsert(w, roster_rows(w))
    result = upsert(
        model=m.RosterEntry,
        existing=list(m.RosterEntry.objects.filter(period=w.period)),
        key=("teacher_id",),
        values=roster_rows(w)[:2],
        replace=True,
    )
    assert counts(result) == (0, 0, 1, 2)


@pytest.mark.postgresql
def test_postgresql_writes_without_model_instances(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        roster_upsert(w, roster_rows(w))
        values = roster_rows(w)
        values[0]["workload"] = Decimal("2")
        roster_upsert(w, values)
    sql = [q["sql"] for q in queries.captured_queries]
    assert any(s.startswith('COPY "monitoring_rosterentry"') for s in sql), sql
    assert any(s.startswith('UPDATE "monitoring_rosterentry"') and "FROM (VALUES" in s for s in sql), sql


@pytest.mark.parametrize("chunk", [2, bulk.COPY_ROWS])
def test_insert_columns_stores_rows_and_returns_their_keys_in_row_order(w, monkeypatch, chunk):
    monkeypatch.setattr(bulk, "COPY_ROWS", chunk)  # 2: the rows go in two chunks
    values = roster_rows(w)
    # JSON given as its text is stored as the value it encodes; escapes inside it survive.
    values[0]["subjects"] = ["обратная \\ черта", "перевод\nстроки", "таб\tуляция", '"кавычки"']
    columns = {f: [vals[f] for vals in values] for f in values[0]}
    columns["subjects"][0] = JsonText(json.dumps(values[0]["subjects"], ensure_ascii=False))
    ids = insert_columns(model=m.RosterEntry, columns=columns, returning_ids=True)
    assert len(set(ids)) == 3
    for pk, vals in zip(ids, values, strict=True):
        assert m.RosterEntry.objects.values(*ROSTER_FIELDS).get(pk=pk) == vals
    # The keys came from the table's own sequence: the next row gets a key of its own.
    later = m.RosterEntry.objects.create(
        period=w.period, teacher=factories.TeacherFactory(), school=w.school_a, position="учитель"
    )
    assert later.pk not in ids


@pytest.mark.parametrize("chunk", [2, bulk.COPY_ROWS])
def test_a_computed_column_is_made_a_chunk_at_a_time_and_stored_as_a_list_would_be(w, monkeypatch, chunk):
    monkeypatch.setattr(bulk, "COPY_ROWS", chunk)
    values = roster_rows(w)
    spans = []

    def positions(start, stop):
        spans.append((start, stop))
        return [values[i]["position"] for i in range(start, stop)]

    columns = {f: [vals[f] for vals in values] for f in values[0]}
    columns["position"] = bulk.ComputedColumn(len(values), positions)
    insert_columns(model=m.RosterEntry, columns=columns)
    assert stored_roster(w) == {vals["teacher_id"]: vals for vals in values}
    assert spans and all(stop - start <= chunk for start, stop in spans)
    assert sorted(i for start, stop in spans for i in range(start, stop)) == list(range(len(values)))
    column = bulk.ComputedColumn(5, lambda start, stop: list(range(start, stop)))
    assert (len(column), column[1:3], column[-1], list(column)) == (5, [1, 2], 4, [0, 1, 2, 3, 4])
    with pytest.raises(IndexError):
        column[5]


@pytest.mark.parametrize("stream_rows", [1, bulk.STREAM_ROWS])
def test_upsert_compares_the_stored_rows_a_chunk_at_a_time_with_the_same_outcome(w, monkeypatch, stream_rows):
    monkeypatch.setattr(bulk, "STREAM_ROWS", stream_rows)
    roster_upsert(w, roster_rows(w))
    values = roster_rows(w)[1:]
    values[0]["position"] = "директор"
    result = roster_upsert(w, values, replace=True)
    assert counts(result) == (0, 1, 1, 1)
    assert result.rows[0]["changed"][0][0]["position"] != "директор" == result.rows[0]["changed"][0][1]["position"]
    assert stored_roster(w) == {vals["teacher_id"]: vals for vals in values}


def test_insert_columns_without_keys_and_with_nothing_to_insert(w):
    values = roster_rows(w)[:1]
    assert insert_columns(model=m.RosterEntry, columns={f: [v[f] for v in values] for f in values[0]}) is None
    assert stored_roster(w) == {values[0]["teacher_id"]: values[0]}
    assert insert_columns(model=m.RosterEntry, columns={"teacher_id": []}, returning_ids=True) == []


@pytest.mark.postgresql
def test_insert_columns_copies_with_keys_from_the_sequence(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    values = roster_rows(w)
    with CaptureQueriesContext(connection) as queries:
        insert_columns(model=m.RosterEntry, columns={f: [v[f] for v in values] for f in values[0]}, returning_ids=True)
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("nextval" in s for s in sql), sql
    assert any(s.startswith('COPY "monitoring_rosterentry" ("id",') for s in sql), sql


@pytest.fixture
def big_copy(monkeypatch):
    """Three rows count as a big COPY, written as an applying import writes them."""
    from monitoring.shared.bulk_load import allow_foreign_key_swap

    monkeypatch.setattr(bulk_load, "BULK_FK_ROWS", 2)
    with allow_foreign_key_swap():
        yield


def _catalog(sql: str, table: str) -> set[tuple[str, str]]:
    """(name, definition) pairs of ``table`` from a query of PostgreSQL's catalog."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, [table])
        return set(cursor.fetchall())


def _foreign_keys(table: str) -> set[tuple[str, str]]:
    return _catalog(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        table,
    )


@pytest.mark.postgresql
def test_a_big_copy_checks_its_foreign_keys_in_one_statement_and_keeps_them(w, big_copy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    keys = _foreign_keys("monitoring_rosterentry")
    assert len(keys) == 3  # period, teacher, school
    # A row written the ordinary way first leaves a deferred check queued on the table,
    # which an ALTER TABLE refuses to run over unless the queued checks are run first.
    factories.RosterEntryFactory(period=w.period, school=w.school_a)
    with CaptureQueriesContext(connection) as queries:
        result = roster_upsert(w, roster_rows(w))
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(s.startswith('ALTER TABLE "monitoring_rosterentry" DROP CONSTRAINT') for s in sql) == 3, sql
    assert sum(s.startswith('ALTER TABLE "monitoring_rosterentry" ADD CONSTRAINT') for s in sql) == 3, sql
    assert counts(result) == (3, 0, 0, 0)
    assert _foreign_keys("monitoring_rosterentry") == keys  # same names, same definitions (still deferred)
    assert_roster_stored(w, roster_rows(w))


def _plain_indexes(table: str) -> set[tuple[str, str]]:
    return _catalog(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisunique",
        table,
    )


@pytest.mark.postgresql
def test_a_big_copy_builds_its_plain_indexes_once_and_keeps_them(w, big_copy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    indexes = _plain_indexes("monitoring_rosterentry")
    # period, school, teacher and (period, school): the unique ones stay in place throughout.
    assert len(indexes) == 4, indexes
    with CaptureQueriesContext(connection) as queries:
        result = roster_upsert(w, roster_rows(w))
    sql = [q["sql"] for q in queries.captured_queries]
    dropped = [s for s in sql if s.startswith("DROP INDEX")]
    created = [s for s in sql if s.startswith("CREATE INDEX")]
    assert len(dropped) == len(created) == 4, sql
    # Built after the rows are in: every CREATE INDEX follows the COPY.
    copy_at = next(i for i, s in enumerate(sql) if s.startswith('COPY "monitoring_rosterentry"'))
    assert all(sql.index(s) > copy_at for s in created), sql
    assert counts(result) == (3, 0, 0, 0)
    assert _plain_indexes("monitoring_rosterentry") == indexes  # same names, same definitions
    assert_roster_stored(w, roster_rows(w))


@pytest.mark.postgresql
def test_a_big_copy_with_a_missing_reference_is_refused(w, big_copy):
    from django.db import IntegrityError, transaction

    keys = _foreign_keys("monitoring_rosterentry")
    values = roster_rows(w)
    values[1]["school_id"] = w.school_b.pk + 1000  # no such school
    with pytest.raises(IntegrityError, match="school_id"), transaction.atomic():
        roster_upsert(w, values)
    assert not m.RosterEntry.objects.exists()
    assert _foreign_keys("monitoring_rosterentry") == keys


@pytest.mark.postgresql
def test_a_big_copy_into_a_busy_table_checks_row_by_row(w, big_copy, monkeypatch):
    import psycopg2
    from django.db import IntegrityError, connection, transaction
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(bulk_load, "DDL_LOCK_TIMEOUT", "200ms")
    keys = _foreign_keys("monitoring_rosterentry")
    # Another session reading the table: ALTER TABLE would wait for it, so the COPY goes
    # the usual way after DDL_LOCK_TIMEOUT instead of making the import (and every page
    # that reads the table behind it) wait.
    reader = psycopg2.connect(**connection.get_connection_params())
    try:
        reader.cursor().execute("LOCK TABLE monitoring_rosterentry IN ACCESS SHARE MODE")
        with CaptureQueriesContext(connection) as queries:
            result = roster_upsert(w, roster_rows(w))
        sql = [q["sql"] for q in queries.captured_queries]
        assert any(s.startswith('ALTER TABLE "monitoring_rosterentry" DROP CONSTRAINT') for s in sql), sql
        assert not any("ADD CONSTRAINT" in s or s.startswith("CREATE INDEX") for s in sql), sql
        assert counts(result) == (3, 0, 0, 0)
        assert _foreign_keys("monitoring_rosterentry") == keys
        assert_roster_stored(w, roster_rows(w))
        # The keys left in place still check, at the (deferred) check as always.
        others = [factories.TeacherFactory() for _ in range(3)]
        columns = {f: [v[f] for v in roster_rows(w)] for f in ROSTER_FIELDS}
        columns["teacher_id"] = [t.pk for t in others]
        columns["school_id"][2] = w.school_b.pk + 1000  # no such school
        with pytest.raises(IntegrityError, match="school_id"), transaction.atomic():
            insert_columns(model=m.RosterEntry, columns=columns)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    finally:
        reader.close()


@pytest.mark.postgresql
def test_a_big_copy_by_a_role_that_does_not_own_the_table_checks_row_by_row(w, big_copy):
    from django.db import connection

    keys = _foreign_keys("monitoring_rosterentry")
    with connection.cursor() as cursor:
        # Roles are transactional too: this one goes with the test's transaction.
        cursor.execute("CREATE ROLE portal_test_writer")
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_test_writer")
        cursor.execute("SET LOCAL ROLE portal_test_writer")
    result = roster_upsert(w, roster_rows(w))
    assert counts(result) == (3, 0, 0, 0)
    assert _foreign_keys("monitoring_rosterentry") == keys
    assert_roster_stored(w, roster_rows(w))


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("dry_run", "enabled", "swapped"),
    [(False, True, True), (True, True, False), (False, False, False)],
    ids=["applied", "dry-run", "setting-off"],
)
def test_only_an_applied_import_swaps_the_checks(monkeypatch, settings, dry_run, enabled, swapped):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring.intake.package.importer import package_import
    from monitoring.services import period_create
    from tests.paths import SPEC

    # A dry run (every upload's preview) rolls back and never runs its deferred checks, so it
    # must not lock the referenced tables for nothing; the setting lets a deployment refuse it.
    monkeypatch.setattr(bulk_load, "BULK_FK_ROWS", 50)  # the sample's 80 teachers count as a big COPY
    settings.IMPORT_BULK_FOREIGN_KEYS = enabled
    period = period_create(year=2025)
    with CaptureQueriesContext(connection) as queries:
        result = package_import(source=SPEC / "sample-package.zip", period=period, dry_run=dry_run)
    assert result.applied is not dry_run and result.sheets["Педагоги"].added == 80
    altered = {q["sql"].split()[2] for q in queries.captured_queries if q["sql"].startswith("ALTER TABLE")}
    assert ('"monitoring_rosterentry"' in altered) is swapped, altered
    assert m.RosterEntry.objects.filter(period=period).count() == (0 if dry_run else 80)
