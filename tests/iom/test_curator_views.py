"""Curators' pages (iom.curator_views): assignment by the institute, the curator's routes, comments on a route."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from iom.models import RouteComment
from monitoring.models import CuratorAssignment, Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def routes(world):
    """Routes of teachers A (the curator's) and B (not theirs); A's has an overdue activity."""
    route_a = factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2025, 3, 1), end=dt.date(2030, 2, 28))
    factories.RouteActivityFactory(route=route_a, due=dt.date(2025, 9, 1), title="Просроченное чтение")
    factories.RouteActivityFactory(route=route_a, due=dt.date(2029, 9, 1), done=True)
    route_b = factories.RouteFactory(teacher=world.teacher_b)
    return route_a, route_b


def test_the_curator_sees_exactly_their_teachers_routes(client, world, routes):
    route_a, route_b = routes
    client.force_login(world.curator)
    page = client.get(reverse("curator-routes"))
    html = page.content.decode()
    assert [r.teacher for r in page.context["rows"]] == [world.teacher_a]
    assert world.teacher_a.full_name in html and world.teacher_b.full_name not in html
    assert "1 из 2" in html and "Просроченное чтение" in html
    assert reverse("route-detail", args=[route_a.pk]) in html
    # Another teacher's route is "not found"; their own teacher's opens read-only.
    assert client.get(reverse("route-detail", args=[route_b.pk])).status_code == 404
    detail = client.get(reverse("route-detail", args=[route_a.pk])).content.decode()
    for button in ("Отправить руководителю", "Согласовать маршрут", "Добавить мероприятие", 'name="reflection"'):
        assert button not in detail
    assert "Добавить комментарий" in detail and "Маршруты моих педагогов" in detail


def test_the_lagging_filter(client, world, routes):
    teacher_d = factories.TeacherFactory(code="T0000004", full_name="Яковлева Дарья Игоревна")
    CuratorAssignment.objects.create(curator=world.curator, teacher=teacher_d)
    client.force_login(world.curator)
    every = client.get(reverse("curator-routes")).context
    lagging = client.get(reverse("curator-routes") + "?lagging=1").context
    assert (every["all_count"], every["lagging_count"]) == (2, 1)
    assert [r.teacher for r in lagging["rows"]] == [world.teacher_a]
    assert lagging["rows"][0].lag == "Просрочено мероприятий: 1"


@pytest.mark.parametrize("role", ["analyst", "head_a", "teacher"])
def test_the_curators_page_is_theirs_alone(client, world, role):
    client.force_login(world.people[role])
    assert client.get(reverse("curator-routes")).status_code == 404


def test_a_comment_is_shown_to_the_teacher_the_head_and_the_institute(client, world, routes):
    route_a, _ = routes
    client.force_login(world.curator)
    response = client.post(reverse("route-comment-add", args=[route_a.pk]), {"text": "Не забудьте про курс."})
    assert response.status_code == 302
    comment = RouteComment.objects.get()
    assert (comment.route, comment.author) == (route_a, world.curator)
    for user in (world.teacher, world.head_a, world.analyst, world.curator):
        client.force_login(user)
        html = client.get(reverse("route-detail", args=[route_a.pk])).content.decode()
        assert "Не забудьте про курс." in html, user.username
        assert ("Добавить комментарий" in html) == (user.role in (Role.CURATOR, Role.SCHOOL_HEAD)), user.username


def test_a_refused_comment_is_kept_for_the_next_try(client, world, routes):
    route_a, _ = routes
    client.force_login(world.curator)
    long = "б" * 5001
    response = client.post(reverse("route-comment-add", args=[route_a.pk]), {"text": long}, follow=True)
    html = response.content.decode()
    assert "длиннее 5000 знаков" in html
    assert long in html  # back in the form, nothing lost
    assert not RouteComment.objects.exists()
    response = client.post(reverse("route-comment-add", args=[route_a.pk]), {"text": ""}, follow=True)
    assert "Комментарий не может быть пустым." in response.content.decode()


def test_the_teacher_cannot_comment_and_another_curator_does_not_see(client, world, routes):
    route_a, _ = routes
    client.force_login(world.teacher)
    assert client.post(reverse("route-comment-add", args=[route_a.pk]), {"text": "Сам себе"}).status_code == 403
    other = factories.UserFactory(username="curator_b", role=Role.CURATOR, is_staff=False)
    client.force_login(other)
    assert client.post(reverse("route-comment-add", args=[route_a.pk]), {"text": "Чужой"}).status_code == 404
    assert not RouteComment.objects.exists()


def test_the_institute_assigns_by_pasted_codes_and_removes(client, world):
    client.force_login(world.analyst)
    listing = client.get(reverse("curator-list")).content.decode()
    assert reverse("curator-detail", args=[world.curator.pk]) in listing
    url = reverse("curator-detail", args=[world.curator.pk])
    response = client.post(url, {"codes": "T0000002\nT0000003"})
    assert response.status_code == 302
    assert CuratorAssignment.objects.filter(curator=world.curator).count() == 3
    # Refusals in Russian; the pasted codes stay in the form.
    refused = client.post(url, {"codes": "T0000002 T7777777"})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Нет педагогов с кодами: T7777777." in html and "Уже закреплены за этим куратором: T0000002." in html
    assert "T7777777" in refused.context["form"]["codes"].value()
    response = client.post(reverse("curator-unassign", args=[world.curator.pk]), {"teacher": "T0000001"})
    assert response.status_code == 302
    assert not CuratorAssignment.objects.filter(teacher=world.teacher_a).exists()
    # Not a curator's account: "not found".
    assert client.get(reverse("curator-detail", args=[world.head_a.pk])).status_code == 404


def test_the_curators_menu_and_home(client, world, routes):
    client.force_login(world.curator)
    html = client.get(reverse("home")).content.decode()
    assert "Маршруты моих педагогов" in html
    assert "Отстающие маршруты ваших педагогов: 1" in html
    assert world.teacher_a.full_name in html and world.teacher_b.full_name not in html
    assert f'href="{reverse("route-list")}"' not in html  # the teacher's "Мой маршрут" is not theirs


def test_a_refused_assignment_names_the_problem_where_the_field_points(client, world):
    client.force_login(world.analyst)
    page = client.post(reverse("curator-detail", args=[world.curator.pk]), {"codes": "T0000002\x00"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'aria-invalid="true"' in html
    # Every description the field points to is on the page, and it says something.
    for ids in re.findall(r'aria-describedby="([^"]+)"', html):
        for ref in ids.split():
            found = re.search(rf'id="{ref}"[^>]*>(.*?)</div>', html, re.S)
            assert found and found.group(1).strip(), ref
    assert not CuratorAssignment.objects.filter(teacher=world.teacher_b).exists()


def test_a_comment_reaches_the_teacher_as_a_notice_once_stored(
    client, world, routes, django_capture_on_commit_callbacks
):
    from reports.models import Notice  # reports sits above iom: the notice is its answer to the store

    route_a, _ = routes
    client.force_login(world.curator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("route-comment-add", args=[route_a.pk]), {"text": "Начните с курса по ИКТ"})
    [notice] = Notice.objects.filter(user=world.teacher)
    assert "Новый комментарий к вашему маршруту (ИОМ) от куратора" in notice.text
    assert "Начните с курса по ИКТ" in notice.text
    assert notice.url == reverse("route-detail", args=[route_a.pk])
    assert notice.reason.startswith("Вы получили это уведомление как автор маршрута")
    # Nobody else hears of it; a refused comment tells no one.
    assert Notice.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("route-comment-add", args=[route_a.pk]), {"text": "  "})
    assert Notice.objects.count() == 1


def test_a_comment_with_a_nul_is_refused_as_such_and_kept(client, world, routes):
    route_a, _ = routes
    client.force_login(world.curator)
    page = client.post(reverse("route-comment-add", args=[route_a.pk]), {"text": "ab\x00cd efg"}, follow=True)
    html = page.content.decode()
    assert "Комментарий: Данные содержат запрещённый символ" in html
    assert "не может быть пустым" not in html
    assert "abcd efg" in html
    assert not RouteComment.objects.exists()
