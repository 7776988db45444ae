"""The analyst builds a declarative indicator in the browser, previews it, saves it, and the worker computes it.

«Доля педагогов, повысивших квалификацию по вопросам воспитания»: roster teachers of the
period (the denominator) with an enrollment completed on a course that ended in the
period's year and whose program's topic is upbringing (the numerator). The values the
worker stores are compared with the same count made through the ORM over the demo data.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from tests.e2e import axe
from tests.e2e.conftest import DESKTOP, PASSWORD, PHONE, ROOT, _server_env
from tests.e2e.test_journeys import PERIOD, WORKER, YEAR, _menu, expect

pytestmark = pytest.mark.e2e

CODE = "ВСП.1"
TITLE = "Доля педагогов, повысивших квалификацию по вопросам воспитания"

# Run in a Django shell on the e2e database: the count by the ORM, and what the computation stored.
COUNT = """
import json
from iom.models import Enrollment
from indicators.models import IndicatorValue
from monitoring.models import MonitoringPeriod, RosterEntry
period = MonitoringPeriod.objects.get(year=%(year)s)
trained = Enrollment.objects.filter(
    status="завершил", course__end__gte=period.start, course__end__lte=period.end,
    course__program__tags__kind="topic", course__program__tags__value="воспитание",
).values("teacher_id")
expected = {}
for school, teacher in RosterEntry.objects.filter(period=period).values_list("school__code", "teacher_id"):
    row = expected.setdefault(school, [0, 0])
    row[1] += 1
expected_done = {}
for school in RosterEntry.objects.filter(period=period, teacher_id__in=trained).values_list("school__code", flat=True):
    expected_done[school] = expected_done.get(school, 0) + 1
for school, count in expected_done.items():
    expected[school][0] = count
stored = {
    v.school.code: [int(v.numerator), int(v.denominator)]
    for v in IndicatorValue.objects.filter(period=period, indicator__code=%(code)r, level="school", breakdown="")
    .select_related("school")
}
region = IndicatorValue.objects.get(period=period, indicator__code=%(code)r, level="region", breakdown="")
print(json.dumps({"expected": expected, "stored": stored,
                  "region": [str(region.numerator), str(region.denominator), str(region.value)]}))
"""


def _orm(tmp_path) -> dict:
    script = COUNT % {"year": int(YEAR), "code": CODE}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=_server_env(tmp_path), capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def _condition(scope, index: int):
    return scope.locator(":scope > .builder-list > .builder-items > .builder-condition").nth(index)


def _build(page) -> None:
    """The definition, picked from lists as a person does."""
    page.get_by_label("Код", exact=True).fill(CODE)
    page.get_by_label("Наименование").fill(TITLE)
    page.get_by_label("Направление").select_option("3")
    page.get_by_label("Единица").select_option("percent")
    page.get_by_label("Что считаем (совокупность)").select_option("teachers")
    numerator = page.locator("[data-list=numerator]")
    numerator.get_by_role("button", name="+ «есть … такая, что»").click()
    relation = numerator.locator(".builder-condition[data-type=relation]")
    relation.get_by_label("такая запись").select_option("enrollments")
    for _ in range(3):
        relation.get_by_role("button", name="+ условие").last.click()
    status, end, topic = (_condition(relation, i) for i in range(3))
    status.get_by_label("Поле").select_option("status")
    status.get_by_label("Операция").select_option("in")
    status.get_by_label("завершил обучение").check()
    end.get_by_label("Поле").select_option("course.end")
    end.get_by_label("Операция").select_option("in_period")
    topic.get_by_label("Поле").select_option("program.topic")
    topic.get_by_label("воспитание").check()
    page.get_by_label("Целевое значение").fill("60")


def _wait_for_the_run(sql) -> None:
    deadline = time.monotonic() + WORKER / 1000
    while time.monotonic() < deadline:
        status = sql("SELECT status FROM indicators_computationrun ORDER BY id DESC LIMIT 1")
        if status and status[0] in ("done", "failed"):
            assert status[0] == "done", status
            return
        time.sleep(1)
    raise AssertionError("the computation started by the save did not finish")


def test_analyst_builds_previews_and_saves_an_indicator(journey, sql, tmp_path):
    j = journey("builder-1440", DESKTOP)
    page = j.page
    j.login("analyst")
    _menu(page, "Показатели", "Конструктор показателей")
    expect(page.get_by_role("heading", name="Конструктор показателей")).to_be_visible()
    page.get_by_role("link", name="Новый показатель").click()
    _build(page)

    # The preview: a value, numerator and denominator, the cost.
    page.get_by_role("button", name="Предварительный расчет").click()
    value = page.locator("#preview-value")
    expect(value).to_have_text(re.compile(r"^\d+(,\d{1,2})? %$"))
    assert int(page.locator("#preview-queries").inner_text()) > 0
    j.shot("preview")
    shown = value.inner_text()

    # A mistake is named next to the form, and the preview follows the change.
    page.get_by_label("Наименование").fill("")
    expect(page.locator("#preview-errors")).to_contain_text("Наименование: укажите наименование показателя.")
    page.get_by_label("Наименование").fill(TITLE)
    expect(value).to_have_text(shown)

    page.get_by_role("button", name=f"Сохранить в период {YEAR}").click()
    expect(page.get_by_role("alert").filter(has_text=f"Показатель {CODE} сохранен")).to_be_visible()
    assert PERIOD.endswith(f"{YEAR} года")
    _wait_for_the_run(sql)

    # What the worker stored is the ORM's count over the demo data, school by school.
    got = _orm(tmp_path)
    assert got["stored"] == got["expected"], got
    numerator = sum(n for n, _ in got["expected"].values())
    denominator = sum(d for _, d in got["expected"].values())
    assert numerator > 0 and denominator > numerator, got
    region = [float(x) for x in got["region"]]
    assert region[:2] == [numerator, denominator]
    assert round(region[2], 1) == round(100 * numerator / denominator, 1)
    # The preview showed the same share (two decimals, a comma, as the dashboards print percentages).
    assert float(shown.removesuffix(" %").replace(",", ".")) == round(100 * numerator / denominator, 2)

    # The builder lists it; its page is the form pre-filled, with its history.
    page.goto(f"/indicators/builder/?period={YEAR}")
    expect(page.locator("#declarative-indicators")).to_contain_text(TITLE)
    j.shot("list")
    page.get_by_role("link", name=CODE).click()
    expect(page.locator("#builder-history")).to_contain_text("создан")

    # At a phone's width: the saved indicator opens pre-filled and previews the same value.
    phone = journey("builder-390", PHONE)
    phone.login("analyst")
    phone.page.goto(page.url)
    expect(phone.page.get_by_label("Наименование")).to_have_value(TITLE)
    phone.page.get_by_role("button", name="Предварительный расчет").click()
    expect(phone.page.locator("#preview-value")).to_have_text(shown)
    # The panel is below the form on a phone: the button brought it into view.
    expect(phone.page.locator("#preview-value")).to_be_in_viewport()
    phone.shot("preview")


# The selected option's text against the room its select gives it (what a person sees cut or whole).
OPTION_FITS = """select => {
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const text = context.measureText(select.options[select.selectedIndex].text).width;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [Math.ceil(text), Math.floor(room)];
}"""
DRAFTS = "() => Object.keys(sessionStorage).filter(k => k.startsWith('indicator-builder:')).length"


def _login_on(page) -> None:
    page.fill("#id_username", "analyst")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _in_another_tab(j, *, login: bool) -> None:
    """The person logs out (or in again) in another tab of the same browser (each page it loads checked too)."""
    other = j.context.new_page()
    other.goto("/login/" if login else "/")
    axe.wait_checked(other, j.axe)
    if login:
        _login_on(other)
        other.wait_for_url(re.compile(r"/$"))
    else:
        # The menu may be folded at a phone's width: the logout form is sent as its button would.
        other.evaluate("document.querySelector(\"form[action$='/logout/']\").requestSubmit()")
        other.wait_for_url(re.compile(r"/login/"))
    axe.wait_checked(other, j.axe)
    other.close()


def test_nothing_typed_is_lost_when_the_session_ends(journey):
    j = journey("builder-session-390", PHONE)
    page = j.page
    j.login("analyst")
    page.goto(f"/indicators/builder/new/?period={YEAR}")
    _build(page)
    page.get_by_label("Код", exact=True).fill("ВСП.2")

    # The operation is read whole at a phone's width: in its select, or (the longest, in a nested
    # condition) written out under it.
    end = _condition(page.locator("[data-list=numerator] .builder-condition[data-type=relation]"), 1)
    operation = end.get_by_label("Операция")
    operation.select_option("until_period_end")
    text, room = operation.evaluate(OPTION_FITS)
    assert text <= room, (text, room)
    expect(end.locator(".builder-op-full")).to_have_count(0)
    operation.select_option("within_years_of_reference")
    text, room = operation.evaluate(OPTION_FITS)
    if text > room:
        expect(end.locator(".builder-op-full")).to_have_text("за N лет до отчетной даты")
    operation.select_option("in_period")
    expect(end.locator(".builder-op-full")).to_have_count(0)

    # Logged out meanwhile: the preview says so instead of showing the login page.
    _in_another_tab(j, login=False)
    page.get_by_role("button", name="Предварительный расчет").click()
    expect(page.locator("#builder-preview")).to_contain_text("Сессия истекла или вы вышли")
    expect(page.locator("#builder-preview #id_password")).to_have_count(0)
    # Logged in again in another tab: the same page previews (its CSRF token is the new one).
    _in_another_tab(j, login=True)
    page.get_by_role("button", name="Предварительный расчет").click()
    expect(page.locator("#preview-value")).to_have_text(re.compile(r" %$"))

    # Leaving with changes not saved asks first.
    asked = len(j.asked)
    page.goto("/")
    assert len(j.asked) == asked + 1, j.asked
    page.go_back()

    # Sent while logged out: the save goes through the login page and the definition is offered back.
    page.goto(f"/indicators/builder/new/?period={YEAR}")
    _build(page)
    page.get_by_label("Код", exact=True).fill("ВСП.2")
    _in_another_tab(j, login=False)
    asked = len(j.asked)
    page.get_by_role("button", name=f"Сохранить в период {YEAR}").click()
    page.wait_for_url(re.compile(r"/login/"))
    assert len(j.asked) == asked, "sending the form asked before leaving"
    _login_on(page)
    page.wait_for_url(re.compile(r"/indicators/builder/new/"))
    offer = page.locator("#builder-draft")
    expect(offer).to_contain_text(re.compile(r"Восстановить несохраненное определение от \d\d:\d\d\?"))
    expect(page.get_by_label("Наименование")).to_have_value("")
    j.shot("draft")
    offer.get_by_role("button", name="Восстановить").click()
    expect(page.get_by_label("Наименование")).to_have_value(TITLE)
    expect(page.get_by_label("Код", exact=True)).to_have_value("ВСП.2")
    relation = page.locator("[data-list=numerator] .builder-condition[data-type=relation]")
    expect(_condition(relation, 2).get_by_label("Поле")).to_have_value("program.topic")
    page.get_by_role("button", name=f"Сохранить в период {YEAR}").click()
    expect(page.get_by_role("alert").filter(has_text="Показатель ВСП.2 сохранен")).to_be_visible()
    # Saved: the kept draft is gone, and the saved page leaves without asking.
    assert page.evaluate(DRAFTS) == 0
    asked = len(j.asked)
    page.goto(f"/indicators/builder/?period={YEAR}")
    assert len(j.asked) == asked
