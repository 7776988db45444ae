"""Admin of the catalog and routes: scoped lists, the catalog the institute's, routes read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from iom import models
from tests import factories

pytestmark = pytest.mark.django_db


def _url(model, view="changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [m for m in admin.site._registry if m._meta.app_label == "iom"])
@pytest.mark.parametrize("person", ["analyst", "ministry", "municipal", "head_a", "head_b"])
def test_every_iom_list_opens_and_is_scoped(client, world, model, person):
    factories.EnrollmentFactory(teacher=world.teacher_a)
    factories.RouteActivityFactory(route=factories.RouteFactory(teacher=world.teacher_a))
    user = world.people[person]
    client.force_login(user)
    response = client.get(_url(model))
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert shown == set(model.objects.visible_to(user))
    if model in (models.Route, models.Enrollment):
        assert bool(shown) == (person != "head_b")


def test_only_the_institute_edits_the_catalog(client, world):
    program = factories.ProgramFactory()
    for person, can in (("analyst", True), ("ministry", False), ("head_a", False)):
        client.force_login(world.people[person])
        page = client.get(_url(models.Program, "change", program.pk))
        assert page.context["has_change_permission"] is can


def test_routes_are_read_only_in_the_admin(client, world):
    route = factories.RouteFactory(teacher=world.teacher_a, status="submitted")
    client.force_login(world.analyst)
    assert client.get(_url(models.Route, "change", route.pk)).context["has_change_permission"] is False
    assert client.post(_url(models.Route, "change", route.pk), {"status": "approved"}).status_code == 403
    route.refresh_from_db()
    assert route.status == "submitted"


def test_teacher_has_no_admin(client, world):
    client.force_login(world.teacher)
    assert client.get(_url(models.Program)).status_code == 302


def test_curator_assignments_in_the_admin(client, world):
    """The institute adds one (a curator's account only, its author stamped); staff read their teachers' ones."""
    from monitoring.models import CuratorAssignment

    url = reverse("admin:monitoring_curatorassignment_add")
    client.force_login(world.analyst)
    refused = client.post(url, {"curator": world.head_a.pk, "teacher": world.teacher_b.pk})
    assert refused.status_code == 200 and "curator" in refused.context["adminform"].form.errors
    twice = client.post(url, {"curator": world.curator.pk, "teacher": world.teacher_a.pk})
    assert "Этот педагог уже закреплен за куратором." in twice.content.decode()
    assert client.post(url, {"curator": world.curator.pk, "teacher": world.teacher_b.pk}).status_code == 302
    added = CuratorAssignment.objects.get(teacher=world.teacher_b)
    assert (added.curator, added.assigned_by) == (world.curator, world.analyst)
    client.force_login(world.head_b)
    listing = client.get(reverse("admin:monitoring_curatorassignment_changelist"))
    assert list(listing.context["cl"].result_list) == [added]
    assert client.post(url, {"curator": world.curator.pk, "teacher": world.teacher_c.pk}).status_code == 403
