"""The builder's tests share a small world with teachers trained on upbringing (or not)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories

# «Доля педагогов, повысивших квалификацию по вопросам воспитания» as the builder writes it.
UPBRINGING = {
    "code": "Ж.5",
    "title": "Доля педагогов, повысивших квалификацию по вопросам воспитания",
    "direction": 3,
    "unit": "percent",
    "population": "teachers",
    "start": "school",
    "numerator": [
        {
            "relation": "enrollments",
            "op": "exists",
            "where": [
                {"field": "status", "op": "in", "value": ["завершил"]},
                {"field": "course.end", "op": "in_period"},
                {"field": "program.topic", "op": "in", "value": ["воспитание"]},
            ],
        }
    ],
    "denominator": [],
    "measure": "",
    "breakdown": "",
    "target": "80",
    "threshold": "",
    "higher_is_better": True,
    "note": "",
}


@pytest.fixture
def trained(world):
    """teacher_a (municipality 01) completed an upbringing course in 2025; teacher_b (02) only enrolled;
    teacher_c (01) took an ICT course: 1 of 3 in the region, 1 of 2 in 01, 0 of 1 in 02."""
    upbringing = factories.ProgramFactory(topics=["воспитание"])
    ict = factories.ProgramFactory(topics=["оценка качества"])
    course = factories.CourseRunFactory(program=upbringing, end=dt.date(2025, 5, 20))
    factories.EnrollmentFactory(teacher=world.teacher_a, course=course, status="завершил")
    factories.EnrollmentFactory(teacher=world.teacher_b, course=course, status="зачислен")
    factories.EnrollmentFactory(teacher=world.teacher_c, course=factories.CourseRunFactory(program=ict))
    return world
