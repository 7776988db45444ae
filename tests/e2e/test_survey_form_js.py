"""The page's script (static/js/survey-form.js) shows the same items the server would, in a real browser.

In tests/e2e, so that ``make e2e`` (a step of CI) runs it: it needs Debian's Chromium, but not the
served portal — the page is rendered by the test client and handed to the browser with
its script. For many answer combinations, the items the script leaves visible must be
exactly those ``answers_walk`` shows for the same answers.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from deficits.questionnaire.answers import answers_walk, form_compile
from deficits.questionnaire.links import invitation_token
from tests.deficits.questionnaire import answering
from tests.deficits.questionnaire.answering import item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://portal.test"

FORM = {
    "title": "Логика показа",
    "sections": [
        {
            "name": "only",
            "title": "Вопросы",
            "relevant": "",
            "items": [
                item("a", "single", list="yn"),
                item("n", "number", integer=True),
                item("m", "multiple", list="abc"),
                item("s", "scale", start=1, end=5, step=1),
                item("t", "text"),
                item("r1", "text", relevant="${a} = 'yes'"),
                item("r2", "text", relevant="${n} > 5 and ${n} != 10"),
                item("r3", "text", relevant="count-selected(${m}) >= 2"),
                item("r4", "text", relevant="not(selected(${m}, 'b')) or ${s} <= 2"),
                item("r5", "text", relevant="${t} = ''"),
                item("r6", "text", relevant="${r1} = 'x' or ${n} = 0"),
                item("r7", "text", relevant="(${a} != 'no' and ${s} >= 4) or selected(${m}, 'c')"),
            ],
        }
    ],
    "choice_lists": {
        "yn": [{"name": "yes", "label": "Да"}, {"name": "no", "label": "Нет"}],
        "abc": [{"name": "a", "label": "А"}, {"name": "b", "label": "Б"}, {"name": "c", "label": "В"}],
    },
}


def _combinations(count: int) -> list[dict]:
    rng = random.Random(18)
    combos = []
    for _ in range(count):
        combos.append(
            {
                "a": rng.choice(["", "yes", "no"]),
                "n": rng.choice(["", "0", "5", "6", "10", "11", "abc"]),
                "m": [c for c in "abc" if rng.random() < 0.5],
                "s": rng.choice(["", "1", "2", "3", "4", "5"]),
                "t": rng.choice(["", "слово"]),
                "r1": rng.choice(["", "x", "y"]),
            }
        )
    return combos


@pytest.fixture
def page_html(world):
    campaign = answering.campaign(world, form=FORM)
    token = invitation_token(invitation=answering.invitation(campaign, world.teacher_a, world.school_a))
    client = Client()
    client.post(reverse("survey-answer", args=[token]))
    response = client.get(reverse("survey-answer-page", args=[token, 1]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_script_shows_what_the_server_shows(page_html):
    from playwright.sync_api import sync_playwright

    script = (Path(settings.BASE_DIR) / "static" / "js" / "survey-form.js").read_text()
    form = form_compile(FORM)

    def serve(route):
        url = route.request.url
        if url.endswith("survey-form.js"):
            route.fulfill(body=script, content_type="text/javascript")
        elif "/static/" in url:
            route.fulfill(body="", content_type="text/plain")
        else:
            route.fulfill(body=page_html, content_type="text/html")

    mismatches = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.route("**/*", serve)
        page.goto(f"{ORIGIN}/page/")
        for combo in _combinations(80):
            page.goto(f"{ORIGIN}/page/")
            page.evaluate(
                """(combo) => {
                    const form = document.getElementById("survey-form");
                    const set = (name, value) => form.querySelectorAll('[name="' + name + '"]').forEach((input) => {
                        input.disabled = false;
                        if (input.type === "radio") input.checked = input.value === value;
                        else if (input.type === "checkbox") input.checked = value.includes(input.value);
                        else input.value = value;
                    });
                    for (const [name, value] of Object.entries(combo)) set(name, value);
                    form.dispatchEvent(new Event("change"));
                }""",
                combo,
            )
            visible = page.evaluate(
                "() => Array.from(document.querySelectorAll('.survey-item')).filter((b) => !b.hidden)"
                ".map((b) => b.dataset.item)"
            )
            shown_input = page.input_value("#survey-shown").split()
            expected = [
                i.name for i in form.sections[0].items if i.name in answers_walk(form=form, answers=combo).items
            ]
            if visible != expected or shown_input != expected:
                mismatches.append(f"{combo}: script {visible} (shown {shown_input}), server {expected}")
        browser.close()
    assert mismatches == []
