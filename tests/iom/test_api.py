"""The iom endpoints of /api/v1/: the catalog, enrollments, routes and activities per role; writes as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iom.models import ActivityKind, Route, RouteActivity, RouteEvent, RouteStatus, RouteVersion
from monitoring import tokens
from monitoring.shared.viewsets import PERSONAL_DECISION_MESSAGE
from tests import factories
from tests.api import assert_constant_queries, rows, session_client, token_client

pytestmark = pytest.mark.django_db

SCOPE = {
    "analyst": ["T0000001", "T0000002", "T0000003"],
    "ministry": ["T0000001", "T0000002", "T0000003"],
    "municipal": ["T0000001", "T0000003"],
    "head_a": ["T0000001"],
    "head_b": ["T0000002"],
    "teacher": ["T0000001"],
}
STAFF = ["analyst", "ministry", "municipal", "head_a", "head_b"]


def _is_russian(text: str) -> bool:
    return any("а" <= ch <= "я" for ch in text.lower())


def _assert_400(response, field: str | None = None, message: str | None = None) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert body["code"] == "invalid" and _is_russian(body["detail"])
    if field is not None:
        assert field in body["errors"], body
    if message is not None:
        assert message in body["detail"], body["detail"]
    return body


@pytest.fixture
def catalog(world):
    """Two programs with their tags and runs, enrollments and approved routes of all three teachers."""
    ikt = factories.ProgramFactory(
        code="П-ИКТ", name="Цифровые инструменты учителя", groups=["ИКТ"], topics=["ШНОР"], positions=["учитель"]
    )
    korr = factories.ProgramFactory(code="П-КОРР", name="Инклюзивное образование", groups=["КОРР"], kind="ПП")
    runs = {
        "ikt": factories.CourseRunFactory(code="К-1", program=ikt, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 20)),
        "korr": factories.CourseRunFactory(
            code="К-2", program=korr, start=dt.date(2024, 3, 1), end=dt.date(2024, 5, 20)
        ),
    }
    routes = {}
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        factories.EnrollmentFactory(teacher=teacher, course=runs["ikt"])
        route = factories.RouteFactory(
            teacher=teacher, start=dt.date(2025, 3, 1), end=dt.date(2026, 2, 28), approved_by=world.analyst
        )
        factories.RouteActivityFactory(route=route)
        routes[teacher.code] = route
    return {"programs": {"ikt": ikt, "korr": korr}, "runs": runs, "routes": routes}


# -- scope -----------------------------------------------------------------------------


@pytest.mark.parametrize("person", list(SCOPE))
def test_each_person_lists_exactly_their_scope(world, catalog, person):
    client = token_client(world.people[person])
    assert sorted(r["teacher"] for r in rows(client.get("/api/v1/enrollments/"))) == SCOPE[person]
    assert sorted(r["teacher"] for r in rows(client.get("/api/v1/routes/"))) == SCOPE[person]
    activities = rows(client.get("/api/v1/route-activities/"))
    assert sorted(r["route"] for r in activities) == sorted(catalog["routes"][code].pk for code in SCOPE[person])
    # The catalog is the region's, the same for everybody.
    assert [r["code"] for r in rows(client.get("/api/v1/programs/"))] == ["П-ИКТ", "П-КОРР"]
    assert [r["code"] for r in rows(client.get("/api/v1/course-runs/"))] == ["К-2", "К-1"]


@pytest.mark.parametrize("person", list(SCOPE))
def test_a_route_out_of_scope_is_not_found(world, catalog, person):
    client = token_client(world.people[person])
    for code, route in catalog["routes"].items():
        expected = 200 if code in SCOPE[person] else 404
        assert client.get(f"/api/v1/routes/{route.pk}/").status_code == expected
        activity = route.activities.get()
        assert client.get(f"/api/v1/route-activities/{activity.pk}/").status_code == expected
        enrollment = route.teacher.enrollments.get()
        assert client.get(f"/api/v1/enrollments/{enrollment.pk}/").status_code == expected


def test_programs_carry_their_tags_and_filter_like_the_catalog_page(world, catalog):
    client = token_client(world.teacher)
    program = client.get("/api/v1/programs/П-ИКТ/").json()
    assert program["competences"] == ["ИКТ"] and program["topics"] == ["ШНОР"]
    assert program["target_positions"] == ["учитель"]
    assert program["provider"] == catalog["programs"]["ikt"].provider.name and program["hours"] == 36
    codes = lambda params: [r["code"] for r in rows(client.get("/api/v1/programs/", params))]  # noqa: E731
    assert codes({"competence": "КОРР"}) == ["П-КОРР"]
    assert codes({"topic": "ШНОР"}) == ["П-ИКТ"]
    assert codes({"kind": "ПП"}) == ["П-КОРР"]
    assert codes({"q": "цифровые"}) == ["П-ИКТ"]
    assert codes({"provider": catalog["programs"]["ikt"].provider_id}) == ["П-ИКТ", "П-КОРР"]
    assert client.get("/api/v1/programs/НЕТ/").status_code == 404
    _assert_400(client.get("/api/v1/programs/", {"competence": "НЕТ"}), "competence")
    _assert_400(client.get("/api/v1/programs/", {"provider": "9" * 40}), "provider")
    _assert_400(client.get("/api/v1/programs/", {"provider": "abc"}), "provider")


def test_course_runs_and_enrollments_filter_by_codes(world, catalog):
    client = token_client(world.municipal)
    assert [r["code"] for r in rows(client.get("/api/v1/course-runs/", {"program": "П-КОРР"}))] == ["К-2"]
    assert [r["code"] for r in rows(client.get("/api/v1/course-runs/", {"period": 2025}))] == ["К-1"]
    _assert_400(client.get("/api/v1/course-runs/", {"program": "НЕТ"}), "program")
    assert [r["teacher"] for r in rows(client.get("/api/v1/enrollments/", {"school": "000003"}))] == ["T0000003"]
    assert rows(client.get("/api/v1/enrollments/", {"program": "П-КОРР"})) == []
    assert len(rows(client.get("/api/v1/enrollments/", {"course": "К-1", "status": "завершил"}))) == 2
    _assert_400(client.get("/api/v1/enrollments/", {"school": "000002"}), "school")
    _assert_400(client.get("/api/v1/enrollments/", {"course": "\x00"}), "course")


def test_routes_filter_by_period_school_and_status(world, catalog):
    client = token_client(world.analyst)
    teachers = lambda params: sorted(r["teacher"] for r in rows(client.get("/api/v1/routes/", params)))  # noqa: E731
    assert teachers({"school": "000002"}) == ["T0000002"]
    assert teachers({"municipality": "01", "period": 2025}) == ["T0000001", "T0000003"]
    assert teachers({"status": "submitted"}) == []
    assert teachers({"teacher": "T0000003"}) == ["T0000003"]
    _assert_400(client.get("/api/v1/routes/", {"period": 2030}), "period")
    route = catalog["routes"]["T0000002"]
    listed = rows(client.get("/api/v1/route-activities/", {"route": route.pk}))
    assert [r["id"] for r in listed] == [route.activities.get().pk]
    _assert_400(client.get("/api/v1/route-activities/", {"route": "1" * 30}), "route")
    # Head A's scope has no such route.
    _assert_400(token_client(world.head_a).get("/api/v1/route-activities/", {"route": route.pk}), "route")


def test_the_routes_page_and_the_api_read_the_school_alike(client, world, catalog):
    # The staff routes page takes ?school= from the same FilterSet: out of scope is "not found" there.
    client.force_login(world.municipal)
    assert client.get(reverse("route-list"), {"school": "000002"}).status_code == 404
    assert client.get(reverse("route-list"), {"school": "000003"}).status_code == 200
    _assert_400(token_client(world.municipal).get("/api/v1/routes/", {"school": "000002"}), "school")


# -- building, approving and keeping a route, as on the pages ---------------------------


@pytest.fixture
def diagnosed(world):
    """Teacher A's diagnostic with deficits in ИКТ and КОРР, and a program with an upcoming run per group."""
    today = timezone.localdate()
    programs = {}
    for group in ("ИКТ", "КОРР"):
        programs[group] = factories.ProgramFactory(name=f"Курс по группе {group}", groups=[group])
        factories.CourseRunFactory(
            program=programs[group], start=today + dt.timedelta(days=20), end=today + dt.timedelta(days=40)
        )
    diagnostic = factories.DiagnosticFactory(
        teacher=world.teacher_a, date=today, submit=True, scores={"ИКТ": 18, "КОРР": 22}
    )
    return diagnostic, programs


def _activity(kind: str, due: dt.date, **extra) -> dict:
    return {"kind": kind, "due": due.isoformat(), **extra}


def test_teacher_builds_a_route_the_head_returns_and_approves(world, diagnosed):
    diagnostic, programs = diagnosed
    teacher, head = token_client(world.teacher), session_client(world.head_a)
    # Sending for approval and approving are the people's own, in the portal's session.
    person = session_client(world.teacher)
    today = timezone.localdate()

    proposals = teacher.get("/api/v1/routes/proposals/", {"diagnostic": diagnostic.pk})
    assert proposals.status_code == 200
    groups = proposals.json()
    assert [g["group_code"] for g in groups] == ["ИКТ", "КОРР"]
    assert groups[0]["items"][0]["program"] == programs["ИКТ"].code and groups[0]["items"][0]["next_run"]
    course_due = groups[0]["items"][0]["due"]

    body = {
        "diagnostic": diagnostic.pk,
        "activities": [
            {"kind": "курс", "program": programs["ИКТ"].code, "group_code": "ИКТ", "due": course_due},
            _activity("самообразование", today + dt.timedelta(days=60), group_code="КОРР", title="Изучить ФАОП"),
        ],
    }
    created = teacher.post("/api/v1/routes/", body, format="json")
    assert created.status_code == 201, created.content
    route = Route.objects.get(teacher=world.teacher_a)
    assert created.json()["id"] == route.pk and created.json()["status"] == "draft"
    assert route.diagnostic == diagnostic and route.based_on_diagnostic
    assert (route.start, route.end) == (today, today.replace(year=today.year + 1) - dt.timedelta(days=1))
    assert [(a.kind, a.group_code, a.program) for a in route.activities.order_by("due")] == [
        (ActivityKind.COURSE, "ИКТ", programs["ИКТ"]),
        (ActivityKind.SELF_EDUCATION, "КОРР", None),
    ]
    # One route at a time, as the builder page says.
    _assert_400(teacher.post("/api/v1/routes/", body, format="json"), message="У вас уже есть маршрут")

    added = teacher.post(
        "/api/v1/route-activities/",
        {"route": route.pk, **_activity("наставничество", today + dt.timedelta(days=90), title="Работа с наставником")},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert route.activities.count() == 3
    assert teacher.delete(f"/api/v1/route-activities/{added.json()['id']}/").status_code == 204
    assert route.activities.count() == 2

    submitted = person.post(f"/api/v1/routes/{route.pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    # Submitted: no more editing until it comes back.
    frozen = teacher.post(
        "/api/v1/route-activities/",
        {"route": route.pk, **_activity("конкурс", today + dt.timedelta(days=30), title="Конкурс")},
        format="json",
    )
    _assert_400(frozen, message="Маршрут в состоянии «На согласовании»")

    # The head of another school does not see the route; the teacher's own head decides.
    assert (
        session_client(world.head_b).post(f"/api/v1/routes/{route.pk}/review/", {"decision": "approve"}).status_code
        == 404
    )
    _assert_400(head.post(f"/api/v1/routes/{route.pk}/review/", {"decision": "return"}), message="Напишите, что нужно")
    returned = head.post(
        f"/api/v1/routes/{route.pk}/review/", {"decision": "return", "comment": "Добавьте сроки"}, format="json"
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["comment"] == "Добавьте сроки"
    assert person.post(f"/api/v1/routes/{route.pk}/submit/").json()["status"] == "submitted"
    approved = head.post(f"/api/v1/routes/{route.pk}/review/", {"decision": "approve"}, format="json")
    assert approved.status_code == 200
    route.refresh_from_db()
    assert route.status == RouteStatus.APPROVED and route.approved_by == world.head_a
    assert approved.json()["approved_by"] == "head_a"
    assert [e["status"] for e in approved.json()["events"]] == ["submitted", "returned", "submitted", "approved"]
    assert RouteEvent.objects.filter(route=route).count() == 4

    activity = route.activities.order_by("due").first()
    marked = teacher.post(f"/api/v1/route-activities/{activity.pk}/mark/", {"done": True}, format="json")
    assert marked.status_code == 200 and marked.json()["done"] is True
    activity.refresh_from_db()
    assert activity.done and activity.done_at is not None
    reflected = teacher.post(f"/api/v1/routes/{route.pk}/reflection/", {"reflection": "  Освоила сервисы  "})
    assert reflected.status_code == 200 and reflected.json()["reflection"] == "Освоила сервисы"


def test_teacher_corrects_an_approved_route_after_an_intermediate_diagnostic(world):
    today = timezone.localdate()
    route = factories.RouteFactory(
        teacher=world.teacher_a, start=today - dt.timedelta(days=100), end=today + dt.timedelta(days=300)
    )
    done = factories.RouteActivityFactory(route=route, due=today - dt.timedelta(days=10), done=True)
    factories.RouteActivityFactory(route=route, title="Старый план", due=today + dt.timedelta(days=10))
    client = token_client(world.teacher)
    plan = {"activities": [_activity("самообразование", today + dt.timedelta(days=20), title="Новый план")]}
    # No intermediate diagnostic yet: nothing to correct by.
    _assert_400(client.post(f"/api/v1/routes/{route.pk}/correct/", plan, format="json"), message="промежуточную")

    factories.DiagnosticFactory(teacher=world.teacher_a, date=today, kind="промежуточная", submit=True)
    corrected = client.post(f"/api/v1/routes/{route.pk}/correct/", plan, format="json")
    assert corrected.status_code == 200, corrected.content
    route.refresh_from_db()
    assert (route.version, route.corrected, route.status) == (2, True, RouteStatus.DRAFT)
    assert sorted(a.title for a in route.activities.all()) == sorted([done.title, "Новый план"])
    assert RouteVersion.objects.get(route=route).snapshot["activities"][1]["title"] == "Старый план"
    assert [v["number"] for v in corrected.json()["versions"]] == [1]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"diagnostic": None}, "diagnostic", None),
        ({"diagnostic": "abc"}, "diagnostic", None),
        ({"diagnostic": 10**30}, "diagnostic", None),
        ({"diagnostic": "other"}, "diagnostic", "Вашей завершенной диагностики с таким номером нет."),
        ({"activities": "курс"}, "activities", None),
        ({"activities": []}, None, "Выберите хотя бы одно мероприятие маршрута."),
        ({"activities": [{"kind": "курс", "due": "2030-01-01"}]}, "activities", "Для курса выберите программу"),
        ({"activities": [{"kind": "курс", "program": "НЕТ", "due": "2030-01-01"}]}, "activities", "нет в каталоге"),
        ({"activities": [{"kind": "прогулка", "title": "x", "due": "2030-01-01"}]}, "activities", None),
        ({"activities": [{"kind": "конкурс", "due": "2030-01-01"}]}, "activities", "Опишите, что вы сделаете."),
        ({"activities": [{"kind": "конкурс", "title": "x", "due": "2030-13-01"}]}, "activities", None),
        (
            {"activities": [{"kind": "конкурс", "title": "x", "group_code": "НЕТ", "due": "2030-01-01"}]},
            "activities",
            None,
        ),
        (
            {"activities": [{"kind": "конкурс", "title": "x", "due": "2001-01-01"}]},
            None,
            "должен быть в пределах маршрута",
        ),
        ({"end": "2000-01-01"}, None, "Окончание маршрута должно быть позже его начала."),
        ({"start": "9999-06-01"}, "start", "Дата должна быть в пределах 2000–2100 годов."),
        ({"activities": [{"kind": "конкурс", "title": "x", "due": "0001-01-01"}]}, "activities", "2000–2100"),
        ({"start": "2026-01-01", "end": "2026-03-01"}, None, "не менее чем на один год"),
    ],
)
def test_bad_route_bodies_are_400_in_russian(world, diagnosed, change, field, message):
    diagnostic, _ = diagnosed
    other = factories.DiagnosticFactory(teacher=world.teacher_b, submit=True)
    body = {"diagnostic": diagnostic.pk, "activities": [_activity("конкурс", timezone.localdate(), title="Конкурс")]}
    body.update(change)
    if body["diagnostic"] == "other":
        body["diagnostic"] = other.pk
    _assert_400(token_client(world.teacher).post("/api/v1/routes/", body, format="json"), field, message)
    assert not Route.objects.exists()


def test_bad_bodies_of_the_other_writes_are_400(world, catalog):
    route = catalog["routes"]["T0000001"]
    activity = route.activities.get()
    teacher, head = token_client(world.teacher), session_client(world.head_a)
    route.status = RouteStatus.SUBMITTED
    route.save()

    def post(client, url, body):
        return client.post(url, body, format="json")

    _assert_400(post(head, f"/api/v1/routes/{route.pk}/review/", {"decision": "maybe"}), "decision")
    _assert_400(
        post(head, f"/api/v1/routes/{route.pk}/review/", {"decision": "return", "comment": "x" * 3000}), "comment"
    )
    _assert_400(post(teacher, f"/api/v1/routes/{route.pk}/reflection/", {"reflection": "x" * 5001}), "reflection")
    _assert_400(post(teacher, f"/api/v1/routes/{route.pk}/reflection/", {}), "reflection")
    _assert_400(post(teacher, f"/api/v1/route-activities/{activity.pk}/mark/", {}), "done")
    _assert_400(post(teacher, f"/api/v1/route-activities/{activity.pk}/mark/", {"done": "может быть"}), "done")
    # Marking waits for approval.
    _assert_400(
        post(teacher, f"/api/v1/route-activities/{activity.pk}/mark/", {"done": True}), message="после согласования"
    )
    _assert_400(post(teacher, "/api/v1/route-activities/", {"route": 10**25, "kind": "конкурс"}), "route")
    _assert_400(teacher.get("/api/v1/routes/proposals/"), "diagnostic")
    _assert_400(teacher.get("/api/v1/routes/proposals/", {"diagnostic": "12x"}), "diagnostic")
    _assert_400(teacher.get("/api/v1/routes/proposals/", {"diagnostic": 10**30}), "diagnostic")
    _assert_400(teacher.get("/api/v1/routes/proposals/", {"diagnostic": 1, "start": "9999-12-01"}), "start")
    assert teacher.get("/api/v1/routes/99999999999999999999999999/").status_code == 404
    route.refresh_from_db()
    activity.refresh_from_db()
    assert (route.status, route.reflection, activity.done) == (RouteStatus.SUBMITTED, "", False)


@pytest.mark.parametrize("person", STAFF)
def test_staff_cannot_write_a_teachers_route(world, catalog, person):
    client = token_client(world.people[person])
    route = catalog["routes"]["T0000001"]
    activity = route.activities.get()
    writes = [
        ("post", "/api/v1/routes/", {"diagnostic": 1, "activities": []}),
        ("post", f"/api/v1/routes/{route.pk}/submit/", {}),
        ("post", f"/api/v1/routes/{route.pk}/reflection/", {"reflection": "чужая"}),
        ("post", f"/api/v1/routes/{route.pk}/correct/", {"activities": []}),
        (
            "post",
            "/api/v1/route-activities/",
            {"route": route.pk, "kind": "конкурс", "title": "x", "due": "2025-05-05"},
        ),
        ("delete", f"/api/v1/route-activities/{activity.pk}/", None),
        ("post", f"/api/v1/route-activities/{activity.pk}/mark/", {"done": True}),
        ("get", "/api/v1/routes/proposals/", {"diagnostic": 1}),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(url, body, format="json") if method != "get" else client.get(url, body)
        assert response.status_code == 403, (url, response.content)
        assert response.json() == {
            "code": "permission_denied",
            "detail": "Маршрут составляет и ведет сам педагог (токен педагога).",
        }
    review = client.post(f"/api/v1/routes/{route.pk}/review/", {"decision": "approve"}, format="json")
    if person.startswith("head_"):
        # A head's token decides nothing; the head in the portal reviews within their school.
        assert review.status_code == 403 and review.json()["detail"] == PERSONAL_DECISION_MESSAGE
        review = session_client(world.people[person]).post(
            f"/api/v1/routes/{route.pk}/review/", {"decision": "approve"}, format="json"
        )
    if person == "head_a":
        # The one staff write there is: head A may review, but the route is not waiting for it.
        _assert_400(review, message="Маршрут не ожидает согласования.")
    elif person == "head_b":
        assert review.status_code == 404
    else:
        assert review.status_code == 403 and "руководитель" in review.json()["detail"]
    route.refresh_from_db()
    activity.refresh_from_db()
    assert (route.status, route.reflection, route.activities.count(), activity.done) == (
        RouteStatus.APPROVED,
        "",
        1,
        False,
    )


def test_a_teacher_cannot_touch_another_teachers_route(world, catalog):
    client = token_client(world.teacher)
    route = catalog["routes"]["T0000002"]
    assert session_client(world.teacher).post(f"/api/v1/routes/{route.pk}/submit/").status_code == 404
    assert client.delete(f"/api/v1/route-activities/{route.activities.get().pk}/").status_code == 404
    _assert_400(
        client.post(
            "/api/v1/route-activities/",
            {"route": route.pk, "kind": "конкурс", "title": "x", "due": "2025-05-05"},
            format="json",
        ),
        "route",
    )
    assert RouteActivity.objects.filter(route=route).count() == 1
    # A teacher does not review routes, not even their own.
    own = catalog["routes"]["T0000001"]
    response = client.post(f"/api/v1/routes/{own.pk}/review/", {"decision": "approve"}, format="json")
    assert response.status_code == 403


def test_a_token_takes_no_personal_decision(world, catalog):
    # The attack on issue 16: the analyst issued a token with the head's role and approved a
    # teacher's route with it — a decision taken by a system account, traceable to no person.
    route = catalog["routes"]["T0000001"]
    route.status = RouteStatus.SUBMITTED
    route.approved_by = None
    route.save()
    _, secret = tokens.api_token_create(
        name="Интеграция", role="school_head", school=world.school_a, created_by=world.analyst
    )
    synthetic = token_client(world.head_a)
    synthetic.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    for client in (synthetic, token_client(world.head_a)):
        response = client.post(f"/api/v1/routes/{route.pk}/review/", {"decision": "approve"}, format="json")
        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied", "detail": PERSONAL_DECISION_MESSAGE}
    route.refresh_from_db()
    assert route.status == RouteStatus.SUBMITTED and route.approved_by is None
    route.status = RouteStatus.DRAFT
    route.save()
    submitted = token_client(world.teacher).post(f"/api/v1/routes/{route.pk}/submit/")
    assert submitted.status_code == 403 and submitted.json()["detail"] == PERSONAL_DECISION_MESSAGE
    route.refresh_from_db()
    assert route.status == RouteStatus.DRAFT and not RouteEvent.objects.filter(route=route).exists()


# -- queries ---------------------------------------------------------------------------------


# Each list's queries: the token (2), the count, the page, and one per prefetched relation.
LISTS = {
    "/api/v1/programs/": 5,
    "/api/v1/course-runs/": 4,
    "/api/v1/enrollments/": 4,
    "/api/v1/routes/": 5,
    "/api/v1/route-activities/": 4,
}


@pytest.mark.parametrize("person", ["analyst", "municipal", "head_a", "teacher"])
@pytest.mark.parametrize("url", list(LISTS))
def test_lists_keep_a_constant_number_of_queries(world, catalog, person, url, django_assert_max_num_queries):
    client = token_client(world.people[person])

    def grow():
        for n in range(6):
            program = factories.ProgramFactory(groups=["ИКТ", "МЕТ"], topics=["ШНОР"], positions=["учитель"])
            run = factories.CourseRunFactory(program=program)
            factories.EnrollmentFactory(teacher=world.teacher_a, course=run)
            route = factories.RouteFactory(
                teacher=world.teacher_a,
                start=dt.date(2020 + n // 3, 1 + n % 3, 1),
                end=dt.date(2021 + n // 3, 1, 1),
                approved_by=world.head_a,
            )
            for day in (1, 2):
                factories.RouteActivityFactory(route=route, due=dt.date(2020 + n // 3, 6, day))
                factories.RouteActivityFactory(route=catalog["routes"]["T0000001"], due=dt.date(2025, 3 + n, day))

    assert_constant_queries(client, url, grow)
    with django_assert_max_num_queries(LISTS[url]):
        assert len(rows(client.get(url))) > 6
