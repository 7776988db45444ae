"""Audit history of the monitored world: the user of each change, the admin's «История» within scope,
and the bulk paths (package import) that write none."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import models
from monitoring.intake.package.exporter import package_export
from monitoring.intake.package.importer import package_import
from monitoring.models.history import bulk_delete
from monitoring.services import period_create
from tests import factories
from tests.paths import SPEC

pytestmark = pytest.mark.django_db

TRACKED = [
    models.Municipality,
    models.School,
    models.MonitoringPeriod,
    models.MonitoringPlanItem,
    models.Teacher,
    models.RosterEntry,
    models.StaffingRow,
    models.SchoolSubmission,
    models.User,
]


def test_a_change_through_a_page_records_who_made_it(client, world):
    submission = factories.SubmissionFactory(period=world.period, school=world.school_a)
    client.force_login(world.municipal)
    response = client.post(reverse("submission-review", args=["000001"]), {"action": "accept", "comment": ""})
    assert response.status_code == 302
    latest = submission.history.first()
    assert latest.status == models.SubmissionStatus.ACCEPTED
    assert latest.history_type == "~" and latest.history_user == world.municipal
    assert submission.history.last().history_user is None  # made by the factory, outside a request


def test_an_admin_edit_records_its_author_and_the_changed_field(client, world):
    row = factories.StaffingRowFactory(period=world.period, school=world.school_a, position="учитель")
    client.force_login(world.analyst)
    url = reverse("admin:monitoring_staffingrow_change", args=[row.pk])
    form = {
        "period": world.period.pk,
        "school": world.school_a.pk,
        "position": "учитель",
        "positions_by_schedule": "12",
        "actual_need": str(row.actual_need),
        "vacant_positions": str(row.vacant_positions),
        "vacant_posts": "2",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    new, old = row.history.all()[:2]
    assert new.history_user == world.analyst
    assert set(new.diff_against(old).changed_fields) == {"positions_by_schedule", "vacant_posts"}


HISTORY_STATUS = {
    # person: status of the «История» of school A, of school B, of teacher A's card
    "analyst": (200, 200, 200),
    "ministry": (200, 200, 404),  # no personal data: a card's versions would show the birth date
    "municipal": (200, 404, 404),
    "head_a": (200, 404, 200),
    "head_b": (404, 200, 404),
}


@pytest.mark.parametrize("person", list(HISTORY_STATUS))
def test_admin_history_is_shown_only_within_scope(client, world, person):
    client.force_login(world.people[person])
    got = (
        client.get(reverse("admin:monitoring_school_history", args=[world.school_a.pk])).status_code,
        client.get(reverse("admin:monitoring_school_history", args=[world.school_b.pk])).status_code,
        client.get(reverse("admin:monitoring_teacher_history", args=[world.teacher_a.pk])).status_code,
    )
    assert got == HISTORY_STATUS[person]


def test_a_deleted_rows_history_is_the_institutes(client, world):
    school = factories.SchoolFactory(municipality=world.m1, code="000009")
    pk = school.pk
    school.delete()
    url = reverse("admin:monitoring_school_history", args=[pk])
    client.force_login(world.analyst)
    assert client.get(url).status_code == 200
    client.force_login(world.municipal)
    assert client.get(url).status_code == 404


def test_user_history_keeps_role_changes_not_logins_nor_passwords(client, world):
    user = world.head_a
    before = user.history.count()
    client.post(reverse("login"), {"username": "head_a", "password": "secret-pass-123"})
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert user.history.count() == before  # last_login moved: not a change of the account
    user.refresh_from_db()
    user.role, user.school, user.municipality = models.Role.MUNICIPAL, None, world.m1
    user.save()
    latest = user.history.first()
    assert user.history.count() == before + 1
    assert (latest.role, latest.municipality_id) == (models.Role.MUNICIPAL, world.m1.pk)
    assert not hasattr(latest, "password")


def _history_rows() -> dict[str, int]:
    return {m.__name__: m.history.count() for m in TRACKED if m is not models.User}


def test_the_package_import_writes_no_history_even_when_replacing(tmp_path):
    """The import is a bulk path: its ImportJob is the audit record, not a historical row per cell."""
    period = period_create(year=2025)
    before = _history_rows()
    result = package_import(source=SPEC / "sample-package.zip", period=period)
    assert result.applied and result.sheets["Педагоги"].added == 80
    package_export(period=period, path=tmp_path / "full")
    (tmp_path / "only").mkdir()
    for name in ("Педагоги", "Штатное расписание"):
        lines = (tmp_path / "full" / f"{name}.csv").read_text(encoding="utf-8-sig").splitlines()
        (tmp_path / "only" / f"{name}.csv").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    replaced = package_import(source=tmp_path / "only", period=period, replace=True)
    assert replaced.applied and replaced.sheets["Педагоги"].removed == 78
    assert replaced.sheets["Штатное расписание"].removed == 18
    after = _history_rows()
    # period_create wrote the period and its plan through the ORM; the import wrote nothing.
    assert {k: after[k] - before[k] for k in after if k not in ("MonitoringPeriod", "MonitoringPlanItem")} == {
        k: 0 for k in after if k not in ("MonitoringPeriod", "MonitoringPlanItem")
    }


def test_bulk_delete_is_one_statement_for_rows_nothing_depends_on(world):
    rows = [
        factories.StaffingRowFactory(period=world.period, school=world.school_a, position=f"p{i}") for i in range(30)
    ]
    history_before = models.StaffingRow.history.count()
    with CaptureQueriesContext(connection) as ctx:
        deleted = bulk_delete(models.StaffingRow.objects.filter(pk__in=[r.pk for r in rows]))
    assert deleted == 30 and not models.StaffingRow.objects.filter(pk__in=[r.pk for r in rows]).exists()
    assert len(ctx.captured_queries) == 1
    assert models.StaffingRow.history.count() == history_before
    # A row others depend on still goes through the ORM's cascade (and its history).
    teacher = factories.TeacherFactory(code="T0000099")
    factories.RosterEntryFactory(period=world.period, teacher=teacher, school=world.school_a)
    bulk_delete(models.Teacher.objects.filter(pk=teacher.pk))
    assert not models.RosterEntry.objects.filter(teacher_id=teacher.pk).exists()
    assert models.Teacher.history.filter(id=teacher.pk, history_type="-").exists()
