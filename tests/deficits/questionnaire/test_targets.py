"""Who a campaign reaches: each target kind, the sample's allocation and reproducibility, the checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from deficits.models import RespondentRole, TargetKind
from deficits.questionnaire import targets
from deficits.questionnaire.targets import Reached, allocation, target_clean, target_for, target_reach
from monitoring.models import AssociationLevel, AssociationMember, MethodicalAssociation, RosterEntry
from monitoring.models.people import years_before
from tests import factories

pytestmark = pytest.mark.django_db


def reach(period, kind, params=None, seed=None):
    return target_reach(period=period, kind=kind, params=params or {}, seed=seed)


def teacher_ids(rows):
    return [row.teacher_id for row in rows]


def test_the_roster_reaches_every_teacher_once_at_their_school(world):
    rows = reach(world.period, TargetKind.ROSTER)
    assert rows == sorted(
        [
            Reached(world.teacher_a.pk, None, world.school_a.pk, world.m1.pk),
            Reached(world.teacher_b.pk, None, world.school_b.pk, world.m2.pk),
            Reached(world.teacher_c.pk, None, world.school_c.pk, world.m1.pk),
        ]
    )
    assert {row.role for row in rows} == {RespondentRole.TEACHER}


def test_a_teacher_is_on_one_roster_row_per_period_so_is_reached_once(world):
    """The one-school rule of the targets rests on this constraint; if it goes, the targets must pick."""
    names = {c.name for c in RosterEntry._meta.constraints}
    assert "roster_one_row_per_teacher_period" in names
    rows = reach(world.period, TargetKind.ROSTER)
    assert len(teacher_ids(rows)) == len(set(teacher_ids(rows))) == 3


def test_another_periods_roster_is_not_reached(world):
    other = factories.PeriodFactory(year=2024)
    factories.RosterEntryFactory(period=other, school=world.school_a)
    assert len(reach(world.period, TargetKind.ROSTER)) == 3


# ---------------------------------------------------------------------------
# The sample
# ---------------------------------------------------------------------------


def test_allocation_is_proportional_by_the_largest_remainder():
    # 10 of 100: quotas 5, 3, 1.7, 0.3 -> 5, 3, 1, 0 and the one left to the largest remainder (0.7).
    # The last municipality has teachers, so it gets its one respondent beside the ten.
    assert allocation({1: 50, 2: 30, 3: 17, 4: 3}, 10) == {1: 5, 2: 3, 3: 2, 4: 1}
    # Equal remainders: the smaller stratum id first.
    assert allocation({1: 10, 2: 10, 3: 10}, 2) == {1: 1, 2: 1, 3: 1}
    assert allocation({1: 10, 2: 10, 3: 10}, 4) == {1: 2, 2: 1, 3: 1}
    # Never more than a stratum has, never anything from an empty one or of nothing.
    assert allocation({1: 2, 2: 0}, 50) == {1: 2, 2: 0}
    assert allocation({1: 5, 2: 5}, 0) == {1: 0, 2: 0}


@pytest.fixture
def region():
    """A roster of 100 teachers in four municipalities of 50, 30, 17 and 3."""
    period = factories.PeriodFactory(year=2025)
    municipalities = []
    for size in (50, 30, 17, 3):
        school = factories.SchoolFactory()
        municipalities.append((school.municipality, size))
        for _ in range(size):
            factories.RosterEntryFactory(period=period, school=school)
    return period, municipalities


def test_a_share_is_drawn_by_municipality_in_proportion(region):
    period, municipalities = region
    rows = reach(period, TargetKind.SAMPLE, {"share": 0.1}, seed=12345)
    counts = Counter(row.municipality_id for row in rows)
    assert [counts[m.pk] for m, _ in municipalities] == [5, 3, 2, 1]
    assert len(set(teacher_ids(rows))) == len(rows) == 11


def test_a_size_is_drawn_by_municipality_in_proportion(region):
    period, municipalities = region
    rows = reach(period, TargetKind.SAMPLE, {"size": 20}, seed=7)
    counts = Counter(row.municipality_id for row in rows)
    assert [counts[m.pk] for m, _ in municipalities] == [10, 6, 3, 1]


def test_the_same_seed_draws_the_same_people_and_another_seed_others(region):
    period, _ = region
    first = teacher_ids(reach(period, TargetKind.SAMPLE, {"share": 0.1}, seed=2024))
    again = teacher_ids(reach(period, TargetKind.SAMPLE, {"share": 0.1}, seed=2024))
    other = teacher_ids(reach(period, TargetKind.SAMPLE, {"share": 0.1}, seed=2025))
    assert first == again
    assert first != other
    assert len(other) == len(first)


def test_the_sample_does_not_depend_on_the_order_rows_were_read_in(region, monkeypatch):
    period, _ = region
    first = reach(period, TargetKind.SAMPLE, {"share": 0.2}, seed=99)
    original = targets.roster_reached
    monkeypatch.setattr(targets, "roster_reached", lambda p, **f: list(reversed(original(p, **f))))
    # The roster read backwards: the target sorts by teacher id itself before drawing.
    shuffled = reach(period, TargetKind.SAMPLE, {"share": 0.2}, seed=99)
    assert sorted(first) == sorted(shuffled)


def test_a_sample_of_the_whole_roster_is_everyone(region):
    period, _ = region
    assert len(reach(period, TargetKind.SAMPLE, {"share": 1}, seed=1)) == 100
    assert len(reach(period, TargetKind.SAMPLE, {"size": 5000}, seed=1)) == 100


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "share", "Укажите долю педагогов или размер выборки."),
        ({"share": "0,1", "size": 10}, "size", "Укажите что-то одно"),
        ({"share": "десять"}, "share", "Доля — число от 0 до 1"),
        ({"share": "nan"}, "share", "Доля — число от 0 до 1"),
        ({"share": "NaN"}, "share", "Доля — число от 0 до 1"),
        ({"share": "snan"}, "share", "Доля — число от 0 до 1"),
        ({"share": "inf"}, "share", "Доля — число от 0 до 1"),
        ({"share": "-Infinity"}, "share", "Доля — число от 0 до 1"),
        ({"share": float("nan")}, "share", "Доля — число от 0 до 1"),
        ({"share": 0}, "share", "больше 0 и не больше 1"),
        ({"share": "1.5"}, "share", "больше 0 и не больше 1"),
        ({"size": "много"}, "size", "целое число"),
        ({"size": 0}, "size", "от 1 до"),
    ],
)
def test_sample_parameters_are_checked_in_russian(world, params, field, message):
    with pytest.raises(ValidationError) as error:
        target_clean(period=world.period, kind=TargetKind.SAMPLE, params=params)
    assert message in " ".join(error.value.message_dict[field])


def test_sample_parameters_are_normalised(world):
    assert target_clean(period=world.period, kind=TargetKind.SAMPLE, params={"share": "0,1"}) == {"share": 0.1}
    assert target_clean(period=world.period, kind=TargetKind.SAMPLE, params={"size": "25"}) == {"size": 25}


# ---------------------------------------------------------------------------
# Target groups
# ---------------------------------------------------------------------------


def test_young_teachers_are_younger_than_the_limit_at_the_reference_date(world):
    period = world.period  # reference date 31.12.2025, limit 35
    limit_day = years_before(period.reference_date, period.young_age_limit)
    world.teacher_a.birth_date = limit_day + dt.timedelta(days=1)  # 34 on the reference date
    world.teacher_a.save()
    world.teacher_b.birth_date = limit_day  # turns 35 that day: not young
    world.teacher_b.save()
    assert teacher_ids(reach(period, TargetKind.YOUNG)) == [world.teacher_a.pk]


def test_deficit_reaches_teachers_whose_latest_diagnostic_has_it(world):
    factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 3, 1), submit=True, scores={"МЕТ": 12})
    # Teacher B had the deficit, but their latest diagnostic of the period has none.
    factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 3, 1), submit=True, scores={"МЕТ": 12})
    factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 9, 1), kind="промежуточная", submit=True)
    # Teacher C has a deficit in another group.
    factories.DiagnosticFactory(teacher=world.teacher_c, date=dt.date(2025, 3, 1), submit=True, scores={"ИКТ": 12})
    params = target_clean(period=world.period, kind=TargetKind.DEFICIT, params={"group": "МЕТ"})
    assert teacher_ids(reach(world.period, TargetKind.DEFICIT, params)) == [world.teacher_a.pk]


def test_deficit_needs_a_known_group(world):
    factories.DiagnosticFactory(teacher=world.teacher_a)  # loads the shipped instrument
    with pytest.raises(ValidationError) as error:
        target_clean(period=world.period, kind=TargetKind.DEFICIT, params={"group": "НЕТ"})
    assert "Группы компетенций «НЕТ» нет" in error.value.message_dict["group"][0]
    with pytest.raises(ValidationError):
        target_clean(period=world.period, kind=TargetKind.DEFICIT, params={})


def test_low_results_reaches_the_teachers_of_shnor_schools(world):
    world.school_b.low_results = True
    world.school_b.save()
    assert teacher_ids(reach(world.period, TargetKind.LOW_RESULTS)) == [world.teacher_b.pk]


def test_heads_are_the_school_heads_accounts(world):
    world.head_b.is_active = False
    world.head_b.save()
    rows = reach(world.period, TargetKind.HEADS)
    assert rows == [Reached(None, world.head_a.pk, world.school_a.pk, world.m1.pk, RespondentRole.HEAD)]


def _association(period, code, members, head=None):
    association = MethodicalAssociation.objects.create(
        period=period, code=code, name=f"МО {code}", level=AssociationLevel.REGIONAL
    )
    for teacher in members:
        AssociationMember.objects.create(association=association, teacher=teacher, is_head=teacher == head)
    return association


def test_association_heads_are_the_marked_members_at_their_roster_school(world):
    _association(world.period, "МО-1", [world.teacher_a, world.teacher_c], head=world.teacher_c)
    _association(world.period, "МО-2", [world.teacher_a, world.teacher_b], head=world.teacher_b)
    _association(world.period, "МО-3", [world.teacher_a])  # no head marked
    assert target_clean(period=world.period, kind=TargetKind.ASSOCIATION_HEADS, params={"x": 1}) == {}
    rows = reach(world.period, TargetKind.ASSOCIATION_HEADS)
    assert rows == [
        Reached(world.teacher_b.pk, None, world.school_b.pk, world.m2.pk, RespondentRole.ASSOCIATION_HEAD),
        Reached(world.teacher_c.pk, None, world.school_c.pk, world.m1.pk, RespondentRole.ASSOCIATION_HEAD),
    ]


def test_a_head_of_two_associations_is_reached_once(world):
    _association(world.period, "МО-1", [world.teacher_a], head=world.teacher_a)
    _association(world.period, "МО-2", [world.teacher_a], head=world.teacher_a)
    assert teacher_ids(reach(world.period, TargetKind.ASSOCIATION_HEADS)) == [world.teacher_a.pk]


def test_association_heads_of_another_period_or_off_the_roster_are_not_reached(world):
    other = factories.PeriodFactory(year=2024)
    _association(other, "МО-1", [world.teacher_a], head=world.teacher_a)
    # A head of this period's association with no roster row this period: no school to reach them at.
    outsider = factories.TeacherFactory(code="T0000009")
    _association(world.period, "МО-2", [outsider], head=outsider)
    assert reach(world.period, TargetKind.ASSOCIATION_HEADS) == []


def test_chosen_schools_and_municipalities(world):
    params = target_clean(period=world.period, kind=TargetKind.SCHOOLS, params={"schools": [world.school_c.pk]})
    assert params == {"schools": [world.school_c.pk]}
    assert teacher_ids(reach(world.period, TargetKind.SCHOOLS, params)) == [world.teacher_c.pk]
    params = target_clean(period=world.period, kind=TargetKind.MUNICIPALITIES, params={"municipalities": [world.m1.pk]})
    assert teacher_ids(reach(world.period, TargetKind.MUNICIPALITIES, params)) == sorted(
        [world.teacher_a.pk, world.teacher_c.pk]
    )


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        (TargetKind.SCHOOLS, {}, "Выберите хотя бы одну"),
        (TargetKind.SCHOOLS, {"schools": [999999]}, "неизвестная образовательная организация"),
        (TargetKind.SCHOOLS, {"schools": ["x"]}, "неизвестная образовательная организация"),
        (TargetKind.MUNICIPALITIES, {"municipalities": []}, "Выберите хотя бы один"),
        (TargetKind.MUNICIPALITIES, {"municipalities": [999999]}, "неизвестный муниципалитет"),
    ],
)
def test_chosen_units_are_checked(world, kind, params, message):
    with pytest.raises(ValidationError) as error:
        target_clean(period=world.period, kind=kind, params=params)
    assert message in " ".join(error.value.messages)


def test_an_unknown_kind_is_refused(world):
    with pytest.raises(ValidationError) as error:
        target_clean(period=world.period, kind="everyone", params={})
    assert error.value.message_dict["target_kind"] == ["Неизвестный вид выборки."]


# ---------------------------------------------------------------------------
# Course runs (iom's, through the survey_targets store) and the registry
# ---------------------------------------------------------------------------


def test_course_participants_come_from_iom_except_the_expelled(world):
    run = factories.CourseRunFactory()
    factories.EnrollmentFactory(teacher=world.teacher_a, course=run)
    factories.EnrollmentFactory(teacher=world.teacher_b, course=run, status="отчислен")
    factories.EnrollmentFactory(course=run)  # not on the roster: no school to count them in
    factories.EnrollmentFactory(teacher=world.teacher_c)  # another run
    params = target_clean(period=world.period, kind=TargetKind.COURSE_RUN, params={"course": run.code})
    assert teacher_ids(reach(world.period, TargetKind.COURSE_RUN, params)) == [world.teacher_a.pk]
    assert type(target_for(TargetKind.COURSE_RUN)).__module__ == "iom.survey_targets"


def test_a_course_run_must_exist(world):
    with pytest.raises(ValidationError) as error:
        target_clean(period=world.period, kind=TargetKind.COURSE_RUN, params={"course": "К-404"})
    assert error.value.message_dict["course"] == ["Курса с кодом «К-404» нет."]


def test_register_target_adds_a_kind(world, monkeypatch):
    monkeypatch.setattr(targets, "TARGETS", dict(targets.TARGETS))

    class Nobody:
        fields = ()

        def clean(self, *, period, params):
            return {}

        def reach(self, *, period, params, seed):
            return []

    targets.register_target(TargetKind.ROSTER, Nobody())
    assert reach(world.period, TargetKind.ROSTER) == []
    with pytest.raises(ValueError):
        targets.register_target("nobody", Nobody())
