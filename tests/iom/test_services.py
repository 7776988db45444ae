"""Route rules: length edges, proposals and their ranking, activity checks, who may do what."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from iom import services
from iom.models import ActivityKind, Route, RouteStatus
from iom.services import ActivityInput
from monitoring.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (dt.date(2025, 9, 1), dt.date(2026, 8, 31), None),  # a school year
        (dt.date(2025, 9, 1), dt.date(2026, 8, 30), "не менее чем на один год"),
        (dt.date(2025, 9, 1), dt.date(2028, 9, 1), None),  # three years to the day
        (dt.date(2025, 9, 1), dt.date(2028, 9, 2), "не более чем на три года"),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 27), None),  # the anniversary of 29.02 is 28.02
        (dt.date(2024, 2, 29), dt.date(2025, 2, 26), "не менее чем на один год"),
        (dt.date(2025, 9, 1), dt.date(2025, 9, 1), "позже его начала"),
    ],
)
def test_route_length_edges(start, end, problem):
    found = services.route_length_problem(start=start, end=end)
    assert (found is None) if problem is None else (problem in found)


def test_proposals_cover_exactly_the_deficit_groups_ranked(world):
    today = dt.date(2025, 3, 1)
    diagnostic = factories.DiagnosticFactory(teacher=world.teacher_a, submit=True, scores={"ИКТ": 25, "МЕТ": 12})
    long_online = factories.ProgramFactory(name="ИКТ онлайн, 72 ч", groups=["ИКТ"], e_learning=True, hours=72)
    factories.ProgramFactory(name="ИКТ онлайн, 16 ч", groups=["ИКТ"], e_learning=True, hours=16)
    soon = factories.ProgramFactory(name="ИКТ очно, набор скоро", groups=["ИКТ"], hours=36)
    later = factories.ProgramFactory(name="ИКТ очно, набор позже", groups=["ИКТ"], hours=18)
    factories.CourseRunFactory(program=soon, start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 20))
    factories.CourseRunFactory(program=later, start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 20))
    factories.CourseRunFactory(program=long_online, start=dt.date(2025, 5, 1), end=dt.date(2025, 6, 1))
    factories.ProgramFactory(name="Для логопедов", groups=["ИКТ"], positions=["учитель-логопед"])
    factories.ProgramFactory(name="Для учителей", groups=["МЕТ"], positions=["учитель"])
    factories.ProgramFactory(name="ТЕХ", groups=["ТЕХ"])

    groups = services.propose(diagnostic=diagnostic, today=today)
    # The larger deficit (the lower score) first.
    assert [g.group_code for g in groups] == ["МЕТ", "ИКТ"]
    ikt = [i.program.name for i in groups[1].items if i.program]
    # E-learning first; among them the one with an upcoming run; then the soonest run;
    # a program aimed at another position is left out.
    assert ikt == ["ИКТ онлайн, 72 ч", "ИКТ онлайн, 16 ч", "ИКТ очно, набор скоро", "ИКТ очно, набор позже"]
    assert [i.program.name for i in groups[0].items if i.program] == ["Для учителей"]
    first = groups[1].items[0]
    assert first.next_run.start == dt.date(2025, 5, 1) and first.due == dt.date(2025, 6, 1)
    kinds = [i.kind for i in groups[1].items if not i.program]
    assert kinds == [
        ActivityKind.SELF_EDUCATION,
        ActivityKind.MENTORING,
        ActivityKind.METHODICAL,
        ActivityKind.COMPETITION,
        ActivityKind.EXPERT,
    ]


def test_no_deficits_no_proposals(world):
    diagnostic = factories.DiagnosticFactory(teacher=world.teacher_a, submit=True)
    factories.ProgramFactory(groups=["ИКТ"])
    assert services.propose(diagnostic=diagnostic, today=dt.date(2025, 3, 1)) == []


def _create(world, activities, **kw):
    return services.route_create(
        teacher=world.teacher_a,
        start=kw.get("start", dt.date(2025, 3, 1)),
        end=kw.get("end", dt.date(2026, 2, 28)),
        activities=activities,
        user=kw.get("user", world.teacher),
    )


def test_create_checks_activities_and_refuses_duplicates(world):
    program = factories.ProgramFactory(groups=["ИКТ"])
    with pytest.raises(ValidationError) as exc:
        _create(
            world,
            [
                ActivityInput(ActivityKind.COURSE, dt.date(2025, 5, 1)),
                ActivityInput(ActivityKind.SELF_EDUCATION, dt.date(2026, 5, 1), title="Чтение"),
                ActivityInput(ActivityKind.COURSE, dt.date(2025, 6, 1), program=program, group_code="ИКТ"),
                ActivityInput(ActivityKind.MENTORING, dt.date(2025, 6, 1), title="С наставником"),
                ActivityInput(ActivityKind.MENTORING, dt.date(2025, 6, 1), title="С наставником"),
            ],
        )
    messages = exc.value.messages
    assert "1. Для курса нужно выбрать программу из каталога" in messages
    assert any(m.startswith("2. «Чтение»: срок 01.05.2026 должен быть в пределах маршрута") for m in messages)
    assert any(m.startswith("5. Такое мероприятие с этим сроком в маршруте уже есть") for m in messages)
    assert not world.teacher_a.routes.exists()


def test_only_the_teacher_creates_and_no_overlapping_second_route(world):
    activity = ActivityInput(ActivityKind.SELF_EDUCATION, dt.date(2025, 5, 1), title="Чтение")
    with pytest.raises(PermissionDenied):
        _create(world, [activity], user=world.head_a)
    _create(world, [activity])
    later = ActivityInput(ActivityKind.SELF_EDUCATION, dt.date(2025, 10, 1), title="Чтение")
    with pytest.raises(ValidationError, match="уже есть маршрут"):
        _create(world, [later], start=dt.date(2025, 9, 1), end=dt.date(2026, 8, 31))


def test_review_is_for_the_head_of_the_current_school_and_needs_a_comment_to_return(world):
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.route_review(route=route, user=world.head_b, approve=True)
    with pytest.raises(ValidationError, match="что нужно доработать"):
        services.route_review(route=route, user=world.head_a, approve=False, comment="  ")
    services.route_review(route=route, user=world.head_a, approve=True)
    assert route.status == RouteStatus.APPROVED
    assert [(e.status, e.user) for e in route.events.all()] == [(RouteStatus.APPROVED, world.head_a)]
    with pytest.raises(ValidationError, match="не ожидает согласования"):
        services.route_review(route=route, user=world.head_a, approve=True)


def test_a_stale_copy_of_a_decided_route_is_not_decided_again(world):
    """The service reads the route's state afresh (locked) rather than trusting the caller's copy."""
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED)
    stale = Route.objects.get(pk=route.pk)
    services.route_review(route=route, user=world.head_a, approve=True)
    with pytest.raises(ValidationError, match="не ожидает согласования"):
        services.route_review(route=stale, user=world.head_a, approve=False, comment="Вернуть")
    assert [e.status for e in route.events.all()] == [RouteStatus.APPROVED]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_decisions_sent_at_once_one_wins(world):
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(approve: bool):
        try:
            barrier.wait()
            services.route_review(
                route=Route.objects.get(pk=route.pk), user=world.head_a, approve=approve, comment="Решение"
            )
            outcomes.append("decided")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(flag,)) for flag in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["decided", "refused"]
    assert route.events.count() == 1


def test_done_marks_need_an_approved_route(world):
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED)
    activity = factories.RouteActivityFactory(route=route)
    with pytest.raises(ValidationError, match="после согласования"):
        services.activity_mark(activity=activity, user=world.teacher, done=True)
    route.status = RouteStatus.APPROVED
    route.save()
    services.activity_mark(activity=activity, user=world.teacher, done=True)
    assert activity.done
    head_as_teacher = factories.UserFactory(username="x", role=Role.SCHOOL_HEAD, school=world.school_a)
    with pytest.raises(PermissionDenied):
        services.activity_mark(activity=activity, user=head_as_teacher, done=False)


def test_correction_needs_a_new_intermediate_diagnostic_inside_the_route(world):
    route = factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2025, 2, 1), end=dt.date(2026, 1, 31))
    assert services.correction_diagnostic(route=route) is None
    factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 6, 1), submit=True)  # an entry one
    factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2026, 3, 1), kind="промежуточная", submit=True
    )  # after the route
    assert services.correction_diagnostic(route=route) is None
    inside = factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2025, 9, 1), kind="промежуточная", submit=True
    )
    assert services.correction_diagnostic(route=route) == inside
    route.diagnostic = inside
    route.save()
    assert services.correction_diagnostic(route=route) is None


def test_a_route_of_a_closed_period_is_read_only_at_every_service(world):
    """The route belongs to the period of its start year: once closed, no service writes it (issue 14, item 6)."""
    from monitoring.models import MonitoringPeriod, PeriodStatus

    submitted = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED, start=dt.date(2025, 3, 1))
    approved = factories.RouteFactory(
        teacher=world.teacher_b, status=RouteStatus.APPROVED, start=dt.date(2025, 3, 1), end=dt.date(2025, 12, 1)
    )
    activity = factories.RouteActivityFactory(route=approved)
    MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=PeriodStatus.CLOSED)
    teacher_b = factories.UserFactory(username="tb", role=Role.TEACHER, teacher=world.teacher_b, is_staff=False)
    reading = ActivityInput(kind=ActivityKind.SELF_EDUCATION, title="Чтение", due=dt.date(2025, 6, 1))
    attempts = [
        lambda: services.route_review(route=submitted, user=world.head_a, approve=True),
        lambda: services.route_submit(route=submitted, user=world.teacher),
        lambda: services.route_reflect(route=approved, user=teacher_b, text="Итоги"),
        lambda: services.activity_mark(activity=activity, user=teacher_b, done=True),
        lambda: _create(world, [reading], start=dt.date(2025, 2, 1), end=dt.date(2025, 12, 1)),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="Период мониторинга 2025 года закрыт"):
            attempt()
    submitted.refresh_from_db()
    activity.refresh_from_db()
    assert submitted.status == RouteStatus.SUBMITTED and not activity.done


def test_a_program_of_two_deficit_groups_is_proposed_once_and_routed_once(world):
    """Ticked under two groups it was in the route twice (issue 16, item 9)."""
    today = dt.date(2025, 3, 1)
    diagnostic = factories.DiagnosticFactory(teacher=world.teacher_a, submit=True, scores={"ИКТ": 25, "МЕТ": 12})
    both = factories.ProgramFactory(name="Цифровая методика", groups=["ИКТ", "МЕТ"], hours=288)
    groups = services.propose(diagnostic=diagnostic, today=today)
    shown = [(g.group_code, i.program.name) for g in groups for i in g.items if i.program]
    assert shown == [("МЕТ", "Цифровая методика")]
    assert groups[0].items[0].also_groups == [dict(services.active_group_choices())["ИКТ"]]

    route = _create(
        world,
        [
            ActivityInput(ActivityKind.COURSE, dt.date(2025, 6, 1), program=both, group_code="МЕТ"),
            ActivityInput(ActivityKind.COURSE, dt.date(2025, 9, 1), program=both, group_code="ИКТ"),
        ],
    )
    assert [(a.program, a.group_code) for a in route.activities.all()] == [(both, "МЕТ")]
    route.status = RouteStatus.DRAFT
    route.save()
    with pytest.raises(ValidationError, match="«Цифровая методика» уже есть в маршруте"):
        services.activity_add(
            route=route,
            activity=ActivityInput(ActivityKind.COURSE, dt.date(2025, 10, 1), program=both, group_code="ИКТ"),
            user=world.teacher,
        )
    assert route.activities.count() == 1


def test_proposals_fit_the_teachers_post(world):
    """A maths teacher is not offered a retraining for primary-school teachers (issue 16, item 9)."""
    today = dt.date(2025, 3, 1)
    factories.ProgramFactory(name="Учитель начальных классов", groups=["МЕТ"], positions=["учитель начальных классов"])
    factories.ProgramFactory(name="Для учителей математики", groups=["МЕТ"], positions=["учитель математики"])
    factories.ProgramFactory(name="Для всех", groups=["МЕТ"])

    def offered(teacher):
        diagnostic = factories.DiagnosticFactory(teacher=teacher, submit=True, scores={"МЕТ": 12})
        groups = services.propose(diagnostic=diagnostic, today=today)
        return sorted(i.program.name for g in groups for i in g.items if i.program)

    # Teacher A teaches maths (the roster factory's default); teacher B is moved to primary classes.
    assert offered(world.teacher_a) == ["Для всех", "Для учителей математики"]
    world.teacher_b.roster_entries.update(subjects=["Начальные классы"])
    assert offered(world.teacher_b) == ["Для всех", "Учитель начальных классов"]


def test_an_open_route_is_found_before_building_another(world):
    today = dt.date(2025, 6, 1)
    assert services.open_route(teacher_id=world.teacher_a.pk, today=today) is None
    factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2024, 3, 1), end=dt.date(2025, 2, 28))
    assert services.open_route(teacher_id=world.teacher_a.pk, today=today) is None  # ended
    current = factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2025, 3, 1), end=dt.date(2026, 2, 28))
    assert services.open_route(teacher_id=world.teacher_a.pk, today=today) == current


# --- comments (route_comment_add) ---------------------------------------------------


def test_the_teachers_curator_and_head_comment_a_route(world):
    route = factories.RouteFactory(teacher=world.teacher_a)
    by_curator = services.route_comment_add(route=route, author=world.curator, text="  Хороший темп, продолжайте.  ")
    by_head = services.route_comment_add(route=route, author=world.head_a, text="Согласен.")
    assert by_curator.text == "Хороший темп, продолжайте."
    assert list(route.comments.values_list("author__username", flat=True)) == ["curator", "head_a"]
    assert by_head.author == world.head_a


@pytest.mark.parametrize("role", ["analyst", "ministry", "municipal", "head_b", "teacher", "other_curator"])
def test_no_one_else_comments(world, role):
    route = factories.RouteFactory(teacher=world.teacher_a)
    if role == "other_curator":
        user = factories.UserFactory(username="curator_b", role=Role.CURATOR, is_staff=False)
    else:
        user = world.people[role]
    with pytest.raises(PermissionDenied, match="куратор педагога и руководитель"):
        services.route_comment_add(route=route, author=user, text="Подмена")
    assert not route.comments.exists()


def test_an_empty_or_too_long_comment_is_refused(world):
    route = factories.RouteFactory(teacher=world.teacher_a)
    with pytest.raises(ValidationError, match="не может быть пустым"):
        services.route_comment_add(route=route, author=world.curator, text=" \n ")
    with pytest.raises(ValidationError, match="длиннее 5000 знаков"):
        services.route_comment_add(route=route, author=world.curator, text="а" * 5001)
    services.route_comment_add(route=route, author=world.curator, text="а" * 5000)
    assert route.comments.count() == 1
