"""The routes' lines of the home page: the teacher's next step, the routes a head approves (issue 16, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from iom import home
from monitoring import models
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 10, 1)


def _step(world):
    return home.teacher_next_step(user=world.teacher, today=TODAY)


def test_a_teacher_without_a_diagnostic_is_sent_to_take_it(world):
    step = _step(world)
    assert step.text == "Пройдите диагностику профессиональных дефицитов" and step.url == "/diagnostics/"


def test_a_started_diagnostic_is_continued(world):
    draft = factories.DiagnosticFactory(teacher=world.teacher_a)
    step = _step(world)
    assert step.text.startswith("Продолжите диагностику") and step.url == f"/diagnostics/{draft.pk}/"


def test_a_finished_diagnostic_without_a_route_leads_to_building_one(world):
    done = factories.DiagnosticFactory(teacher=world.teacher_a, scores={"ИКТ": 22}, submit=True)
    step = _step(world)
    assert step.text.startswith("Постройте индивидуальный образовательный маршрут")
    assert step.url == f"/routes/new/{done.pk}/"


@pytest.mark.parametrize(
    ("status", "text"),
    [
        ("draft", "Допишите маршрут и отправьте его на согласование"),
        ("returned", "Доработайте маршрут и отправьте его на согласование"),
        ("submitted", "Маршрут на согласовании у руководителя"),
    ],
)
def test_a_route_not_yet_approved_says_what_it_waits_for(world, status, text):
    route = factories.RouteFactory(teacher=world.teacher_a, status=status)
    step = _step(world)
    assert step.text == text and step.url == f"/routes/{route.pk}/"


def test_an_approved_route_names_its_next_activity_and_flags_it_overdue(world):
    route = factories.RouteFactory(teacher=world.teacher_a)
    factories.RouteActivityFactory(route=route, title="Уже сделано", due=dt.date(2025, 4, 1), done=True)
    factories.RouteActivityFactory(route=route, title="Семинар по оцениванию", due=dt.date(2025, 9, 1))
    factories.RouteActivityFactory(route=route, title="Позже", due=dt.date(2025, 12, 1))
    step = _step(world)
    assert step.text == "Следующее мероприятие маршрута: Семинар по оцениванию"
    assert step.detail == "Срок истек 01.09.2025" and step.tone == "warning"


def test_the_teachers_next_step_costs_the_same_queries_however_long_the_route(world, django_assert_max_num_queries):
    route = factories.RouteFactory(teacher=world.teacher_a)
    factories.RouteActivityFactory(route=route, due=dt.date(2025, 11, 1))
    with django_assert_max_num_queries(2) as few:
        _step(world)
    for month in range(1, 13):
        factories.RouteActivityFactory(route=route, due=dt.date(2025, month, 20), title=f"М{month}")
    factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2024, 3, 1), end=dt.date(2025, 2, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        _step(world)


def test_a_head_sees_the_routes_waiting_for_their_approval(world):
    factories.RouteFactory(teacher=world.teacher_a, status="submitted")
    factories.RouteFactory(teacher=world.teacher_b, status="submitted")  # another school's
    [line] = home.route_todos(user=world.head_a, period=world.period, today=TODAY)
    assert line.count == 1 and line.url == "/routes/" and line.tone == "warning"
    [other] = home.route_todos(user=world.head_b, period=world.period, today=TODAY)
    assert other.count == 1


def test_the_heads_count_is_one_query_whatever_the_routes(world, django_assert_num_queries):
    for i in range(5):
        teacher = factories.TeacherFactory(code=f"T10{i:05d}")
        factories.RosterEntryFactory(period=world.period, teacher=teacher, school=world.school_a)
        factories.RouteFactory(teacher=teacher, status="submitted")
    with django_assert_num_queries(1):
        assert home.pending_count(user=world.head_a, period=world.period) == 5


@pytest.mark.parametrize("person", ["analyst", "ministry", "municipal"])
def test_other_roles_get_no_route_lines(world, person):
    assert home.route_todos(user=world.people[person], period=world.period, today=TODAY) == []


def test_the_store_declares_the_routes_line(world):
    from monitoring.shared.todo import todos_of  # the store as the home page reads it

    factories.RouteFactory(teacher=world.teacher_a, status="submitted")
    lines = todos_of(user=world.head_a, period=world.period, today=TODAY)
    assert any(line.url == "/routes/" and line.count == 1 for line in lines)
    assert models.Role.SCHOOL_HEAD == world.head_a.role


def test_a_curators_line_follows_their_teachers(world):
    today = dt.date(2025, 11, 15)
    assert home.curator_todo(user=world.curator, today=today).text == "Маршруты ваших педагогов (1) идут в срок"
    late = factories.RouteFactory(teacher=world.teacher_a)
    factories.RouteActivityFactory(route=late, due=dt.date(2025, 10, 1))
    todo = home.curator_todo(user=world.curator, today=today)
    assert (todo.text, todo.tone, todo.items) == (
        "Отстающие маршруты ваших педагогов: 1",
        "warning",
        ((world.teacher_a.full_name, f"/routes/{late.pk}/"),),
    )
    models.CuratorAssignment.objects.all().delete()
    assert home.curator_todo(user=world.curator, today=today).text.startswith("За вами пока не закреплены педагоги")
