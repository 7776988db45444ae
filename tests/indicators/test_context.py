"""The context: a chunk's roster, and the filter that keeps a subquery to the chunk's rostered teachers."""

from __future__ import annotations

import pytest

from deficits.models import Diagnostic
from indicators.context import Context
from monitoring.models import Teacher
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_chunk_keeps_its_rostered_teachers_rows_only(world):
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        factories.DiagnosticFactory(teacher=teacher, submit=True)
    factories.DiagnosticFactory(teacher=factories.TeacherFactory(), submit=True)  # on no roster
    chunk = Context(period=world.period, municipality_ids=[world.m1.pk])
    kept = Diagnostic.objects.filter(chunk.teachers_within()).values_list("teacher_id", flat=True)
    assert set(kept) == {world.teacher_a.pk, world.teacher_c.pk}  # B is rostered in m2
    people = Teacher.objects.filter(chunk.teachers_within("pk")).values_list("pk", flat=True)
    assert set(people) == {world.teacher_a.pk, world.teacher_c.pk}


def test_the_whole_region_keeps_every_row(world):
    factories.DiagnosticFactory(teacher=factories.TeacherFactory(), submit=True)  # on no roster
    assert Diagnostic.objects.filter(Context(period=world.period).teachers_within()).count() == 1
