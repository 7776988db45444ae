"""The one scoping function, tried for each fixed person against each kind of model."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring import models
from monitoring.models.scoping import can_see, can_write_region, scope_filter
from tests import factories

pytestmark = pytest.mark.django_db


def codes(qs, field="code"):
    return sorted(qs.values_list(field, flat=True))


def everyone(world) -> dict:
    """The six fixed people and the ЦНППМ curator (assigned to teacher A)."""
    return {**world.people, "curator": world.curator}


def test_schools_per_role(world):
    visible = {name: codes(models.School.objects.visible_to(user)) for name, user in everyone(world).items()}
    assert visible == {
        "analyst": ["000001", "000002", "000003"],
        "ministry": ["000001", "000002", "000003"],
        "municipal": ["000001", "000003"],
        "head_a": ["000001"],
        "head_b": ["000002"],
        "teacher": [],
        "curator": [],
    }


def test_municipalities_per_role(world):
    visible = {name: codes(models.Municipality.objects.visible_to(user)) for name, user in everyone(world).items()}
    assert visible == {
        "analyst": ["01", "02"],
        "ministry": ["01", "02"],
        "municipal": ["01"],
        "head_a": [],
        "head_b": [],
        "teacher": [],
        "curator": [],
    }


def test_teachers_per_role_without_duplicates(world):
    # A second period puts teacher A on the roster twice; scoping must not repeat her.
    nxt = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=nxt, teacher=world.teacher_a, school=world.school_a)
    visible = {name: codes(models.Teacher.objects.visible_to(user)) for name, user in everyone(world).items()}
    assert visible == {
        "analyst": ["T0000001", "T0000002", "T0000003"],
        "ministry": ["T0000001", "T0000002", "T0000003"],
        "municipal": ["T0000001", "T0000003"],
        "head_a": ["T0000001"],
        "head_b": ["T0000002"],
        "teacher": ["T0000001"],
        "curator": ["T0000001"],
    }


def test_a_moved_teachers_card_is_their_new_schools_and_each_roster_row_its_own_schools(world):
    nxt = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=nxt, teacher=world.teacher_a, school=world.school_b)
    assert codes(models.Teacher.objects.visible_to(world.head_b)) == ["T0000001", "T0000002"]
    # The card (name, birth date, СНИЛС as they are now) follows the current school…
    assert codes(models.Teacher.objects.visible_to(world.head_a)) == []
    assert codes(models.Teacher.objects.visible_to(world.municipal)) == ["T0000003"]
    # …and each period's roster row stays with the school of that period.
    rows = models.RosterEntry.objects.visible_to(world.head_b).filter(teacher=world.teacher_a)
    assert [r.school for r in rows] == [world.school_b]
    rows = models.RosterEntry.objects.visible_to(world.head_a).filter(teacher=world.teacher_a)
    assert [r.period.year for r in rows] == [2025]


def test_a_moved_teachers_data_follow_the_roster_of_their_own_year(world):
    """The reported leak: the former school's head kept reading the moved teacher's later diagnostic."""
    from deficits.models import Diagnostic

    nxt = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=nxt, teacher=world.teacher_a, school=world.school_b)
    before = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 3, 1), submit=True)
    after = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2026, 3, 1), submit=True)
    # A year with no roster of its own (2027) follows the latest one before it; a year before
    # every roster (2024), the earliest.
    later = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2027, 2, 1), submit=True)
    older = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2024, 5, 1), submit=True)
    seen = {
        who: set(Diagnostic.objects.visible_to(world.people[who]).filter(teacher=world.teacher_a))
        for who in ("head_a", "head_b", "municipal", "teacher", "analyst")
    }
    assert seen["head_a"] == {before, older} == seen["municipal"]
    assert seen["head_b"] == {after, later}
    assert seen["teacher"] == seen["analyst"] == {before, after, later, older}
    for person, diagnostic, expected in (("head_a", after, False), ("head_b", before, False), ("head_a", before, True)):
        assert can_see(user=world.people[person], obj=diagnostic) is expected


def test_period_rows_follow_their_period(world):
    nxt = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=nxt, teacher=world.teacher_a, school=world.school_b)
    old = models.CompetitionEntry.objects.create(
        period=world.period, teacher=world.teacher_a, competition="Учитель года", level="школьный",
        date=dt.date(2025, 2, 1),
    )  # fmt: skip
    new = models.CompetitionEntry.objects.create(
        period=nxt, teacher=world.teacher_a, competition="Учитель года", level="школьный", date=dt.date(2026, 2, 1)
    )
    assert set(models.CompetitionEntry.objects.visible_to(world.head_a)) == {old}
    assert set(models.CompetitionEntry.objects.visible_to(world.head_b)) == {new}


def test_the_api_roster_row_of_a_moved_teacher_carries_no_birth_date_for_the_former_head(client, world):
    nxt = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=nxt, teacher=world.teacher_a, school=world.school_b)
    client.force_login(world.head_a)
    rows = client.get("/api/v1/teachers/", {"period": 2025}).json()["results"]
    mine = [r for r in rows if r["teacher"] == "T0000001"]
    assert mine and mine[0]["birth_date"] is None and mine[0]["full_name"]
    client.force_login(world.head_b)
    rows = client.get("/api/v1/teachers/", {"period": 2026}).json()["results"]
    assert [r["birth_date"] for r in rows if r["teacher"] == "T0000001"] == [world.teacher_a.birth_date.isoformat()]


def test_associations_follow_their_owner(world):
    p = world.period
    school_level = models.MethodicalAssociation.objects.create(
        period=p, code="МО-1", name="ШМО", level="школьное", school=world.school_a
    )
    municipal = models.MethodicalAssociation.objects.create(
        period=p, code="МО-2", name="ММО", level="муниципальное", municipality=world.m2
    )
    regional = models.MethodicalAssociation.objects.create(period=p, code="МО-3", name="РМО", level="региональное")
    seen = {n: set(models.MethodicalAssociation.objects.visible_to(u)) for n, u in everyone(world).items()}
    assert seen["analyst"] == {school_level, municipal, regional}
    assert seen["municipal"] == {school_level}
    assert seen["head_a"] == {school_level}
    assert seen["head_b"] == set()
    assert seen["teacher"] == seen["curator"] == set()


def test_periods_are_public_to_signed_in_users(world):
    for user in everyone(world).values():
        assert list(models.MonitoringPeriod.objects.visible_to(user)) == [world.period]


def test_anonymous_and_inactive_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not models.School.objects.filter(scope_filter(user=AnonymousUser(), model=models.School)).exists()
    assert not models.MonitoringPeriod.objects.visible_to(AnonymousUser()).exists()
    world.analyst.is_active = False
    assert not models.School.objects.visible_to(world.analyst).exists()


def test_user_of_a_role_without_scope_sees_nothing(world):
    # A municipal role with its anchor missing (not savable, but a stale object may be).
    stray = models.User(username="x", role=models.Role.MUNICIPAL)
    assert not models.School.objects.visible_to(stray).exists()


def test_can_see_single_objects(world):
    assert can_see(user=world.head_a, obj=world.school_a)
    assert not can_see(user=world.head_a, obj=world.school_b)
    assert can_see(user=world.teacher, obj=world.teacher_a)
    assert not can_see(user=world.teacher, obj=world.teacher_c)


def test_staffing_and_submissions_follow_schools(world):
    factories.StaffingRowFactory(period=world.period, school=world.school_a, position="учитель")
    factories.StaffingRowFactory(period=world.period, school=world.school_b, position="учитель")
    assert [r.school for r in models.StaffingRow.objects.visible_to(world.head_a)] == [world.school_a]
    assert models.StaffingRow.objects.visible_to(world.municipal).count() == 1
    assert not models.StaffingRow.objects.visible_to(world.teacher).exists()
    assert models.StaffingRow.objects.visible_to(world.ministry).count() == 2


def test_teacher_sees_own_competitions_only(world):
    for t in (world.teacher_a, world.teacher_b):
        models.CompetitionEntry.objects.create(
            period=world.period, teacher=t, competition="Учитель года", level="муниципальный", date=dt.date(2025, 3, 1)
        )
    assert [e.teacher for e in models.CompetitionEntry.objects.visible_to(world.teacher)] == [world.teacher_a]


def test_only_institute_writes_region_data(world):
    assert {n for n, u in everyone(world).items() if can_write_region(u)} == {"analyst"}


def test_a_curator_sees_what_each_assigned_teacher_sees_of_themselves(world):
    from deficits.models import Diagnostic
    from iom.models import Route, RouteComment

    route_a = factories.RouteFactory(teacher=world.teacher_a)
    route_b = factories.RouteFactory(teacher=world.teacher_b)
    comment_a = RouteComment.objects.create(route=route_a, author=world.curator, text="Так держать")
    RouteComment.objects.create(route=route_b, author=world.head_b, text="Чужой")
    mine = factories.DiagnosticFactory(teacher=world.teacher_a, submit=True)
    factories.DiagnosticFactory(teacher=world.teacher_b, submit=True)
    assert list(Route.objects.visible_to(world.curator)) == [route_a]
    assert list(RouteComment.objects.visible_to(world.curator)) == [comment_a]
    assert list(Diagnostic.objects.visible_to(world.curator)) == [mine]
    assert can_see(user=world.curator, obj=route_a) and not can_see(user=world.curator, obj=route_b)
    # A second teacher assigned: theirs too, no row twice; an unassigned curator sees nothing.
    models.CuratorAssignment.objects.create(curator=world.curator, teacher=world.teacher_b)
    other = models.CuratorAssignment.objects.create(
        curator=factories.UserFactory(username="curator2", role=models.Role.CURATOR, is_staff=False),
        teacher=world.teacher_a,
    )
    assert sorted(Route.objects.visible_to(world.curator).values_list("pk", flat=True)) == [route_a.pk, route_b.pk]
    assert codes(models.Teacher.objects.visible_to(world.curator)) == ["T0000001", "T0000002"]
    other.delete()
    assert not Route.objects.visible_to(other.curator).exists()
    # The assignments themselves: each curator's own, the teacher's to the teacher, the head's to the head.
    assert models.CuratorAssignment.objects.visible_to(world.curator).count() == 2
    assert models.CuratorAssignment.objects.visible_to(world.head_b).get().teacher == world.teacher_b
