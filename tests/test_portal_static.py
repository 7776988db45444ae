"""The portal's own look and behaviour files (static/): the favicon every page links, and colours
that keep WCAG AA contrast (4.5:1) on the backgrounds they are drawn on (issue 16, item 13).

The browser journeys (tests/e2e) check the rendered pages with axe-core; these catch the same
mistakes without a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

ROOT = Path(__file__).resolve().parents[1]
CSS = (ROOT / "static" / "css" / "portal.css").read_text()


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    darker, lighter = sorted((_luminance(a), _luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


def _rgb(triple: str) -> str:
    return "#" + "".join(f"{int(part):02x}" for part in triple.split(","))


def _rule(selector: str) -> str:
    """The declarations of the first rule whose selector list starts with ``selector``."""
    match = re.search(re.escape(selector) + r"[^{]*\{([^}]*)\}", CSS)
    assert match, f"no rule for {selector} in portal.css"
    return match.group(1)


def test_contrast_helper_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#0d6efd", "#f8d7da") == pytest.approx(3.37, abs=0.01)  # Bootstrap's link on a pink row


@pytest.mark.parametrize("step", ["heat-9", "heat-10"])
def test_the_darkest_heat_map_steps_carry_readable_white_figures(step):
    declarations = _rule(f".{step} ")
    background = re.search(r"--bs-table-bg:\s*(#[0-9a-fA-F]{6})", declarations).group(1)
    assert "--bs-table-color: #fff" in declarations
    assert contrast("#ffffff", background) >= 4.5, background


# Bootstrap 5.3's light tints that finding rows, amber rows and alerts are painted with.
TINTS = {"table-danger": "#f8d7da", "table-warning": "#fff3cd", "alert-info": "#cff4fc", "alert-danger": "#f8d7da"}


@pytest.mark.parametrize("variable", ["--bs-link-color-rgb", "--bs-danger-rgb", "--bs-success-rgb"])
@pytest.mark.parametrize("tint", sorted(TINTS))
def test_links_and_coloured_figures_on_tinted_rows_reach_aa(tint, variable):
    declarations = _rule(f".{tint}")
    value = re.search(re.escape(variable) + r":\s*([\d\s,]+);", declarations)
    assert value, f"{variable} is not set for .{tint}"
    assert contrast(_rgb(value.group(1)), TINTS[tint]) >= 4.5


def test_every_page_links_the_favicon_and_the_file_is_there(client):
    page = client.get("/login/").content.decode()  # any page: they all extend base.html
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in page
    found = finders.find("favicon.svg")
    assert found and Path(found).read_text().lstrip().startswith("<svg")


def test_the_amber_outline_button_and_code_on_alerts_are_readable():
    button = _rule(".btn-outline-warning")
    colour = re.search(r"--bs-btn-color:\s*(#[0-9a-fA-F]{6})", button).group(1)
    assert contrast(colour, "#ffffff") >= 4.5
    assert "color: inherit" in _rule(".alert code")
