"""The demo logins: one per role, each anchored where its role looks."""

from __future__ import annotations

import pytest

from monitoring import models
from monitoring.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_each_role_has_an_account_with_its_anchor(demo):
    usernames = {username for username, _, _ in DEMO_ACCOUNTS}
    users = {u.username: u for u in models.User.objects.filter(username__in=usernames)}
    assert set(users) == usernames
    for username, role, description in DEMO_ACCOUNTS:
        user = users[username]
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
        assert user.first_name and user.last_name
        assert description

    first_municipality = models.Municipality.objects.order_by("code").first()
    assert users["municipal"].municipality == first_municipality
    head_school = users["head"].school
    assert head_school == first_municipality.schools.order_by("code").first()
    assert users["head2"].school.municipality != head_school.municipality

    latest = models.MonitoringPeriod.objects.order_by("-year").first()
    teacher = users["teacher"]
    assert teacher.teacher is not None
    assert models.RosterEntry.objects.filter(period=latest, teacher=teacher.teacher, school=head_school).exists()
    assert not teacher.is_staff
    assert not users["curator"].is_staff and users["curator"].curated.exists()
    staff = ("analyst", "ministry", "municipal", "head", "head2")
    assert all(users[name].is_staff for name in staff)
    assert users["admin"].is_superuser
