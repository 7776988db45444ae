"""Route pages through the real views: proposals, building, approval, progress; each role its scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from iom import services
from iom.models import ActivityKind, Route, RouteActivity, RouteStatus
from monitoring.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(world):
    """Programs for every group, so that proposals for two groups must be picked out of six."""
    today = timezone.localdate()
    programs = {}
    for group in ("МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР"):
        programs[group] = factories.ProgramFactory(name=f"Курс по группе {group}", groups=[group])
        factories.CourseRunFactory(
            program=programs[group], start=today + dt.timedelta(days=20), end=today + dt.timedelta(days=40)
        )
    return programs


@pytest.fixture
def diagnosed(world, catalog):
    """Teacher A's diagnostic with deficits in ИКТ and КОРР exactly (ИКТ the larger)."""
    return factories.DiagnosticFactory(
        teacher=world.teacher_a, date=timezone.localdate(), submit=True, scores={"ИКТ": 18, "КОРР": 22}
    )


def _field(html: str, name: str) -> str:
    return re.search(r'name="' + re.escape(name) + r'"[^>]*value="([^"]*)"', html).group(1)


def test_teacher_builds_a_route_the_head_approves_and_an_activity_is_marked_done(client, world, catalog, diagnosed):
    client.force_login(world.teacher)
    mine = client.get(reverse("route-list")).content.decode()
    assert "Построить маршрут по этой диагностике" in mine

    page = client.get(reverse("route-build", args=[diagnosed.pk]))
    html = page.content.decode()
    # Proposals address exactly the two deficit groups, each with its program.
    assert re.findall(r'data-group="([^"]+)"', html) == ["ИКТ", "КОРР"]
    assert "Курс по группе ИКТ" in html and "Курс по группе КОРР" in html
    for other in ("МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ"):
        assert f"Курс по группе {other}" not in html
    proposals = page.context["form"].proposals
    assert [(g.group_code, [i.program.name for i in g.items if i.program]) for g in proposals] == [
        ("ИКТ", ["Курс по группе ИКТ"]),
        ("КОРР", ["Курс по группе КОРР"]),
    ]

    # Tick the ИКТ course (row 0_0) and the КОРР self-education (row 1_1), keep the dates offered.
    form = {
        "start": _field(html, "start"),
        "end": _field(html, "end"),
        "pick_0_0": "on",
        "due_0_0": _field(html, "due_0_0"),
        "pick_1_1": "on",
        "due_1_1": _field(html, "due_1_1"),
        "title_1_1": "Изучить адаптированные программы для обучающихся с ОВЗ",
    }
    response = client.post(reverse("route-build", args=[diagnosed.pk]), form)
    route = Route.objects.get(teacher=world.teacher_a)
    assert response["Location"] == reverse("route-detail", args=[route.pk])
    assert route.status == RouteStatus.DRAFT and route.based_on_diagnostic and route.diagnostic == diagnosed
    activities = list(route.activities.order_by("group_code"))
    assert [(a.kind, a.group_code, a.program) for a in activities] == [
        (ActivityKind.COURSE, "ИКТ", catalog["ИКТ"]),
        (ActivityKind.SELF_EDUCATION, "КОРР", None),
    ]
    assert activities[1].title == "Изучить адаптированные программы для обучающихся с ОВЗ"

    client.post(reverse("route-submit", args=[route.pk]))
    route.refresh_from_db()
    assert route.status == RouteStatus.SUBMITTED

    client.force_login(world.head_a)
    school_page = client.get(reverse("route-list")).content.decode()
    assert "Ожидают согласования" in school_page and reverse("route-detail", args=[route.pk]) in school_page
    detail = client.get(reverse("route-detail", args=[route.pk])).content.decode()
    assert "Согласование" in detail
    client.post(reverse("route-review", args=[route.pk]), {"action": "approve", "comment": ""})
    route.refresh_from_db()
    assert route.status == RouteStatus.APPROVED and route.approved_by == world.head_a

    client.force_login(world.teacher)
    course = activities[0]
    client.post(reverse("activity-mark", args=[course.pk]), {"done": "1"})
    course.refresh_from_db()
    assert course.done and course.done_at is not None
    page = client.get(reverse("route-detail", args=[route.pk])).content.decode()
    assert "выполнено 1 из 2" in page
    client.post(reverse("route-reflect", args=[route.pk]), {"reflection": "Освоила сервисы ФГИС «Моя школа»."})
    route.refresh_from_db()
    assert route.reflection == "Освоила сервисы ФГИС «Моя школа»."


def test_bad_dates_are_refused_with_a_message_and_nothing_is_stored(client, world, diagnosed):
    client.force_login(world.teacher)
    today = timezone.localdate()
    response = client.post(
        reverse("route-build", args=[diagnosed.pk]),
        {
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=100)).isoformat(),
            "pick_0_0": "on",
            "due_0_0": (today + dt.timedelta(days=500)).isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Маршрут составляется не менее чем на один год." in html
    assert not Route.objects.exists()


def test_a_due_date_outside_the_route_is_named(client, world, diagnosed):
    client.force_login(world.teacher)
    today = timezone.localdate()
    response = client.post(
        reverse("route-build", args=[diagnosed.pk]),
        {
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=400)).isoformat(),
            "pick_0_0": "on",
            "due_0_0": (today + dt.timedelta(days=500)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "должен быть в пределах маршрута" in response.content.decode()
    assert not Route.objects.exists()


def test_head_returns_a_route_with_a_comment_and_the_teacher_can_edit_again(client, world, diagnosed):
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED, diagnostic=diagnosed)
    factories.RouteActivityFactory(route=route, due=route.start + dt.timedelta(days=90))
    client.force_login(world.head_a)
    response = client.post(reverse("route-review", args=[route.pk]), {"action": "return", "comment": ""})
    assert response.status_code == 302
    route.refresh_from_db()
    assert route.status == RouteStatus.SUBMITTED  # a return needs a comment
    client.post(reverse("route-review", args=[route.pk]), {"action": "return", "comment": "Добавьте курс по ИКТ"})
    route.refresh_from_db()
    assert route.status == RouteStatus.RETURNED and route.comment == "Добавьте курс по ИКТ"

    client.force_login(world.teacher)
    page = client.get(reverse("route-detail", args=[route.pk])).content.decode()
    assert "Добавьте курс по ИКТ" in page and "Добавить мероприятие" in page
    client.post(
        reverse("activity-add", args=[route.pk]),
        {"kind": "курс", "program": "", "title": "", "due": (route.start + dt.timedelta(days=30)).isoformat()},
    )
    assert route.activities.count() == 1  # a course needs a program
    program = factories.ProgramFactory(groups=["ИКТ"])
    client.post(
        reverse("activity-add", args=[route.pk]),
        {
            "kind": "курс",
            "program": program.code,
            "group_code": "ИКТ",
            "due": (route.start + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert route.activities.filter(program=program).exists()


@pytest.mark.parametrize("person", ["analyst", "ministry", "municipal", "head_b"])
def test_only_the_head_of_the_teachers_school_approves(client, world, person):
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED)
    client.force_login(world.people[person])
    response = client.post(reverse("route-review", args=[route.pk]), {"action": "approve"})
    assert response.status_code in (403, 404)
    route.refresh_from_db()
    assert route.status == RouteStatus.SUBMITTED


def test_a_teacher_edits_only_their_own_route(client, world):
    other = factories.UserFactory(username="teacher_c", role=Role.TEACHER, teacher=world.teacher_c, is_staff=False)
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.DRAFT)
    activity = factories.RouteActivityFactory(route=route)
    client.force_login(other)
    assert client.get(reverse("route-detail", args=[route.pk])).status_code == 404
    for url, data in (
        (reverse("route-submit", args=[route.pk]), {}),
        (reverse("activity-remove", args=[activity.pk]), {}),
        (reverse("activity-mark", args=[activity.pk]), {"done": "1"}),
        (reverse("route-reflect", args=[route.pk]), {"reflection": "чужая"}),
        (reverse("activity-add", args=[route.pk]), {"kind": "конкурс", "title": "x", "due": "2025-06-01"}),
    ):
        assert client.post(url, data).status_code == 404
    route.refresh_from_db()
    assert route.status == RouteStatus.DRAFT and route.reflection == "" and route.activities.count() == 1


@pytest.mark.parametrize("person", ["head_a", "analyst"])
def test_staff_read_but_never_change_a_teachers_route(client, world, person):
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.DRAFT)
    activity = factories.RouteActivityFactory(route=route)
    client.force_login(world.people[person])
    assert client.get(reverse("route-detail", args=[route.pk])).status_code == 200
    assert client.post(reverse("route-submit", args=[route.pk])).status_code == 403
    assert client.post(reverse("activity-remove", args=[activity.pk])).status_code == 403
    assert RouteActivity.objects.filter(pk=activity.pk).exists()


@pytest.mark.parametrize(
    ("person", "status"),
    [("analyst", 200), ("ministry", 200), ("municipal", 200), ("head_a", 200), ("head_b", 404), ("teacher", 200)],
)
def test_route_page_follows_the_scope(client, world, person, status):
    route = factories.RouteFactory(teacher=world.teacher_a)
    client.force_login(world.people[person])
    assert client.get(reverse("route-detail", args=[route.pk])).status_code == status


def test_a_teacher_cannot_build_from_anothers_diagnostic(client, world):
    foreign = factories.DiagnosticFactory(teacher=world.teacher_b, submit=True, scores={"ИКТ": 12})
    client.force_login(world.teacher)
    assert client.get(reverse("route-build", args=[foreign.pk])).status_code == 404
    client.force_login(world.head_b)
    assert client.get(reverse("route-build", args=[foreign.pk])).status_code == 404


def test_correction_after_an_intermediate_diagnostic_keeps_the_previous_version(client, world, catalog):
    entry = factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2025, 2, 1), submit=True, scores={"ИКТ": 15}
    )
    route = factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2025, 2, 1), end=dt.date(2026, 1, 31))
    route.diagnostic = entry
    route.save()
    done = factories.RouteActivityFactory(route=route, due=dt.date(2025, 4, 1), done=True, group_code="ИКТ")
    factories.RouteActivityFactory(route=route, due=dt.date(2025, 11, 1), group_code="ИКТ", title="Открытый урок")
    factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2025, 9, 1), kind="промежуточная", submit=True, scores={"ТЕХ": 25}
    )
    client.force_login(world.teacher)
    page = client.get(reverse("route-detail", args=[route.pk])).content.decode()
    assert "Скорректировать маршрут по ее итогам" in page
    form_page = client.get(reverse("route-correct", args=[route.pk]))
    groups = [g.group_code for g in form_page.context["form"].proposals]
    assert groups == ["", "ТЕХ"]  # the current plan, then the new deficit group
    html = form_page.content.decode()
    response = client.post(
        reverse("route-correct", args=[route.pk]),
        {"end": "2026-01-31", "pick_1_0": "on", "due_1_0": _field(html, "due_1_0")},
    )
    assert response["Location"] == reverse("route-detail", args=[route.pk])
    route.refresh_from_db()
    assert route.corrected and route.version == 2 and route.status == RouteStatus.DRAFT
    kinds = sorted((a.kind, a.group_code, a.done) for a in route.activities.all())
    # The done activity stays, the open one was dropped (not ticked), the new course came.
    assert kinds == [(ActivityKind.COURSE, "ТЕХ", False), (done.kind, "ИКТ", True)]
    version = route.versions.get()
    assert version.number == 1 and len(version.snapshot["activities"]) == 2
    assert "Открытый урок" in client.get(reverse("route-detail", args=[route.pk])).content.decode()


# ---------------------------------------------------------------------------
# Staff: routes per school
# ---------------------------------------------------------------------------


def test_staff_page_lists_exactly_the_schools_with_deficits_and_no_route(client, world):
    """School A: a teacher with deficits and a route; B: deficits, no route; C: no deficits."""
    school_d = factories.SchoolFactory(municipality=world.m1, code="000004", name="МКОУ «Давыдовская СШ»")
    d1 = factories.RosterEntryFactory(period=world.period, school=school_d).teacher
    d2 = factories.RosterEntryFactory(period=world.period, school=school_d).teacher
    day = dt.date(2025, 3, 1)
    for teacher in (world.teacher_a, world.teacher_b, d1, d2):
        factories.DiagnosticFactory(teacher=teacher, date=day, submit=True, scores={"ИКТ": 20})
    factories.DiagnosticFactory(teacher=world.teacher_c, date=day, submit=True)  # no deficit
    factories.RouteFactory(teacher=world.teacher_a)
    factories.RouteFactory(teacher=d1)  # school D: one of two has a route
    # A route that ended before the period does not count.
    factories.RouteFactory(teacher=world.teacher_b, start=dt.date(2023, 1, 10), end=dt.date(2024, 1, 9))

    client.force_login(world.analyst)
    response = client.get(reverse("route-list"), {"only": "without"})
    listed = [s.name for s in response.context["without"]]
    assert listed == ["МКОУ «Быковская СШ № 1»", "МКОУ «Давыдовская СШ»"]
    assert [s.name for s in response.context["no_routes_at_all"]] == ["МКОУ «Быковская СШ № 1»"]
    table = response.content.decode().split('id="schools"', 1)[1]
    assert "Быковская" in table and "Давыдовская" in table and "Алексеевская" not in table

    client.force_login(world.municipal)
    response = client.get(reverse("route-list"))
    assert [s.name for s in response.context["without"]] == ["МКОУ «Давыдовская СШ»"]


def test_head_sees_their_teachers_and_who_lacks_a_route(client, world):
    factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 3, 1), submit=True, scores={"ИКТ": 20})
    client.force_login(world.head_a)
    html = client.get(reverse("route-list")).content.decode()
    assert "Петрова Анна Ивановна" in html and "нет ИОМ" in html
    assert "Сидоров" not in html
    assert client.get(reverse("route-list"), {"school": world.school_b.code}).status_code == 404


def test_staff_route_page_queries_do_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.analyst)
    factories.RouteFactory(teacher=world.teacher_a)
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("route-list"))
    small = len(captured.captured_queries)
    for _ in range(20):
        school = factories.SchoolFactory(municipality=world.m2)
        teacher = factories.RosterEntryFactory(period=world.period, school=school).teacher
        factories.DiagnosticFactory(teacher=teacher, submit=True, scores={"КОРР": 12})
        factories.RouteFactory(teacher=teacher)
    with django_assert_max_num_queries(small):
        client.get(reverse("route-list"))


# ---------------------------------------------------------------------------
# Catalog and program statistics
# ---------------------------------------------------------------------------


def test_catalog_filters_by_group_topic_and_e_learning(client, world):
    factories.ProgramFactory(name="Цифровая школа", groups=["ИКТ"], topics=["оценка качества"], e_learning=True)
    factories.ProgramFactory(name="Инклюзия", groups=["КОРР"], topics=["воспитание"])
    factories.ProgramFactory(name="Смешанное обучение", groups=["ИКТ", "ТЕХ"])
    client.force_login(world.teacher)

    def names(**params):
        return [p.name for p in client.get(reverse("program-list"), params).context["page"]]

    assert names(competence="ИКТ") == ["Смешанное обучение", "Цифровая школа"]
    assert names(topic="воспитание") == ["Инклюзия"]
    assert names(e_learning="true") == ["Цифровая школа"]
    assert names(competence="ИКТ", q="смешанное") == ["Смешанное обучение"]
    assert client.get(reverse("program-list"), {"competence": "ЧУЖОЕ"}).context["filter"].errors


def test_program_stats_follow_the_scope_and_count_completion_and_satisfaction(client, world):
    run = factories.CourseRunFactory(start=dt.date(2025, 3, 1), end=dt.date(2025, 4, 1))
    factories.EnrollmentFactory(teacher=world.teacher_a, course=run, satisfaction=5)
    factories.EnrollmentFactory(teacher=world.teacher_c, course=run, status="отчислен", final_attestation=False)
    factories.EnrollmentFactory(teacher=world.teacher_b, course=run, satisfaction=3)
    client.force_login(world.analyst)
    stats = client.get(reverse("program-stats")).context["programs"]
    assert [(s.enrolled, s.completed, s.completion, s.satisfaction) for s in stats] == [(3, 2, 66.7, 50.0)]
    client.force_login(world.municipal)
    stats = client.get(reverse("program-stats")).context["programs"]
    assert [(s.enrolled, s.completed, s.satisfaction) for s in stats] == [(2, 1, 100.0)]
    client.force_login(world.teacher)
    assert client.get(reverse("program-stats")).status_code == 404


# ---------------------------------------------------------------------------
# Issue 16: the builder, the approval, the coverage that adds up, the ways back
# ---------------------------------------------------------------------------


def _crumbs(html: str) -> str:
    return html.split('aria-label="Навигационная цепочка"', 1)[1].split("</nav>", 1)[0]


def test_build_is_not_offered_when_a_route_exists_and_is_refused_before_the_form(client, world, diagnosed):
    today = timezone.localdate()
    route = factories.RouteFactory(
        teacher=world.teacher_a, start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=335)
    )
    client.force_login(world.teacher)
    mine = client.get(reverse("route-list")).content.decode()
    assert "Построить маршрут по этой диагностике" not in mine
    assert reverse("route-detail", args=[route.pk]) in mine.split('id="open-route"', 1)[1]

    response = client.get(reverse("route-build", args=[diagnosed.pk]), follow=True)
    assert response.redirect_chain == [(reverse("route-detail", args=[route.pk]), 302)]
    assert "У вас уже есть маршрут" in response.content.decode()


def test_builder_sums_up_and_shows_the_best_programs_first_the_rest_folded(client, world, catalog):
    for hours in (16, 24, 36, 48):
        factories.ProgramFactory(name=f"ИКТ, {hours} ч", groups=["ИКТ"], hours=hours)
    diagnostic = factories.DiagnosticFactory(
        teacher=world.teacher_a, date=timezone.localdate(), submit=True, scores={"ИКТ": 12}
    )
    client.force_login(world.teacher)
    html = client.get(reverse("route-build", args=[diagnostic.pk])).content.decode()
    summary = html.split('id="route-summary"', 1)[1].split("</div></div>", 1)[0]
    assert "Дефициты (1)" in summary and "Выбрано программ: <strong" in summary
    section = html.split('data-group="ИКТ"', 1)[1]
    shown, folded = section.split("Показать ещё:", 1)
    # Three programs in view, the other two and the five other kinds of activity one click away.
    assert shown.count("<strong>Курс:</strong>") == 3
    assert folded.split("</details>", 1)[0].count('class="list-group-item proposal"') == 7

    page = client.post(
        reverse("route-build", args=[diagnostic.pk]),
        {"start": "2025-03-01", "end": "2025-04-01", "pick_0_0": "on", "due_0_0": "2025-03-20", "pick_0_4": "on"},
    )
    assert page.status_code == 200  # too short a route: the form comes back with what was ticked
    picked = page.context["form"].summary()
    chosen = [i.program for i in page.context["form"].proposals[0].items[:5] if i.program]
    assert (picked["programs"], picked["hours"]) == (2, chosen[0].hours + chosen[4].hours)
    # A ticked program behind «показать ещё» keeps its fold open.
    assert '<details class="mt-1" open>' in page.content.decode()


def test_head_sees_the_deficits_and_overdue_items_and_moves_on_to_the_next_route(client, world, diagnosed):
    today = timezone.localdate()
    first = factories.RouteFactory(
        teacher=world.teacher_a,
        status=RouteStatus.SUBMITTED,
        diagnostic=diagnosed,
        start=today - dt.timedelta(days=60),
        end=today + dt.timedelta(days=305),
    )
    factories.RouteActivityFactory(route=first, due=today - dt.timedelta(days=5), title="Просроченное чтение")
    factories.RouteActivityFactory(route=first, due=today + dt.timedelta(days=5), title="Будущее чтение")
    colleague = factories.RosterEntryFactory(period=world.period, school=world.school_a).teacher
    second = factories.RouteFactory(teacher=colleague, status=RouteStatus.SUBMITTED)

    client.force_login(world.head_a)
    html = client.get(reverse("route-detail", args=[first.pk])).content.decode()
    deficits = html.split('id="route-deficits"', 1)[1].split("</section>", 1)[0]
    names = dict(services.active_group_choices())
    # Both deficits named, the larger (ИКТ, 18 points) first.
    assert -1 < deficits.find(names["ИКТ"]) < deficits.find(names["КОРР"])
    rows = html.split('id="activities"', 1)[1].split("</table>", 1)[0].split("<tr")[2:]
    assert ["просрочено" in row for row in rows] == [True, False]
    assert 'name="action"' in html and "<select" not in html.split('id="review"', 1)[1].split("</section>", 1)[0]
    assert 'value="approve"' in html and 'value="return"' in html and "required" in html

    response = client.post(reverse("route-review", args=[first.pk]), {"action": "approve", "comment": ""})
    assert response["Location"] == reverse("route-detail", args=[second.pk])
    response = client.post(reverse("route-review", args=[second.pk]), {"action": "return", "comment": "Мало"})
    assert response["Location"] == reverse("route-list")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RouteStatus.APPROVED, RouteStatus.RETURNED)


def test_pages_lead_back_to_their_lists(client, world, diagnosed):
    program = factories.ProgramFactory(groups=["ИКТ"])
    route = factories.RouteFactory(teacher=world.teacher_a, diagnostic=diagnosed)
    client.force_login(world.teacher)
    assert reverse("route-list") in _crumbs(client.get(reverse("route-detail", args=[route.pk])).content.decode())
    detail = client.get(reverse("program-detail", args=[program.code])).content.decode()
    assert reverse("program-list") in _crumbs(detail)
    result = client.get(reverse("diagnostic-detail", args=[diagnosed.pk])).content.decode()
    assert reverse("my-diagnostics") in _crumbs(result)


def test_coverage_adds_up_on_the_demo(client):
    """«105 с дефицитами / 43 имеют ИОМ / 67 без ИОМ» did not add up (issue 16, item 10)."""
    from monitoring.demo import seed_demo  # the demo builder, seeded inside this test only
    from monitoring.models import MonitoringPeriod, User

    seed_demo(size="small", seed=2)
    client.force_login(User.objects.get(username="analyst"))
    for period in MonitoringPeriod.objects.all():
        response = client.get(reverse("route-list"), {"period": period.year})
        totals = response.context["totals"]
        assert totals.with_deficits == totals.deficits_with_route + totals.deficits_without_route > 0
        assert totals.with_route == totals.deficits_with_route + totals.routes_without_deficits
        said = response.content.decode().split('id="coverage-sum"', 1)[1].split("</strong>", 1)[0]
        numbers = [int(n.replace("\xa0", "").replace(" ", "")) for n in re.findall(r"\d[\d\xa0 ]*", said)]
        assert numbers[0] == numbers[1] + numbers[2] == totals.with_deficits


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("Верните: " + "Я" * 2000, "Комментарий: Убедитесь"),
        ("Комментарий\x00 с нулем", "Комментарий: Данные содержат запрещённый символ"),
    ],
)
def test_a_refused_review_comment_says_why_and_comes_back_in_the_form(client, world, diagnosed, comment, message):
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED, diagnostic=diagnosed)
    client.force_login(world.head_a)
    response = client.post(
        reverse("route-review", args=[route.pk]), {"action": "return", "comment": comment}, follow=True
    )
    page = response.content.decode()
    assert message in page
    assert "Выберите действие" not in page
    # What the head typed is in the review box again (the NUL dropped), once.
    assert comment.replace("\x00", "")[:200] in page
    route.refresh_from_db()
    assert route.status == RouteStatus.SUBMITTED
    assert comment[:200] not in client.get(reverse("route-detail", args=[route.pk])).content.decode()


def test_a_review_without_an_action_keeps_the_comment(client, world, diagnosed):
    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED, diagnostic=diagnosed)
    client.force_login(world.head_a)
    page = client.post(reverse("route-review", args=[route.pk]), {"comment": "Почти готово"}, follow=True)
    text = page.content.decode()
    assert "Выберите действие: согласовать или вернуть на доработку." in text
    assert ">Почти готово</textarea>" in text


def test_the_heads_decision_reaches_the_teacher_as_a_notice(
    client, world, diagnosed, django_capture_on_commit_callbacks
):
    from reports.models import Notice  # reports sits above iom: the notice is its answer to the store

    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.SUBMITTED, diagnostic=diagnosed)
    client.force_login(world.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("route-review", args=[route.pk]), {"action": "return", "comment": "Добавьте стажировку"})
    [notice] = Notice.objects.filter(user=world.teacher)
    assert notice.text == "Руководитель вернул на доработку ваш маршрут (ИОМ): «Добавьте стажировку»."
    assert notice.url == reverse("route-detail", args=[route.pk]) and notice.reason
