"""A burnout screening sent to a stratified 10 % sample, answered through a personal link in the browser.

The analyst creates the campaign with a seed, opens it and checks that the invitations are the
sample the seed draws (the portal's own sampler run again, outside the server); a teacher
answers through their link in another browser (no account), page by page, at a phone's width;
the analyst then sees the answer in the coverage, sends reminders to those who have not
answered, and finds the questionnaires' indicator on the dashboard (the demo's closed
anonymous screening feeds it).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, ROOT, _server_env
from tests.e2e.test_journeys import PERIOD, _id_from, expect

pytestmark = pytest.mark.e2e

SEED = 20251
TITLE = "Скрининг выгорания: выборка 10 % (проверка)"


def _sample_again(tmp_path, campaign_id: int) -> list[int]:
    """The teachers the campaign's seed draws, by deficits.questionnaire.targets in a process of its own."""
    code = (
        "import json; from deficits.models import Campaign; "
        "from deficits.questionnaire.targets import target_reach; "
        f"c = Campaign.objects.get(pk={campaign_id}); "
        "print(json.dumps(sorted(r.teacher_id for r in target_reach("
        "period=c.period, kind=c.target_kind, params=c.target, seed=c.seed))))"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _answer_every_page(page) -> int:
    """Answer each shown question (the middle of a scale, the first option of a choice) until sent."""
    pages = 0
    while True:
        pages += 1
        names = page.locator("#survey-form input[type=radio]:not([disabled])").evaluate_all(
            "els => [...new Set(els.map(e => e.name))]"
        )
        for name in names:
            options = page.locator(f"#survey-form input[type=radio][name='{name}']:not([disabled])")
            options.nth(options.count() // 2).check()
        button = page.get_by_role("button", name=re.compile("^(Далее|Отправить ответы)$"))
        last = button.inner_text().strip() == "Отправить ответы"
        button.click()
        if last:
            return pages
        assert pages < 20, "the questionnaire did not end"


def test_a_sample_answers_through_personal_links(journey, sql, tmp_path):
    j = journey("survey-campaign-1440", DESKTOP)
    page = j.page
    j.login("analyst")
    page.locator("nav").get_by_role("button", name="Опросы").click()
    page.locator(".dropdown-menu.show").get_by_role("link", name="Опросы").click()
    page.get_by_role("link", name=re.compile("Новый опрос")).click()

    today = dt.date.today()
    page.get_by_label("Название опроса").fill(TITLE)
    edition = page.get_by_label("Анкета (редакция)")
    edition.select_option(edition.locator("option", has_text="выгорания").first.get_attribute("value"))
    page.get_by_label("Период мониторинга").select_option(label=PERIOD)
    page.get_by_label("Начало опроса").fill(today.isoformat())
    page.get_by_label("Окончание опроса (включительно)").fill((today + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Кого опрашиваем").select_option("sample")
    page.get_by_label(re.compile("^Доля педагогов")).fill("0,1")
    page.get_by_label(re.compile("^Зерно выборки")).fill(str(SEED))
    j.shot("campaign-form")
    page.get_by_role("button", name="Сохранить опрос").click()
    page.wait_for_url(re.compile(r"/surveys/campaigns/\d+/$"))
    campaign_id = int(_id_from(page.url, r"/campaigns/(\d+)/"))
    expect(page.locator("#seed")).to_have_text(str(SEED))
    previewed = int(page.locator("#preview strong").inner_text())
    j.shot("campaign-draft")

    page.get_by_role("button", name="Начать опрос и создать приглашения").click()
    expect(page.get_by_role("alert").filter(has_text="Опрос начат")).to_be_visible()
    invited = sql("SELECT count(*) FROM deficits_invitation WHERE campaign_id = %s", campaign_id)[0]
    roster = sql(
        "SELECT count(DISTINCT r.teacher_id) FROM monitoring_rosterentry r JOIN monitoring_monitoringperiod p"
        " ON p.id = r.period_id WHERE p.year = %s",
        int(PERIOD.split()[1]),
    )[0]
    assert invited == previewed and 0.1 * roster <= invited <= 0.1 * roster + 10, (invited, previewed, roster)
    teachers = sql(
        "SELECT array_agg(teacher_id ORDER BY teacher_id) FROM deficits_invitation WHERE campaign_id = %s",
        campaign_id,
    )[0]
    # Reproducible: the same seed draws the same people again.
    assert teachers == _sample_again(tmp_path, campaign_id)
    j.shot("campaign-open")

    # The links of those who have not answered, as the institute hands them out.
    links = j.download(page.get_by_role("link", name=re.compile("Скачать ссылки")).click, tmp_path)
    rows = list(csv.DictReader(links.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) == invited
    link = rows[0]["Персональная ссылка"]
    path = re.sub(r"^https?://[^/]+", "", link)
    assert path.startswith("/surveys/a/"), link

    # The teacher, in a browser of their own without an account, on a phone.
    t = journey("survey-respondent-390", PHONE)
    phone = t.page
    phone.goto(path)
    phone.get_by_role("button", name="Начать").click()
    pages = _answer_every_page(phone)
    expect(phone.locator("main")).to_contain_text("Спасибо")
    t.shot("answered")
    assert pages >= 2
    assert sql("SELECT count(*) FROM deficits_invitation WHERE campaign_id = %s AND answered", campaign_id) == (1,)
    assert sql("SELECT count(*) FROM deficits_response WHERE campaign_id = %s", campaign_id) == (1,)
    # The same link again: no second answer, a thank-you.
    phone.goto(path)
    expect(phone.locator("main")).to_contain_text("Спасибо")

    # Coverage and reminders, back with the analyst.
    page.reload()
    expect(page.locator("main table").first).to_contain_text(str(invited))
    page.get_by_role("button", name="Напомнить тем, кто не ответил").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    reminded = sql(
        "SELECT count(*) FROM deficits_invitation WHERE campaign_id = %s AND reminders > 0", campaign_id
    )[0]
    answered_reminded = sql(
        "SELECT count(*) FROM deficits_invitation WHERE campaign_id = %s AND answered AND reminders > 0",
        campaign_id,
    )[0]
    assert answered_reminded == 0
    emails = sql(
        "SELECT count(*) FROM deficits_invitation i JOIN monitoring_user u ON u.teacher_id = i.teacher_id"
        " WHERE i.campaign_id = %s AND NOT i.answered AND u.email <> '' AND u.is_active",
        campaign_id,
    )[0]
    assert reminded == emails
    j.shot("reminded")

    page.get_by_role("link", name="Результаты опроса").click()
    expect(page.locator("#answered")).to_contain_text("1")
    j.shot("results")

    # The questionnaires' indicator on the dashboard: the demo's anonymous screening feeds it.
    page.goto("/indicators/АН.1/")
    expect(page.locator("main")).to_contain_text("Доля педагогов с высоким уровнем эмоционального выгорания")
    j.shot("indicator")
