"""A ЦНППМ curator on a phone: their teachers' routes, the lagging ones, a comment sent once however
impatiently the button is pressed (portal.js drops a second submit of a form under way)."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


def expect(*args, **kwargs):
    from playwright.sync_api import expect as playwright_expect  # playwright comes with `make e2e` only

    return playwright_expect(*args, **kwargs)


def test_a_curator_comments_on_a_route_once_whatever_the_clicks(journey, sql):
    j = journey("curator-phone", PHONE)
    page = j.page
    j.login("curator")
    page.goto("/curator/routes/")
    expect(page.get_by_role("heading", name="Маршруты моих педагогов")).to_be_visible()
    j.shot("routes")
    page.goto("/curator/routes/?lagging=1")
    j.shot("lagging")
    page.goto("/curator/routes/")
    route_link = page.locator("main a[href^='/routes/']").first
    href = route_link.get_attribute("href")
    route_id = int(re.search(r"/routes/(\d+)/", href).group(1))
    page.goto(href)
    text = f"Проверьте сроки курса, пожалуйста ({uuid.uuid4().hex[:8]})"
    page.get_by_label("Новый комментарий").fill(text)
    button = page.locator("#comments form button[type=submit]")
    # What the browser would send: a listener after portal.js's records whether each submit was let
    # through, and holds the page (so the three presses land on the same form, as a double click does).
    page.evaluate(
        """() => {
          window.__sent = [];
          window.addEventListener("submit", (event) => {
            window.__sent.push(!event.defaultPrevented);
            event.preventDefault();
          });
        }"""
    )
    for _ in range(3):
        button.click()
    assert page.evaluate("window.__sent") == [True, False, False]
    # The real press: sent once, the comment recorded once.
    page.reload()
    page.get_by_label("Новый комментарий").fill(text)
    button.click()
    page.wait_for_url(re.compile(rf"/routes/{route_id}/"))
    expect(page.get_by_text(text)).to_be_visible()
    j.shot("commented")
    assert sql("SELECT count(*) FROM iom_routecomment WHERE route_id = %s AND text = %s", route_id, text)[0] == 1
