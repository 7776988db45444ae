"""The demo's methodical associations each have one head: a member on the period's roster."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q

from monitoring import models
from monitoring.demo import seed_demo

pytestmark = pytest.mark.django_db


def _heads() -> list[tuple[str, int, str]]:
    rows = models.AssociationMember.objects.filter(is_head=True)
    return sorted(rows.values_list("association__code", "association__period__year", "teacher__code"))


def test_every_association_with_members_has_one_head_on_the_roster(demo):
    associations = models.MethodicalAssociation.objects.annotate(
        members_count=Count("members"), heads=Count("members", filter=Q(members__is_head=True))
    )
    with_members = associations.filter(members_count__gt=0)
    assert with_members.exists()
    assert set(with_members.values_list("heads", flat=True)) == {1}
    assert not associations.filter(members_count=0, heads__gt=0).exists()
    for head in models.AssociationMember.objects.filter(is_head=True).select_related("association"):
        assert models.RosterEntry.objects.filter(period=head.association.period, teacher=head.teacher_id).exists()


def test_the_same_seed_marks_the_same_heads(demo):
    heads = _heads()
    seed_demo(size="small", seed=1, reset=True)
    assert _heads() == heads
