"""The menu each role sees, and where it says the reader is (issue 16, items 7 and 13)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _menu(client, user, path="/") -> str:
    client.force_login(user)
    html = client.get(path).content.decode()
    return html[html.index("<nav") : html.index("</nav>")]


@pytest.mark.parametrize(
    ("person", "admin_and_api"),
    [("analyst", True), ("ministry", False), ("municipal", False), ("head_a", False), ("teacher", False)],
)
def test_each_role_sees_only_what_it_can_use(client, world, person, admin_and_api):
    # Ministry, municipal and head users were shown «Администрирование» (the raw admin) and the API.
    user = world.people[person]
    user.is_staff = person != "teacher"
    user.save(update_fields=["is_staff"])
    menu = _menu(client, user)
    assert ("Администрирование" in menu) is admin_and_api
    assert ("API: документация" in menu) is admin_and_api
    assert ("API: токены систем" in menu) is admin_and_api


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/indicators/", "Показатели"),
        ("/routes/", "ИОМ"),
        ("/programs/", "Программы ДПП"),
        ("/notices/", "Уведомления"),
    ],
)
def test_the_current_menu_item_is_marked(client, world, path, current):
    # The ministry: «Показатели» is a link for it (a drop-down with the builder for the institute).
    menu = _menu(client, world.ministry, path)
    marked = re.findall(r'aria-current="page"[^>]*>([^<]+)<', menu)
    assert marked == [current]


@pytest.mark.parametrize("path", ["/indicators/", "/indicators/builder/"])
def test_the_institutes_indicators_drop_down_is_marked_on_its_pages(client, world, path):
    menu = _menu(client, world.analyst, path)
    assert re.findall(r'dropdown-toggle active"[^>]*>([^<]+)<', menu) == ["Показатели"]
    assert ("/indicators/builder/", "Конструктор показателей") in _menu_links(menu)


def test_a_skip_link_leads_to_the_content(client, world):
    client.force_login(world.head_a)
    html = client.get("/").content.decode()
    assert html.index('href="#content"') < html.index("<nav")
    assert 'id="content"' in html


PEOPLE = ["analyst", "ministry", "municipal", "head_a", "teacher"]


def _menu_links(menu: str) -> list[tuple[str, str]]:
    """(href, label) of every link of the menu, the drop-downs' items included."""
    links = re.findall(r'<a class="(?:nav-link|dropdown-item)[^"]*"[^>]*href="([^"#][^"]*)"[^>]*>([^<]+)<', menu)
    return [(href, label.strip()) for href, label in links]


@pytest.mark.parametrize("person", PEOPLE)
def test_every_link_of_each_roles_menu_opens_for_that_role(client, world, person):
    # Walks the menu each role is shown and opens every link: none answers 404/403 or sends elsewhere.
    user = world.people[person]
    links = _menu_links(_menu(client, user))
    assert len(links) >= 4
    for href, label in links:
        response = client.get(href)
        assert response.status_code == 200, (person, label, href, response.status_code)


@pytest.mark.parametrize(
    ("person", "present", "absent"),
    [
        (
            "analyst",
            {"Муниципалитеты", "Загрузки", "Годовой отчет", "Аналитические справки", "Администрирование", "Опросы"}
            | {"Анкеты"},
            set(),
        ),
        # The ministry loads nothing and reads the annual report.
        ("ministry", {"Муниципалитеты", "Годовой отчет", "Опросы"}, {"Загрузки", "Администрирование", "Анкеты"}),
        # A municipal official has one municipality: a link to it, not a list of one.
        # …and their municipality's справки (the institute and the ministry read every municipality's).
        ("municipal", {"Мой муниципалитет", "Загрузки", "Аналитические справки"}, {"Муниципалитеты", "Годовой отчет"}),
        (
            "head_a",
            {"Моя организация", "Загрузки", "Опросы"},
            {"Муниципалитеты", "Организации", "Годовой отчет", "Аналитические справки"},
        ),
        ("teacher", {"Диагностика дефицитов", "Мой маршрут (ИОМ)"}, {"Данные", "Показатели", "Загрузки", "Опросы"}),
        # A curator follows their teachers' routes; the teacher's own pages and the staff's are not theirs.
        ("curator", {"Маршруты моих педагогов", "Программы ДПП"}, {"Мой маршрут (ИОМ)", "Данные", "Диагностика"}),
        ("analyst", {"Кураторы ЦНППМ"}, set()),
    ],
)
def test_each_roles_menu_holds_what_that_role_uses(client, world, person, present, absent):
    menu = _menu(client, world.curator if person == "curator" else world.people[person])
    labels = {label for _, label in _menu_links(menu)} | set(re.findall(r"dropdown-toggle[^>]*>([^<]+)<", menu))
    assert present <= labels
    assert not (absent & labels)


def test_every_link_of_the_curators_menu_opens_for_them(client, world):
    links = _menu_links(_menu(client, world.curator))
    assert {"Маршруты моих педагогов", "Программы ДПП"} <= {label for _, label in links}
    for href, label in links:
        assert client.get(href).status_code == 200, (label, href)


def test_the_heads_menu_leads_to_their_school_and_the_municipal_officials_to_their_municipality(client, world):
    assert ("/schools/000001/", "Моя организация") in _menu_links(_menu(client, world.head_a))
    assert ("/municipalities/01/", "Мой муниципалитет") in _menu_links(_menu(client, world.municipal))


def test_the_menu_shows_the_name_without_the_long_role_title(client, world):
    # «Ирина Савельева · Специалист муниципального органа управления образованием» pushed the bar to 2+ lines.
    menu = _menu(client, world.municipal)
    assert "navbar-expand-xxl" not in menu
    assert ">Специалист муниципального органа управления образованием<" not in menu
