"""Every invariant of the monitored world is refused with a clear Russian message.

Each case builds an object that breaks one rule and checks two doors: model
validation (what forms and the admin run) names the rule in Russian, and the database
itself refuses the row when validation is bypassed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from monitoring import models
from tests import factories

pytestmark = pytest.mark.django_db


def _refused(obj, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    assert message in str(excinfo.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_staffing_vacant_more_than_schedule_is_refused():
    row = factories.StaffingRowFactory.build(
        period=factories.PeriodFactory(),
        school=factories.SchoolFactory(),
        positions_by_schedule=Decimal("5"),
        vacant_positions=Decimal("5.5"),
    )
    _refused(row, "Вакантных ставок не может быть меньше нуля или больше, чем ставок по штату.")


def test_staffing_vacant_equal_to_schedule_is_allowed():
    row = factories.StaffingRowFactory(positions_by_schedule=Decimal("5"), vacant_positions=Decimal("5"))
    row.full_clean()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("positions_by_schedule", "Число ставок по штату не может быть отрицательным."),
        ("actual_need", "Фактическая потребность в ставках не может быть отрицательной."),
    ],
)
def test_staffing_negative_numbers_are_refused(field, message):
    row = factories.StaffingRowFactory.build(
        period=factories.PeriodFactory(),
        school=factories.SchoolFactory(),
        vacant_positions=Decimal("0"),
        **{field: Decimal("-1")},
    )
    _refused(row, message)


def test_staffing_one_row_per_school_position_period():
    row = factories.StaffingRowFactory(position="учитель")
    dup = factories.StaffingRowFactory.build(period=row.period, school=row.school, position="учитель")
    _refused(dup, "Для этой должности в школе уже есть строка штатного расписания за период.")


def test_one_roster_row_per_teacher_and_period():
    entry = factories.RosterEntryFactory()
    dup = factories.RosterEntryFactory.build(period=entry.period, teacher=entry.teacher, school=entry.school)
    _refused(dup, "Педагог уже есть в списке этого периода.")


def test_roster_workload_must_be_positive():
    entry = factories.RosterEntryFactory.build(
        period=factories.PeriodFactory(),
        teacher=factories.TeacherFactory(),
        school=factories.SchoolFactory(),
        workload=Decimal("0"),
    )
    _refused(entry, "Ставка должна быть больше нуля.")


def test_same_teacher_on_two_periods_is_allowed():
    entry = factories.RosterEntryFactory()
    nxt = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=nxt, teacher=entry.teacher, school=entry.school).full_clean()


@pytest.mark.parametrize("field", ["infrastructure", "tools", "usage", "professional_development"])
def test_digital_scores_above_four_are_refused(field):
    scores = {"infrastructure": 2, "tools": 2, "usage": 2, "professional_development": 2, field: 5}
    obj = models.DigitalEnvironmentScore(period=factories.PeriodFactory(), school=factories.SchoolFactory(), **scores)
    _refused(obj, "Оценки цифровой среды должны быть целыми числами от 0 до 4.")


def test_exam_expert_needs_subject():
    role = models.ExpertRole(period=factories.PeriodFactory(), teacher=factories.TeacherFactory(), kind="ЕГЭ")
    _refused(role, "Для экспертов ЕГЭ и ОГЭ нужно указать предмет.")
    # Other kinds of expert work need no subject.
    models.ExpertRole(period=role.period, teacher=role.teacher, kind="аттестация").full_clean()


def test_mentoring_program_has_exactly_one_owner():
    period = factories.PeriodFactory()
    school = factories.SchoolFactory()
    message = "Программу наставничества ведет либо ОО, либо муниципалитет: укажите ровно одно из двух."
    _refused(models.MentoringProgram(period=period, code="Н-1", name="Н"), message)
    _refused(
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
    _refused(
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
    _refused(obj, "Школьному МО нужна ОО, муниципальному — муниципалитет, региональному — ни то ни другое.")


def test_association_codes_unique_per_period():
    period = factories.PeriodFactory()
    models.MethodicalAssociation.objects.create(period=period, code="МО-1", name="A", level="региональное")
    _refused(
        models.MethodicalAssociation(period=period, code="МО-1", name="B", level="региональное"),
        "Методическое объединение с таким кодом в этом периоде уже есть.",
    )


def test_school_inn_digits():
    school = factories.SchoolFactory.build(municipality=factories.MunicipalityFactory(), inn="12345")
    _refused(school, "ИНН должен состоять из 10 или 12 цифр.")


def test_submitted_submission_needs_time():
    obj = models.SchoolSubmission(
        period=factories.PeriodFactory(), school=factories.SchoolFactory(), status=models.SubmissionStatus.SUBMITTED
    )
    _refused(obj, "У представленных данных должна быть дата представления.")


def test_school_head_needs_school():
    user = models.User(username="h", role=models.Role.SCHOOL_HEAD)
    user.set_unusable_password()
    _refused(user, "Для руководителя ОО нужно указать образовательную организацию.")


def test_municipal_official_needs_municipality():
    user = models.User(username="m", role=models.Role.MUNICIPAL)
    user.set_unusable_password()
    _refused(user, "Для специалиста муниципалитета нужно указать муниципалитет.")


def test_plan_has_one_row_per_direction():
    period = factories.PeriodFactory()
    models.MonitoringPlanItem.objects.create(period=period, direction=1, deadline=dt.date(2025, 11, 1))
    _refused(
        models.MonitoringPlanItem(period=period, direction=1, deadline=dt.date(2025, 11, 1)),
        "В плане периода это направление уже есть.",
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
    _refused(models.CompetitionEntry(**fields), "Это участие педагога в конкурсе уже записано.")


# --- Named querysets for the spec's definitions --------------------------------


def _entry(period, *, birth: dt.date, sex: str = "Ж", **kwargs):
    teacher = factories.TeacherFactory(birth_date=birth, sex=sex)
    return factories.RosterEntryFactory(period=period, teacher=teacher, **kwargs)


def test_young_is_under_35_at_reference_date():
    period = factories.PeriodFactory(year=2025)  # reference date 2025-12-31
    turns_35_on_reference_date = _entry(period, birth=dt.date(1990, 12, 31))
    turns_35_next_day = _entry(period, birth=dt.date(1991, 1, 1))
    old = _entry(period, birth=dt.date(1970, 1, 1))
    young = set(models.RosterEntry.objects.young(period=period))
    assert turns_35_next_day in young
    assert turns_35_on_reference_date not in young
    assert old not in young
    assert turns_35_on_reference_date.teacher.age_at(period.reference_date) == 35


def test_young_respects_the_periods_threshold_and_reference_date():
    period = factories.PeriodFactory(year=2025, reference_date=dt.date(2025, 9, 1), young_age_limit=30)
    twenty_nine = _entry(period, birth=dt.date(1995, 9, 2))
    thirty = _entry(period, birth=dt.date(1995, 9, 1))
    assert list(models.RosterEntry.objects.young(period=period)) == [twenty_nine]
    assert thirty.teacher.age_at(period.reference_date) == 30


def test_pension_age_differs_by_sex():
    period = factories.PeriodFactory(year=2025)
    woman_60 = _entry(period, birth=dt.date(1965, 12, 31), sex="Ж")
    woman_59 = _entry(period, birth=dt.date(1966, 1, 1), sex="Ж")
    man_64 = _entry(period, birth=dt.date(1961, 1, 1), sex="М")
    man_65 = _entry(period, birth=dt.date(1960, 12, 31), sex="М")
    pension = set(models.RosterEntry.objects.pension_age(period=period))
    assert pension == {woman_60, man_65}
    assert woman_59 not in pension and man_64 not in pension


def test_leap_day_birthday_is_reached_on_28_february_of_a_common_year():
    period = factories.PeriodFactory(year=2027, reference_date=dt.date(2027, 2, 28))
    born_leap = _entry(period, birth=dt.date(1992, 2, 29))
    day_before = models.MonitoringPeriod(year=2027, reference_date=dt.date(2027, 2, 27))
    assert born_leap.teacher.age_at(period.reference_date) == 35
    assert born_leap.teacher.age_at(day_before.reference_date) == 34
    assert born_leap not in set(models.RosterEntry.objects.young(period=period))
    assert born_leap in set(models.RosterEntry.objects.young(period=day_before))


def test_valid_category_is_within_five_years_both_ends_included():
    period = factories.PeriodFactory(year=2025)  # reference 2025-12-31
    exactly_five = _entry(period, birth=dt.date(1980, 1, 1), category="первая", category_date=dt.date(2020, 12, 31))
    one_day_older = _entry(period, birth=dt.date(1980, 1, 1), category="высшая", category_date=dt.date(2020, 12, 30))
    on_reference = _entry(period, birth=dt.date(1980, 1, 1), category="высшая", category_date=dt.date(2025, 12, 31))
    after_reference = _entry(period, birth=dt.date(1980, 1, 1), category="высшая", category_date=dt.date(2026, 1, 1))
    no_date = _entry(period, birth=dt.date(1980, 1, 1), category="первая", category_date=None)
    none_category = _entry(period, birth=dt.date(1980, 1, 1), category="нет", category_date=dt.date(2024, 1, 1))
    valid = set(models.RosterEntry.objects.valid_category(period=period))
    assert valid == {exactly_five, on_reference}
    assert not valid & {one_day_older, after_reference, no_date, none_category}


def test_part_time():
    period = factories.PeriodFactory()
    main = _entry(period, birth=dt.date(1980, 1, 1))
    extra = _entry(period, birth=dt.date(1980, 1, 1), part_time=True)
    assert list(models.RosterEntry.objects.part_time()) == [extra]
    assert list(models.RosterEntry.objects.not_part_time()) == [main]


@pytest.mark.parametrize(
    ("snils", "valid"),
    [
        ("112-233-445 95", True),
        ("11223344595", True),
        ("112-233-445 96", False),
        ("1122334459", False),
        ("001-001-997 00", True),  # numbers up to 001-001-998 are not checked
        ("abc", False),
    ],
)
def test_snils_control_number(snils, valid):
    assert models.snils_is_valid(snils) is valid


def test_period_current_prefers_open_period():
    factories.PeriodFactory(year=2024, status=models.PeriodStatus.CLOSED)
    open_period = factories.PeriodFactory(year=2025)
    factories.PeriodFactory(year=2026, status=models.PeriodStatus.CLOSED)
    assert models.MonitoringPeriod.objects.current() == open_period


def test_generated_files_are_stored_under_names_nobody_can_guess(world, media_root):
    """exports/2025-1.xlsx could be guessed; the name a user downloads is set by the view instead."""
    import re

    from monitoring.intake.exports import export_job_run
    from reports.models import AnnualReport, Letter

    job = models.ExportJob.objects.create(period=world.period, user=world.analyst, format="xlsx")
    job = export_job_run(job_id=job.pk)
    assert re.fullmatch(r"exports/[0-9a-f]{32}\.xlsx", job.file.name), job.file.name
    for field in (models.ExportJob._meta.get_field("file"), Letter._meta.get_field("pdf"),
                  AnnualReport._meta.get_field("pdf"), AnnualReport._meta.get_field("xlsx")):  # fmt: skip
        first, second = field.generate_filename(None, "Годовой отчет 2025.pdf"), field.generate_filename(None, "x.pdf")
        assert first != second and "2025" not in first and first.endswith(".pdf")
