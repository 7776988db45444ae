"""A teacher's and a school head's working day on a 390 x 844 phone (issue 16, item 5).

Every screenshot checks that the document does not scroll sideways (Journey.shot) and every
page is checked by axe-core (see axe.py). The journeys only read and open pages: they leave
the data as they found it, whatever ran before them.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


def expect(*args, **kwargs):
    from playwright.sync_api import expect as playwright_expect  # playwright comes with `make e2e` only

    return playwright_expect(*args, **kwargs)


def _open_menu(page) -> None:
    """On a phone the menu is collapsed behind its button: open it, as a thumb would."""
    toggler = page.locator("nav .navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    # Bootstrap marks the menu .show once its opening animation is over (.collapsing during it).
    expect(page.locator("nav .navbar-collapse.show")).to_be_visible()


def _first_link(page, pattern: str) -> str | None:
    """The first link in the page's content whose address matches ``pattern``."""
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return next((h for h in hrefs if re.search(pattern, h)), None)


def test_teacher_on_a_phone(journey):
    j = journey("5-teacher-phone", PHONE)
    page = j.page
    j.login("teacher")
    j.shot("home")
    _open_menu(page)
    j.shot("menu-open")

    # The diagnostic: the questionnaire (started or continued; left as a draft), then results.
    page.goto("/diagnostics/")
    j.shot("diagnostics")
    go_on = page.get_by_role("link", name="Продолжить заполнение")
    if go_on.count():
        go_on.first.click()
    else:
        # One diagnostic of a kind a day: the route journey may have taken today's of the default
        # kind, so the first kind the portal lets her start today.
        kinds = page.locator("#id_kind option").evaluate_all("options => options.map(o => o.value)")
        for kind in kinds:
            page.locator("#id_kind").select_option(kind)
            page.get_by_role("button", name="Пройти диагностику").click()
            page.wait_for_load_state()
            if re.search(r"/diagnostics/\d+/", page.url):
                break
            expect(page.get_by_role("alert")).to_contain_text("повторить ее можно завтра")
    page.wait_for_url(re.compile(r"/diagnostics/\d+/(page/\d+/)?$"))
    if "/page/" not in page.url:
        page.locator("main a[href*='/page/']").first.click()
        page.wait_for_url(re.compile(r"/page/\d+/$"))
    expect(page.locator("input[type=radio]").first).to_be_visible()
    j.shot("questionnaire")
    page.goto("/diagnostics/")
    page.get_by_role("link", name="результаты").first.click()
    page.wait_for_url(re.compile(r"/diagnostics/\d+/$"))
    expect(page.locator("#profile-chart")).to_be_visible()
    j.shot("diagnostic-results")

    # The route: the list, then her route (the analyst's journey built one) or, with none yet,
    # the route builder (only looked at).
    page.goto("/routes/")
    j.shot("routes")
    route = _first_link(page, r"^/routes/\d+/$") or _first_link(page, r"^/routes/new/\d+/$")
    assert route, "the teacher's route list links neither a route nor the route builder"
    page.goto(route)
    j.shot("route")

    # The programme catalogue and one programme.
    page.goto("/programs/")
    j.shot("programs")
    page.locator("#programs a[href^='/programs/']").first.click()
    page.wait_for_url(re.compile(r"/programs/[^/]+/$"))
    j.shot("program")


def test_school_head_on_a_phone(journey):
    j = journey("6-head-phone", PHONE)
    page = j.page
    j.login("head")
    j.shot("home")
    _open_menu(page)
    j.shot("menu-open")

    # The school: its page, the teachers, the staffing upload form (nothing uploaded).
    page.goto("/")
    page.locator("main a[href^='/schools/']").first.click()
    page.wait_for_url(re.compile(r"/schools/\w+/$"))
    j.shot("school")
    page.get_by_role("link", name="Загрузить штатное расписание").click()
    expect(page.locator("input[type=file]")).to_be_attached()
    j.shot("staffing-upload")
    page.goto("/teachers/")
    j.shot("teachers")
    page.locator("main a[href^='/teachers/']").first.click()
    page.wait_for_url(re.compile(r"/teachers/[^/]+/$"))
    j.shot("teacher")

    # Routes to approve: the list and one route waiting (or any route of the school).
    page.goto("/routes/")
    j.shot("routes")
    page.locator("main a[href^='/routes/']").first.click()
    page.wait_for_url(re.compile(r"/routes/\d+/$"))
    j.shot("route")

    # Letters addressed to the school: the list and the first letter.
    page.goto("/letters/")
    j.shot("letters")
    letters = page.locator("main a[href^='/letters/']")
    if letters.count():
        letters.first.click()
        page.wait_for_url(re.compile(r"/letters/\d+/"))
        j.shot("letter")
