"""Every page of each role's menu, at a laptop's and a phone's width (issue 16, items 5 and 13).

Each role logs in, reads its menu from the page itself (every link of the top navigation,
dropdowns included) and visits the home page and each of those pages at 1440 px and at 390 px.
A page fails when it scrolls sideways; the journey fails when axe-core finds a serious or
critical violation on any of them (the Journey checks every document it loads; see axe.py).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

ROLES = ["analyst", "ministry", "municipal", "head", "teacher", "curator"]
# Not the portal's own pages: the Django admin (its own look, for the institute's staff) and the
# API's machine-facing documentation.
SKIPPED = ("/admin/", "/api/")

MENU_LINKS = """() => [...document.querySelectorAll("nav a[href]")]
  .filter((a) => !a.closest("main"))
  .map((a) => a.getAttribute("href"))"""


def menu_pages(page) -> list[str]:
    """The home page and every page the top navigation links to, in menu order, once each."""
    pages = ["/"]
    for href in page.evaluate(MENU_LINKS):
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or href.startswith("#"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in pages and not path.startswith(SKIPPED):
            pages.append(path)
    return pages


def crawl(j, pages: list[str]) -> list[str]:
    """Visit each page; what scrolls sideways."""
    too_wide = []
    for path in pages:
        response = j.page.goto(path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        j.check_now()  # the page as htmx completed it, not only as it loaded
        try:
            j.assert_fits(f"{j.name} {path}")
        except AssertionError as problem:
            too_wide.append(str(problem))
    return too_wide


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_page_fits_and_passes_axe(journey, role):
    desktop = journey(f"crawl-{role}-1440", DESKTOP)
    desktop.login(role)
    pages = menu_pages(desktop.page)
    assert len(pages) > 2, f"{role}: no menu read from the page ({pages})"
    too_wide = crawl(desktop, pages)

    phone = journey(f"crawl-{role}-390", PHONE)
    phone.login(role)
    too_wide += crawl(phone, pages)
    assert not too_wide, "\n".join(too_wide)
