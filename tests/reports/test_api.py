"""The reports' endpoints of /api/v1/: findings, letters and their PDF, measures, annual reports — per role."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from indicators.engine import compute_period
from indicators.models import ComputationRun, Indicator, Level
from indicators.services import run_begin, run_finish
from monitoring.models import Role
from reports import letters
from reports.measures import measure_create
from reports.models import AnnualReport, Finding, Letter, ReportStatus
from tests import factories
from tests.api import assert_constant_queries, rows, token_client
from tests.reports.test_measures import put

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PEOPLE = ["analyst", "ministry", "municipal", "head_a", "head_b", "teacher"]
STAFF = PEOPLE[:-1]


@pytest.fixture
def reported(world):
    # 9.1 (filled positions, threshold 95 %, higher is better): A 60 %, B 80 %, C 100 %; M1 80 %, M2 80 %.
    factories.StaffingRowFactory(period=world.period, school=world.school_a, vacant_positions=4)
    factories.StaffingRowFactory(period=world.period, school=world.school_b, vacant_positions=2)
    factories.StaffingRowFactory(period=world.period, school=world.school_c, vacant_positions=0)
    compute_period(period=world.period, directions=[9])
    run = ComputationRun.objects.create(period=world.period)
    run_begin(run_id=run.pk, steps=0)
    run_finish(run_id=run.pk)  # the hook recomputes the findings
    return world


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] and any("а" <= ch <= "я" for ch in body["detail"].lower()), body  # a Russian message
    return body


# -- findings ------------------------------------------------------------------------

FINDINGS = {
    "analyst": {("school", "000001"), ("school", "000002"), ("municipality", "01"), ("municipality", "02")},
    "ministry": {("school", "000001"), ("school", "000002"), ("municipality", "01"), ("municipality", "02")},
    "municipal": {("school", "000001"), ("municipality", "01")},
    "head_a": {("school", "000001")},
    "head_b": {("school", "000002")},
}


@pytest.mark.parametrize("person", PEOPLE)
def test_each_role_reads_the_findings_of_its_scope(reported, person):
    client = token_client(reported.people[person])
    response = client.get("/api/v1/findings/", {"indicator": "9.1"})
    mine = Finding.objects.filter(indicator__code="9.1", org_code="000001").get()
    if person == "teacher":  # staff data, as the dashboards that show findings
        _error(response, 403)
        assert client.get(f"/api/v1/findings/{mine.pk}/").status_code == 403
        return
    got = rows(response)
    assert {(r["level"], r["org"]) for r in got} == FINDINGS[person]
    everything = rows(client.get("/api/v1/findings/", {"page_size": 500}))
    assert {(r["level"], r["org"]) for r in everything} == FINDINGS[person]  # 9.11 misses at the same units
    assert {r["indicator"] for r in everything} == {"9.1", "9.11"}
    if ("school", "000001") in FINDINGS[person]:
        one = client.get(f"/api/v1/findings/{mine.pk}/").json()
        assert (one["period"], one["direction"], one["org_name"], one["municipality"]) == (
            2025,
            9,
            "МКОУ «Алексеевская СШ»",
            "01",
        )
        assert Decimal(one["value"]) == Decimal(60) and Decimal(one["threshold"]) == Decimal(95)
        assert one["higher_is_better"] is True
    else:
        assert client.get(f"/api/v1/findings/{mine.pk}/").status_code == 404


def test_findings_filter_like_the_indicator_values(reported):
    client = token_client(reported.analyst)
    schools = rows(client.get("/api/v1/findings/", {"indicator": "9.1", "level": "school"}))
    assert [r["org"] for r in schools] == ["000001", "000002"]
    assert {r["org"] for r in rows(client.get("/api/v1/findings/", {"municipality": "02"}))} == {"000002", "02"}
    assert {r["indicator"] for r in rows(client.get("/api/v1/findings/", {"org": "01"}))} == {"9.1", "9.11"}
    assert rows(client.get("/api/v1/findings/", {"direction": 1})) == []
    assert rows(client.get("/api/v1/findings/", {"period": 2024})) == []


# -- letters -------------------------------------------------------------------------


@pytest.fixture
def four(reported):
    """An institute draft and an issued letter to M1's school heads, an issued one to every municipal
    authority of the region, and M1's own authority's draft."""
    w = reported
    institute = factories.institute_issuer()

    def propose(addressee, municipality, user=w.analyst, issuer=institute):
        return letters.letter_propose(
            period=w.period, issuer=issuer, addressee=addressee, municipality=municipality, user=user
        )

    def issue(letter):
        letters.letter_approve(
            letter=letter, revision=letter.revision, user=factories.UserFactory(username="director", role=Role.ANALYST)
        )
        return letters.letter_issue(letter=letter, user=w.analyst, today=dt.date(2026, 3, 2))

    draft_m1 = propose("school_heads", w.m1)
    issued_m1 = issue(propose("school_heads", w.m1))
    issued_region = issue(propose("municipal", None))
    municipal_draft = propose(
        "school_heads", w.m1, user=w.municipal, issuer=letters.municipal_issuer(municipality=w.m1)
    )
    return w, {"draft_m1": draft_m1, "issued_m1": issued_m1, "issued_region": issued_region,
               "municipal_draft": municipal_draft}  # fmt: skip


LETTERS = {
    # As the letters page: drafts only on their author's side, issued letters for their addressees in scope.
    "analyst": {"draft_m1", "issued_m1", "issued_region", "municipal_draft"},
    "ministry": {"issued_m1", "issued_region"},
    "municipal": {"issued_m1", "issued_region", "municipal_draft"},
    "head_a": {"issued_m1", "issued_region"},
    "head_b": {"issued_region"},
}


def test_each_role_reads_the_letters_the_letters_page_shows(four):
    # One test for every person (issuing renders PDFs: a fixture per person would cost seconds each).
    world, made = four
    names = {letter.pk: name for name, letter in made.items()}
    for person in PEOPLE:
        client = token_client(world.people[person])
        response = client.get("/api/v1/letters/")
        if person == "teacher":
            _error(response, 403)
            _error(client.get(f"/api/v1/letters/{made['issued_region'].pk}/"), 403)
            _error(client.get(f"/api/v1/letters/{made['issued_region'].pk}/pdf/"), 403)
            continue
        assert {names[r["id"]] for r in rows(response)} == LETTERS[person], person
        for name, letter in made.items():
            detail = client.get(f"/api/v1/letters/{letter.pk}/")
            assert detail.status_code == (200 if name in LETTERS[person] else 404), (person, name)
            pdf = client.get(f"/api/v1/letters/{letter.pk}/pdf/")
            if name in LETTERS[person] and name.startswith("issued"):
                assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf", (person, name)
                assert pdf.content.startswith(b"%PDF")
            else:  # out of scope, or a draft: no stored PDF yet
                _error(pdf, 404)


def test_a_letters_metadata_and_its_stored_pdf(four):
    world, made = four
    issued = made["issued_m1"]
    client = token_client(world.head_a)
    body = client.get(f"/api/v1/letters/{issued.pk}/").json()
    assert (body["number"], body["issued_on"], body["status"], body["period"]) == ("1/26", "2026-03-02", "issued", 2025)
    assert (body["addressee"], body["addressees"], body["municipality"], body["document_kind"]) == (
        "school_heads",
        ["school_heads"],
        "01",
        "letter",
    )
    assert body["issuer_kind"] == "institute" and body["issuer"] == issued.issuer.name
    assert body["has_pdf"] is True and body["pdf_sha256"] == issued.pdf_sha256 and body["corrects"] is None
    items = [(i["kind"], i["addressee"], i["order"], i["text"]) for i in body["items"]]
    assert items == list(issued.items.order_by("kind", "addressee", "order").values_list(
        "kind", "addressee", "order", "text"
    ))  # fmt: skip
    assert {i["indicator"] for i in body["items"] if i["kind"] == "conclusion"} <= {"9.1", "9.11"}
    pdf = client.get(f"/api/v1/letters/{issued.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and 'attachment; filename="letter-' in pdf["Content-Disposition"]
    assert hashlib.sha256(pdf.content).hexdigest() == issued.pdf_sha256  # the file stored at issue, not a new one
    draft = client.get(f"/api/v1/letters/{made['draft_m1'].pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert _error(draft, 404)["code"] == "not_found"  # JSON, even to a client that asked for a PDF
    analyst = token_client(world.analyst)
    assert analyst.get(f"/api/v1/letters/{made['draft_m1'].pk}/").json()["has_pdf"] is False
    _error(analyst.get(f"/api/v1/letters/{made['draft_m1'].pk}/pdf/"), 404)


def test_a_pdf_changed_after_issue_is_refused(four):
    world, made = four
    issued = made["issued_m1"]
    with issued.pdf.open("wb") as f:
        f.write(b"%PDF-1.7 forged")
    body = _error(token_client(world.analyst).get(f"/api/v1/letters/{issued.pk}/pdf/"), 409)
    assert body == {
        "code": "tampered",
        "detail": "Файл письма изменен после регистрации: контрольная сумма не совпадает.",
    }


def test_letters_filter_by_status_addressee_and_municipality(four):
    world, made = four
    client = token_client(world.analyst)
    ids = lambda **params: {r["id"] for r in rows(client.get("/api/v1/letters/", params))}  # noqa: E731
    assert ids(status="issued") == {made["issued_m1"].pk, made["issued_region"].pk}
    assert ids(addressee="municipal") == {made["issued_region"].pk}
    assert ids(municipality="01", status="draft") == {made["draft_m1"].pk, made["municipal_draft"].pk}
    assert ids(number="1/26") == {made["issued_m1"].pk}


# -- measures ------------------------------------------------------------------------


@pytest.fixture
def decided(reported):
    w = reported

    def decide(level, org, user=w.analyst):
        return measure_create(
            period=w.period, user=user, text=f"Мера для {org}", responsible="Иванов И.И.", due=dt.date(2026, 3, 1),
            indicator_code="9.1", level=level, org_code=org, target=Decimal(95),
        )  # fmt: skip

    made = {
        "region": decide(Level.REGION, ""),
        "m1": decide(Level.MUNICIPALITY, "01", user=w.municipal),
        "a": decide(Level.SCHOOL, "000001"),
        "b": decide(Level.SCHOOL, "000002"),
    }
    return w, made


MEASURES = {
    "analyst": {"region", "m1", "a", "b"},
    "ministry": {"region", "m1", "a", "b"},
    "municipal": {"m1", "a"},
    "head_a": {"a"},
    "head_b": {"b"},
}


@pytest.mark.parametrize("person", PEOPLE)
def test_each_role_reads_the_measures_of_its_scope(decided, person):
    world, made = decided
    names = {m.pk: name for name, m in made.items()}
    client = token_client(world.people[person])
    response = client.get("/api/v1/measures/")
    if person == "teacher":
        _error(response, 403)
        return
    assert {names[r["id"]] for r in rows(response)} == MEASURES[person]
    for name, measure in made.items():
        assert client.get(f"/api/v1/measures/{measure.pk}/").status_code == (200 if name in MEASURES[person] else 404)


def test_a_measure_is_judged_by_the_next_periods_value(decided):
    world, made = decided
    nxt = factories.PeriodFactory(year=2026)
    put(nxt, "9.1", world.school_a, Decimal(100))
    client = token_client(world.analyst)
    body = client.get(f"/api/v1/measures/{made['a'].pk}/").json()
    assert (body["org"], body["org_name"], body["municipality"], body["indicator"], body["level"]) == (
        "000001",
        "МКОУ «Алексеевская СШ»",
        "01",
        "9.1",
        "school",
    )
    assert Decimal(body["baseline"]) == Decimal(60) and Decimal(body["target"]) == Decimal(95)
    assert (body["next_year"], Decimal(body["next_value"]), body["effect"]) == (2026, Decimal(100), "achieved")
    listed = {r["id"]: r for r in rows(client.get("/api/v1/measures/", {"period": 2025}))}
    assert listed[made["a"].pk]["effect"] == "achieved"
    assert listed[made["b"].pk]["effect"] is None and listed[made["b"].pk]["next_value"] is None  # no 2026 value
    assert listed[made["region"].pk]["org"] == "34" and listed[made["region"].pk]["municipality"] is None
    assert {r["id"] for r in rows(client.get("/api/v1/measures/", {"municipality": "01"}))} == {
        made["m1"].pk,
        made["a"].pk,
    }


# -- annual reports ------------------------------------------------------------------


@pytest.fixture
def annual(world):
    done = AnnualReport.objects.create(
        period=world.period, user=world.analyst, status=ReportStatus.DONE, progress=100, pages=12
    )
    done.pdf.save("annual.pdf", ContentFile(b"%PDF-1.7 annual"), save=False)
    done.xlsx.save("annual.xlsx", ContentFile(b"PK\x03\x04 tables"), save=False)
    done.save()
    queued = AnnualReport.objects.create(period=world.period, user=world.ministry)
    return world, done, queued


@pytest.mark.parametrize("person", PEOPLE)
def test_annual_reports_are_read_by_institute_and_ministry_only(annual, person):
    world, done, queued = annual
    client = token_client(world.people[person])
    response = client.get("/api/v1/annual-reports/")
    if person == "municipal":  # reads their municipality's справки (below), not the region's report
        assert rows(response) == []
        _error(client.get(f"/api/v1/annual-reports/{done.pk}/pdf/"), 404)
        return
    if person not in ("analyst", "ministry"):  # as the report's page: the region's document
        _error(response, 403)
        _error(client.get(f"/api/v1/annual-reports/{done.pk}/pdf/"), 403)
        return
    listed = rows(response)
    assert [r["id"] for r in listed] == [queued.pk, done.pk]
    assert [listed[1][key] for key in ("status", "pages", "has_pdf", "has_xlsx")] == ["done", 12, True, True]
    assert (listed[0]["status"], listed[0]["has_pdf"], listed[0]["user"]) == ("queued", False, "ministry")
    pdf = client.get(f"/api/v1/annual-reports/{done.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == b"%PDF-1.7 annual"
    xlsx = client.get(f"/api/v1/annual-reports/{done.pk}/xlsx/")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert b"".join(xlsx.streaming_content) == b"PK\x03\x04 tables"
    _error(client.get(f"/api/v1/annual-reports/{queued.pk}/pdf/"), 404)  # not built yet


@pytest.fixture
def spravki(annual):
    world, done, queued = annual
    made = {}
    for municipality in (world.m1, world.m2):
        report = AnnualReport.objects.create(
            period=world.period, user=world.analyst, municipality=municipality, preliminary=True,
            status=ReportStatus.DONE, progress=100, pages=14,
        )  # fmt: skip
        report.pdf.save("spravka.pdf", ContentFile(b"%PDF-1.7 " + municipality.code.encode()), save=False)
        report.xlsx.save("spravka.xlsx", ContentFile(b"PK\x03\x04 " + municipality.code.encode()), save=False)
        report.save()
        made[municipality.code] = report
    return world, done, queued, made


@pytest.mark.parametrize("person", PEOPLE)
def test_a_municipalitys_spravka_is_read_by_its_officials_and_the_region_wide_roles(spravki, person):
    world, done, queued, made = spravki
    client = token_client(world.people[person])
    response = client.get("/api/v1/annual-reports/", {"region": "false"})
    if person in ("head_a", "head_b", "teacher"):
        _error(response, 403)
        _error(client.get(f"/api/v1/annual-reports/{made['01'].pk}/pdf/"), 403)
        return
    listed = rows(response)
    mine = ["02", "01"] if person != "municipal" else ["01"]
    assert [r["municipality"] for r in listed] == mine
    assert all(r["preliminary"] is True and r["has_pdf"] for r in listed)
    pdf = client.get(f"/api/v1/annual-reports/{made['01'].pk}/pdf/")
    assert b"".join(pdf.streaming_content) == b"%PDF-1.7 01"
    assert "filename*=utf-8''%D0%A1%D0%BF%D1%80%D0%B0%D0%B2%D0%BA%D0%B0" in pdf["Content-Disposition"]  # «Справка»
    if person == "municipal":
        # Another municipality's справка: neither listed, nor read, nor downloaded.
        assert rows(client.get("/api/v1/annual-reports/", {"municipality": "02"})) == []
        _error(client.get(f"/api/v1/annual-reports/{made['02'].pk}/"), 404)
        _error(client.get(f"/api/v1/annual-reports/{made['02'].pk}/pdf/"), 404)
        _error(client.get(f"/api/v1/annual-reports/{made['02'].pk}/xlsx/"), 404)
    else:
        only = rows(client.get("/api/v1/annual-reports/", {"municipality": "02"}))
        assert [r["id"] for r in only] == [made["02"].pk]
        region = rows(client.get("/api/v1/annual-reports/", {"region": "true"}))
        assert {r["id"] for r in region} == {done.pk, queued.pk}
        assert all(r["municipality"] is None for r in region)


# -- errors and query counts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        ("/api/v1/findings/", {"level": "планета"}, 400),
        ("/api/v1/findings/", {"period": "abc"}, 400),
        ("/api/v1/letters/", {"status": "sent"}, 400),
        ("/api/v1/measures/", {"direction": "x"}, 400),
        ("/api/v1/annual-reports/", {"status": "x"}, 400),
        ("/api/v1/findings/abc/", {}, 404),
        ("/api/v1/letters/0/pdf/", {}, 404),
        ("/api/v1/letters/x/pdf/", {"format": "pdf"}, 404),
        ("/api/v1/annual-reports/999/xlsx/", {}, 404),
        ("/api/v1/measures/", {"page": 5}, 404),
    ],
)
def test_bad_requests_are_json_errors_in_russian(world, url, params, status):
    _error(token_client(world.analyst).get(url, params), status)


@pytest.mark.parametrize("url", ["/api/v1/findings/", "/api/v1/letters/", "/api/v1/measures/"])
def test_the_resources_are_read_only(world, url):
    response = token_client(world.analyst).post(url, {"title": "Подмена"}, format="json")
    assert _error(response, 405)["code"] == "method_not_allowed"


def test_list_queries_do_not_grow_with_the_page(four, django_assert_max_num_queries):
    world, made = four
    client = token_client(world.analyst)
    indicator = Indicator.objects.get(code="1.2")

    def more_findings():
        for n in range(6):
            school = factories.SchoolFactory(municipality=world.m2, code=f"0009{n:02d}")
            Finding.objects.create(
                period=world.period, indicator=indicator, level="school", org_code=school.code, org_name=school.name,
                school=school, municipality=world.m2, value=Decimal(10), threshold=Decimal(50),
            )  # fmt: skip

    def more_letters():
        for _ in range(4):
            letters.letter_propose(
                period=world.period, issuer=made["draft_m1"].issuer, addressee=["school_heads", "municipal"],
                municipality=world.m2, user=world.analyst,
            )  # fmt: skip

    def more_measures():
        for code in ("000001", "000002", "000003"):
            measure_create(
                period=world.period, user=world.analyst, text="Мера", responsible="Иванов И.И.",
                due=dt.date(2026, 3, 1), indicator_code="9.11", level=Level.SCHOOL, org_code=code, target=Decimal(5),
            )  # fmt: skip

    def more_reports():
        for _ in range(4):
            AnnualReport.objects.create(period=world.period, user=world.analyst)

    # A school's and a municipality's measure to start with: the judgement reads each kind's names
    # with one query (and none for a kind the page lacks).
    for level, org in ((Level.MUNICIPALITY, "02"), (Level.SCHOOL, "000003")):
        measure_create(
            period=world.period, user=world.analyst, text="Мера", responsible="Иванов И.И.", due=dt.date(2026, 3, 1),
            indicator_code="9.1", level=level, org_code=org, target=Decimal(95),
        )  # fmt: skip
    AnnualReport.objects.create(period=world.period, user=world.ministry)
    assert_constant_queries(client, "/api/v1/findings/", more_findings)
    assert_constant_queries(client, "/api/v1/letters/", more_letters)
    assert_constant_queries(client, "/api/v1/measures/", more_measures)
    assert_constant_queries(client, "/api/v1/annual-reports/", more_reports)
    limits = {
        "/api/v1/findings/": 4,  # the token (two), count, page (indicator, period, municipality joined)
        "/api/v1/letters/": 5,  # the token (two), count, page, its items
        # the token (two), count, page, then the judgement: periods, settings, school and municipality
        # names, the next period (its values when there is one)
        "/api/v1/measures/": 9,
        "/api/v1/annual-reports/": 4,
    }
    for url, limit in limits.items():
        with django_assert_max_num_queries(limit):
            rows(client.get(url))


def test_a_letter_in_the_api_says_which_meeting_adopted_it(client, world):
    meeting = factories.MeetingFactory(number="4", date=dt.date(2026, 2, 14))
    letter = factories.LetterFactory(period=world.period, municipality=world.m1, author=world.analyst)
    Letter.objects.filter(pk=letter.pk).update(meeting=meeting)
    client.force_login(world.analyst)
    body = client.get(f"/api/v1/letters/{letter.pk}/").json()
    assert body["adoption"] == (
        "Рекомендации рассмотрены и одобрены на заседании научно-методического совета (протокол № 4 от 14.02.2026)."
    )


def test_measures_in_the_api_say_who_decided_and_filter_by_it(client, world):
    factories.MeasureFactory(period=world.period, school=world.school_a, text="Мера института")
    factories.MeasureFactory(
        period=world.period, school=world.school_a, text="Решение министерства", decided_by="ministry", act="Приказ № 1"
    )
    client.force_login(world.ministry)
    found = client.get("/api/v1/measures/?decided_by=ministry").json()["results"]
    assert [(m["text"], m["decided_by"], m["act"]) for m in found] == [
        ("Решение министерства", "ministry", "Приказ № 1")
    ]
    assert client.get("/api/v1/measures/?decided_by=nobody").status_code == 400
