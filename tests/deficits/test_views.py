"""The diagnostic pages: a teacher takes the questionnaire page by page; each role sees its scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from deficits import services
from deficits.models import Diagnostic, DiagnosticStatus, GroupResult, LinkEvent, PersonalLink
from monitoring.models import Role, User
from tests import factories

pytestmark = pytest.mark.django_db

GROUP_PAGES = ["МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР"]


def _page_fields(html: str) -> list[str]:
    return sorted(set(re.findall(r'type="radio" name="([^"]+)"', html)))


def _take_questionnaire(client, *, weak=("ИКТ", "КОРР")) -> Diagnostic:
    """Start and post every page through the real views; answers 2 in `weak` groups, 4 elsewhere."""
    response = client.post(reverse("diagnostic-start"), {"kind": "входная"})
    diagnostic = Diagnostic.objects.get(status=DiagnosticStatus.DRAFT)
    assert response["Location"] == reverse("diagnostic-fill", args=[diagnostic.pk, 1])
    for page, group in enumerate(GROUP_PAGES, start=1):
        url = reverse("diagnostic-fill", args=[diagnostic.pk, page])
        html = client.get(url).content.decode()
        assert f"страница {page} из 6" in html
        fields = _page_fields(html)
        assert fields == sorted(f"{group}-{n}" for n in range(1, 11))
        value = "2" if group in weak else "4"
        response = client.post(url, {**dict.fromkeys(fields, value), "action": "next"})
        expected = (
            reverse("diagnostic-fill", args=[diagnostic.pk, page + 1])
            if page < 6
            else reverse("diagnostic-detail", args=[diagnostic.pk])
        )
        assert response.status_code == 302 and response["Location"] == expected
    diagnostic.refresh_from_db()
    return diagnostic


def test_teacher_completes_the_questionnaire_and_sees_the_deficits(client, world):
    client.force_login(world.teacher)
    start = client.get(reverse("my-diagnostics")).content.decode()
    assert "Пройти диагностику" in start and "Вы еще не проходили диагностику" in start

    diagnostic = _take_questionnaire(client)

    assert diagnostic.status == DiagnosticStatus.SUBMITTED
    assert diagnostic.teacher == world.teacher_a and diagnostic.date == timezone.localdate()
    results = {r.group_code: (r.score, r.level, r.is_deficit) for r in diagnostic.results.all()}
    assert results["ИКТ"] == (20, "допустимый", True)
    assert results["КОРР"] == (20, "допустимый", True)
    assert results["МЕТ"] == (40, "оптимальный", False)
    page = client.get(reverse("diagnostic-detail", args=[diagnostic.pk])).content.decode()
    deficits_part = page.split("Выявленные дефициты", 1)[1].split("Что дальше", 1)[0]
    assert "Профессиональные дефициты выявлены в 2 из 6 групп компетенций" in deficits_part
    assert "икт-компетенции" in deficits_part and "коррекционно-развивающие компетенции" in deficits_part
    assert "методические компетенции" not in deficits_part
    # The statements rated low are listed as what to work on.
    assert "Использую цифровые образовательные ресурсы для организации самостоятельной работы" in deficits_part
    assert 'id="profile-data"' in page and "индивидуальный образовательный маршрут" in page


def test_save_and_come_back_keeps_answers_and_resumes_on_the_open_page(client, world):
    client.force_login(world.teacher)
    client.post(reverse("diagnostic-start"), {"kind": "входная"})
    diagnostic = Diagnostic.objects.get()
    url = reverse("diagnostic-fill", args=[diagnostic.pk, 1])
    client.post(url, {**{f"МЕТ-{n}": "3" for n in range(1, 11)}, "action": "next"})
    response = client.post(
        reverse("diagnostic-fill", args=[diagnostic.pk, 2]), {"ТЕХ-1": "4", "ТЕХ-2": "1", "action": "save"}
    )
    assert response["Location"] == reverse("my-diagnostics")
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.DRAFT
    assert len(diagnostic.answers) == 12 and diagnostic.answers["ТЕХ-2"] == 1

    listing = client.get(reverse("my-diagnostics")).content.decode()
    assert "отвечено на 12 утверждений" in listing and "Продолжить заполнение" in listing
    # Starting again returns to the same draft, on the first page with open statements.
    again = client.post(reverse("diagnostic-start"), {"kind": "промежуточная"})
    assert again["Location"] == reverse("diagnostic-fill", args=[diagnostic.pk, 2])
    assert Diagnostic.objects.count() == 1
    page = client.get(again["Location"]).content.decode()
    assert re.search(r'name="ТЕХ-2" value="1"[^>]*checked', page)
    assert "отвечено 12 из 60" in page


def test_next_with_open_statements_keeps_the_answers_and_names_what_is_missing(client, world):
    client.force_login(world.teacher)
    client.post(reverse("diagnostic-start"), {"kind": "входная"})
    diagnostic = Diagnostic.objects.get()
    url = reverse("diagnostic-fill", args=[diagnostic.pk, 1])
    response = client.post(url, {"МЕТ-1": "4", "МЕТ-2": "3", "action": "next"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ответьте на все утверждения страницы" in html
    assert html.count("Выберите ответ на это утверждение.") == 8
    diagnostic.refresh_from_db()
    assert diagnostic.answers == {"МЕТ-1": 4, "МЕТ-2": 3}


def test_a_value_off_the_scale_is_refused_and_nothing_is_saved(client, world):
    client.force_login(world.teacher)
    client.post(reverse("diagnostic-start"), {"kind": "входная"})
    diagnostic = Diagnostic.objects.get()
    response = client.post(
        reverse("diagnostic-fill", args=[diagnostic.pk, 1]), {"МЕТ-1": "7", "МЕТ-2": "3", "action": "save"}
    )
    assert response.status_code == 200
    assert "Выберите один из предложенных вариантов ответа." in response.content.decode()
    diagnostic.refresh_from_db()
    assert diagnostic.answers == {}


def test_the_last_page_sends_back_to_a_page_left_incomplete(client, world):
    client.force_login(world.teacher)
    client.post(reverse("diagnostic-start"), {"kind": "входная"})
    diagnostic = Diagnostic.objects.get()
    # Pages 1-5 saved with page 3 incomplete, then "finish" on page 6.
    for page, group in enumerate(GROUP_PAGES[:5], start=1):
        numbers = range(1, 6) if group == "ИССЛ" else range(1, 11)
        client.post(
            reverse("diagnostic-fill", args=[diagnostic.pk, page]),
            {**{f"{group}-{n}": "3" for n in numbers}, "action": "save"},
        )
    response = client.post(
        reverse("diagnostic-fill", args=[diagnostic.pk, 6]), {**{f"КОРР-{n}": "3" for n in range(1, 11)}}
    )
    assert response["Location"] == reverse("diagnostic-fill", args=[diagnostic.pk, 3])
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.DRAFT and not diagnostic.results.exists()
    followed = client.get(response["Location"]).content.decode()
    assert "Остались утверждения без ответа на страницах: 3." in followed


def test_only_the_last_page_asks_before_completing(client, world):
    # Completing cannot be undone (issue 16, item 3): the button says so before it acts.
    client.force_login(world.teacher)
    client.post(reverse("diagnostic-start"), {"kind": "входная"})
    diagnostic = Diagnostic.objects.get()
    first = client.get(reverse("diagnostic-fill", args=[diagnostic.pk, 1])).content.decode()
    last = client.get(reverse("diagnostic-fill", args=[diagnostic.pk, 6])).content.decode()
    assert "data-confirm" not in first
    assert 'data-confirm="Завершить диагностику? После завершения ответы изменить нельзя' in last


def test_a_diagnostic_is_submitted_once(client, world):
    client.force_login(world.teacher)
    diagnostic = _take_questionnaire(client)
    before = list(GroupResult.objects.filter(diagnostic=diagnostic).values_list("group_code", "score"))
    response = client.post(
        reverse("diagnostic-fill", args=[diagnostic.pk, 1]), {**{f"МЕТ-{n}": "1" for n in range(1, 11)}}
    )
    assert response["Location"] == reverse("diagnostic-detail", args=[diagnostic.pk])
    diagnostic.refresh_from_db()
    assert diagnostic.answers["МЕТ-1"] == 4
    assert list(GroupResult.objects.filter(diagnostic=diagnostic).values_list("group_code", "score")) == before


@pytest.mark.parametrize("person", ["analyst", "ministry", "municipal", "head_a", "head_b"])
def test_only_teachers_start_or_fill_a_questionnaire(client, world, person):
    draft = factories.DiagnosticFactory(teacher=world.teacher_a, answers={})
    client.force_login(world.people[person])
    assert client.post(reverse("diagnostic-start"), {"kind": "входная"}).status_code == 404
    assert client.get(reverse("diagnostic-fill", args=[draft.pk, 1])).status_code == 404
    assert Diagnostic.objects.count() == 1


def test_a_teacher_cannot_open_another_teachers_draft_or_result(client, world):
    other = factories.UserFactory(username="teacher_b", role=Role.TEACHER, teacher=world.teacher_b, is_staff=False)
    draft = factories.DiagnosticFactory(teacher=world.teacher_a, answers={})
    done = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 2, 1), submit=True)
    client.force_login(other)
    assert client.get(reverse("diagnostic-fill", args=[draft.pk, 1])).status_code == 404
    assert client.post(reverse("diagnostic-fill", args=[draft.pk, 1]), {"МЕТ-1": "1"}).status_code == 404
    assert client.get(reverse("diagnostic-detail", args=[done.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.answers == {}


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("analyst", 200),
        ("ministry", 200),
        ("municipal", 200),
        ("head_a", 200),
        ("head_b", 404),
        ("teacher", 200),
    ],
)
def test_result_page_follows_the_scope(client, world, person, status):
    done = factories.DiagnosticFactory(teacher=world.teacher_a, submit=True, scores={"ИКТ": 22})
    client.force_login(world.people[person])
    response = client.get(reverse("diagnostic-detail", args=[done.pk]))
    assert response.status_code == status
    if status == 200:
        assert "Петрова Анна Ивановна" in response.content.decode()


def test_anonymous_is_sent_to_login(client, world):
    done = factories.DiagnosticFactory(teacher=world.teacher_a, submit=True)
    for url in (
        reverse("my-diagnostics"),
        reverse("diagnostic-results"),
        reverse("diagnostic-detail", args=[done.pk]),
        reverse("diagnostic-fill", args=[done.pk, 1]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------------------
# Staff results: coverage, distribution, heat map — each role its own scope
# ---------------------------------------------------------------------------

NAMES = {"Петрова Анна Ивановна", "Сидоров Павел Олегович", "Кузнецова Ольга Сергеевна"}


def _results(client, user, **params):
    client.force_login(user)
    return client.get(reverse("diagnostic-results"), params)


@pytest.mark.parametrize(
    ("person", "listed"),
    [
        ("head_a", {"Петрова Анна Ивановна"}),
        ("head_b", {"Сидоров Павел Олегович"}),
    ],
)
def test_school_head_sees_coverage_of_their_own_school_only(client, world, person, listed):
    response = _results(client, world.people[person])
    assert response.status_code == 200
    html = response.content.decode()
    assert {name for name in NAMES if name in html} == listed
    assert "Не прошли диагностику (1)" in html
    # Asking for another school changes nothing for a head: the page stays on their own.
    other = world.school_b if person == "head_a" else world.school_a
    again = _results(client, world.people[person], school=other.code).content.decode()
    assert {name for name in NAMES if name in again} == listed


def test_coverage_counts_who_has_taken_it_in_the_period(client, world):
    factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 4, 1), submit=True)
    # Dated in another year, or never finished: not covered in 2025.
    factories.DiagnosticFactory(teacher=world.teacher_c, date=dt.date(2024, 12, 31), submit=True)
    factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 5, 1))
    html = _results(client, world.head_a).content.decode()
    assert "Не прошли диагностику (0)" in html
    html = _results(client, world.head_b).content.decode()
    missing = html.split('id="not-diagnosed"', 1)[1].split("</table>", 1)[0]
    assert "Сидоров Павел Олегович" in missing and "начата, не завершена" in missing
    html = _results(client, world.municipal).content.decode()
    coverage = html.split('id="coverage"', 1)[1].split("</table>", 1)[0]
    # Municipal official: the schools of M1, A covered, C not.
    assert "МКОУ «Алексеевская СШ»" in coverage and "МКОУ «Аржановская СШ»" in coverage
    assert "МКОУ «Быковская СШ № 1»" not in coverage
    assert re.search(r"Алексеевская СШ»</a></td>\s*<td[^>]*>1</td><td[^>]*>1</td><td[^>]*>0</td>", coverage)
    assert re.search(r"Аржановская СШ»</a></td>\s*<td[^>]*>1</td><td[^>]*>0</td><td[^>]*>1</td>", coverage)


@pytest.mark.parametrize(
    ("person", "rows"),
    [
        ("analyst", {"Алексеевский муниципальный район", "Быковский муниципальный район"}),
        ("ministry", {"Алексеевский муниципальный район", "Быковский муниципальный район"}),
        ("municipal", {"МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»"}),
    ],
)
def test_heat_map_rows_follow_the_scope(client, world, person, rows):
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        factories.DiagnosticFactory(teacher=teacher, submit=True, scores={"ИКТ": 22})
    html = _results(client, world.people[person]).content.decode()
    heatmap = html.split('id="heatmap"', 1)[1].split("</table>", 1)[0]
    candidates = {
        "Алексеевский муниципальный район",
        "Быковский муниципальный район",
        "МКОУ «Алексеевская СШ»",
        "МКОУ «Аржановская СШ»",
        "МКОУ «Быковская СШ № 1»",
    }
    assert {c for c in candidates if c in heatmap} == rows
    assert "heat-10" in heatmap  # every diagnosed teacher has the ИКТ deficit: 100 %


def test_municipal_official_cannot_drill_into_another_municipality(client, world):
    assert _results(client, world.municipal, municipality=world.m2.code).status_code == 404
    assert _results(client, world.municipal, school=world.school_b.code).status_code == 404
    assert _results(client, world.municipal, school=world.school_c.code).status_code == 200


def test_teacher_has_no_staff_results(client, world):
    assert _results(client, world.teacher).status_code == 404
    client.force_login(world.analyst)
    assert client.get(reverse("my-diagnostics"))["Location"] == reverse("diagnostic-results")


def test_results_page_queries_do_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(**params) -> int:
        client.force_login(world.analyst)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("diagnostic-results"), params).status_code == 200
        return len(ctx.captured_queries)

    factories.DiagnosticFactory(teacher=world.teacher_a, submit=True)
    # One teacher not diagnosed yet: the page asks once which of them sign in with a password.
    factories.RosterEntryFactory(period=world.period, school=world.school_a)
    small = count(), count(school=world.school_a.code)
    for _ in range(25):
        school = factories.SchoolFactory(municipality=world.m1)
        for _ in range(2):
            entry = factories.RosterEntryFactory(period=world.period, school=school)
            factories.DiagnosticFactory(teacher=entry.teacher, submit=True, scores={"МЕТ": 15})
        factories.RosterEntryFactory(period=world.period, school=world.school_a)
    for _ in range(10):
        entry = factories.RosterEntryFactory(period=world.period, school=world.school_a)
        factories.DiagnosticFactory(teacher=entry.teacher, submit=True)
    large = count(), count(school=world.school_a.code)
    assert large == small
    with django_assert_max_num_queries(small[1]):
        client.get(reverse("diagnostic-results"), {"school": world.school_a.code})


# ---------------------------------------------------------------------------
# Personal links
# ---------------------------------------------------------------------------


@pytest.fixture
def newcomer(world):
    """A teacher of school A without an account: the one links are for."""
    teacher = factories.TeacherFactory(code="T0000009", full_name="Орлова Вера Николаевна")
    factories.RosterEntryFactory(period=world.period, teacher=teacher, school=world.school_a)
    return teacher


def _links_on_page(client, head) -> dict:
    html = _results(client, head).content.decode()
    tokens = re.findall(r'value="http://testserver/diagnostics/link/([^"/]+)/"', html)
    return {services.personal_link_teacher(token=token): token for token in tokens}


def _link_for(client, head, teacher) -> str:
    links = _links_on_page(client, head)
    assert teacher in links, "the head's page offers the teacher's link"
    client.logout()
    return links[teacher]


def _start(client, token):
    return client.post(reverse("diagnostic-link", args=[token]))


def _answer_through_link(client, token, *, weak=("ИКТ",)):
    response = None
    for page, group in enumerate(GROUP_PAGES, start=1):
        url = reverse("diagnostic-link-fill", args=[token, page])
        html = client.get(url).content.decode()
        assert f"страница {page} из 6" in html
        value = "2" if group in weak else "4"
        response = client.post(url, {**dict.fromkeys(_page_fields(html), value), "action": "next"})
    return response


def test_a_link_opens_the_teachers_questionnaire_and_nothing_else(client, world, newcomer):
    token = _link_for(client, world.head_a, newcomer)
    landing = client.get(reverse("diagnostic-link", args=[token]))
    assert landing.status_code == 200
    html = landing.content.decode()
    assert "Орлова Вера Николаевна" in html and "Начать диагностику" in html
    assert not Diagnostic.objects.exists(), "following the link changes nothing"

    response = _start(client, token)
    assert response["Location"] == reverse("diagnostic-link-fill", args=[token, 1])
    assert response.cookies["diagnostic_device"]["httponly"]
    response = _answer_through_link(client, token)
    assert response["Location"] == reverse("diagnostic-link-result", args=[token])

    diagnostic = Diagnostic.objects.get(teacher=newcomer)
    assert diagnostic.status == DiagnosticStatus.SUBMITTED
    assert diagnostic.results.get(group_code="ИКТ").is_deficit
    result = client.get(response["Location"]).content.decode()
    assert "Выявленные дефициты" in result and "икт-компетенции" in result
    assert "Построить маршрут" not in result and "после входа по логину и паролю" in result
    # Not a sign-in: no account was made or signed in, every other door is closed.
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(teacher=newcomer).exists()
    for url in (
        reverse("my-diagnostics"),
        reverse("diagnostic-detail", args=[diagnostic.pk]),
        reverse("route-build", args=[diagnostic.pk]),
        reverse("route-list"),
        reverse("home"),
    ):
        assert client.get(url)["Location"].startswith(reverse("login")), url
    assert client.get("/api/v1/diagnostics/").status_code == 401
    # Done: its pages show the result, answers cannot change.
    again = client.post(reverse("diagnostic-link-fill", args=[token, 1]), {"МЕТ-1": "1", "action": "save"})
    assert again["Location"] == reverse("diagnostic-link-result", args=[token])
    assert Diagnostic.objects.get(pk=diagnostic.pk).answers["МЕТ-1"] == 4


def test_a_link_works_in_the_browser_that_started_it_only(client, world, newcomer):
    from django.test import Client

    token = _link_for(client, world.head_a, newcomer)
    preview = Client()  # a messenger's preview, or the head's own look in a private window
    assert preview.get(reverse("diagnostic-link", args=[token])).status_code == 200
    _start(client, token)
    client.post(reverse("diagnostic-link-fill", args=[token, 1]), {"МЕТ-1": "3", "action": "save"})

    for response in (
        preview.get(reverse("diagnostic-link", args=[token])),
        _start(preview, token),
        preview.get(reverse("diagnostic-link-fill", args=[token, 1])),
        preview.post(reverse("diagnostic-link-fill", args=[token, 1]), {"МЕТ-1": "1", "action": "save"}),
        preview.get(reverse("diagnostic-link-result", args=[token])),
    ):
        assert response.status_code == 403
        text = response.content.decode()
        assert "Эта ссылка уже открыта в другом браузере" in text and "прислать вам новую ссылку" in text
    draft = Diagnostic.objects.get(teacher=newcomer)
    assert draft.answers == {"МЕТ-1": 3}
    # The browser that started it goes on, from the landing page too.
    home = client.get(reverse("diagnostic-link", args=[token])).content.decode()
    assert "Продолжить заполнение" in home and "Отвечено на 1 из 60" in home
    assert "Ссылка действует только в этом браузере" in home
    assert _start(client, token)["Location"] == reverse("diagnostic-link-fill", args=[token, 1])


def test_a_new_link_resumes_the_same_draft(client, world, newcomer, monkeypatch):
    from django.test import Client

    first = _link_for(client, world.head_a, newcomer)
    _start(client, first)
    client.post(reverse("diagnostic-link-fill", args=[first, 1]), {"МЕТ-1": "3", "action": "save"})
    later = timezone.now() + dt.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    second = _link_for(client, world.head_a, newcomer)
    assert second != first
    other = Client()  # the teacher lost the first browser (cleared, or another device)
    assert _start(other, second)["Location"] == reverse("diagnostic-link-fill", args=[second, 1])
    draft = Diagnostic.objects.get(teacher=newcomer)
    assert draft.answers == {"МЕТ-1": 3}
    assert list(PersonalLink.objects.values_list("diagnostic", flat=True)) == [draft.pk, draft.pk]


def test_pages_of_a_link_not_started_lead_to_its_first_page(client, world, newcomer):
    token = _link_for(client, world.head_a, newcomer)
    for name, args in (("diagnostic-link-fill", [token, 1]), ("diagnostic-link-result", [token])):
        assert client.get(reverse(name, args=args))["Location"] == reverse("diagnostic-link", args=[token])
    assert not Diagnostic.objects.exists()


def test_no_link_for_a_teacher_who_signs_in_with_a_password(client, world, newcomer):
    links = _links_on_page(client, world.head_a)
    assert set(links) == {newcomer}, "teacher A (world.teacher has a password) gets no link"
    assert "входит по логину и паролю" in _results(client, world.head_a).content.decode()
    client.logout()
    # A link issued before the teacher got a password stops working, started or not.
    token = links[newcomer]
    _start(client, token)
    factories.UserFactory(username="orlova", role=Role.TEACHER, teacher=newcomer, is_staff=False)
    for response in (
        client.get(reverse("diagnostic-link", args=[token])),
        client.get(reverse("diagnostic-link-fill", args=[token, 1])),
        client.post(reverse("diagnostic-link-fill", args=[token, 1]), {"МЕТ-1": "1", "action": "save"}),
    ):
        assert response.status_code == 403
        assert "Вы входите в портал по логину и паролю" in response.content.decode()
    assert Diagnostic.objects.get(teacher=newcomer).answers == {}


def test_a_link_to_an_account_without_a_password_still_works(client, world, newcomer):
    # Accounts made by the old sign-in links have no usable password: the link is their way in.
    account = User(username="teacher-T0000009", role=Role.TEACHER, teacher=newcomer)
    account.set_unusable_password()
    account.save()
    token = _link_for(client, world.head_a, newcomer)
    assert _start(client, token).status_code == 302
    assert "_auth_user_id" not in client.session


def test_head_b_gets_no_link_for_teachers_of_school_a(client, world, newcomer):
    assert set(_links_on_page(client, world.head_b)) == {world.teacher_b}


def test_an_altered_link_is_refused(client, world, newcomer):
    token = _link_for(client, world.head_a, newcomer)
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), token.replace(":", "x:", 1), "T0000009"):
        response = client.get(reverse("diagnostic-link", args=[forged]))
        assert response.status_code == 400
        assert "Ссылка недействительна" in response.content.decode()
    # A link of the old kind (a signed teacher code, 30 days) is not one any more.
    old = signing.TimestampSigner(salt="deficits.personal-link").sign(newcomer.code)
    assert client.get(reverse("diagnostic-link", args=[old])).status_code == 400


def test_a_link_expires_a_week_after_issue_unless_started_and_a_week_after_start(client, world, newcomer, monkeypatch):
    token = _link_for(client, world.head_a, newcomer)
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(days=7, minutes=1))
    response = client.get(reverse("diagnostic-link", args=[token]))
    assert response.status_code == 400
    assert "ее нужно открыть в течение 7 дней после выдачи" in response.content.decode()
    assert _start(client, token).status_code == 400
    assert not Diagnostic.objects.exists()

    token = _link_for(client, world.head_a, newcomer)  # issued "now + 7 days"
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(days=13))
    _start(client, token)  # six days after issue: in time
    assert client.get(reverse("diagnostic-link-fill", args=[token, 1])).status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(days=20, minutes=1))
    response = client.get(reverse("diagnostic-link-fill", args=[token, 1]))
    assert response.status_code == 400
    assert "можно заполнять 7 дней с начала заполнения" in response.content.decode()


def test_a_signed_in_user_is_never_switched_nor_uses_the_link_up(client, world, newcomer):
    token = _link_for(client, world.head_a, newcomer)
    client.force_login(world.head_a)
    for response in (client.get(reverse("diagnostic-link", args=[token])), _start(client, token)):
        assert response.status_code == 409
        assert "персональная ссылка педагога Орлова Вера Николаевна" in response.content.decode()
    assert int(client.session["_auth_user_id"]) == world.head_a.pk
    link = PersonalLink.objects.get()
    assert link.bound_at is None and not Diagnostic.objects.exists()
    assert list(link.uses.values_list("event", "user")) == [(LinkEvent.REFUSED_SIGNED_IN, world.head_a.pk)] * 2
    client.logout()
    assert _start(client, token).status_code == 302


def test_a_signed_in_teacher_following_their_link_goes_to_their_diagnostics(client, world, newcomer):
    token = _link_for(client, world.head_a, newcomer)
    account = factories.UserFactory(username="orlova", role=Role.TEACHER, teacher=newcomer, is_staff=False)
    client.force_login(account)
    assert client.get(reverse("diagnostic-link", args=[token]))["Location"] == reverse("my-diagnostics")


def test_a_link_to_a_non_teacher_account_is_refused(client, world, newcomer):
    # A staff account tied to a teacher card must not be reachable by a link.
    token = _link_for(client, world.head_a, newcomer)
    account = User(username="orlova", role=Role.ANALYST, teacher=newcomer)
    account.set_unusable_password()
    account.save()
    response = _start(client, token)
    assert response.status_code == 403 and "Вход по этой ссылке закрыт" in response.content.decode()
    assert not Diagnostic.objects.exists()


def test_every_use_of_a_link_is_recorded(client, world, newcomer):
    from django.test import Client

    token = _link_for(client, world.head_a, newcomer)
    teacher = Client(REMOTE_ADDR="10.0.0.7", HTTP_USER_AGENT="Mozilla/5.0 (teacher's phone)")
    teacher.get(reverse("diagnostic-link", args=[token]))
    teacher.post(reverse("diagnostic-link", args=[token]))
    teacher.get(reverse("diagnostic-link-fill", args=[token, 1]))
    teacher.post(reverse("diagnostic-link-fill", args=[token, 1]), {"МЕТ-1": "3", "action": "save"})
    Client(REMOTE_ADDR="10.9.9.9", HTTP_USER_AGENT="curl/8").get(reverse("diagnostic-link", args=[token]))

    link = PersonalLink.objects.get()
    assert link.teacher == newcomer and link.issued_by == world.head_a
    assert link.diagnostic == Diagnostic.objects.get(teacher=newcomer) and link.bound_at is not None
    uses = list(link.uses.order_by("pk").values_list("event", "address", "user_agent", "user"))
    phone = ("10.0.0.7", "Mozilla/5.0 (teacher's phone)", None)
    assert uses == [
        (LinkEvent.OPENED, *phone),
        (LinkEvent.STARTED, *phone),
        (LinkEvent.PAGE, *phone),
        (LinkEvent.ANSWERED, *phone),
        (LinkEvent.REFUSED_DEVICE, "10.9.9.9", "curl/8", None),
    ]
    assert all(use.at for use in link.uses.all())


# ---------------------------------------------------------------------------
# Saves racing a completion, at the pages' doors
# ---------------------------------------------------------------------------


def _complete_meanwhile(monkeypatch, diagnostic):
    """Complete the diagnostic (another tab) after the page read it and before it saves."""
    from deficits.forms import GroupPageForm

    answers = GroupPageForm.answers

    def racing(form):
        services.diagnostic_complete(diagnostic=Diagnostic.objects.get(pk=diagnostic.pk))
        return answers(form)

    monkeypatch.setattr(GroupPageForm, "answers", racing)


def test_a_page_saved_after_another_tab_completed_the_diagnostic_is_refused(client, world, monkeypatch):
    client.force_login(world.teacher)
    draft = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 11, 1))
    stored = dict(draft.answers)
    _complete_meanwhile(monkeypatch, draft)
    response = client.post(
        reverse("diagnostic-fill", args=[draft.pk, 1]), {**{f"МЕТ-{n}": "1" for n in range(1, 11)}, "action": "save"}
    )
    assert response["Location"] == reverse("diagnostic-detail", args=[draft.pk])
    assert "уже завершена" in client.get(response["Location"]).content.decode()
    done = Diagnostic.objects.get(pk=draft.pk)
    assert done.status == DiagnosticStatus.SUBMITTED and done.answers == stored
    assert done.results.get(group_code="МЕТ").score == sum(stored[f"МЕТ-{n}"] for n in range(1, 11))


def test_a_link_page_saved_after_the_diagnostic_was_completed_is_refused(client, world, newcomer, monkeypatch):
    token = _link_for(client, world.head_a, newcomer)
    _start(client, token)
    draft = Diagnostic.objects.get(teacher=newcomer)
    Diagnostic.objects.filter(pk=draft.pk).update(answers=factories.answers_for())
    _complete_meanwhile(monkeypatch, draft)
    response = client.post(
        reverse("diagnostic-link-fill", args=[token, 1]), {**{f"МЕТ-{n}": "1" for n in range(1, 11)}, "action": "next"}
    )
    assert response["Location"] == reverse("diagnostic-link-result", args=[token])
    done = Diagnostic.objects.get(pk=draft.pk)
    assert done.answers == factories.answers_for()
    assert done.results.get(group_code="МЕТ").score == 35
