"""The deficits endpoints of /api/v1/: results per role's scope, filters, a teacher's own questionnaire, queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from deficits.models import Diagnostic, DiagnosticStatus
from deficits.scoring import DEFAULT_INSTRUMENT, instrument_load
from monitoring.shared.viewsets import PERSONAL_DECISION_MESSAGE
from tests import factories
from tests.api import assert_constant_queries, rows, session_client, token_client
from tests.factories import GROUP_CODES, answers_for

pytestmark = pytest.mark.django_db

# Whose diagnostics each fixed person lists (teacher codes, in the list's order).
SCOPE = {
    "analyst": ["T0000001", "T0000002", "T0000003"],
    "ministry": ["T0000001", "T0000002", "T0000003"],
    "municipal": ["T0000001", "T0000003"],
    "head_a": ["T0000001"],
    "head_b": ["T0000002"],
    "teacher": ["T0000001"],
}
STAFF = ["analyst", "ministry", "municipal", "head_a", "head_b"]


@pytest.fixture
def diagnosed(world):
    """A submitted diagnostic per teacher (A's with a deficit in ИКТ, after an earlier one), and two drafts."""
    factories.PeriodFactory(year=2024)
    earlier = factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2024, 10, 1), submit=True, scores={"ИКТ": 15}
    )
    a = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 3, 1), submit=True, scores={"ИКТ": 22})
    b = factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 4, 1), submit=True, scores={"МЕТ": 18})
    c = factories.DiagnosticFactory(teacher=world.teacher_c, date=dt.date(2025, 5, 1), submit=True)
    draft_a = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 6, 1), kind="промежуточная")
    draft_b = factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 6, 1), kind="промежуточная")
    return {"earlier": earlier, "a": a, "b": b, "c": c, "draft_a": draft_a, "draft_b": draft_b}


def _teachers(response) -> list[str]:
    return [row["teacher"] for row in rows(response)]


# -- scope ---------------------------------------------------------------------------


@pytest.mark.parametrize("person", list(SCOPE))
def test_each_person_lists_exactly_their_scope(world, diagnosed, person):
    listed = rows(token_client(world.people[person]).get("/api/v1/diagnostics/", {"period": 2025}))
    assert sorted({row["teacher"] for row in listed}) == SCOPE[person]
    assert {row["status"] for row in listed} == {"submitted"}
    # Staff read results only; a teacher also sees the diagnostic they have begun.
    everything = rows(token_client(world.people[person]).get("/api/v1/diagnostics/"))
    ids = {row["id"] for row in everything}
    assert (diagnosed["draft_a"].pk in ids) == (person == "teacher")
    assert diagnosed["draft_b"].pk not in ids


@pytest.mark.parametrize("person", list(SCOPE))
def test_a_diagnostic_out_of_scope_is_not_found(world, diagnosed, person):
    client = token_client(world.people[person])
    for key, teacher in (("a", "T0000001"), ("b", "T0000002"), ("c", "T0000003")):
        response = client.get(f"/api/v1/diagnostics/{diagnosed[key].pk}/")
        if teacher in SCOPE[person]:
            assert response.status_code == 200 and response.json()["teacher"] == teacher
        else:
            assert response.status_code == 404
            assert response.json() == {"code": "not_found", "detail": "Не найдено или недоступно."}
    # Nobody but its teacher reads a draft, not even the institute.
    expected = 200 if person == "teacher" else 404
    assert client.get(f"/api/v1/diagnostics/{diagnosed['draft_a'].pk}/").status_code == expected


def test_a_teacher_cannot_read_another_teachers_diagnostic(world, diagnosed):
    client = token_client(world.teacher)
    assert client.get(f"/api/v1/diagnostics/{diagnosed['b'].pk}/").status_code == 404
    assert client.get(f"/api/v1/diagnostics/{diagnosed['draft_b'].pk}/").status_code == 404
    assert _teachers(client.get("/api/v1/diagnostics/", {"teacher": "T0000001"})) == ["T0000001"] * 3
    # Another teacher's code is not a choice at all.
    response = client.get("/api/v1/diagnostics/", {"teacher": "T0000002"})
    assert response.status_code == 400 and "teacher" in response.json()["errors"]


# -- results as the pages show them ------------------------------------------------------


def test_results_levels_and_deficits_are_the_result_pages(client, world, diagnosed):
    diagnostic = diagnosed["a"]
    data = token_client(world.head_a).get(f"/api/v1/diagnostics/{diagnostic.pk}/").json()
    assert [r["group"] for r in data["results"]] == list(GROUP_CODES)
    assert data["deficits"] == ["ИКТ"]
    assert data["previous"] == diagnosed["earlier"].pk
    assert data["answers"] == diagnostic.answers

    client.force_login(world.head_a)
    page = client.get(reverse("diagnostic-detail", args=[diagnostic.pk])).context
    expected = [
        {
            "group": row["group"].code,
            "name": row["group"].name,
            "score": row["result"].score,
            "level": row["result"].level,
            "is_deficit": row["result"].is_deficit,
            "change": row["change"],
            "weak": row["weak"],
        }
        for row in page["rows"]
    ]
    assert data["profile"] == expected
    ikt = next(r for r in data["profile"] if r["group"] == "ИКТ")
    assert (ikt["score"], ikt["is_deficit"], ikt["change"]) == (22, True, 7)
    assert len(ikt["weak"]) == 8  # 22 points: eight statements answered 2 of 4, two answered 3
    assert [r["group"] for r in data["results"] if r["is_deficit"]] == [row["group"].code for row in page["deficits"]]
    listed = next(r for r in rows(token_client(world.head_a).get("/api/v1/diagnostics/")) if r["id"] == diagnostic.pk)
    assert listed["results"] == data["results"] and "answers" not in listed


def test_filters_read_like_the_results_page(world, diagnosed):
    client = token_client(world.analyst)
    assert _teachers(client.get("/api/v1/diagnostics/", {"period": 2025, "school": "000001"})) == ["T0000001"]
    assert _teachers(client.get("/api/v1/diagnostics/", {"period": 2025, "municipality": "01"})) == [
        "T0000001",
        "T0000003",
    ]
    # The period counts diagnostics dated in it; "latest" keeps each teacher's last one there.
    assert len(rows(client.get("/api/v1/diagnostics/", {"period": 2024}))) == 1
    latest = rows(client.get("/api/v1/diagnostics/", {"period": 2025, "latest": "true"}))
    assert sorted(row["id"] for row in latest) == sorted(diagnosed[k].pk for k in ("a", "b", "c"))
    assert [row["id"] for row in rows(client.get("/api/v1/diagnostics/", {"deficit": "МЕТ"}))] == [diagnosed["b"].pk]
    assert _teachers(client.get("/api/v1/diagnostics/", {"teacher": "T0000003"})) == ["T0000003"]
    assert rows(client.get("/api/v1/diagnostics/", {"kind": "промежуточная"})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "abcd"}, "period"),
        ({"period": "9" * 30}, "period"),
        ({"period": 1999}, "period"),
        ({"school": "000002"}, "school"),  # exists, but not in head A's scope
        ({"municipality": "x" * 500}, "municipality"),
        ({"school": "00\x000001"}, "school"),
        ({"latest": "true"}, "latest"),
        ({"deficit": "НЕТ"}, "deficit"),
        ({"kind": "любая"}, "kind"),
    ],
)
def test_bad_filters_are_400_in_russian(world, diagnosed, params, field):
    response = token_client(world.head_a).get("/api/v1/diagnostics/", params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"]
    assert any("а" <= ch <= "я" for ch in body["detail"].lower())


def test_a_page_and_the_api_refuse_the_same_school(client, world):
    # The results page takes its unit from the same FilterSet: out of scope is "not found" there.
    client.force_login(world.municipal)
    assert client.get(reverse("diagnostic-results"), {"school": "000002"}).status_code == 404
    assert client.get(reverse("diagnostic-results"), {"school": "000003"}).status_code == 200
    assert token_client(world.municipal).get("/api/v1/diagnostics/", {"school": "000002"}).status_code == 400


# -- the instrument ------------------------------------------------------------------------


def test_the_instrument_tells_a_client_what_to_ask(world):
    response = token_client(world.teacher).get("/api/v1/instruments/")
    (instrument,) = rows(response)
    assert [g["code"] for g in instrument["groups"]] == list(GROUP_CODES)
    assert [i["code"] for i in instrument["groups"][0]["items"]] == [f"МЕТ-{n}" for n in range(1, 11)]
    assert [o["value"] for o in instrument["scale"]] == [1, 2, 3, 4]
    assert [b["is_deficit"] for b in instrument["bands"]][:1] == [True]
    detail = token_client(world.ministry).get(f"/api/v1/instruments/{instrument['id']}/")
    assert detail.json() == instrument
    assert token_client(world.ministry).get("/api/v1/instruments/99999999999999999999999/").status_code == 404


# -- a teacher's own questionnaire ---------------------------------------------------------


def test_a_teacher_takes_the_diagnostic_through_the_api(world):
    client = token_client(world.teacher)
    started = client.post("/api/v1/diagnostics/", {}, format="json")
    assert started.status_code == 201, started.content
    draft = started.json()
    assert (draft["status"], draft["kind"], draft["date"]) == ("draft", "входная", timezone.localdate().isoformat())
    assert draft["missing_groups"] == list(GROUP_CODES)
    # One draft at a time: starting again returns it.
    again = client.post("/api/v1/diagnostics/", {"kind": "итоговая"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == draft["id"]

    answers = answers_for({"ИКТ": 20, "КОРР": 18})
    first_page = {code: value for code, value in answers.items() if code.startswith("МЕТ-")}
    saved = client.post(f"/api/v1/diagnostics/{draft['id']}/answers/", {"answers": first_page}, format="json")
    assert saved.status_code == 200 and saved.json()["answers"] == first_page
    assert saved.json()["missing_groups"] == list(GROUP_CODES[1:])

    # Completing fixes the result: the teacher does it in the portal's session, not with a token
    # (the attack on issue 16: a token completed a diagnostic nobody answered in person).
    by_token = client.post(f"/api/v1/diagnostics/{draft['id']}/submit/", {"answers": answers_for()}, format="json")
    assert by_token.status_code == 403 and by_token.json()["detail"] == PERSONAL_DECISION_MESSAGE
    assert Diagnostic.objects.get(pk=draft["id"]).answers == first_page
    client = session_client(world.teacher)
    early = client.post(f"/api/v1/diagnostics/{draft['id']}/submit/", {}, format="json")
    assert early.status_code == 400
    assert early.json()["detail"] == (
        "Данные не прошли проверку: Остались утверждения без ответа в группах: ТЕХ, ИССЛ, ПРОЕКТ, ИКТ, КОРР."
    )
    assert Diagnostic.objects.get(pk=draft["id"]).status == DiagnosticStatus.DRAFT

    done = client.post(f"/api/v1/diagnostics/{draft['id']}/submit/", {"answers": answers}, format="json")
    assert done.status_code == 200, done.content
    result = done.json()
    assert result["status"] == "submitted" and result["deficits"] == ["ИКТ", "КОРР"]
    diagnostic = Diagnostic.objects.get(pk=draft["id"])
    assert diagnostic.status == DiagnosticStatus.SUBMITTED and diagnostic.submitted_at is not None
    assert {r.group_code: (r.score, r.level) for r in diagnostic.results.all()}["ИКТ"] == (20, "допустимый")
    # The head of the teacher's school now reads it, as on the results page.
    assert token_client(world.head_a).get(f"/api/v1/diagnostics/{draft['id']}/").json()["deficits"] == ["ИКТ", "КОРР"]

    # Completed once: no more answers, no second completion.
    for url in ("answers", "submit"):
        response = client.post(f"/api/v1/diagnostics/{draft['id']}/{url}/", {"answers": {}}, format="json")
        assert response.status_code == 400
        assert "Диагностика уже завершена" in response.json()["detail"]
    # The same kind again on the same day is refused by the service, as on the page.
    refused = client.post("/api/v1/diagnostics/", {"kind": "входная"}, format="json")
    assert refused.status_code == 400 and "Сегодня вы уже прошли входную диагностику" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"answers": {"НЕТ-1": 3}}, "В анкете нет утверждений: НЕТ-1."),
        ({"answers": {"МЕТ-1": 5}}, "Ответ должен быть от 1 до 4: МЕТ-1."),
        ({"answers": {"МЕТ-1": 10**40}}, "Ответ должен быть от 1 до 4: МЕТ-1."),
        ({"answers": {"МЕТ-1": "много"}}, "answers: МЕТ-1: Введите правильное число."),
        ({"answers": [3, 4]}, "answers:"),
        ({}, "answers: Обязательное поле."),
    ],
)
def test_bad_answers_are_400_in_russian(world, body, message):
    client = token_client(world.teacher)
    draft = client.post("/api/v1/diagnostics/", {}, format="json").json()
    response = client.post(f"/api/v1/diagnostics/{draft['id']}/answers/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"].startswith("Данные не прошли проверку: " + message)
    assert Diagnostic.objects.get(pk=draft["id"]).answers == {}


def test_a_bad_kind_is_400(world):
    response = token_client(world.teacher).post("/api/v1/diagnostics/", {"kind": "годовая"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert not Diagnostic.objects.exists()


@pytest.mark.parametrize("person", STAFF)
def test_staff_cannot_take_a_diagnostic(world, diagnosed, person):
    client = token_client(world.people[person])
    before = Diagnostic.objects.count()
    for url, body in (
        ("/api/v1/diagnostics/", {}),
        (f"/api/v1/diagnostics/{diagnosed['draft_a'].pk}/answers/", {"answers": {"МЕТ-1": 1}}),
        (f"/api/v1/diagnostics/{diagnosed['draft_a'].pk}/submit/", {"answers": answers_for()}),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "detail": "Проходить диагностику может только сам педагог (токен педагога).",
        }
    assert Diagnostic.objects.count() == before
    diagnosed["draft_a"].refresh_from_db()
    assert diagnosed["draft_a"].status == DiagnosticStatus.DRAFT and diagnosed["draft_a"].answers["МЕТ-1"] == 4


def test_a_teacher_cannot_answer_another_teachers_draft(world, diagnosed):
    response = session_client(world.teacher).post(
        f"/api/v1/diagnostics/{diagnosed['draft_b'].pk}/submit/", {"answers": answers_for()}, format="json"
    )
    assert response.status_code == 404
    diagnosed["draft_b"].refresh_from_db()
    assert diagnosed["draft_b"].status == DiagnosticStatus.DRAFT


# -- queries -----------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["analyst", "municipal", "head_a", "teacher"])
def test_the_list_keeps_a_constant_number_of_queries(world, diagnosed, person, django_assert_max_num_queries):
    client = token_client(world.people[person])

    def grow():
        for day in range(1, 8):
            entry = factories.RosterEntryFactory(period=world.period, school=world.school_a)
            factories.DiagnosticFactory(teacher=entry.teacher, date=dt.date(2025, 9, day), submit=True)
            factories.DiagnosticFactory(
                teacher=world.teacher_a, date=dt.date(2025, 9, day), kind="итоговая", submit=True
            )

    # A teacher's token has no schools to choose from; their list is their own anyway.
    params = {"period": 2025} if person == "teacher" else {"period": 2025, "school": "000001"}
    assert_constant_queries(client, "/api/v1/diagnostics/", grow, params=params)
    # The token (2), one lookup per code filter (period, school), the count, the page, the results
    # and the groups' names.
    with django_assert_max_num_queries(6 + len(params)):
        # Teacher A's eight of the period, plus the seven new teachers' for staff.
        assert len(rows(client.get("/api/v1/diagnostics/", params))) == (8 if person == "teacher" else 15)
    # The token (2), the active edition, the count, the page, groups, items and bands.
    with django_assert_max_num_queries(8):
        assert len(rows(client.get("/api/v1/instruments/"))) == 1


def test_the_instrument_list_keeps_a_constant_number_of_queries(world, diagnosed, tmp_path):
    def more_editions():
        data = json.loads(DEFAULT_INSTRUMENT.read_text(encoding="utf-8"))
        for version in range(data["version"] + 1, data["version"] + 4):
            path = tmp_path / f"v{version}.json"
            path.write_text(json.dumps({**data, "version": version}, ensure_ascii=False), encoding="utf-8")
            instrument_load(path=path)

    assert_constant_queries(token_client(world.analyst), "/api/v1/instruments/", more_editions)
