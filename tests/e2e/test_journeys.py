"""Four people's journeys through the portal in a real browser, end to end (see conftest.py for the stack).

Each journey clicks what a person clicks, waits for what the Celery worker does, saves
screenshots of its key pages and checks the outcome in the database, not only on the page.
"""

from __future__ import annotations

import hashlib
import re

import openpyxl
import pytest

pytestmark = pytest.mark.e2e

YEAR = "2025"  # the demo's open period (monitoring.demo: last year, still collecting)
PERIOD = f"Мониторинг {YEAR} года"  # how a period is named in the forms
WORKER = 120_000  # ms: what a Celery worker does on the small demo takes seconds; slack for a busy machine


def expect(*args, **kwargs):
    # Imported on use: playwright comes with `make e2e` only (the optional extra `e2e`), and
    # `make test` must still collect this module, to deselect it, without it.
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


def _id_from(url: str, pattern: str) -> str:
    match = re.search(pattern, url)
    assert match, f"{pattern} not in {url}"
    return match.group(1)


def _menu(page, menu: str, item: str) -> None:
    page.locator("nav").get_by_role("button", name=menu).click()
    page.locator(".dropdown-menu.show").get_by_role("link", name=item).click()


def _cell(path, sheet: str, column: str, row_matches) -> tuple[int, int]:
    """(row, column) of the cell under ``column`` in the first data row that row_matches(values) accepts."""
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    col = header.index(column) + 1
    for row in ws.iter_rows(min_row=2):
        if row_matches(dict(zip(header, (c.value for c in row), strict=False))):
            return row[0].row, col
    raise AssertionError(f"no matching row on sheet {sheet}")


def _edited(path, target, sheet: str, cell: tuple[int, int], value) -> None:
    wb = openpyxl.load_workbook(path)
    wb[sheet].cell(row=cell[0], column=cell[1], value=value)
    wb.save(target)


def test_analyst_imports_computes_and_issues_a_letter(journey, sql, tmp_path):
    j = journey("1-analyst")
    page = j.page
    j.login("analyst")

    # The data package: the period exported by a worker, one value changed, imported back.
    _menu(page, "Данные", "Загрузки")
    export = page.locator("form[action$='/exports/']")
    export.locator("select[name=period]").select_option(label=PERIOD)
    export.locator("select[name=format]").select_option("xlsx")
    export.get_by_role("button", name="Выгрузить").click()
    expect(page.get_by_role("alert").filter(has_text="Выгрузка запущена")).to_be_visible()
    download_link = page.get_by_role("link", name="скачать").first
    for _ in range(60):
        if download_link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    package = j.download(download_link.click, tmp_path)
    assert package.read_bytes()[:2] == b"PK", "the export is not an .xlsx workbook"

    cell = _cell(package, "Цифровая среда", "Профессиональное развитие", lambda r: r["Код ОО"] == "000002")
    before = openpyxl.load_workbook(package)["Цифровая среда"].cell(*cell).value
    changed = tmp_path / f"Пакет данных {YEAR} (уточненный).xlsx"
    _edited(package, changed, "Цифровая среда", cell, (int(before) + 1) % 5)

    upload = page.locator("form[enctype='multipart/form-data']")
    upload.locator("select[name=period]").select_option(label=PERIOD)
    upload.locator("input[type=file]").set_input_files(changed)
    j.shot("import-form")
    upload.get_by_role("button", name="Проверить файл").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    job_id = _id_from(page.url, r"/imports/(\d+)/")
    expect(page.locator("#import-status")).to_contain_text("Файл проверен, ошибок нет", timeout=WORKER)
    # The preview names the row and the field that change, before → after (issue 16, item 4).
    sheet = page.locator("#import-status .import-sheet", has_text="Цифровая среда")
    expect(sheet).to_contain_text("Изменить: 1")
    expect(sheet.locator("li")).to_contain_text(f"Профессиональное развитие: {before} → {(int(before) + 1) % 5}")
    j.shot("import-checked")
    page.get_by_role("button", name="Подтвердить загрузку").click()
    expect(page.locator("#import-status")).to_contain_text("Данные загружены", timeout=WORKER)
    j.shot("import-applied")
    assert sql("SELECT status FROM monitoring_importjob WHERE id = %s", job_id) == ("applied",)
    assert sql(
        "SELECT d.professional_development FROM monitoring_digitalenvironmentscore d"
        " JOIN monitoring_school s ON s.id = d.school_id JOIN monitoring_monitoringperiod p ON p.id = d.period_id"
        " WHERE s.code = '000002' AND p.year = %s",
        int(YEAR),
    ) == ((int(before) + 1) % 5,)

    # The computation, watched on the dashboard until the worker is done.
    _menu(page, "Показатели", "Показатели по направлениям")  # the institute's drop-down (with the builder)
    page.get_by_role("button", name="Рассчитать показатели").click()
    started = page.get_by_role("alert").filter(has_text="Расчет показателей за")
    expect(started).to_be_visible()
    run_id = int(re.search(r"№(\d+)", started.inner_text()).group(1))
    status = page.locator("#run-status")
    expect(status).to_contain_text(f"№{run_id}")
    j.shot("computation-queued")
    # The page polls the run: its progress bar while the worker computes (the small demo may finish
    # between two polls), then the result.
    expect(status).to_contain_text(re.compile("выполняется|Показатели рассчитаны"), timeout=WORKER)
    if "выполняется" in status.inner_text():
        j.shot("computation-running")
    expect(status).to_contain_text("Показатели рассчитаны", timeout=WORKER)
    assert sql("SELECT status, steps_done = steps_total FROM indicators_computationrun WHERE id = %s", run_id) == (
        "done",
        True,
    )
    j.shot("dashboard")
    # Arrow keys browse the period selector without leaving the page (issue 16, item 13); Enter applies.
    selector = page.locator("select[name=period][data-autosubmit]")
    shown = page.url
    before = selector.input_value()
    selector.focus()
    page.keyboard.press("ArrowDown")
    if selector.input_value() == before:
        page.keyboard.press("ArrowUp")
    chosen = selector.input_value()
    page.wait_for_timeout(700)
    assert chosen != before and page.url == shown, (before, chosen, page.url)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"period={chosen}" in page.url
    page.get_by_role("link", name=re.compile(r"^1\. ")).click()
    expect(page.locator("canvas").first).to_be_visible()
    j.shot("direction-1")

    # The letter: composed from the findings, edited, approved, issued, downloaded.
    _menu(page, "Рекомендации", "Письма с адресными рекомендациями")
    page.get_by_role("link", name="Составить письмо").click()
    # The analyst writes for one body only: the form has it chosen already, with nothing else to pick.
    issuer = page.get_by_label("От кого (бланк)")
    expect(issuer.locator("option")).to_have_count(1)
    expect(issuer.locator("option:checked")).to_contain_text("Волгоградская государственная академия")
    page.get_by_label("Органам местного самоуправления").check()
    page.get_by_label("Муниципалитет").select_option(label="город-герой Волгоград")
    j.shot("letter-new")
    page.get_by_role("button", name="Составить проект").click()
    page.wait_for_url(re.compile(r"/letters/\d+/edit/$"))
    letter_id = _id_from(page.url, r"/letters/(\d+)/")
    expect(page.get_by_role("alert").filter(has_text="Проект письма составлен")).to_be_visible()
    page.locator("select[name=new-kind]").select_option("recommendation")
    page.locator("select[name=new-addressee]").select_option("municipal")
    added = "Организовать стажировки молодых педагогов на базе школ с устойчиво высокими результатами."
    page.locator("textarea[name=new-text]").fill(added)
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("alert").filter(has_text="Изменения сохранены")).to_be_visible()
    j.shot("letter-edit")
    # The texts went back as the browser sends them (CRLF) and were kept as they were (LF).
    assert sql(
        "SELECT count(*) FROM reports_letter WHERE id = %s AND introduction LIKE '%%' || chr(10) || '%%'"
        " AND strpos(introduction || title || closing, chr(13)) = 0",
        letter_id,
    ) == (1,)
    page.get_by_role("link", name="Просмотр").click()
    expect(page.locator("main")).to_contain_text(added)
    # Four eyes: the author does not approve her own letter; the institute's signatory does.
    expect(page.get_by_role("button", name="Согласовать (подписант)")).to_have_count(0)
    expect(page.locator("#approve-refusal")).to_contain_text("Автор письма не может согласовать")
    j.logout()
    j.login("director")
    page.goto(f"/letters/{letter_id}/")
    page.get_by_role("button", name="Согласовать (подписант)").click()
    expect(page.locator("#letter-status")).to_contain_text("Согласовано подписантом")
    page.get_by_role("button", name="Зарегистрировать и отправить").click()
    expect(page.locator("#letter-status")).to_contain_text("Зарегистрировано и отправлено")
    # Each irreversible step asked first, naming its consequence.
    approve, issue = j.asked[-2:]
    assert approve.startswith("Согласовать письмо как подписант (Ректор")
    assert issue.startswith("Зарегистрировать и отправить письмо?") and "Отменить это нельзя" in issue
    assert re.search(r"будет отправлено \d+ адресат", issue) and "город-герой Волгоград" in issue
    assert sql("SELECT approved_by_id <> author_id FROM reports_letter WHERE id = %s", letter_id) == (True,)
    j.shot("letter-issued")
    pdf = j.download(page.get_by_role("link", name="Скачать PDF").click, tmp_path)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    shown_hash = page.locator("#letter-status code").inner_text().strip()
    assert hashlib.sha256(content).hexdigest() == shown_hash
    status, number, stored_hash = sql("SELECT status, number, pdf_sha256 FROM reports_letter WHERE id = %s", letter_id)
    assert (status, stored_hash) == ("issued", shown_hash)
    assert number and number in page.locator("main p.text-muted").first.inner_text()


def test_school_head_corrects_and_submits_staffing(journey, sql, tmp_path):
    j = journey("2-head")
    page = j.page
    j.login("head")
    page.locator("main a[href^='/schools/']").first.click()  # «Ваша организация»
    page.wait_for_url(re.compile(r"/schools/\w+/$"))
    code = _id_from(page.url, r"/schools/(\w+)/")
    expect(page.locator(".alert").first).to_contain_text("Черновик")
    j.shot("school-before")

    template = j.download(page.get_by_role("link", name="Скачать шаблон").click, tmp_path)
    # A typo in a birth date: 31 February.
    cell = _cell(template, "Педагоги", "Дата рождения", lambda r: r["Код ОО"] == code and r["Дата рождения"])
    good = openpyxl.load_workbook(template)["Педагоги"].cell(*cell).value
    wrong = tmp_path / "Штатное расписание (с ошибкой).xlsx"
    _edited(template, wrong, "Педагоги", cell, "31.02.1985")

    page.get_by_role("link", name="Загрузить штатное расписание").click()
    page.locator("input[type=file]").set_input_files(wrong)
    page.get_by_role("button", name="Проверить файл").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    refused_id = _id_from(page.url, r"/imports/(\d+)/")
    expect(page.locator("#import-status")).to_contain_text("Файл не загружен: найдено ошибок — 1", timeout=WORKER)
    problem = page.locator("#import-problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("Педагоги")
    expect(problem.locator("td").nth(2)).to_have_text("Дата рождения")
    expect(problem.locator("td").nth(3)).to_have_text("31.02.1985")
    message = problem.locator("td").nth(4).inner_text()
    assert re.search(r"[а-яё]{4,}", message), f"the message is not in Russian: {message!r}"
    j.shot("upload-refused")
    assert sql("SELECT status FROM monitoring_importjob WHERE id = %s", refused_id) == ("refused",)

    fixed = tmp_path / "Штатное расписание (исправлено).xlsx"
    _edited(template, fixed, "Педагоги", cell, good)
    page.get_by_role("link", name="к странице организации").click()
    page.get_by_role("link", name="Загрузить штатное расписание").click()
    page.locator("input[type=file]").set_input_files(fixed)
    page.get_by_role("button", name="Проверить файл").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    job_id = _id_from(page.url, r"/imports/(\d+)/")
    expect(page.locator("#import-status")).to_contain_text("Файл проверен, ошибок нет", timeout=WORKER)
    j.shot("upload-checked")
    page.get_by_role("button", name="Подтвердить загрузку").click()
    expect(page.locator("#import-status")).to_contain_text("Данные загружены", timeout=WORKER)
    assert sql("SELECT status FROM monitoring_importjob WHERE id = %s", job_id) == ("applied",)

    page.get_by_role("link", name="к странице организации").click()
    expect(page.locator(".alert").first).to_contain_text("Представлено")
    j.shot("school-submitted")
    assert sql(
        "SELECT sub.status FROM monitoring_schoolsubmission sub JOIN monitoring_school s ON s.id = sub.school_id"
        " JOIN monitoring_monitoringperiod p ON p.id = sub.period_id WHERE s.code = %s AND p.year = %s",
        code,
        int(YEAR),
    ) == ("submitted",)


def _answer_page(page, *, low: bool) -> None:
    """Answer every statement of a questionnaire page: the lowest point of the scale, or the highest."""
    names = page.locator("input[type=radio]").evaluate_all("els => [...new Set(els.map(e => e.name))]")
    assert names, "no statements on the page"
    for name in names:
        options = page.locator(f"input[type=radio][name='{name}']")
        (options.first if low else options.last).check()


def test_teacher_builds_a_route_and_the_head_approves_it(journey, sql):
    teacher = journey("3a-teacher")
    page = teacher.page
    teacher.login("teacher")
    page.locator("nav").get_by_role("link", name="Диагностика дефицитов").click()
    page.get_by_role("button", name="Пройти диагностику").click()
    page.wait_for_url(re.compile(r"/diagnostics/\d+/page/1/$"))
    diagnostic_id = _id_from(page.url, r"/diagnostics/(\d+)/")
    number = 0
    while "/page/" in page.url:
        number += 1
        assert number <= 10, "the questionnaire does not end"
        # Low self-assessment in the first two competence groups: deficits to build a route on.
        _answer_page(page, low=number <= 2)
        if number == 1:
            teacher.shot("questionnaire")
        page.get_by_role("button", name=re.compile("^(Далее|Завершить диагностику)$")).click()
        page.wait_for_load_state()
    expect(page.get_by_role("alert").filter(has_text="Диагностика завершена")).to_be_visible()
    assert teacher.asked and teacher.asked[-1].startswith("Завершить диагностику?")
    expect(page.locator("main")).to_contain_text("Профессиональные дефициты выявлены в 2 из")
    teacher.shot("diagnostic-result")
    assert sql("SELECT status FROM deficits_diagnostic WHERE id = %s", diagnostic_id) == ("submitted",)

    page.get_by_role("link", name="Построить маршрут").click()
    expect(page.locator("section.proposals")).to_have_count(2)
    for section in page.locator("section.proposals").all():
        first = section.locator("input[type=checkbox]").first
        if not first.is_checked():
            first.check()
    teacher.shot("route-build")
    page.get_by_role("button", name="Составить маршрут").click()
    page.wait_for_url(re.compile(r"/routes/\d+/$"))
    route_id = _id_from(page.url, r"/routes/(\d+)/")
    expect(page.locator("#activities tbody tr")).not_to_have_count(0)
    page.get_by_role("button", name="Отправить руководителю на согласование").click()
    expect(page.locator("#route-status")).to_contain_text("На согласовании")
    teacher.shot("route-submitted")
    teacher.logout()

    head = journey("3b-head")
    page = head.page
    head.login("head")
    page.locator("nav").get_by_role("link", name="ИОМ").click()
    waiting = page.locator(".alert", has_text="Ожидают согласования")
    expect(waiting).to_be_visible()
    head.shot("routes-pending")
    waiting.locator(f"a[href$='/routes/{route_id}/']").click()
    # The deficits behind the route are shown beside the decision, which is one button.
    expect(page.locator("main")).to_contain_text("Дефициты")
    page.get_by_role("button", name="Согласовать маршрут").click()
    # Approved, the head is taken on to the next route waiting (or to the list when none is left).
    expect(page.get_by_role("alert").filter(has_text="согласован")).to_be_visible()
    head.shot("route-approved")
    assert sql("SELECT status, approved_by_id IS NOT NULL FROM iom_route WHERE id = %s", route_id) == (
        "approved",
        True,
    )


def test_ministry_downloads_the_annual_report(journey, sql, tmp_path):
    j = journey("4-ministry")
    page = j.page
    j.login("ministry")
    _menu(page, "Рекомендации", "Годовой отчет")
    page.locator("#report-period").select_option(YEAR)
    page.get_by_role("button", name="Сформировать отчет").click()
    started = page.get_by_role("alert").filter(has_text="поставлен на формирование")
    expect(started).to_be_visible()
    report_id = int(re.search(r"№(\d+)", started.inner_text()).group(1))
    row = page.locator(f"#report-{report_id}")
    j.shot("report-started")
    expect(row.get_by_role("link", name="PDF")).to_be_visible(timeout=WORKER)
    expect(row).to_contain_text("Готов")
    j.shot("report-ready")
    pdf = j.download(row.get_by_role("link", name="PDF").click, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.name == f"Годовой отчет {YEAR}.pdf"
    status, pages = sql("SELECT status, pages FROM reports_annualreport WHERE id = %s", report_id)
    assert status == "done" and pages > 1
    expect(row).to_contain_text(f"({pages} стр.)")
