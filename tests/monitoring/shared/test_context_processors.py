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
    menu = _menu(client, world.analyst, path)
    marked = re.findall(r'aria-current="page"[^>]*>([^<]+)<', menu)
    assert marked == [current]


def test_a_skip_link_leads_to_the_content(client, world):
    client.force_login(world.head_a)
    html = client.get("/").content.decode()
    assert html.index('href="#content"') < html.index("<nav")
    assert 'id="content"' in html
