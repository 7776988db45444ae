"""Every page built so far, tried by each fixed person: each sees exactly their scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitoring import models
from tests import factories

pytestmark = pytest.mark.django_db

ALL_SCHOOLS = {"МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»", "МКОУ «Быковская СШ № 1»"}
ALL_TEACHERS = {"Петрова Анна Ивановна", "Сидоров Павел Олегович", "Кузнецова Ольга Сергеевна"}


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _shown(response, candidates: set[str]) -> set[str]:
    body = response.content.decode()
    return {c for c in candidates if c in body}


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("home", None),
        ("municipality-list", None),
        ("school-list", None),
        ("teacher-list", None),
        ("period-list", None),
    ],
)
def test_anonymous_is_sent_to_login(client, world, url, name):
    response = client.get(reverse(url))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_and_login(client, world):
    page = client.get(reverse("login"))
    assert "Вход в портал" in page.content.decode()
    bad = client.post(reverse("login"), {"username": "analyst", "password": "wrong"})
    assert "Неверное имя пользователя или пароль" in bad.content.decode()
    ok = client.post(reverse("login"), {"username": "analyst", "password": "secret-pass-123"})
    assert ok.status_code == 302 and ok["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("analyst", ALL_SCHOOLS),
        ("ministry", ALL_SCHOOLS),
        ("municipal", {"МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»"}),
        ("head_a", {"МКОУ «Алексеевская СШ»"}),
        ("head_b", {"МКОУ «Быковская СШ № 1»"}),
        ("teacher", set()),
    ],
)
def test_school_list_scope(client, world, person, expected):
    response = _get(client, world.people[person], reverse("school-list"))
    assert response.status_code == 200
    assert _shown(response, ALL_SCHOOLS) == expected


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("analyst", ALL_TEACHERS),
        ("ministry", ALL_TEACHERS),
        ("municipal", {"Петрова Анна Ивановна", "Кузнецова Ольга Сергеевна"}),
        ("head_a", {"Петрова Анна Ивановна"}),
        ("head_b", {"Сидоров Павел Олегович"}),
        ("teacher", {"Петрова Анна Ивановна"}),
    ],
)
def test_teacher_list_scope(client, world, person, expected):
    response = _get(client, world.people[person], reverse("teacher-list"))
    assert response.status_code == 200
    assert _shown(response, ALL_TEACHERS) == expected


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("analyst", {"Алексеевский", "Быковский"}),
        ("ministry", {"Алексеевский", "Быковский"}),
        ("municipal", {"Алексеевский"}),
        ("head_a", set()),
        ("head_b", set()),
        ("teacher", set()),
    ],
)
def test_municipality_list_scope(client, world, person, expected):
    response = _get(client, world.people[person], reverse("municipality-list"))
    assert response.status_code == 200
    assert _shown(response, {"Алексеевский", "Быковский"}) == expected


SCHOOL_PAGES = {"000001": "a", "000002": "b", "000003": "c"}
SCHOOL_ACCESS = {
    "analyst": {"000001", "000002", "000003"},
    "ministry": {"000001", "000002", "000003"},
    "municipal": {"000001", "000003"},
    "head_a": {"000001"},
    "head_b": {"000002"},
    "teacher": set(),
}


@pytest.mark.parametrize("person", list(SCHOOL_ACCESS))
@pytest.mark.parametrize("code", list(SCHOOL_PAGES))
def test_school_page_is_404_outside_scope(client, world, person, code):
    response = _get(client, world.people[person], reverse("school-detail", args=[code]))
    assert response.status_code == (200 if code in SCHOOL_ACCESS[person] else 404)


TEACHER_ACCESS = {
    "analyst": {"T0000001", "T0000002", "T0000003"},
    "ministry": {"T0000001", "T0000002", "T0000003"},
    "municipal": {"T0000001", "T0000003"},
    "head_a": {"T0000001"},
    "head_b": {"T0000002"},
    "teacher": {"T0000001"},
}


@pytest.mark.parametrize("person", list(TEACHER_ACCESS))
@pytest.mark.parametrize("code", ["T0000001", "T0000002", "T0000003"])
def test_teacher_page_is_404_outside_scope(client, world, person, code):
    response = _get(client, world.people[person], reverse("teacher-detail", args=[code]))
    assert response.status_code == (200 if code in TEACHER_ACCESS[person] else 404)


MUNICIPALITY_ACCESS = {
    "analyst": {"01", "02"},
    "ministry": {"01", "02"},
    "municipal": {"01"},
    "head_a": set(),
    "head_b": set(),
    "teacher": set(),
}


@pytest.mark.parametrize("person", list(MUNICIPALITY_ACCESS))
@pytest.mark.parametrize("code", ["01", "02"])
def test_municipality_page_is_404_outside_scope(client, world, person, code):
    response = _get(client, world.people[person], reverse("municipality-detail", args=[code]))
    assert response.status_code == (200 if code in MUNICIPALITY_ACCESS[person] else 404)


def test_school_page_shows_roster_staffing_and_submission(client, world):
    factories.StaffingRowFactory(period=world.period, school=world.school_a, position="учитель математики")
    factories.SubmissionFactory(period=world.period, school=world.school_a)
    body = _get(client, world.head_a, reverse("school-detail", args=["000001"])).content.decode()
    assert "Петрова Анна Ивановна" in body
    assert "учитель математики" in body
    assert "Представлено" in body
    assert "Сидоров" not in body


@pytest.mark.parametrize(
    ("person", "status", "shown"),
    [
        ("analyst", 200, ALL_SCHOOLS),
        ("ministry", 200, ALL_SCHOOLS),
        ("municipal", 200, {"МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»"}),
        ("head_a", 200, {"МКОУ «Алексеевская СШ»"}),
        ("head_b", 200, {"МКОУ «Быковская СШ № 1»"}),
        ("teacher", 404, set()),
    ],
)
def test_period_page_plan_and_completeness_in_scope(client, world, person, status, shown):
    from monitoring.services import period_create

    period_create(year=2025)  # adds the plan to the existing period
    factories.SubmissionFactory(period=world.period, school=world.school_a)
    response = _get(client, world.people[person], reverse("period-detail", args=[2025]))
    assert response.status_code == status
    assert _shown(response, ALL_SCHOOLS) == shown
    if status == 200:
        body = response.content.decode()
        assert "Выявление кадровых потребностей" in body  # the plan's ninth direction
        assert "Руководитель центра непрерывного повышения профессионального мастерства" in body


def test_home_page_is_role_aware(client, world):
    factories.SubmissionFactory(period=world.period, school=world.school_a)
    analyst = _get(client, world.analyst, reverse("home")).content.decode()
    assert "Полнота данных по муниципалитетам" in analyst
    assert "Быковский муниципальный район" in analyst
    municipal = _get(client, world.municipal, reverse("home")).content.decode()
    assert "Алексеевский муниципальный район" in municipal
    assert "Быковский муниципальный район" not in municipal
    head = _get(client, world.head_a, reverse("home")).content.decode()
    assert "Педагоги организации за 2025 год" in head and "МКОУ «Алексеевская СШ»" in head
    assert "Полнота данных" not in head
    teacher = _get(client, world.teacher, reverse("home")).content.decode()
    assert "Петрова Анна Ивановна" in teacher and "Полнота данных" not in teacher


def test_school_filters(client, world):
    world.school_b.low_results = True
    world.school_b.save()
    client.force_login(world.analyst)
    by_flag = client.get(reverse("school-list"), {"low_results": "true"})
    assert _shown(by_flag, ALL_SCHOOLS) == {"МКОУ «Быковская СШ № 1»"}
    by_municipality = client.get(reverse("school-list"), {"municipality": world.m1.code})
    assert _shown(by_municipality, ALL_SCHOOLS) == {"МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»"}
    by_search = client.get(reverse("school-list"), {"q": "Аржанов"})
    assert _shown(by_search, ALL_SCHOOLS) == {"МКОУ «Аржановская СШ»"}


def test_municipal_cannot_filter_into_another_municipality(client, world):
    client.force_login(world.municipal)
    response = client.get(reverse("school-list"), {"municipality": world.m2.code})
    # The other municipality is not a valid choice: the filter is refused, nothing leaks.
    assert _shown(response, ALL_SCHOOLS) <= {"МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»"}
    assert "Быковская" not in response.content.decode()


def test_teacher_filters(client, world):
    client.force_login(world.analyst)
    assert _shown(client.get(reverse("teacher-list"), {"q": "Сидоров"}), ALL_TEACHERS) == {"Сидоров Павел Олегович"}
    assert _shown(client.get(reverse("teacher-list"), {"school": "000003"}), ALL_TEACHERS) == {
        "Кузнецова Ольга Сергеевна"
    }


def test_unknown_period_is_404(client, world):
    client.force_login(world.analyst)
    assert client.get(reverse("school-list"), {"period": "1999"}).status_code == 404
    assert client.get(reverse("school-list"), {"period": "abc"}).status_code == 404


def test_teacher_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    client.force_login(world.analyst)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("teacher-list"))
    for _ in range(40):
        factories.RosterEntryFactory(period=world.period, school=world.school_b)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("teacher-list"))


def test_ministry_sees_no_birth_dates(client, world):
    body = _get(client, world.ministry, reverse("teacher-detail", args=["T0000001"])).content.decode()
    assert "17.05.1980" not in body
    assert "17.05.1980" in _get(client, world.head_a, reverse("teacher-detail", args=["T0000001"])).content.decode()


def test_role_labels_are_russian(world):
    assert models.Role(world.head_a.role).label == "Руководитель образовательной организации"


# --- Home pages as each role's to-do list; breadcrumbs on the registers (issue 16, items 7, 8, 11) ---


def test_a_heads_home_lists_their_work_not_region_counts(client, world):
    factories.RouteFactory(teacher=world.teacher_a, status="submitted")
    html = _get(client, world.head_a, reverse("home")).content.decode()
    assert "ОО представили данные" not in html and ">Муниципалитеты<" not in html
    assert 'href="/routes/">1 маршрут' in html
    assert 'href="/schools/000001/">Данные организации за 2025 год: не представлены' in html
    assert 'href="/letters/">Новых писем' in html


def test_a_municipal_officials_home_names_the_schools_that_have_not_submitted(client, world):
    factories.SubmissionFactory(period=world.period, school=world.school_a)
    html = _get(client, world.municipal, reverse("home")).content.decode()
    assert ">Муниципалитеты<" not in html
    assert '<a href="/schools/000003/">МКОУ «Аржановская СШ»</a>' in html
    assert "Алексеевская СШ</a>" not in html.split("home-todos")[1].split("</ul>")[0]


def test_a_teachers_home_shows_the_next_step_not_the_reference_date(client, world):
    html = _get(client, world.teacher, reverse("home")).content.decode()
    assert "Отчетная дата" not in html
    assert 'href="/diagnostics/">Пройдите диагностику профессиональных дефицитов</a>' in html


@pytest.mark.parametrize("person", ["analyst", "ministry", "municipal", "head_a", "teacher"])
def test_every_line_of_each_roles_home_is_a_link_that_opens(client, world, person):
    import re

    html = _get(client, world.people[person], reverse("home")).content.decode()
    block = html.split("home-todos", 1)[1].split("</ul>\n", 1)[0]
    lines = block.split('<li class="list-group-item">')[1:]
    assert lines, person
    for line in lines:
        href = re.search(r'<a class="fw-semibold" href="([^"]+)"', line)
        assert href, line
        # Files (the ministry's reports) are only named; the pages open for the role.
        if "/pdf/" not in href.group(1):
            assert client.get(href.group(1)).status_code == 200, href.group(1)


@pytest.mark.parametrize(
    ("url", "crumbs"),
    [
        ("/municipalities/", ["Главная", "Муниципалитеты"]),
        ("/municipalities/01/", ["Главная", "Муниципалитеты", "Алексеевский муниципальный район"]),
        ("/schools/", ["Главная", "Организации"]),
        ("/schools/000001/", ["Главная", "Алексеевский муниципальный район", "МКОУ «Алексеевская СШ»"]),
        ("/teachers/", ["Главная", "Педагоги"]),
        ("/attestation/", ["Главная", "Аттестация педагогов"]),
        ("/teachers/T0000001/", ["Главная", "МКОУ «Алексеевская СШ»", "Петрова Анна Ивановна"]),
        ("/periods/", ["Главная", "Периоды"]),
        ("/periods/2025/", ["Главная", "Периоды", "Мониторинг 2025 года"]),
    ],
)
def test_register_pages_have_breadcrumbs_and_tables_that_fit_a_phone(client, world, url, crumbs):
    import re

    html = _get(client, world.analyst, url).content.decode()
    trail = html.split('aria-label="Навигационная цепочка"', 1)[1].split("</ol>", 1)[0]
    assert [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", trail, re.S)] == crumbs
    assert 'aria-current="page">' + crumbs[-1] in trail
    # Every table scrolls in its own named box (no sideways scroll of the page at 390 px).
    assert html.count("<table") == html.count('<div class="table-responsive" tabindex="0" role="region" aria-label=')


def test_the_school_list_spells_out_shnor_and_filters_by_the_periods_data(client, world):
    models.School.objects.filter(pk=world.school_a.pk).update(low_results=True)
    factories.SubmissionFactory(period=world.period, school=world.school_a)
    html = _get(client, world.analyst, reverse("school-list") + "?status=none").content.decode()
    assert '<abbr title="школа с низкими образовательными результатами">ШНОР</abbr>' not in html  # A is submitted
    assert {"МКОУ «Аржановская СШ»", "МКОУ «Быковская СШ № 1»"} == _shown(
        _get(client, world.analyst, reverse("school-list") + "?status=none"), ALL_SCHOOLS
    )
    html = _get(client, world.analyst, reverse("school-list")).content.decode()
    assert '<abbr title="школа с низкими образовательными результатами">ШНОР</abbr>' in html
    assert "ШНОР (школы с низкими образовательными результатами)" in html
    assert "Неизвестно" not in html and '<option value="" selected>Все</option>' in html


# --- the attestation register ---------------------------------------------------------------


@pytest.fixture
def register(world):
    """2025: teacher A (school A, M1) assigned the highest category, teacher B (school B, M2) pending, teacher C
    (school C, M1) refused; teacher B was at school A in 2024, and applied then too (refused)."""
    earlier = factories.PeriodFactory(year=2024)
    factories.RosterEntryFactory(period=earlier, teacher=world.teacher_b, school=world.school_a)
    make = models.Attestation.objects.create
    make(period=world.period, teacher=world.teacher_a, category="высшая", applied_on="2025-02-01",
         decided_on="2025-03-20", result="assigned")  # fmt: skip
    make(period=world.period, teacher=world.teacher_b, category="первая", applied_on="2025-11-20")
    make(period=world.period, teacher=world.teacher_c, category="первая", applied_on="2025-01-10",
         decided_on="2025-03-01", result="refused")  # fmt: skip
    make(period=earlier, teacher=world.teacher_b, category="первая", applied_on="2024-03-01",
         decided_on="2024-04-10", result="refused")  # fmt: skip
    return world


def _counts(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<li class="list-inline-item">([^<:]+): <strong>(\d+)</strong></li>', html))


@pytest.mark.parametrize(
    ("person", "teachers"),
    [
        ("analyst", ALL_TEACHERS),
        ("ministry", ALL_TEACHERS),
        ("municipal", {"Петрова Анна Ивановна", "Кузнецова Ольга Сергеевна"}),
        ("head_a", {"Петрова Анна Ивановна"}),
        ("head_b", {"Сидоров Павел Олегович"}),  # at school B in 2025, though at A the year before
    ],
)
def test_the_register_shows_each_staff_role_its_own_teachers_with_counts_by_result(client, register, person, teachers):
    response = _get(client, register.people[person], reverse("attestation-list") + "?period=2025")
    assert response.status_code == 200
    assert _shown(response, ALL_TEACHERS) == teachers
    html = response.content.decode()
    counts = _counts(html)
    assert counts["Всего заявлений"] == str(len(teachers))
    assert counts["Категория установлена"] == str(int("Петрова Анна Ивановна" in teachers))
    assert counts["На рассмотрении"] == str(int("Сидоров Павел Олегович" in teachers))
    # Officials see no birth dates; no list of teachers shows them.
    assert f"{register.teacher_a.birth_date:%d.%m.%Y}" not in html


def test_a_teacher_and_a_curator_do_not_find_the_register(client, register):
    for user in (register.teacher, register.curator):
        assert _get(client, user, reverse("attestation-list")).status_code == 404


@pytest.mark.parametrize(
    ("query", "teachers"),
    [
        ("?municipality=01", {"Петрова Анна Ивановна", "Кузнецова Ольга Сергеевна"}),
        ("?school=000002", {"Сидоров Павел Олегович"}),  # the period's school, not 2024's
        ("?school=000001", {"Петрова Анна Ивановна"}),
        ("?category=первая", {"Сидоров Павел Олегович", "Кузнецова Ольга Сергеевна"}),
        ("?result=refused", {"Кузнецова Ольга Сергеевна"}),
        ("?result=refused&period=2024", {"Сидоров Павел Олегович"}),
        ("?q=T0000003", {"Кузнецова Ольга Сергеевна"}),
    ],
)
def test_the_register_filters_by_municipality_school_category_and_result(client, register, query, teachers):
    response = _get(client, register.analyst, reverse("attestation-list") + query)
    assert _shown(response, ALL_TEACHERS) == teachers


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?period=20x5", 404),
        ("?period=1999", 404),
        ("?result=принято", 200),
        ("?municipality=99", 200),
        ("?page=x", 200),
    ],
)
def test_bad_input_on_the_register_is_answered_not_a_server_error(client, register, query, status):
    response = _get(client, register.analyst, reverse("attestation-list") + query)
    assert response.status_code == status
    if status == 200 and "page" not in query:
        assert "Выберите корректный вариант" in response.content.decode()


def test_the_register_downloads_as_the_page_filters_it(client, register):
    response = _get(client, register.municipal, reverse("attestation-list") + "?period=2025&result=refused&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Код педагога;ФИО;Код ОО;Организация;Муниципалитет;Категория;Дата заявления;Дата решения;Результат",
        "T0000003;Кузнецова Ольга Сергеевна;000003;МКОУ «Аржановская СШ»;Алексеевский муниципальный район;первая;"
        "10.01.2025;01.03.2025;В установлении категории отказано",
    ]
    # The municipal official's scope: teacher B (M2) is in no download of theirs.
    everything = _get(client, register.municipal, reverse("attestation-list") + "?format=csv").content.decode()
    assert "Сидоров" not in everything and "Петрова Анна Ивановна" in everything
