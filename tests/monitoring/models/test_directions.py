"""The invariants of directions 5-8 (experts, mentoring, associations, competitions) are refused
with a clear Russian message (see refusal.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring import models
from tests import factories
from tests.monitoring.models.refusal import refused

pytestmark = pytest.mark.django_db


def test_exam_expert_needs_subject():
    role = models.ExpertRole(period=factories.PeriodFactory(), teacher=factories.TeacherFactory(), kind="ЕГЭ")
    refused(role, "Для экспертов ЕГЭ и ОГЭ нужно указать предмет.")
    # Other kinds of expert work need no subject.
    models.ExpertRole(period=role.period, teacher=role.teacher, kind="аттестация").full_clean()


def test_mentoring_program_has_exactly_one_owner():
    period = factories.PeriodFactory()
    school = factories.SchoolFactory()
    message = "Программу наставничества ведет либо ОО, либо муниципалитет: укажите ровно одно из двух."
    refused(models.MentoringProgram(period=period, code="Н-1", name="Н"), message)
    refused(
        models.MentoringProgram(period=period, code="Н-2", name="Н", school=school, municipality=school.municipality),
        message,
    )
    models.MentoringProgram(period=period, code="Н-3", name="Н", school=school).full_clean()


def test_mentor_and_mentee_differ():
    period = factories.PeriodFactory()
    program = models.MentoringProgram.objects.create(
        period=period, code="Н-1", name="Н", municipality=factories.MunicipalityFactory()
    )
    teacher = factories.TeacherFactory()
    refused(
        models.MentoringPair(program=program, mentor=teacher, mentee=teacher),
        "Наставник и наставляемый должны быть разными людьми.",
    )


@pytest.mark.parametrize(
    ("level", "owner"),
    [("школьное", "municipality"), ("муниципальное", "school"), ("региональное", "school"), ("школьное", None)],
)
def test_association_owner_follows_level(level, owner):
    school = factories.SchoolFactory()
    kwargs = {}
    if owner == "school":
        kwargs["school"] = school
    elif owner == "municipality":
        kwargs["municipality"] = school.municipality
    obj = models.MethodicalAssociation(period=factories.PeriodFactory(), code="МО-1", name="МО", level=level, **kwargs)
    refused(obj, "Школьному МО нужна ОО, муниципальному — муниципалитет, региональному — ни то ни другое.")


def test_association_codes_unique_per_period():
    period = factories.PeriodFactory()
    models.MethodicalAssociation.objects.create(period=period, code="МО-1", name="A", level="региональное")
    refused(
        models.MethodicalAssociation(period=period, code="МО-1", name="B", level="региональное"),
        "Методическое объединение с таким кодом в этом периоде уже есть.",
    )


def test_competition_entry_unique():
    period = factories.PeriodFactory()
    teacher = factories.TeacherFactory()
    fields = {
        "period": period,
        "teacher": teacher,
        "competition": "Учитель года",
        "level": "региональный",
        "date": dt.date(2025, 3, 1),
    }
    models.CompetitionEntry.objects.create(**fields)
    refused(models.CompetitionEntry(**fields), "Это участие педагога в конкурсе уже записано.")
