"""Bad input at every door: query strings, forms, uploads and API bodies.

Each table below is one door and the hostile values it must survive: oversize values,
wrong types, Unicode edge cases (NUL, lone surrogates, RTL override, zero-width and
combining characters, emoji, look-alike letters), formula-looking text and path
traversal in file names. The rule at every door is the same: the answer is never a
server error, a refusal carries a Russian message, and a refusal stores nothing.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import models
from monitoring.intake import submissions
from reports.models import Letter, LetterItem, Measure
from tests import factories
from tests.api import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "on_commit_now")]

CYRILLIC = re.compile("[а-яА-ЯёЁ]")
FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)"]
# Text that a form must either keep exactly or refuse — never mangle into a server error.
UNICODE = [
    "\u202eтекст наоборот",  # RTL override
    "нул\u200bевой\u200d пробел\ufeff",  # zero-width characters
    "е\u0301\u0301\u0301",  # stacked combining marks
    "Учитель 👩‍🏫🎓",  # emoji, a ZWJ sequence
    "Мaрьинская СШ",  # a Latin "a" among Cyrillic letters
    "х" * 5000,  # very long
]
# What a query parameter may hold: words, signs, out-of-range and odd digits, huge and odd Unicode.
QUERY_VALUES = [
    "abc", "-1", "0", "999999", "9" * 40, "9" * 5000, "²", "١٢", "1e400", "nan", "1\x00", "\u202e2025",
    "x" * 5000, '=HYPERLINK("http://x","y")', "../../etc/passwd",
]  # fmt: skip
QUERY_PARAMS = [
    "period", "page", "page_size", "q", "municipality", "school", "status", "level", "breakdown", "chart",
    "only", "ordering", "year", "indicator", "direction", "kind", "teacher", "program", "low_results",
    "part_time", "category", "position", "org", "code", "result", "region",
]  # fmt: skip
PAGES = [
    "/", "/municipalities/", "/schools/", "/teachers/", "/periods/", "/imports/", "/diagnostics/",
    "/diagnostics/results/", "/routes/", "/programs/", "/programs/stats/", "/indicators/",
    "/indicators/directions/1/", "/letters/", "/letters/new/", "/measures/", "/measures/new/",
    "/measures/effect/", "/notices/", "/reports/annual/", "/reports/spravka/", "/api-tokens/", "/schools/000001/",
    "/municipalities/01/", "/teachers/T0000001/", "/attestation/",
]  # fmt: skip
API_LISTS = [
    "municipalities", "schools", "periods", "teachers", "staffing-rows", "import-jobs", "instruments",
    "diagnostics", "programs", "course-runs", "enrollments", "routes", "route-activities",
    "indicator-values", "computation-runs", "findings", "letters", "measures", "annual-reports",
]  # fmt: skip


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _data_counts() -> dict[str, int]:
    """The rows every door could write into."""
    return {
        "schools": models.School.objects.count(),
        "teachers": models.Teacher.objects.count(),
        "roster": models.RosterEntry.objects.count(),
        "staffing": models.StaffingRow.objects.count(),
        "tokens": models.ApiToken.objects.count(),
        "letters": Letter.objects.count(),
        "items": LetterItem.objects.count(),
        "measures": Measure.objects.count(),
    }


# --- query parameters of pages and API lists ---------------------------------------------


@pytest.mark.parametrize("value", QUERY_VALUES, ids=range(len(QUERY_VALUES)))
@pytest.mark.parametrize("who", ["analyst", "head_a", "teacher"])
def test_query_parameters_never_break_a_page(world, who, value):
    client = _client(world.people[who])
    broken = []
    for url in PAGES:
        for params in ({name: value for name in QUERY_PARAMS}, {"period": [value, "2025"], "page": [value, "1"]}):
            status = client.get(url, params).status_code
            if status >= 500:
                broken.append((url, status))
    assert not broken


@pytest.mark.parametrize("value", QUERY_VALUES, ids=range(len(QUERY_VALUES)))
def test_the_attestation_registers_filters_survey_every_value_and_say_what_they_refused(world, value):
    # The period valid, so every filter is tried (the test above stops most values at ?period=).
    models.Attestation.objects.create(
        period=world.period, teacher=world.teacher_a, category="первая", applied_on="2025-02-01"
    )
    client = _client(world.municipal)
    for name in ("q", "municipality", "school", "category", "result", "page"):
        response = client.get("/attestation/", {"period": "2025", name: value})
        if "\x00" in value:  # the middleware refuses a NUL in the address (400, in Russian) before any page
            assert response.status_code == 400
            continue
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        # What a filter refuses is said in Russian; the list stays the user's whole scope then.
        refused = "Часть условий отбора не применена" in html
        assert refused or "Петрова Анна Ивановна" in html or name in ("q", "school"), (name, value)


@pytest.mark.parametrize("value", QUERY_VALUES, ids=range(len(QUERY_VALUES)))
def test_query_parameters_never_break_an_api_list(world, value):
    client = token_client(world.analyst)
    broken = []
    for name in API_LISTS:
        for params in ({k: value for k in QUERY_PARAMS}, {"page": [value, "1"], "period": [value, "2025"]}):
            response = client.get(f"/api/v1/{name}/", params)
            if response.status_code >= 500:
                broken.append((name, response.status_code))
            elif response.status_code >= 400:
                # An API refusal is JSON with a Russian detail.
                assert CYRILLIC.search(response.json()["detail"]), (name, response.json())
    assert not broken


@pytest.mark.parametrize("raw", ["period=%ED%A0%80", "page=%ED%A0%80", "q=%FF%FE%00", "period=%00&page=%00"])
def test_undecodable_query_bytes_are_not_a_server_error(world, raw):
    client = _client(world.analyst)
    for url in ("/schools/", "/teachers/", "/indicators/", "/measures/", "/letters/", "/api/v1/schools/"):
        assert client.get(url, QUERY_STRING=raw).status_code < 500, url


@pytest.mark.parametrize("period", ["²", "١٢", "9" * 5000, "2025x", "-2025"])
def test_a_period_that_is_not_four_plain_digits_is_not_found(world, period):
    # «²».isdigit() is true but int() refuses it: it was a server error on every page taking ?period=.
    response = _client(world.analyst).get("/schools/", {"period": period})
    assert response.status_code == 404


@pytest.mark.parametrize("code", ["\x00", "x" * 3000, "../../etc/passwd", "%2e%2e", "\u202e000001", "=1+1"])
def test_odd_codes_in_page_addresses_are_not_found(world, code):
    client = _client(world.analyst)
    for prefix in ("/schools/", "/municipalities/", "/teachers/", "/programs/", "/indicators/"):
        assert client.get(prefix + code + "/").status_code == 404


# --- uploads: the data package and the head's staffing file -------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bomb() -> bytes:
    # 40 MB of one repeated byte deflates to ~40 KB: a ratio of ~1000, a zip bomb's signature.
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (40 * 1024 * 1024)})


BAD_FILES = {
    "empty": ("пакет.xlsx", b""),
    "xlsx-not-a-zip": ("пакет.xlsx", b"this is not a workbook at all " * 50),
    "html-named-xlsx": ("пакет.xlsx", b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>"),
    "png-named-xlsx": ("пакет.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 200),
    "old-xls-named-xlsx": ("пакет.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    "zip-bomb": ("пакет.xlsx", _bomb()),
    "zip-bomb-csv": ("пакет.zip", _zip({"Педагоги.csv": b"a" * (40 * 1024 * 1024)})),
    "truncated-zip": ("пакет.xlsx", _zip({"[Content_Types].xml": b"<Types/>" * 500})[:120]),
    "binary-csv": ("Педагоги.csv", b"\x00\x01\x02\xff\xfe" * 300),
    "exe": ("пакет.exe", b"MZ" + b"\0" * 100),
    "no-extension": ("пакет", b"PK\x03\x04"),
}


def _refusal(response) -> str:
    """The Russian words the user is shown: a form error on the page, or the refused job's problems."""
    if response.status_code == 200:
        return " ".join(" ".join(errors) for errors in response.context["form"].errors.values())
    job = models.ImportJob.objects.latest("pk")
    assert job.status == models.ImportStatus.REFUSED, (job.status, job.problems)
    return " ".join(p.get("message") or p.get("text") or "" for p in job.problems)


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_package_files_are_refused_in_russian_and_nothing_is_stored(world, case):
    name, content = BAD_FILES[case]
    before = _data_counts()
    response = _client(world.analyst).post(
        reverse("import-list"), {"period": world.period.pk, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code in (200, 302)
    assert CYRILLIC.search(_refusal(response))
    assert _data_counts() == before


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_staffing_files_are_refused_in_russian_and_nothing_is_stored(world, case):
    name, content = BAD_FILES[case]
    before = _data_counts()
    response = _client(world.head_a).post(
        reverse("staffing-upload", args=[world.school_a.code]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code in (200, 302)
    assert CYRILLIC.search(_refusal(response))
    assert _data_counts() == before
    assert not models.SchoolSubmission.objects.filter(status=models.SubmissionStatus.SUBMITTED).exists()


def test_oversize_upload_is_refused_before_it_is_kept(world, settings, monkeypatch):
    monkeypatch.setattr("monitoring.intake.forms.MAX_UPLOAD_BYTES", 1000)
    response = _client(world.analyst).post(
        reverse("import-list"), {"period": world.period.pk, "file": SimpleUploadedFile("пакет.xlsx", b"PK" * 1000)}
    )
    assert response.status_code == 200 and "слишком большой" in _refusal(response)
    assert not models.ImportJob.objects.exists()


TRAVERSAL_NAMES = [
    "../../etc/passwd.xlsx",
    "..\\..\\x.xlsx",
    "/etc/cron.d/x.xlsx",
    "C:\\Windows\\x.xlsx",
    "штат\x00.exe.xlsx",
    "\u202eslx.exe.xlsx",
    "ш" * 400 + ".xlsx",
    "=HYPERLINK(1).xlsx",
]


@pytest.mark.parametrize("name", TRAVERSAL_NAMES, ids=range(len(TRAVERSAL_NAMES)))
def test_file_names_never_choose_where_the_upload_is_kept(world, name):
    factories.StaffingRowFactory(period=world.period, school=world.school_a)  # a template that checks clean
    template = submissions.staffing_template(school=world.school_a, period=world.period).content
    response = _client(world.head_a).post(
        reverse("staffing-upload", args=[world.school_a.code]), {"file": SimpleUploadedFile(name, template)}
    )
    assert response.status_code == 302
    job = models.ImportJob.objects.get()
    # Kept under a generated name inside imports/, whatever the upload was called.
    assert re.fullmatch(r"imports/2025/[0-9a-f]{32}\.xlsx", job.file.name), job.file.name
    # The name shown in the history is a bare name: no folders, no NUL, at most 255 characters.
    assert "/" not in job.original_name and "\\" not in job.original_name and "\x00" not in job.original_name
    assert len(job.original_name) <= 255
    assert job.status == models.ImportStatus.CHECKED, job.problems


def test_api_upload_of_bad_files_is_refused_in_russian(world):
    client = token_client(world.analyst)
    before = _data_counts()
    for case, (name, content) in BAD_FILES.items():
        response = client.post(
            "/api/v1/import-jobs/", {"period": world.period.year, "file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code < 500, case
        body = response.json()
        text = body.get("detail", "") + " ".join(p.get("text", "") for p in body.get("problems", []) or [])
        assert CYRILLIC.search(text) or body.get("status") == "refused", (case, body)
    assert _data_counts() == before


# --- API bodies --------------------------------------------------------------------------

BODIES = [
    [],
    "строка",
    12,
    None,
    {"period": "abc", "file": "not a file", "text": ["list"], "kind": {"nested": True}},
    {"period": 10**40, "page": -1, "answers": "=HYPERLINK(1)"},
    {"text": "\x00", "title": "\x07", "comment": "x" * 100_000},
    {"answers": {"МЕТ-1": "abc", "МЕТ-2": 10**30, "МЕТ-3": None, "\x00": 1}},
]
API_WRITES = [
    "/api/v1/import-jobs/",
    "/api/v1/diagnostics/",
    "/api/v1/routes/",
    "/api/v1/route-activities/",
    "/api/v1/letters/",
    "/api/v1/measures/",
    "/api/v1/annual-reports/",
    "/api/v1/schools/",
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
@pytest.mark.parametrize("who", ["analyst", "teacher"])
def test_api_bodies_of_wrong_shape_are_refused_in_russian(world, who, body):
    client = token_client(world.people[who])
    before = _data_counts()
    for url in API_WRITES:
        response = client.post(url, body, format="json")
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code >= 400:
            assert CYRILLIC.search(response.json()["detail"]), (url, response.json())
    assert _data_counts() == before


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"[" * 5000, b'{"a": 1e999}'])
def test_malformed_json_is_a_russian_400(world, raw):
    client = token_client(world.analyst)
    response = client.post("/api/v1/import-jobs/", raw, content_type="application/json")
    assert response.status_code in (400, 415)
    assert CYRILLIC.search(response.json()["detail"])


def test_lone_surrogates_in_json_bodies_are_refused(world):
    # A JSON escape can carry a lone surrogate, which no text column can store.
    raw = b'{"text": "\\ud800", "title": "\\udfff", "comment": "\\ud800", "name": "\\ud800", "kind": "\\ud800"}'
    clients = [token_client(world.people[who]) for who in ("analyst", "teacher")]
    before = _data_counts()
    for client in clients:
        for url in API_WRITES:
            response = client.post(url, raw, content_type="application/json")
            assert response.status_code < 500, url
    assert _data_counts() == before


# --- the letter composer -----------------------------------------------------------------


@pytest.fixture
def draft(world):
    letter = factories.LetterFactory(period=world.period, municipality=world.m1)
    item = factories.LetterItemFactory(letter=letter)
    return letter, item


LETTER_FIELDS_BAD = [
    ("title", "Об итогах\x00мониторинга", "недопустимые символы"),
    ("title", "Об итогах\x07", "недопустимые символы"),
    ("title", "   ", "не может быть пустым"),
    ("addressee_line", "Р" * 501, "не более 500"),
    ("reply_to", "№" * 256, "не более 255"),
    ("protocol", "п" * 256, "не более 255"),
    ("introduction", "в" * 20_001, "не более 20000"),
]


@pytest.mark.parametrize(("field", "value", "message"), LETTER_FIELDS_BAD)
def test_letter_fields_bad_values_are_refused_and_nothing_changes(world, draft, field, value, message):
    letter, _ = draft
    before = Letter.objects.values().get(pk=letter.pk)
    response = _client(world.analyst).post(
        reverse("letter-edit", args=[letter.pk]), {field: value, "revision": letter.revision}, follow=True
    )
    assert response.status_code == 200
    assert message in _messages(response)
    assert Letter.objects.values().get(pk=letter.pk) == before


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("²", "целым числом"),
        ("abc", "целым числом"),
        ("9" * 40, "целым числом"),
        ("10001", "от 1 до 10000"),
        ("-1", "от 1"),
    ],
)
def test_letter_item_order_that_is_not_a_small_number_is_refused(world, draft, order, message):
    letter, item = draft
    response = _client(world.analyst).post(
        reverse("letter-edit", args=[letter.pk]),
        {f"item-{item.pk}-text": "Новый текст", f"item-{item.pk}-order": order, "revision": letter.revision},
        follow=True,
    )
    assert response.status_code == 200 and message in _messages(response)
    item.refresh_from_db()
    assert item.text == "Организовать повышение квалификации." and item.order == 1


@pytest.mark.parametrize("text", ["пункт\x00", "пункт\x1b[31m", "п" * 20_001])
def test_letter_item_texts_with_control_characters_or_oversize_are_refused(world, draft, text):
    letter, item = draft
    client = _client(world.analyst)
    response = client.post(
        reverse("letter-edit", args=[letter.pk]),
        {f"item-{item.pk}-text": text, "revision": letter.revision},
        follow=True,
    )
    assert response.status_code == 200 and "Текст пункта" in _messages(response)
    response = client.post(
        reverse("letter-edit", args=[letter.pk]),
        {"new-text": text, "new-kind": "recommendation", "new-addressee": "school_heads", "revision": letter.revision},
        follow=True,
    )
    assert "Текст пункта" in _messages(response)
    assert list(LetterItem.objects.values_list("pk", "text")) == [(item.pk, "Организовать повышение квалификации.")]


@pytest.mark.parametrize("text", UNICODE + FORMULAS, ids=range(len(UNICODE + FORMULAS)))
def test_letter_texts_keep_unicode_and_formula_looking_text_as_typed(world, draft, text):
    letter, item = draft
    response = _client(world.analyst).post(
        reverse("letter-edit", args=[letter.pk]),
        {"title": text, f"item-{item.pk}-text": text, "revision": letter.revision},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    item.refresh_from_db()
    assert letter.title == text.strip() and item.text == text.strip()


@pytest.mark.parametrize("bad", [{"kind": "=cmd"}, {"kind": "recommendation", "addressee": "\x00"}])
def test_letter_new_item_of_unknown_kind_or_addressee_is_refused(world, draft, bad):
    letter, _ = draft
    payload = {"new-text": "Текст", "new-kind": bad["kind"], "new-addressee": bad.get("addressee", "")}
    payload["revision"] = letter.revision  # the version the editor was opened on
    response = _client(world.analyst).post(reverse("letter-edit", args=[letter.pk]), payload, follow=True)
    assert CYRILLIC.search(_messages(response))
    assert LetterItem.objects.count() == 1


# --- measures ----------------------------------------------------------------------------


def _measure_post(world, **override):
    from indicators.engine import ensure_indicators

    indicator = next(iter(ensure_indicators().values()))
    data = {
        "period": world.period.pk,
        "text": "Курсы для учителей математики",
        "indicator": indicator.pk,
        "level": "school",
        "org_code": world.school_a.code,
        "target": "50",
        "responsible": "Иванов И. И.",
        "due": "2026-06-01",
    }
    data.update(override)
    return data


MEASURE_BAD = [
    {"period": "abc"},
    {"period": "9" * 40},
    {"indicator": "\x00"},
    {"level": "=cmd"},
    {"target": "1e400"},
    {"target": "nan"},
    {"target": "Infinity"},
    {"target": "9" * 40},
    {"due": "99999-01-01"},
    {"due": "2026-02-30"},
    {"due": "\u202e2026-06-01"},
    {"text": "мера\x00"},
    {"text": ""},
    {"responsible": "р" * 256},
    {"org_code": "../../x"},
    {"org_code": "0" * 21},
    # Reported: a due date of 0001-01-01 and a negative target were stored.
    {"due": "0001-01-01"},
    {"due": "2999-01-01"},
    {"target": "-5"},
]


@pytest.mark.parametrize("override", MEASURE_BAD, ids=range(len(MEASURE_BAD)))
def test_measure_form_refuses_bad_values_in_russian(world, override):
    response = _client(world.analyst).post(reverse("measure-create"), _measure_post(world, **override))
    assert response.status_code == 200, response.status_code
    errors = " ".join(" ".join(e) for e in response.context["form"].errors.values()) + _messages(response)
    assert CYRILLIC.search(errors)
    assert not Measure.objects.exists()


# --- the API token form ------------------------------------------------------------------

TOKEN_BAD = [
    {"name": "система\x00"},
    {"name": "с" * 201},
    {"name": ""},
    {"role": "superuser"},
    {"role": "=cmd"},
    {"school": "../../000001"},
    {"school": "ЗЗЗ" * 10},
    {"teacher": "T" * 41},
    {"municipality": "abc"},
    {"municipality": "9" * 40},
]


@pytest.mark.parametrize("override", TOKEN_BAD, ids=range(len(TOKEN_BAD)))
def test_token_form_refuses_bad_values_and_issues_nothing(world, override):
    data = {"name": "ЕГИССО", "role": "analyst", **override}
    before = models.ApiToken.objects.count()
    response = _client(world.analyst).post(reverse("api-token-list"), data)
    assert response.status_code == 200
    errors = " ".join(" ".join(e) for e in response.context["form"].errors.values())
    assert CYRILLIC.search(errors), response.context["form"].errors
    assert models.ApiToken.objects.count() == before


@pytest.mark.parametrize("name", UNICODE[:-1] + FORMULAS, ids=range(len(UNICODE) - 1 + len(FORMULAS)))
def test_token_names_keep_unicode_and_formula_text_as_typed(world, name):
    response = _client(world.analyst).post(reverse("api-token-list"), {"name": name, "role": "analyst"})
    assert response.status_code == 200
    assert models.ApiToken.objects.get().name == name.strip()


# --- route activities and the diagnostic questionnaire -----------------------------------

ACTIVITY_BAD = [
    {"kind": "=cmd"},
    {"kind": "course", "program": "../../x"},
    {"kind": "self", "title": "с\x00"},
    {"kind": "self", "title": "т" * 1001},
    {"kind": "self", "title": "Чтение", "due": "abc"},
    {"kind": "self", "title": "Чтение", "due": "99999-01-01"},
    {"kind": "self", "title": "Чтение", "group_code": "\u202eМЕТ"},
]


@pytest.mark.parametrize("override", ACTIVITY_BAD, ids=range(len(ACTIVITY_BAD)))
def test_route_activity_bad_values_are_refused_in_russian(world, override):
    from iom.models import RouteActivity, RouteStatus

    route = factories.RouteFactory(teacher=world.teacher_a, status=RouteStatus.DRAFT)
    before = RouteActivity.objects.count()
    data = {"due": "2025-10-01", **override}
    response = _client(world.teacher).post(reverse("activity-add", args=[route.pk]), data, follow=True)
    assert response.status_code == 200
    assert CYRILLIC.search(_messages(response))
    assert RouteActivity.objects.count() == before


DIAGNOSTIC_BAD = ["abc", "6", "-1", "9" * 40, "²", "\x00", "=1+1", ""]


@pytest.mark.parametrize("value", DIAGNOSTIC_BAD, ids=range(len(DIAGNOSTIC_BAD)))
def test_diagnostic_answers_out_of_the_scale_are_refused(world, value):
    from deficits.models import Diagnostic

    client = _client(world.teacher)
    client.post(reverse("diagnostic-start"), {"kind": "входная"})
    diagnostic = Diagnostic.objects.get()
    url = reverse("diagnostic-fill", args=[diagnostic.pk, 1])
    html = client.get(url).content.decode()
    fields = sorted(set(re.findall(r'type="radio" name="([^"]+)"', html)))
    response = client.post(url, {**dict.fromkeys(fields, "4"), fields[0]: value, "action": "next"})
    assert response.status_code == 200  # the page again, with the statement marked
    assert "Выберите" in response.content.decode()
    diagnostic.refresh_from_db()
    assert fields[0] not in (diagnostic.answers or {}) or diagnostic.answers[fields[0]] in range(1, 6)


# --- formula-looking text written into spreadsheets --------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_staffing_template_holds_formula_looking_text_as_text(world, text):
    world.teacher_a.full_name = text
    world.teacher_a.save()
    factories.StaffingRowFactory(period=world.period, school=world.school_a, position=text)
    content = submissions.staffing_template(school=world.school_a, period=world.period).content
    book = load_workbook(io.BytesIO(content))
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value == text]
    assert len(cells) == 2 and {c.data_type for c in cells} == {"s"}


# --- addresses naming nothing: every pattern, every method (issue 14, item 11) ------------

ODD_KWARGS = {"int": [0, 999999, 2**31 - 1], "str": ["НЕТ-ТАКОГО", "0" * 20, "x"], "path": ["нет/такого"]}


def _odd_paths():
    from django.urls import NoReverseMatch

    from tests.test_access_matrix import url_patterns

    seen = set()
    for pattern in url_patterns():
        if pattern.is_admin or not pattern.name:
            continue
        names = re.findall(r"<(?:(\w+):)?(\w+)>", pattern.route)
        for i in range(3):
            kwargs = {}
            for converter, name in names:
                values = ODD_KWARGS.get(converter or "str", ODD_KWARGS["str"])
                kwargs[name] = values[i % len(values)]
            try:
                path = reverse(pattern.name, kwargs=kwargs)
            except NoReverseMatch:  # a converter that refuses the value: no such address
                continue
            if path not in seen:
                seen.add(path)
                yield pattern.name, path


@pytest.mark.parametrize("who", ["analyst", "head_a", "teacher"])
def test_an_address_naming_nothing_is_never_a_server_error(world, who):
    """Ids and codes that exist nowhere, in every URL pattern, by GET and by POST (empty and junk bodies)."""
    client = Client(raise_request_exception=False)
    client.force_login(world.people[who])
    failures = []
    for name, path in _odd_paths():
        if name in ("logout", "api-token-revoke"):
            continue
        for method, body in (("get", None), ("post", {}), ("post", {"direction": "up", "school": "000001"})):
            response = getattr(client, method)(path, body) if body is not None else client.get(path)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_moving_an_item_that_is_not_in_the_letter_is_not_found(world):
    letter = factories.LetterFactory(period=world.period, municipality=world.m1, author=world.analyst)
    item = factories.LetterItemFactory(letter=letter)
    client = Client(raise_request_exception=False)
    client.force_login(world.analyst)
    response = client.post(f"/letters/{letter.pk}/items/999999/move/", {"direction": "up"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert LetterItem.objects.filter(letter=letter).count() == 1
