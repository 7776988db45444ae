"""The access matrix: every URL pattern of the project against anonymous and each role.

Every pattern that ``django.urls.get_resolver()`` knows (pages, downloads, POST-only
doors, ``/api/v1/...`` and the admin site) must be classified here;
``test_every_url_pattern_is_classified`` fails on a new pattern until it is, and on a
classified one that no longer exists.

The people are the ``world`` fixture's (tests/conftest.py): analyst, ministry, municipal
(M1), head_a (school A in M1), head_b (school B in M2), teacher (teacher A of school A),
plus anonymous. The ``matrix`` fixture adds one object of each kind in scope A (school A,
teacher A, M1) and, where the kind has a scope, one in scope B (school B, teacher B, M2).

Non-admin doors (``DOORS``): URL name → probes. A probe builds the URL's kwargs from the
matrix world, picks a method and, for POST-only doors, a body chosen so that the right
role gets through to the service (an invalid state or a harmless change) while the
wrong one is refused; every probe runs in a savepoint that is rolled back, so no probe
changes what the next one sees. Expected statuses follow the project's rules:

- anonymous: a page redirects to the login page (302 to /login/?next=…), the API
  answers 401 in its JSON format, the login page and a personal link are open;
- an object outside the user's scope is "not found" (404), as is a staff page for a
  teacher and a page of a role the user does not have (monitoring.models.scoping.
  require_staff_reader, can_write_region); an object the user sees but may not change
  through this door is refused by the service with 403 (letters, routes, submissions,
  imports), except where the door turns that into 404 (measures);
- the API: 403 for a role without access to the endpoint, 404 for an object out of scope,
  400 for a filter or a body naming a unit outside the scope (an unknown choice); no API
  object takes PUT or PATCH.

Every 200 answer (HTML or JSON) is also searched for what the role must not read
(``foreign_markers``): the names of municipalities, schools and teachers outside its
scope, and birth dates for the officials who work without personal data.

The admin (``ADMIN_MODELS``, the rule in ``admin_expected``): every registered ModelAdmin
is tried on each pattern family — the changelist, add, the change page, delete and history
of one object in scope A (and the import/export and history-version pages where the admin
has them). Anonymous users and teachers (not staff) go to the admin's login page; a
staff role that may not see the model gets 403; a change/delete page of an object outside
the role's scope redirects to the admin index (302, Django's "does not exist" answer);
write pages (add, delete) are 200 for institute analysts where the model is writable and
403 for everyone else; a row's history answers 404 outside the scope (monitoring.shared.admin.
HistoryAdmin). Site-level admin patterns are in ``ADMIN_SITE``. The analyst's admin pages
are not rendered (the status is decided before the template; the institute sees every row
and field), which keeps the test fast; every other role's are, for the search above.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import Workbook

from deficits import services as deficit_services
from deficits.questionnaire import campaigns as survey_campaigns
from deficits.questionnaire.links import invitation_token
from deficits.questionnaire.responding import response_submit, survey_start
from monitoring import models, tokens
from tests import factories
from tests.deficits.questionnaire import answering
from tests.deficits.questionnaire.campaign_helpers import campaign_make

pytestmark = pytest.mark.django_db

PEOPLE = ("analyst", "ministry", "municipal", "head_a", "head_b", "teacher")
# The curator (assigned to teacher A) is not staff either: by default every door answers them
# as it answers the teacher; a door that treats them otherwise says so (``curator=``).
ROLES = ("anonymous", *PEOPLE, "curator")

LOGIN = "login"  # 302 to /login/?next=… (or the admin's login page under /admin/)


def P(*statuses, anon=LOGIN, curator=None) -> dict:
    """A page's expected statuses for analyst, ministry, municipal, head_a, head_b, teacher; anonymous → login;
    the curator as the teacher unless ``curator`` says otherwise."""
    assert len(statuses) == len(PEOPLE)
    expect = {"anonymous": anon, **dict(zip(PEOPLE, statuses, strict=True))}
    expect["curator"] = expect["teacher"] if curator is None else curator
    return expect


def A(*statuses, anon=401, curator=None) -> dict:
    """The same for an API endpoint: anonymous calls answer 401."""
    return P(*statuses, anon=anon, curator=curator)


ALL = (200, 200, 200, 200, 200, 200)
STAFF = (200, 200, 200, 200, 200, 404)  # staff pages: a teacher gets "not found"
SEEN_A = (200, 200, 200, 200, 404, 200)  # an object of school A / teacher A: head_b does not see it
SEEN_A_STAFF = (200, 200, 200, 200, 404, 404)  # of school A, not a teacher's own
SEEN_B_STAFF = (200, 200, 404, 404, 200, 404)  # of school B (M2)
SEEN_B = SEEN_B_STAFF
REGION = (200, 200, 404, 404, 404, 404)  # region-wide rows: institute and ministry
ANALYST_ONLY = (200, 404, 404, 404, 404, 404)
STAFF_API = (200, 200, 200, 200, 200, 403)  # the API refuses a role (403) where pages answer 404
REGION_API = (200, 200, 403, 403, 403, 403)
BUILDER = (200, 403, 403, 403, 403, 404)  # the indicator builder: the institute's; a teacher gets "not found"
INSTITUTE_API = (200, 403, 403, 403, 403, 403)


@dataclass(frozen=True)
class Probe:
    expect: dict
    kwargs: Callable[[SimpleNamespace], dict] = lambda o: {}
    method: str = "get"
    data: Callable[[SimpleNamespace], dict] | None = None
    note: str = ""
    query: str = ""
    # For a pattern without a name (keyed by its route): the path to request.
    path: Callable[[SimpleNamespace], str] | None = None


def get(expect, kwargs=lambda o: {}, note="", query=""):
    return Probe(expect=expect, kwargs=kwargs, note=note, query=query)


def post(expect, kwargs=lambda o: {}, data=None, note=""):
    return Probe(expect=expect, kwargs=kwargs, method="post", data=data, note=note)


def delete(expect, kwargs=lambda o: {}, note=""):
    return Probe(expect=expect, kwargs=kwargs, method="delete", note=note)


def _code(obj_name):
    return lambda o: {"code": getattr(o, obj_name).code}


def _pk(obj_name, key="pk"):
    return lambda o: {key: getattr(o, obj_name).pk}


# ---------------------------------------------------------------------------
# The doors outside the admin: URL name → probes
# ---------------------------------------------------------------------------

DOORS: dict[str, tuple[Probe, ...]] = {
    # --- monitoring: the monitored world -------------------------------------------------
    "home": (get(P(*ALL)),),
    "login": (get(P(*ALL, anon=200)),),
    # Django 5 logs out on POST only; the POST is tried last (it ends the session).
    "logout": (get(P(405, 405, 405, 405, 405, 405, anon=405)),),
    "municipality-list": (get(P(*ALL)),),
    "municipality-detail": (
        get(P(200, 200, 200, 404, 404, 404), _code("m1"), "M1"),
        get(P(200, 200, 404, 404, 404, 404), _code("m2"), "M2"),
    ),
    "school-list": (get(P(*ALL)), get(P(*ALL), query="?municipality=02", note="M2's schools")),
    "school-detail": (
        get(P(*SEEN_A_STAFF), _code("school_a"), "school A"),
        get(P(*SEEN_B_STAFF), _code("school_b"), "school B"),
    ),
    # The head of the school and the institute upload staffing; officials only read.
    "staffing-template": (
        get(P(200, 403, 403, 200, 404, 404), _code("school_a"), "school A"),
        get(P(200, 403, 404, 404, 200, 404), _code("school_b"), "school B"),
    ),
    "staffing-upload": (
        get(P(200, 403, 403, 200, 404, 404), _code("school_a"), "school A"),
        post(P(200, 403, 403, 200, 404, 404), _code("school_a"), note="school A, empty form"),
        get(P(200, 403, 404, 404, 200, 404), _code("school_b"), "school B"),
    ),
    # The institute and the municipality review a school's submission.
    "submission-review": (
        post(P(302, 403, 302, 403, 404, 404), _code("school_a"), lambda o: {"action": "accept"}, "school A"),
        post(P(302, 403, 404, 404, 403, 404), _code("school_b"), lambda o: {"action": "accept"}, "school B"),
    ),
    "import-list": (
        get(P(*STAFF)),
        post(P(200, 403, 403, 403, 403, 404), note="a package upload, empty form"),
    ),
    "export-start": (post(P(302, 302, 403, 403, 403, 403), data=lambda o: {"period": o.period.pk, "format": "xlsx"}),),
    # Another's export carries birth dates and СНИЛС: a role without personal data gets only its own.
    "export-file": (
        get(P(*ANALYST_ONLY), _pk("export_job"), "the analyst's"),
        get(P(*REGION), _pk("export_ministry"), "the ministry official's own"),
    ),
    "import-detail": (
        get(P(*SEEN_A_STAFF), _pk("import_a"), "staffing A"),
        get(P(*SEEN_B_STAFF), _pk("import_b"), "staffing B"),
        get(P(*REGION), _pk("import_region"), "region package"),
    ),
    # A school's upload is its submission: only its uploader confirms it, the institute included.
    "import-confirm": (
        post(P(403, 403, 403, 302, 404, 404), _pk("import_a"), note="staffing A, uploaded by head_a"),
        post(P(403, 403, 404, 404, 302, 404), _pk("import_b"), note="staffing B, uploaded by head_b"),
        post(P(302, 403, 404, 404, 404, 404), _pk("import_region"), note="region package"),
    ),
    # A checked upload is cancelled by its uploader or the institute; the others who see it are refused.
    "import-cancel": (
        post(P(302, 403, 403, 302, 404, 404), _pk("import_a"), note="staffing A, uploaded by head_a"),
        post(P(302, 403, 404, 404, 302, 404), _pk("import_b"), note="staffing B, uploaded by head_b"),
        post(P(302, 403, 404, 404, 404, 404), _pk("import_region"), note="region package"),
    ),
    "import-format": (get(P(*STAFF)),),
    # An uploaded file (and its error report, quoting its cells) may carry personal data:
    # only the roles that process it (monitoring.models.scoping.can_see_personal_data) download it.
    "import-file": (
        get(P(200, 404, 404, 200, 404, 404), _pk("import_a"), "staffing A"),
        get(P(200, 404, 404, 404, 200, 404), _pk("import_b"), "staffing B"),
    ),
    "import-error-report": (
        get(P(200, 404, 404, 200, 404, 404), _pk("import_a"), "staffing A"),
        get(P(200, 404, 404, 404, 200, 404), _pk("import_b"), "staffing B"),
    ),
    "teacher-list": (get(P(*ALL)), get(P(*ALL), query="?school=000002", note="school B's teachers")),
    "teacher-detail": (
        get(P(*SEEN_A), _code("teacher_a"), "teacher A"),
        get(P(*SEEN_B), _code("teacher_b"), "teacher B"),
    ),
    # Moving a teacher between schools: the institute, or the municipality inside its own schools.
    "teacher-transfer": (
        post(P(302, 403, 302, 404, 404, 404), _code("teacher_c"), lambda o: {"school": "000001"}, "teacher C to A"),
        post(P(302, 403, 404, 404, 403, 404), _code("teacher_b"), lambda o: {"school": "000001"}, "teacher B to A"),
    ),
    # The attestation register: staff of every scope (their own teachers); a teacher and a curator «not found».
    "attestation-list": (
        get(P(*STAFF)),
        get(P(*STAFF), query="?school=000002", note="school B's teachers"),
        get(P(*STAFF), query="?municipality=02&result=assigned", note="M2's"),
        get(P(404, 404, 404, 404, 404, 404), query="?period=1999", note="no such period"),
        get(P(*STAFF), query="?format=csv", note="the register as CSV"),
    ),
    "period-list": (get(P(200, 200, 200, 200, 200, 302)),),
    "period-detail": (get(P(*STAFF), lambda o: {"year": o.period.year}),),
    "api-token-list": (
        get(P(*ANALYST_ONLY)),
        post(P(*ANALYST_ONLY), note="empty form"),
    ),
    "api-token-revoke": (post(P(302, 404, 404, 404, 404, 404), lambda o: {"key": o.api_token.token_key}),),
    # --- deficits: diagnostics ----------------------------------------------------------
    # The teacher's own pages: a curator follows their teachers' routes, never takes a diagnostic.
    "my-diagnostics": (get(P(302, 302, 302, 302, 302, 200, curator=302)),),
    "diagnostic-start": (post(P(404, 404, 404, 404, 404, 302, curator=404), note="empty form"),),
    # A unit outside the scope in the query is "not found"; a head always reads their own school.
    "diagnostic-results": (
        get(P(*STAFF)),
        get(P(200, 200, 404, 200, 200, 404), query="?school=000002", note="school B"),
        get(P(200, 200, 404, 200, 200, 404), query="?municipality=02", note="M2"),
    ),
    # A personal link opens one questionnaire without signing in: someone signed in is never
    # switched (409; its own teacher goes to their diagnostics), a teacher who has a password
    # is refused (403), and "Начать" binds it to the browser (302 to its first page).
    "diagnostic-link": (
        get(
            P(409, 409, 409, 409, 409, 302, anon=403, curator=409),
            lambda o: {"token": o.link_a},
            "teacher A has a password",
        ),
        get(P(409, 409, 409, 409, 409, 409, anon=200), lambda o: {"token": o.link_new}, "a teacher with no account"),
        post(P(409, 409, 409, 409, 409, 409, anon=302), lambda o: {"token": o.link_new}, note="Начать"),
        get(P(400, 400, 400, 400, 400, 400, anon=400), lambda o: {"token": o.link_a + "x"}, "an altered link"),
    ),
    # Its questionnaire and result pages: not started yet, they lead to the link's first page.
    "diagnostic-link-fill": (
        get(P(409, 409, 409, 409, 409, 409, anon=302), lambda o: {"token": o.link_new, "page": 1}, "not started"),
    ),
    "diagnostic-link-result": (
        get(P(409, 409, 409, 409, 409, 409, anon=302), lambda o: {"token": o.link_new}, "not started"),
    ),
    # A campaign's personal link (deficits.questionnaire.views.respond): the same rules — open
    # without signing in, never for someone signed in (409), "Начать" binds the browser (302),
    # a link started in another browser is refused (403), an altered one is invalid (400).
    "survey-answer": (
        get(P(409, 409, 409, 409, 409, 409, anon=200), lambda o: {"token": o.survey_link}, "not started"),
        post(P(409, 409, 409, 409, 409, 409, anon=302), lambda o: {"token": o.survey_link}, note="Начать"),
        get(P(409, 409, 409, 409, 409, 409, anon=403), lambda o: {"token": o.survey_link_started}, "other browser"),
        post(P(409, 409, 409, 409, 409, 409, anon=403), lambda o: {"token": o.survey_link_started}, note="other"),
        get(P(400, 400, 400, 400, 400, 400, anon=400), lambda o: {"token": o.survey_link + "x"}, "an altered link"),
    ),
    # Its pages: not started yet, they lead to the link's first page; started elsewhere, refused.
    "survey-answer-page": (
        get(P(409, 409, 409, 409, 409, 409, anon=302), lambda o: {"token": o.survey_link, "page": 1}, "not started"),
        post(P(409, 409, 409, 409, 409, 409, anon=302), lambda o: {"token": o.survey_link, "page": 1}),
        get(P(409, 409, 409, 409, 409, 409, anon=403), lambda o: {"token": o.survey_link_started, "page": 1}),
        post(P(409, 409, 409, 409, 409, 409, anon=403), lambda o: {"token": o.survey_link_started, "page": 1}),
    ),
    # The thanks of an answered link (in any browser); an unanswered one leads back to its first page.
    "survey-answer-done": (
        get(P(409, 409, 409, 409, 409, 409, anon=200), lambda o: {"token": o.survey_link_answered}, "answered"),
        get(P(409, 409, 409, 409, 409, 409, anon=302), lambda o: {"token": o.survey_link}, "not answered"),
    ),
    "diagnostic-detail": (
        get(P(*SEEN_A), _pk("diagnostic_a"), "submitted, teacher A"),
        get(P(*SEEN_B), _pk("diagnostic_b"), "submitted, teacher B"),
        get(P(404, 404, 404, 404, 404, 302, curator=404), _pk("draft_a"), "draft, teacher A"),
    ),
    "diagnostic-fill": (
        get(P(404, 404, 404, 404, 404, 200, curator=404), lambda o: {"pk": o.draft_a.pk, "page": 1}, "draft A"),
        post(P(404, 404, 404, 404, 404, 200, curator=404), lambda o: {"pk": o.draft_a.pk, "page": 1}, note="draft A"),
        get(
            P(404, 404, 404, 404, 404, 302, curator=404), lambda o: {"pk": o.diagnostic_a.pk, "page": 1}, "submitted A"
        ),
        get(P(404, 404, 404, 404, 404, 404), lambda o: {"pk": o.diagnostic_b.pk, "page": 1}, "submitted B"),
    ),
    # --- deficits: questionnaires' results (the institute, the ministry and municipal officials) ----
    "survey-results": (get(P(200, 200, 200, 404, 404, 404), _pk("survey_campaign")),),
    "survey-results-crosstab": (
        get(P(200, 200, 200, 404, 404, 404), _pk("survey_campaign"), "by municipality", "?item=mood&by=municipality"),
        get(P(404, 404, 404, 404, 404, 404), _pk("survey_campaign"), "a text item", "?item=comment&by=role"),
    ),
    "survey-results-texts": (
        get(P(200, 200, 200, 404, 404, 404), lambda o: {"pk": o.survey_campaign.pk, "item": "comment"}),
    ),
    "survey-results-export": (
        get(P(200, 200, 200, 404, 404, 404), lambda o: {"pk": o.survey_campaign.pk, "fmt": "xlsx"}, "xlsx"),
        get(P(200, 200, 200, 404, 404, 404), lambda o: {"pk": o.survey_campaign.pk, "fmt": "csv"}, "csv"),
    ),
    # --- iom: routes and the DPO catalog ----------------------------------------------
    # A curator's routes are their teachers': the list leads to their own page (curator-routes).
    "route-list": (
        get(P(*ALL, curator=302)),
        get(P(200, 200, 404, 404, 200, 200, curator=302), query="?school=000002", note="school B"),
    ),
    "route-build": (
        get(P(404, 404, 404, 404, 404, 200, curator=404), lambda o: {"diagnostic_pk": o.diagnostic_a.pk}, "diag A"),
        get(P(404, 404, 404, 404, 404, 404), lambda o: {"diagnostic_pk": o.diagnostic_b.pk}, "diagnostic B"),
    ),
    "route-detail": (
        get(P(*SEEN_A), _pk("route_a"), "route A"),
        get(P(*SEEN_B), _pk("route_b"), "route B"),
    ),
    # The teacher changes their own route (approved: the service refuses the change, 302 back);
    # their curator reads it and is refused every change (403), as the staff who see it.
    "route-submit": (
        post(P(403, 403, 403, 403, 404, 302, curator=403), _pk("route_a"), note="route A (approved)"),
        post(P(403, 403, 404, 404, 403, 404), _pk("route_b"), note="route B"),
    ),
    # Only the head of the teacher's school reviews a route.
    "route-review": (
        post(P(403, 403, 403, 302, 404, 403), _pk("route_a"), lambda o: {"action": "approve"}, "route A"),
        post(P(403, 403, 404, 404, 302, 404), _pk("route_b"), lambda o: {"action": "approve"}, "route B"),
    ),
    "route-reflect": (
        post(P(403, 403, 403, 403, 404, 302, curator=403), _pk("route_a"), note="route A, empty reflection"),
    ),
    "route-correct": (
        get(P(404, 404, 404, 404, 404, 302, curator=404), _pk("route_a"), "route A (no intermediate diagnostic)"),
        get(P(404, 404, 404, 404, 404, 404), _pk("route_b"), "route B"),
    ),
    "activity-add": (
        post(
            P(403, 403, 403, 403, 404, 302, curator=403),
            _pk("route_a"),
            lambda o: {"kind": "самообразование", "title": "Чтение", "due": "2025-10-01"},
            "route A",
        ),
    ),
    "activity-remove": (
        post(P(403, 403, 403, 403, 404, 302, curator=403), _pk("activity_a"), note="activity of route A"),
    ),
    "activity-mark": (
        post(P(403, 403, 403, 403, 404, 302, curator=403), _pk("activity_a"), lambda o: {"done": "1"}, "activity A"),
        post(P(403, 403, 404, 404, 403, 404), _pk("activity_b"), lambda o: {"done": "1"}, "activity of route B"),
    ),
    # Comments: the teacher's curator and the head of the teacher's school (an empty one: refused, 302 back).
    "route-comment-add": (
        post(P(403, 403, 403, 302, 404, 403, curator=302), _pk("route_a"), note="route A, empty comment"),
        post(P(403, 403, 404, 404, 302, 404), _pk("route_b"), note="route B, empty comment"),
    ),
    # Curators: the institute assigns teachers to them; the curator's own page is theirs alone.
    "curator-list": (get(P(*ANALYST_ONLY)),),
    "curator-detail": (
        get(P(*ANALYST_ONLY), _pk("curator")),
        post(P(*ANALYST_ONLY), _pk("curator"), note="no codes: refused with a message"),
        get(P(404, 404, 404, 404, 404, 404), _pk("head_a"), "not a curator's account"),
    ),
    "curator-unassign": (
        post(P(302, 404, 404, 404, 404, 404), _pk("curator"), lambda o: {"teacher": o.teacher_a.code}, "teacher A"),
    ),
    "curator-routes": (
        get(P(404, 404, 404, 404, 404, 404, curator=200)),
        get(P(404, 404, 404, 404, 404, 404, curator=200), query="?lagging=1", note="the lagging ones"),
    ),
    "program-list": (get(P(*ALL)),),
    "program-stats": (get(P(*STAFF)),),
    "program-detail": (get(P(*ALL), _code("program")),),
    # --- indicators ---------------------------------------------------------------------
    "indicator-overview": (get(P(*STAFF)),),
    "indicator-compute": (post(P(302, 404, 404, 404, 404, 404), data=lambda o: {"period": o.period.year}),),
    "indicator-run": (get(P(*STAFF), _pk("run")),),
    "indicator-direction": (
        get(P(*STAFF), lambda o: {"number": 1}),
        get(P(404, 404, 404, 404, 404, 404), lambda o: {"number": 99}, "no such direction"),
    ),
    "indicator-detail": (
        get(P(*STAFF), lambda o: {"code": "1.1"}),
        get(P(*STAFF), lambda o: {"code": "1.1"}, query="?level=school", note="ranking of schools"),
    ),
    # The builder: the institute's; other staff are refused (403), a teacher meets "not found".
    "indicator-builder": (get(P(*BUILDER)),),
    "indicator-builder-new": (get(P(*BUILDER)),),
    "indicator-builder-preview": (
        post(P(422, *BUILDER[1:]), data=lambda o: {"definition": "{}"}, note="an empty definition"),
    ),
    "indicator-builder-import": (post(P(302, *BUILDER[1:]), note="no file: refused with a message"),),
    "indicator-builder-export": (get(P(404, *BUILDER[1:]), lambda o: {"slug": "nope"}, "no such catalog"),),
    "indicator-builder-adopt": (post(P(404, *BUILDER[1:]), lambda o: {"slug": "nope"}, note="no such catalog"),),
    "indicator-builder-edit": (get(P(404, *BUILDER[1:]), lambda o: {"code": "Ж.5"}, "not in the period"),),
    "indicator-builder-remove": (post(P(302, *BUILDER[1:]), lambda o: {"code": "Ж.5"}, note="refused: not there"),),
    # --- deficits: questionnaires (authoring) -----------------------------------------------
    # Staff read questionnaires and download their XLSForm; the institute writes them (others 403).
    "survey-questionnaire-list": (get(P(*STAFF)),),
    "survey-questionnaire-detail": (get(P(*STAFF), _code("questionnaire")),),
    "survey-edition-export": (get(P(*STAFF), lambda o: {"code": o.questionnaire.code, "version": 1}),),
    "survey-questionnaire-new": (get(P(*BUILDER)), post(P(400, *BUILDER[1:]), note="empty form: refused")),
    "survey-questionnaire-edit": (
        get(P(*BUILDER), _code("questionnaire")),
        post(P(400, *BUILDER[1:]), _code("questionnaire"), note="empty form: refused"),
    ),
    "survey-questionnaire-import": (get(P(*BUILDER)), post(P(400, *BUILDER[1:]), note="no file: refused")),
    "survey-edition-import": (
        get(P(*BUILDER), _code("questionnaire")),
        post(P(400, *BUILDER[1:]), _code("questionnaire"), note="no file: refused"),
    ),
    # --- reports: letters ----------------------------------------------------------------
    # Drafts are their authors' side's (the institute's); issued letters their addressees' in scope.
    "letter-list": (get(P(*STAFF)),),
    "letter-new": (get(P(200, 404, 200, 404, 404, 404)),),
    "letter-detail": (
        get(P(*ANALYST_ONLY), _pk("letter_draft"), "institute draft"),
        get(P(*SEEN_A_STAFF), _pk("letter_a"), "issued, to the school heads of M1"),
        get(P(*SEEN_B_STAFF), _pk("letter_b"), "issued, to the school heads of M2"),
    ),
    "letter-edit": (
        get(P(*ANALYST_ONLY), _pk("letter_draft"), "institute draft"),
        get(P(302, 302, 302, 302, 404, 404), _pk("letter_a"), "issued A: back to the letter"),
        post(P(403, 403, 403, 403, 404, 404), _pk("letter_a"), lambda o: {"title": "Подмена"}, "issued A"),
        post(P(403, 403, 404, 404, 403, 404), _pk("letter_b"), lambda o: {"title": "Подмена"}, "issued B"),
    ),
    "letter-move": (
        post(
            P(302, 404, 404, 404, 404, 404),
            lambda o: {"pk": o.letter_draft.pk, "item_pk": o.letter_draft_item.pk},
            lambda o: {"direction": "up"},
            "institute draft",
        ),
        post(
            P(403, 403, 403, 403, 404, 404),
            lambda o: {"pk": o.letter_a.pk, "item_pk": o.letter_a_item.pk},
            lambda o: {"direction": "up"},
            "issued A",
        ),
    ),
    "letter-approve": (
        post(P(302, 404, 404, 404, 404, 404), _pk("letter_draft"), note="institute draft"),
        post(P(403, 403, 403, 403, 404, 404), _pk("letter_a"), note="issued A"),
    ),
    "letter-reopen": (
        post(P(302, 404, 404, 404, 404, 404), _pk("letter_draft"), note="institute draft"),
        post(P(403, 403, 403, 403, 404, 404), _pk("letter_a"), note="issued A"),
    ),
    "letter-issue": (
        post(P(302, 404, 404, 404, 404, 404), _pk("letter_draft"), note="institute draft (not approved: refused)"),
        post(P(403, 403, 403, 403, 404, 404), _pk("letter_a"), note="issued A"),
        post(P(403, 403, 404, 404, 403, 404), _pk("letter_b"), note="issued B"),
    ),
    "letter-correct": (
        post(P(302, 403, 403, 403, 404, 404), _pk("letter_a"), note="issued A"),
        post(P(302, 403, 404, 404, 403, 404), _pk("letter_b"), note="issued B"),
    ),
    # Reading is confirmed by the addressees: here the school heads of the letter's municipality.
    "letter-read": (
        post(P(403, 403, 403, 302, 404, 404), _pk("letter_a"), note="issued A"),
        post(P(403, 403, 404, 404, 302, 404), _pk("letter_b"), note="issued B"),
        post(P(403, 404, 404, 404, 404, 404), _pk("letter_draft"), note="institute draft"),
    ),
    # The adopting body's meetings: kept by the writers of its letters (the institute's analysts, M1's official).
    "meeting-list": (
        get(P(200, 404, 200, 404, 404, 404)),
        post(P(400, 404, 400, 404, 404, 404), note="empty form"),
    ),
    "meeting-delete": (
        post(P(302, 404, 404, 404, 404, 404), _pk("meeting_institute"), note="the institute's meeting"),
        post(P(404, 404, 302, 404, 404, 404), _pk("meeting_m1"), note="M1's meeting"),
    ),
    # The protocol: to those who see the meeting (the region-wide roles and the body's municipality).
    "meeting-protocol": (get(P(200, 200, 200, 404, 404, 404), _pk("meeting_m1"), "M1's protocol"),),
    "letter-pdf": (
        get(P(*ANALYST_ONLY), _pk("letter_draft"), "institute draft (preview)"),
        get(P(*SEEN_A_STAFF), _pk("letter_a"), "issued A"),
        get(P(*SEEN_B_STAFF), _pk("letter_b"), "issued B"),
    ),
    # --- reports: measures, notices, the annual report ------------------------------------
    "measure-list": (get(P(*STAFF)),),
    "measure-create": (
        get(P(200, 200, 200, 404, 404, 404)),
        post(P(200, 200, 200, 404, 404, 404), note="empty form"),
    ),
    "measure-effect": (get(P(*STAFF)),),
    # Corrections and deletions: the institute any decision, the ministry official the decision they recorded;
    # everyone else "not found" (reports.report_views._changeable).
    "measure-edit": (
        get(P(*ANALYST_ONLY), _pk("measure_a"), "the institute's decision about school A"),
        get(P(200, 200, 404, 404, 404, 404), _pk("measure_ministry"), "the ministry's decision about school A"),
        post(P(200, 404, 404, 404, 404, 404), _pk("measure_a"), note="empty form"),
    ),
    "measure-delete": (
        post(P(302, 404, 404, 404, 404, 404), _pk("measure_a"), note="the institute's decision about school A"),
        post(P(302, 302, 404, 404, 404, 404), _pk("measure_ministry"), note="the ministry's decision"),
        post(P(302, 404, 404, 404, 404, 404), _pk("measure_b"), note="the institute's decision about school B"),
    ),
    # Refused marks answer "not found" (reports.report_views.measure_done).
    "measure-done": (
        post(P(302, 404, 302, 404, 404, 404), _pk("measure_a"), note="a measure about school A"),
        post(P(302, 404, 404, 404, 404, 404), _pk("measure_b"), note="a measure about school B"),
    ),
    "notice-list": (get(P(*ALL)),),
    # --- reports: the monitoring plan (staff readers; counts narrowed to the reader's scope) ---
    "plan-list": (get(P(*STAFF), lambda o: {"year": o.period.year}),),
    "plan-item": (get(P(*STAFF), lambda o: {"year": o.period.year, "pk": o.plan_item.pk}),),
    # Only the analyst edits an item (an empty form answers 400 with its errors); others "not found".
    "plan-item-edit": (
        post(P(400, 404, 404, 404, 404, 404), lambda o: {"year": o.period.year, "pk": o.plan_item.pk}, note="empty"),
    ),
    # The analyst or the item's responsible user (head B) marks it done.
    "plan-item-done": (
        post(P(302, 404, 404, 404, 302, 404), lambda o: {"year": o.period.year, "pk": o.plan_item.pk}),
    ),
    "notice-read-all": (post(P(302, 302, 302, 302, 302, 302)),),
    "notice-open": (get(P(404, 404, 404, 302, 404, 404), _pk("notice_head_a"), "head_a's notice"),),
    "report-list": (get(P(*REGION)),),
    "report-start": (post(P(302, 302, 404, 404, 404, 404), data=lambda o: {"period": o.period.year}),),
    # A report's row and files serve a municipality's справка too: its officials read M1's, not M2's.
    "report-status": (
        get(P(*REGION), _pk("annual")),
        get(P(200, 200, 200, 404, 404, 404), _pk("spravka_a"), "M1's справка"),
        get(P(*REGION), _pk("spravka_b"), "M2's справка"),
    ),
    "report-file": (
        get(P(*REGION), lambda o: {"pk": o.annual.pk, "kind": "pdf"}, "pdf"),
        get(P(*REGION), lambda o: {"pk": o.annual.pk, "kind": "xlsx"}, "xlsx"),
        get(P(200, 200, 200, 404, 404, 404), lambda o: {"pk": o.spravka_a.pk, "kind": "pdf"}, "M1's справка"),
        get(P(*REGION), lambda o: {"pk": o.spravka_b.pk, "kind": "xlsx"}, "M2's справка"),
    ),
    # A municipality's справка: the institute starts any, a municipal official their own; the ministry reads.
    "spravka-list": (get(P(200, 200, 200, 404, 404, 404)),),
    "spravka-start": (
        post(P(302, 404, 302, 404, 404, 404), data=lambda o: {"period": o.period.year, "municipality": "01"}),
        post(
            P(302, 404, 404, 404, 404, 404),
            data=lambda o: {"period": o.period.year, "municipality": "02"},
            note="M2's справка",
        ),
    ),
    # Presentations of the period's results: the institute's page (the period page lists them for staff).
    "presentation-list": (
        get(P(*ANALYST_ONLY), lambda o: {"year": o.period.year}),
        post(P(400, 404, 404, 404, 404, 404), lambda o: {"year": o.period.year}, note="empty form"),
    ),
    "presentation-edit": (
        get(P(*ANALYST_ONLY), lambda o: {"year": o.period.year, "pk": o.presentation.pk}),
        post(P(400, 404, 404, 404, 404, 404), lambda o: {"year": o.period.year, "pk": o.presentation.pk}, note="empty"),
    ),
    "presentation-delete": (
        post(P(302, 404, 404, 404, 404, 404), lambda o: {"year": o.period.year, "pk": o.presentation.pk}),
    ),
    # The blank's requisites: institute staff keep the region's, a municipal official their own (reports.issuers).
    "requisites-edit": (
        get(P(200, 404, 200, 404, 404, 404)),
        post(P(200, 404, 200, 404, 404, 404), note="empty form"),
    ),
    # --- questionnaires: campaigns ---------------------------------------------------------
    # Staff read the campaigns that reach their part (drafts: the region-wide roles); institute
    # writers change them, everyone else who sees one is refused by the service (403).
    "survey-campaign-list": (get(P(*STAFF)),),
    "survey-campaign-new": (
        get(P(*ANALYST_ONLY)),
        post(P(*ANALYST_ONLY), note="empty form: refused with its problems"),
    ),
    "survey-campaign-detail": (
        get(P(*SEEN_A_STAFF), _pk("campaign_a"), "open, to school A"),
        get(P(*SEEN_B_STAFF), _pk("campaign_b"), "open, to school B"),
        get(P(*REGION), _pk("campaign_draft"), "institute draft"),
        get(
            P(404, 404, 404, 404, 404, 404),
            lambda o: {"pk": o.campaign_a.pk},
            "a malformed municipality",
            query="?municipality=x",
        ),
    ),
    "survey-campaign-open": (
        post(P(302, 403, 404, 404, 404, 404), _pk("campaign_draft"), note="institute draft"),
        post(P(302, 403, 403, 403, 404, 404), _pk("campaign_a"), note="open A: refused as open already"),
    ),
    "survey-campaign-close": (
        post(P(302, 403, 403, 403, 404, 404), _pk("campaign_a"), note="open A"),
        post(P(302, 403, 404, 404, 403, 404), _pk("campaign_b"), note="open B"),
    ),
    "survey-campaign-remind": (
        post(P(302, 403, 403, 403, 404, 404), _pk("campaign_a"), note="open A"),
        post(P(302, 403, 404, 404, 403, 404), _pk("campaign_b"), note="open B"),
    ),
    # The links of those who have not answered: the institute's writers and the school's head.
    "survey-campaign-links": (
        get(P(200, 404, 404, 200, 404, 404), _pk("campaign_a"), "open A"),
        get(P(200, 404, 404, 404, 200, 404), _pk("campaign_b"), "open B"),
    ),
    "survey-campaign-school": (
        get(P(*SEEN_A_STAFF), lambda o: {"pk": o.campaign_a.pk, "school_pk": o.school_a.pk}, "A's school A"),
        get(P(*SEEN_B_STAFF), lambda o: {"pk": o.campaign_b.pk, "school_pk": o.school_b.pk}, "B's school B"),
        get(P(200, 200, 404, 404, 404, 404), lambda o: {"pk": o.campaign_a.pk, "school_pk": o.school_b.pk}, "A, B"),
    ),
    # --- /api/v1/: every app's endpoints ---------------------------------------------------
    "api-municipality-list": (get(A(*ALL)),),
    "api-municipality-detail": (
        get(A(200, 200, 200, 404, 404, 404), _code("m1"), "M1"),
        get(A(200, 200, 404, 404, 404, 404), _code("m2"), "M2"),
    ),
    # A filter naming a unit outside the scope is refused as an unknown choice (400).
    "api-school-list": (
        get(A(*ALL)),
        get(A(200, 200, 400, 400, 400, 400), query="?municipality=02", note="M2's schools"),
    ),
    "api-school-detail": (
        get(A(*SEEN_A_STAFF), _code("school_a"), "school A"),
        get(A(*SEEN_B_STAFF), _code("school_b"), "school B"),
    ),
    "api-period-list": (get(A(*ALL)),),
    "api-period-detail": (get(A(*ALL), lambda o: {"year": o.period.year}),),
    "api-teacher-list": (get(A(*ALL)), get(A(*ALL), query="?school=000002", note="school B's teachers")),
    "api-teacher-detail": (
        get(A(*SEEN_A), _pk("roster_a"), "teacher A's roster row"),
        get(A(*SEEN_B), _pk("roster_b"), "teacher B's roster row"),
    ),
    "api-teacher-transfer": (
        post(A(200, 403, 200, 404, 404, 404), _pk("roster_c"), lambda o: {"school": "000001"}, "teacher C to A"),
        post(A(200, 403, 404, 404, 403, 404), _pk("roster_b"), lambda o: {"school": "000001"}, "teacher B to A"),
    ),
    "api-staffing-row-list": (get(A(*ALL)),),
    "api-staffing-row-detail": (
        get(A(*SEEN_A_STAFF), _pk("staffing_a"), "school A"),
        get(A(*SEEN_B_STAFF), _pk("staffing_b"), "school B"),
    ),
    "api-import-job-list": (
        get(A(*ALL)),
        post(A(201, 403, 403, 403, 403, 403), data=lambda o: _package_upload(o), note="a region package"),
        # School A's code is unknown (400) to those who do not see the school.
        post(A(201, 403, 403, 201, 400, 400), data=lambda o: _staffing_upload(o), note="school A's staffing"),
    ),
    "api-import-job-detail": (
        get(A(*SEEN_A_STAFF), _pk("import_a"), "staffing A"),
        get(A(*SEEN_B_STAFF), _pk("import_b"), "staffing B"),
        get(A(*REGION), _pk("import_region"), "region package"),
    ),
    "api-import-job-confirm": (
        post(A(403, 403, 403, 200, 404, 404), _pk("import_a"), note="staffing A, uploaded by head_a"),
        post(A(200, 403, 404, 404, 404, 404), _pk("import_region"), note="region package"),
    ),
    "api-import-job-errors": (
        get(A(*SEEN_A_STAFF), _pk("import_a"), "staffing A"),
        get(A(*SEEN_B_STAFF), _pk("import_b"), "staffing B"),
    ),
    "api-instrument-list": (get(A(*ALL)),),
    "api-instrument-detail": (get(A(*ALL), lambda o: {"pk": o.diagnostic_a.instrument_id}),),
    # Staff read submitted diagnostics in scope; a teacher takes their own.
    "api-diagnostic-list": (
        get(A(*ALL)),
        post(A(403, 403, 403, 403, 403, 200, curator=403), note="start one: teacher A has a draft, which is returned"),
    ),
    "api-diagnostic-detail": (
        get(A(*SEEN_A), _pk("diagnostic_a"), "submitted, teacher A"),
        get(A(*SEEN_B), _pk("diagnostic_b"), "submitted, teacher B"),
        get(A(404, 404, 404, 404, 404, 200, curator=404), _pk("draft_a"), "draft, teacher A"),
    ),
    "api-diagnostic-answers": (
        post(A(403, 403, 403, 403, 403, 400, curator=403), _pk("draft_a"), note="draft A, no answers"),
        post(A(403, 403, 403, 403, 403, 404, curator=403), _pk("diagnostic_b"), note="teacher B's"),
    ),
    "api-diagnostic-submit": (
        post(A(403, 403, 403, 403, 403, 200, curator=403), _pk("draft_a"), note="draft A, all answered"),
        post(A(403, 403, 403, 403, 403, 404, curator=403), _pk("diagnostic_b"), note="teacher B's"),
    ),
    "api-program-list": (get(A(*ALL)),),
    "api-program-detail": (get(A(*ALL), _code("program")),),
    "api-course-run-list": (get(A(*ALL)),),
    "api-course-run-detail": (get(A(*ALL), _code("course")),),
    "api-enrollment-list": (get(A(*ALL)),),
    "api-enrollment-detail": (
        get(A(*SEEN_A), _pk("enrollment_a"), "teacher A"),
        get(A(*SEEN_B), _pk("enrollment_b"), "teacher B"),
    ),
    # Routes: each writing action is one role's (iom.api.ActionRoles), the services check the rest.
    "api-route-list": (
        get(A(*ALL)),
        get(A(200, 200, 400, 400, 200, 400), query="?school=000002", note="school B's routes"),
        post(A(403, 403, 403, 403, 403, 400, curator=403), note="build one, empty body"),
    ),
    "api-route-proposals": (
        get(A(403, 403, 403, 403, 403, 200, curator=403), query="?diagnostic={diagnostic_a}", note="diagnostic A"),
        get(A(403, 403, 403, 403, 403, 400, curator=403), query="?diagnostic={diagnostic_b}", note="diagnostic B"),
    ),
    "api-route-detail": (
        get(A(*SEEN_A), _pk("route_a"), "route A"),
        get(A(*SEEN_B), _pk("route_b"), "route B"),
    ),
    "api-route-submit": (
        post(A(403, 403, 403, 403, 403, 400, curator=403), _pk("route_a"), note="route A (approved: refused)"),
        post(A(403, 403, 403, 403, 403, 404, curator=403), _pk("route_b"), note="route B"),
    ),
    "api-route-review": (
        post(A(403, 403, 403, 400, 404, 403), _pk("route_a"), lambda o: {"decision": "approve"}, "route A"),
        post(A(403, 403, 403, 404, 400, 403), _pk("route_b"), lambda o: {"decision": "approve"}, "route B"),
    ),
    "api-route-reflection": (
        post(
            A(403, 403, 403, 403, 403, 200, curator=403), _pk("route_a"), lambda o: {"reflection": "Полезно"}, "route A"
        ),
        post(
            A(403, 403, 403, 403, 403, 404, curator=403), _pk("route_b"), lambda o: {"reflection": "Полезно"}, "route B"
        ),
    ),
    "api-route-correct": (
        post(A(403, 403, 403, 403, 403, 400, curator=403), _pk("route_a"), note="route A, empty body"),
        post(A(403, 403, 403, 403, 403, 404, curator=403), _pk("route_b"), note="route B"),
    ),
    "api-route-activity-list": (
        get(A(*ALL)),
        post(A(403, 403, 403, 403, 403, 400, curator=403), note="add one, empty body"),
    ),
    "api-route-activity-detail": (
        get(A(*SEEN_A), _pk("activity_a"), "route A's"),
        get(A(*SEEN_B), _pk("activity_b"), "route B's"),
        delete(A(403, 403, 403, 403, 403, 400, curator=403), _pk("activity_a"), "route A's (approved: refused)"),
        delete(A(403, 403, 403, 403, 403, 404, curator=403), _pk("activity_b"), "route B's"),
    ),
    "api-route-activity-mark": (
        post(A(403, 403, 403, 403, 403, 200, curator=403), _pk("activity_a"), lambda o: {"done": True}, "route A's"),
        post(A(403, 403, 403, 403, 403, 404, curator=403), _pk("activity_b"), lambda o: {"done": True}, "route B's"),
    ),
    "api-indicator-values": (get(A(*ALL)),),
    "api-computation-run-list": (
        get(A(*STAFF_API)),
        post(A(201, 403, 403, 403, 403, 403), data=lambda o: {"period": o.period.year}, note="start one"),
    ),
    "api-computation-run-detail": (get(A(*STAFF_API), _pk("run")),),
    "api-declarative-list": (
        get(A(*INSTITUTE_API)),
        post(A(400, *INSTITUTE_API[1:]), data=lambda o: {"definition": "{}"}, note="an empty definition"),
    ),
    "api-declarative-detail": (get(A(404, *INSTITUTE_API[1:]), lambda o: {"code": "Ж.5"}, "not in the period"),),
    "api-declarative-preview": (post(A(400, *INSTITUTE_API[1:]), data=lambda o: {"definition": "{}"}),),
    "api-indicator-catalog-list": (get(A(*INSTITUTE_API)),),
    "api-indicator-catalog-detail": (get(A(404, *INSTITUTE_API[1:]), lambda o: {"slug": "nope"}, "no such catalog"),),
    "api-indicator-catalog-export": (get(A(404, *INSTITUTE_API[1:]), lambda o: {"slug": "nope"}, "no such catalog"),),
    "api-indicator-catalog-import": (post(A(400, *INSTITUTE_API[1:]), note="no file"),),
    "api-indicator-catalog-adopt": (
        post(A(404, *INSTITUTE_API[1:]), lambda o: {"slug": "nope"}, note="no such catalog"),
    ),
    "api-finding-list": (get(A(*STAFF_API)),),
    "api-finding-detail": (
        get(A(200, 200, 200, 200, 404, 403), _pk("finding_a"), "school A"),
        get(A(200, 200, 404, 404, 200, 403), _pk("finding_b"), "school B"),
    ),
    "api-letter-list": (get(A(*STAFF_API)),),
    "api-letter-detail": (
        get(A(200, 404, 404, 404, 404, 403), _pk("letter_draft"), "institute draft"),
        get(A(200, 200, 200, 200, 404, 403), _pk("letter_a"), "issued A"),
        get(A(200, 200, 404, 404, 200, 403), _pk("letter_b"), "issued B"),
    ),
    "api-letter-pdf": (
        get(A(404, 404, 404, 404, 404, 403), _pk("letter_draft"), "institute draft: no PDF yet"),
        get(A(200, 200, 200, 200, 404, 403), _pk("letter_a"), "issued A"),
        get(A(200, 200, 404, 404, 200, 403), _pk("letter_b"), "issued B"),
    ),
    "api-measure-list": (get(A(*STAFF_API)),),
    "api-measure-detail": (
        get(A(200, 200, 200, 200, 404, 403), _pk("measure_a"), "school A"),
        get(A(200, 200, 404, 404, 200, 403), _pk("measure_b"), "school B"),
    ),
    # The region's reports and the municipalities' справки: a municipal official reads their own справки.
    "api-annual-report-list": (get(A(200, 200, 200, 403, 403, 403)),),
    "api-annual-report-detail": (
        get(A(200, 200, 404, 403, 403, 403), _pk("annual")),
        get(A(200, 200, 200, 403, 403, 403), _pk("spravka_a"), "M1's справка"),
        get(A(200, 200, 404, 403, 403, 403), _pk("spravka_b"), "M2's справка"),
    ),
    "api-annual-report-pdf": (
        get(A(200, 200, 404, 403, 403, 403), _pk("annual")),
        get(A(200, 200, 200, 403, 403, 403), _pk("spravka_a"), "M1's справка"),
        get(A(200, 200, 404, 403, 403, 403), _pk("spravka_b"), "M2's справка"),
    ),
    "api-annual-report-xlsx": (
        get(A(200, 200, 404, 403, 403, 403), _pk("annual")),
        get(A(200, 200, 200, 403, 403, 403), _pk("spravka_a"), "M1's справка"),
        get(A(200, 200, 404, 403, 403, 403), _pk("spravka_b"), "M2's справка"),
    ),
    # The schema and its docs describe the API to anyone; the data stays behind the endpoints.
    "api-schema": (get(A(*ALL, anon=200)),),
    "api-docs": (get(A(*ALL, anon=200)),),
    "api-redoc": (get(A(*ALL, anon=200)),),
}

# The logout POST ends the session, so it runs after every other probe of the role.
LAST_PROBES = {"logout": post(P(302, 302, 302, 302, 302, 302, anon=302))}


def _package_upload(o) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "package", "period": o.period.year, "file": SimpleUploadedFile("Пакет.xlsx", _xlsx())}


def _staffing_upload(o) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("Штатное.xlsx", _xlsx())
    return {"kind": "staffing", "period": o.period.year, "school": o.school_a.code, "file": file}


# ---------------------------------------------------------------------------
# The world of objects in scope A and B
# ---------------------------------------------------------------------------


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Должность", "Количество ставок"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _survey_campaign(world):
    """A named campaign with a response of teacher A (M1) and one of teacher B (M2), tallied."""
    from deficits.models import Campaign, Invitation, Questionnaire, QuestionnaireEdition, Response, TargetKind
    from deficits.questionnaire.tallies import tallies_rebuild

    definition = {
        "title": "Опрос",
        "sections": [
            {
                "name": "s",
                "title": "Раздел",
                "items": [
                    {"name": "mood", "type": "single", "label": "Самочувствие", "list": "mood"},
                    {"name": "comment", "type": "text", "label": "Комментарий"},
                ],
            }
        ],
        "choice_lists": {"mood": [{"name": "good", "label": "Хорошо"}, {"name": "bad", "label": "Плохо"}]},
    }
    questionnaire = Questionnaire.objects.create(code="matrix-survey", title="Опрос матрицы")
    edition = QuestionnaireEdition.objects.create(questionnaire=questionnaire, version=1, definition=definition)
    campaign = Campaign.objects.create(
        edition=edition,
        period=world.period,
        title="Опрос матрицы",
        opens=dt.date(2025, 10, 1),
        closes=dt.date(2025, 10, 31),
        target_kind=TargetKind.ROSTER,
    )
    for teacher, school in ((world.teacher_a, world.school_a), (world.teacher_b, world.school_b)):
        # Invited and answered: a municipal official reads the campaigns that reached their municipality.
        Invitation.objects.create(
            campaign=campaign,
            teacher=teacher,
            school=school,
            municipality=school.municipality,
            nonce="n",
            answered=True,
        )
        Response.objects.create(
            campaign=campaign,
            edition=edition,
            anonymous=False,
            teacher=teacher,
            school=school,
            municipality=school.municipality,
            answers={"mood": "good", "comment": "Все хорошо"},
        )
    tallies_rebuild(campaign=campaign)
    return campaign


@pytest.fixture
def matrix(world, settings, tmp_path, monkeypatch):
    """The fixed people and one object of each kind in scope A and B."""
    from django.core.files.base import ContentFile

    from indicators.engine import ensure_indicators
    from reports import letters

    settings.MEDIA_ROOT = tmp_path / "media"
    # A draft letter's preview is rendered on request; the matrix checks the door, not WeasyPrint.
    monkeypatch.setattr(letters, "letter_render", lambda *, letter, draft: b"%PDF-1.7 draft")
    ensure_indicators()
    o = SimpleNamespace(**vars(world), people=world.people)
    period = world.period
    for school in (world.school_a, world.school_b):
        factories.SubmissionFactory(period=period, school=school)
        factories.StaffingRowFactory(period=period, school=school)
    o.sub_a = models.SchoolSubmission.objects.get(school=world.school_a)
    o.roster_a = world.teacher_a.roster_entries.get()
    o.roster_b = world.teacher_b.roster_entries.get()
    o.roster_c = world.teacher_c.roster_entries.get()
    o.staffing_a = models.StaffingRow.objects.get(school=world.school_a)
    o.staffing_b = models.StaffingRow.objects.get(school=world.school_b)
    problems = [{"sheet": "Штатное расписание", "row": 2, "column": "Должность", "text": "Пустая должность"}]
    o.import_a = factories.ImportJobFactory(
        period=period, school=world.school_a, user=world.head_a, problems=problems, file=ContentFile(_xlsx(), "a.xlsx")
    )
    o.import_b = factories.ImportJobFactory(
        period=period, school=world.school_b, user=world.head_b, problems=problems, file=ContentFile(_xlsx(), "b.xlsx")
    )
    o.import_region = factories.ImportJobFactory(
        period=period, school=None, kind=models.ImportKind.PACKAGE, user=world.analyst, original_name="Пакет.xlsx"
    )
    o.export_job = factories.ExportJobFactory(period=period, user=world.analyst)
    o.export_ministry = factories.ExportJobFactory(period=period, user=world.ministry)
    o.api_token, _ = tokens.api_token_create(name="АИС", role=models.Role.MINISTRY, created_by=world.analyst)
    # Diagnostics: teacher A has a submitted one and a draft; teacher B a submitted one.
    o.diagnostic_a = factories.DiagnosticFactory(teacher=world.teacher_a, submit=True)
    o.diagnostic_b = factories.DiagnosticFactory(teacher=world.teacher_b, submit=True)
    o.draft_a = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 11, 1), kind="промежуточная")
    # Personal links as a head's results page issues them: teacher A's before their account got
    # its password (none is issued now), and one of a new teacher with no account and no roster row.
    password = world.teacher.password
    models.User.objects.filter(pk=world.teacher.pk).update(password="!")
    o.link_a = deficit_services.personal_links_issue(teachers=[world.teacher_a], issued_by=world.head_a)[
        world.teacher_a.pk
    ]
    models.User.objects.filter(pk=world.teacher.pk).update(password=password)
    newcomer = factories.TeacherFactory(full_name="Новикова Ирина Львовна")
    o.link_new = deficit_services.personal_links_issue(teachers=[newcomer], issued_by=world.head_a)[newcomer.pk]
    # A campaign of a questionnaire: teacher A's link not started, teacher B's started in another
    # browser, teacher C's answered.
    survey = answering.campaign(world)
    o.survey_link = invitation_token(invitation=answering.invitation(survey, world.teacher_a, world.school_a))
    started = answering.invitation(survey, world.teacher_b, world.school_b)
    survey_start(invitation=started, device="the other browser")
    o.survey_link_started = invitation_token(invitation=started)
    answered = answering.invitation(survey, world.teacher_c, world.school_c)
    response_submit(invitation=answered, answers={"role": "head", "years": "3"})
    o.survey_link_answered = invitation_token(invitation=answered)
    o.survey_campaign = _survey_campaign(world)
    o.program = factories.ProgramFactory(groups=["ИКТ"])
    o.course = factories.CourseRunFactory(program=o.program)
    o.enrollment_a = factories.EnrollmentFactory(teacher=world.teacher_a, course=o.course)
    o.enrollment_b = factories.EnrollmentFactory(teacher=world.teacher_b, course=o.course)
    o.route_a = factories.RouteFactory(teacher=world.teacher_a, diagnostic=o.diagnostic_a)
    o.route_b = factories.RouteFactory(teacher=world.teacher_b, diagnostic=o.diagnostic_b)
    o.activity_a = factories.RouteActivityFactory(route=o.route_a)
    o.activity_b = factories.RouteActivityFactory(route=o.route_b)
    o.run = factories.ComputationRunFactory(period=period, user=world.analyst)
    # Letters: an institute draft, and issued letters to the school heads of M1 (A) and of M2 (B).
    o.letter_draft = factories.LetterFactory(period=period, municipality=world.m1, author=world.analyst)
    o.letter_draft_item = factories.LetterItemFactory(letter=o.letter_draft)
    o.letter_a = factories.LetterFactory(period=period, municipality=world.m1, author=world.analyst)
    o.letter_a_item = factories.LetterItemFactory(letter=o.letter_a)
    o.letter_b = factories.LetterFactory(period=period, municipality=world.m2, author=world.analyst)
    factories.LetterItemFactory(letter=o.letter_b)
    factories.letter_issue_as_stored(o.letter_a, number="1/26")
    factories.letter_issue_as_stored(o.letter_b, number="2/26")
    # Values and findings for every school, so dashboards have rows to leak if they did.
    o.value_a, _, _ = (
        factories.IndicatorValueFactory(period=period, school=school)
        for school in (world.school_a, world.school_b, world.school_c)
    )
    o.finding_a = factories.FindingFactory(period=period, school=world.school_a)
    o.finding_b = factories.FindingFactory(period=period, school=world.school_b)
    factories.FindingFactory(period=period, school=world.school_c)
    o.measure_a = factories.MeasureFactory(period=period, school=world.school_a)
    o.measure_b = factories.MeasureFactory(period=period, school=world.school_b)
    # A ministry decision about school A, recorded by the ministry official.
    o.measure_ministry = factories.MeasureFactory(
        period=period, school=world.school_a, decided_by="ministry", act="Приказ № 1", created_by=world.ministry
    )
    # Meetings of the adopting bodies: the institute's, and M1's authority's with its protocol file.
    o.meeting_institute = factories.MeetingFactory(issuer=o.letter_a.issuer)
    o.meeting_m1 = factories.MeetingFactory(issuer=factories.municipal_issuer(world.m1), protocol=True)
    o.presentation = factories.PresentationFactory(period=period)
    o.notice_head_a = factories.NoticeFactory(user=world.head_a)
    # A plan item head B answers for (the responsible user may mark it done).
    o.plan_item = models.MonitoringPlanItem.objects.create(
        period=period, direction=9, deadline=dt.date(2025, 9, 30), obligation="school_data", responsible=world.head_b
    )
    o.annual = factories.AnnualReportFactory(period=period, user=world.ministry)
    o.spravka_a = factories.AnnualReportFactory(period=period, user=world.municipal, municipality=world.m1)
    o.spravka_b = factories.AnnualReportFactory(period=period, user=world.analyst, municipality=world.m2)
    o.questionnaire = _questionnaire()
    # Questionnaire campaigns: open ones to school A and to school B, and an institute draft.
    o.campaign_a = campaign_make(
        period, title="Опрос ОО А", target_kind="schools", target={"schools": [world.school_a.pk]}
    )
    o.campaign_b = campaign_make(
        period, title="Опрос ОО Б", target_kind="schools", target={"schools": [world.school_b.pk]}
    )
    for campaign in (o.campaign_a, o.campaign_b):
        survey_campaigns.campaign_open(campaign=campaign, user=world.analyst)
    o.campaign_draft = campaign_make(period, title="Черновик опроса")
    # The attestation register: teacher A's and teacher B's applications (the register page lists them).
    for teacher in (world.teacher_a, world.teacher_b):
        models.Attestation.objects.create(
            period=period, teacher=teacher, category="высшая", applied_on=dt.date(2025, 2, 1),
            decided_on=dt.date(2025, 3, 20), result="assigned",
        )  # fmt: skip
    return o


# ---------------------------------------------------------------------------
# Enumerating the project's URL patterns
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None  # with its namespace ("admin:…")

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def url_patterns(patterns=None, prefix: str = "", namespace: str | None = None) -> list[Pattern]:
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            assert isinstance(entry, URLPattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            found.append(Pattern(prefix + str(entry.pattern), name))
    return found


# ---------------------------------------------------------------------------
# Running probes
# ---------------------------------------------------------------------------


def _login_url(path: str) -> str:
    return "/admin/login/?next=" if path.startswith("/admin/") else "/login/?next="


def foreign_markers(world, role: str) -> list[str]:
    """What a role must never read on a page or in an API answer: the names of units and people outside its scope."""
    school_a, school_b, school_c = world.school_a, world.school_b, world.school_c
    teacher_a, teacher_b, teacher_c = world.teacher_a, world.teacher_b, world.teacher_c
    hidden = {
        "analyst": [],
        "ministry": [],
        "municipal": [world.m2, school_b, teacher_b],
        "head_a": [world.m2, school_b, school_c, teacher_b, teacher_c],
        "head_b": [world.m1, school_a, school_c, teacher_a, teacher_c],
        "teacher": [world.m2, school_b, school_c, teacher_b, teacher_c],
        "curator": [world.m2, school_b, school_c, teacher_b, teacher_c],
        "anonymous": [world.m1, world.m2, school_a, school_b, school_c, teacher_a, teacher_b, teacher_c],
    }[role]
    markers = [getattr(obj, "full_name", None) or obj.name for obj in hidden]
    if role in ("ministry", "municipal"):
        # Birth dates are personal data the officials never need (monitoring.models.scoping.PERSONAL_DATA_ROLES).
        born = world.teacher_a.birth_date
        markers += [f"{born:%d.%m.%Y}", born.isoformat()]
    return markers


def _leaks(response, markers: list[str]) -> list[str]:
    if response.status_code != 200 or not markers:
        return []
    kind = response.get("Content-Type", "")
    if not kind.startswith(("text/html", "application/json")) or getattr(response, "streaming", False):
        return []
    text = response.content.decode()
    return [m for m in markers if m in text]


def _run(client, probe: Probe, url: str, role: str, world) -> str | None:
    """None when the response matches the expectation, else what went wrong."""
    expected = probe.expect[role]
    data = probe.data(world) if probe.data else None
    try:
        # Each probe in a savepoint rolled back afterwards: the next probe sees the same world.
        with transaction.atomic():
            if probe.method == "get":
                response = client.get(url + _query(probe, world))
            elif probe.method == "delete":
                response = client.delete(url)
            else:
                response = client.post(url, data or {})
            transaction.set_rollback(True)
    except Exception as exc:  # a crash is a failure of the matrix, reported with the others
        return f"raised {exc.__class__.__name__}: {exc}"
    if expected == LOGIN:
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(_login_url(url)):
            return f"expected a redirect to the login page, got {response.status_code} {location}"
        return None
    if response.status_code != expected:
        return f"expected {expected}, got {response.status_code}"
    if leaked := _leaks(response, foreign_markers(world, role)):
        return f"shows what is outside the scope: {leaked}"
    if url.startswith("/api/") and expected >= 400 and not response["Content-Type"].startswith("application/json"):
        return f"{expected} without the API's JSON body"
    return None


def _no_writes(client, url: str) -> list[str]:
    """An API object takes no PUT or PATCH from anyone: none of its endpoints edits a row in place."""
    found = []
    for method in ("put", "patch"):
        with transaction.atomic():
            response = getattr(client, method)(url, {}, content_type="application/json")
            transaction.set_rollback(True)
        if response.status_code < 400:
            found.append(f"{method.upper()} {url}: {response.status_code}, a write the API has no door for")
    return found


def _query(probe: Probe, world) -> str:
    """The probe's query string; ``{name}`` stands for the pk of the world's object ``name``."""
    return re.sub(r"\{(\w+)\}", lambda m: str(getattr(world, m.group(1)).pk), probe.query)


def _probe_label(name: str, probe: Probe, url: str, world) -> str:
    note = f" ({probe.note})" if probe.note else ""
    return f"{probe.method.upper()} {url}{_query(probe, world)} [{name}{note}]"


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_api(role, client, matrix):
    if role != "anonymous":
        client.force_login(getattr(matrix, role))
    failures = []
    for name, probes in [*DOORS.items(), *((n, (p,)) for n, p in LAST_PROBES.items())]:
        for probe in probes:
            url = probe.path(matrix) if probe.path else reverse(name, kwargs=probe.kwargs(matrix))
            problem = _run(client, probe, url, role, matrix)
            if problem:
                failures.append(f"{_probe_label(name, probe, url, matrix)}: {problem}")
            if url.startswith("/api/") and probe.method == "get" and probe.kwargs(matrix) and not probe.query:
                failures += _no_writes(client, url)
    assert not failures, f"{role}: {len(failures)} doors answer otherwise than the matrix says:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------
# The admin site
# ---------------------------------------------------------------------------

STAFF_PEOPLE = ("analyst", "ministry", "municipal", "head_a", "head_b")
# Who finds the admin object of scope A in their admin list (its ModelAdmin's queryset).
IN_ALL = STAFF_PEOPLE  # public rows (catalogs, periods, the region)
IN_A = ("analyst", "ministry", "municipal", "head_a")  # rows of school A / teacher A
IN_M1 = ("analyst", "ministry", "municipal")  # rows of municipality M1 without a school
IN_REGION = ("analyst", "ministry")  # rows of no municipality (exports, the instrument's groups)
ANALYST = ("analyst",)
NOBODY = ()


@dataclass(frozen=True)
class AdminCase:
    """How to make one object in scope A, and who may do what with it in the admin."""

    build: Callable[[SimpleNamespace], object]
    seen: tuple[str, ...]  # whose queryset holds the object
    viewers: tuple[str, ...] = STAFF_PEOPLE  # who may view the model (ScopedAdmin: every staff role)
    add: tuple[str, ...] = ANALYST  # who may add (and change) rows
    delete: tuple[str, ...] = ANALYST
    history: tuple[str, ...] | None = None  # who reads the row's history (default: viewers who see it)
    export: tuple[str, ...] | None = None  # import-export's export page (default: viewers)


def _create(model_label: str, **fields):
    from django.apps import apps

    return lambda o: apps.get_model(model_label).objects.create(
        **{k: v(o) if callable(v) else v for k, v in fields.items()}
    )


def _association(o):
    return models.MethodicalAssociation.objects.get_or_create(
        period=o.period,
        code="МО-1",
        defaults={"name": "ШМО учителей математики", "level": "школьное", "school": o.school_a},
    )[0]


def _mentoring(o):
    return models.MentoringProgram.objects.get_or_create(
        period=o.period, code="Н-1", defaults={"name": "Наставничество", "school": o.school_a}
    )[0]


def _mentor(o):
    """A second teacher of school A (a pair's mentor is shown with the pair)."""
    mentor = factories.TeacherFactory(full_name="Смирнова Елена Петровна")
    factories.RosterEntryFactory(period=o.period, teacher=mentor, school=o.school_a)
    return mentor


def _small_instrument(o):
    from deficits.models import CompetenceGroup, Instrument

    instrument, created = Instrument.objects.get_or_create(code="mini", defaults={"name": "Мини-анкета"})
    if created:
        CompetenceGroup.objects.create(instrument=instrument, code="ИКТ", name="ИКТ-компетенции")
    return instrument


def _questionnaire():
    """A small questionnaire with one edition (the authoring doors' object; public, like every catalog)."""
    from deficits.models import Questionnaire, QuestionnaireEdition

    questionnaire = Questionnaire.objects.create(code="mini-survey", title="Мини-опрос")
    item = {"name": "q1", "type": "text", "label": "Как дела?", "hint": "", "required": False, "relevant": ""}
    item.update(constraint="", constraint_message="")
    section = {"name": "", "title": "", "relevant": "", "items": [item]}
    definition = {"title": "Мини-опрос", "form_id": "mini-survey", "version": "", "sections": [section]}
    QuestionnaireEdition.objects.create(
        questionnaire=questionnaire, version=1, definition={**definition, "choice_lists": {}}
    )
    return questionnaire


def _personal_link(o):
    from deficits.models import PersonalLink

    return PersonalLink.objects.get_or_create(
        digest="0" * 64, defaults={"teacher": o.teacher_a, "issued_by": o.head_a, "issued_at": dt.datetime.now(dt.UTC)}
    )[0]


def _support_project(o):
    return models.SupportProject.objects.get_or_create(period=o.period, code="П-1", defaults={"name": "500+"})[0]


_AXES = {"user_agent": "pytest", "http_accept": "*/*", "path_info": "/login/"}

ADMIN_MODELS: dict[str, AdminCase] = {
    # Django's and django-axes' own admins keep Django's permission tables: no role has them.
    "auth.Group": AdminCase(_create("auth.Group", name="Методисты"), IN_ALL, viewers=NOBODY, add=NOBODY, delete=NOBODY),
    "axes.AccessAttempt": AdminCase(
        _create("axes.AccessAttempt", get_data="", post_data="", failures_since_start=1, **_AXES),
        IN_ALL,
        viewers=NOBODY,
        add=NOBODY,
        delete=NOBODY,
    ),
    "axes.AccessLog": AdminCase(_create("axes.AccessLog", **_AXES), IN_ALL, viewers=NOBODY, add=NOBODY, delete=NOBODY),
    "axes.AccessFailureLog": AdminCase(
        _create("axes.AccessFailureLog", **_AXES), IN_ALL, viewers=NOBODY, add=NOBODY, delete=NOBODY
    ),
    "monitoring.Region": AdminCase(lambda o: o.m1.region, IN_ALL),
    "monitoring.Municipality": AdminCase(lambda o: o.m1, IN_M1),
    "monitoring.School": AdminCase(lambda o: o.school_a, IN_A),
    "monitoring.MonitoringPeriod": AdminCase(lambda o: o.period, IN_ALL),
    "monitoring.MonitoringPlanItem": AdminCase(
        _create("monitoring.MonitoringPlanItem", period=lambda o: o.period, direction=1, deadline=dt.date(2025, 6, 1)),
        IN_ALL,
    ),
    # Birth dates and СНИЛС: the card's history and export only for the personal-data roles.
    "monitoring.Teacher": AdminCase(
        lambda o: o.teacher_a, IN_A, history=("analyst", "head_a"), export=("analyst", "head_a", "head_b")
    ),
    "monitoring.RosterEntry": AdminCase(lambda o: o.teacher_a.roster_entries.get(), IN_A),
    "monitoring.StaffingRow": AdminCase(lambda o: o.staffing_a, IN_A),
    "monitoring.ExpertRole": AdminCase(
        _create("monitoring.ExpertRole", period=lambda o: o.period, teacher=lambda o: o.teacher_a, kind="аттестация"),
        IN_A,
    ),
    "monitoring.MethodicalActivist": AdminCase(
        _create(
            "monitoring.MethodicalActivist",
            period=lambda o: o.period,
            full_name="Орлова Е. В.",
            municipality=lambda o: o.m1,
            role="тьютор ЦНППМ",
        ),
        IN_M1,
    ),
    "monitoring.SupportProject": AdminCase(_support_project, IN_ALL),
    "monitoring.SupportProjectParticipant": AdminCase(
        _create("monitoring.SupportProjectParticipant", project=_support_project, teacher=lambda o: o.teacher_a), IN_A
    ),
    "monitoring.MentoringProgram": AdminCase(_mentoring, IN_A),
    "monitoring.MentoringPair": AdminCase(
        _create("monitoring.MentoringPair", program=_mentoring, mentor=_mentor, mentee=lambda o: o.teacher_a), IN_A
    ),
    "monitoring.CompetitionEntry": AdminCase(
        _create(
            "monitoring.CompetitionEntry",
            period=lambda o: o.period,
            teacher=lambda o: o.teacher_a,
            competition="Учитель года",
            level="школьный",
            date=dt.date(2025, 2, 1),
        ),
        IN_A,
    ),
    "monitoring.MethodicalAssociation": AdminCase(_association, IN_A),
    "monitoring.AssociationMember": AdminCase(
        _create("monitoring.AssociationMember", association=_association, teacher=lambda o: o.teacher_a), IN_A
    ),
    "monitoring.AssociationEvent": AdminCase(
        _create("monitoring.AssociationEvent", association=_association, date=dt.date(2025, 3, 1), title="Семинар"),
        IN_A,
    ),
    "monitoring.DigitalEnvironmentScore": AdminCase(
        _create(
            "monitoring.DigitalEnvironmentScore",
            period=lambda o: o.period,
            school=lambda o: o.school_a,
            infrastructure=3,
            tools=3,
            usage=3,
            professional_development=3,
        ),
        IN_A,
    ),
    "monitoring.Attestation": AdminCase(
        _create(
            "monitoring.Attestation",
            period=lambda o: o.period,
            teacher=lambda o: o.teacher_a,
            category="первая",
            applied_on=dt.date(2025, 1, 15),
        ),
        IN_A,
    ),
    "monitoring.SchoolSubmission": AdminCase(lambda o: o.sub_a, IN_A),
    # Users: the institute's alone.
    "monitoring.User": AdminCase(lambda o: o.head_a, ANALYST, viewers=ANALYST),
    # Written by the services only: viewed, deleted by the institute, never added here.
    "monitoring.SubmissionEvent": AdminCase(
        _create("monitoring.SubmissionEvent", submission=lambda o: o.sub_a, status="submitted"), IN_A, add=NOBODY
    ),
    "monitoring.ImportJob": AdminCase(lambda o: o.import_a, IN_A, add=NOBODY),
    "monitoring.ExportJob": AdminCase(lambda o: o.export_job, IN_REGION, add=NOBODY),
    # Tokens are issued on /api-tokens/ (the secret is shown once); deleting one here revokes it.
    "monitoring.ApiToken": AdminCase(lambda o: o.api_token, IN_ALL, viewers=ANALYST, add=NOBODY),
    # A small edition of another instrument, no diagnostics yet (one in use is frozen: no delete).
    "deficits.Instrument": AdminCase(lambda o: _small_instrument(o), IN_ALL),
    "deficits.CompetenceGroup": AdminCase(lambda o: _small_instrument(o).groups.get(), IN_ALL),
    # Diagnostics are taken or imported, routes built by teachers: never added in the admin.
    "deficits.Diagnostic": AdminCase(lambda o: o.diagnostic_a, IN_A, add=NOBODY),
    # Questionnaires are made in the builder or from a workbook; their editions are read only here.
    "deficits.Questionnaire": AdminCase(lambda o: o.questionnaire, IN_ALL, add=NOBODY, delete=NOBODY),
    "deficits.QuestionnaireEdition": AdminCase(
        lambda o: o.questionnaire.editions.get(), IN_ALL, add=NOBODY, delete=NOBODY
    ),
    # The personal links' journal: the institute reads it; written by the link pages only.
    "deficits.PersonalLink": AdminCase(_personal_link, IN_A, viewers=ANALYST, add=NOBODY, delete=NOBODY),
    "deficits.PersonalLinkUse": AdminCase(
        _create("deficits.PersonalLinkUse", link=_personal_link, event="opened", address="10.0.0.7"),
        IN_A,
        viewers=ANALYST,
        add=NOBODY,
        delete=NOBODY,
    ),
    "iom.Provider": AdminCase(lambda o: o.program.provider, IN_ALL),
    "iom.Program": AdminCase(lambda o: o.program, IN_ALL),
    "iom.CourseRun": AdminCase(lambda o: o.course, IN_ALL),
    "iom.Enrollment": AdminCase(lambda o: o.enrollment_a, IN_A),
    "iom.Route": AdminCase(lambda o: o.route_a, IN_A, add=NOBODY),
    # A curator's teachers: the institute assigns (and removes); staff read the assignments of their teachers.
    "monitoring.CuratorAssignment": AdminCase(
        lambda o: models.CuratorAssignment.objects.get(teacher=o.teacher_a), IN_A
    ),
    # Values, runs and the catalog are written by the computation only.
    "indicators.Indicator": AdminCase(
        lambda o: __import__("indicators.models").models.Indicator.objects.get(code="1.1"),
        IN_ALL,
        add=NOBODY,
        delete=NOBODY,
    ),
    # The institute's own catalogs of indicators: its staff read them here; the builder's services write them.
    "indicators.IndicatorCatalog": AdminCase(
        _create("indicators.IndicatorCatalog", slug="zhirnovsk", title="Письмо Жирновского района"),
        IN_ALL,
        viewers=ANALYST,
        add=NOBODY,
        delete=NOBODY,
    ),
    # A period's targets and thresholds follow the catalog: edited, never added or deleted by hand.
    "indicators.PeriodIndicator": AdminCase(
        _create("indicators.PeriodIndicator", period=lambda o: o.period, indicator=lambda o: _indicator("1.1")),
        IN_ALL,
        add=NOBODY,
        delete=NOBODY,
    ),
    "indicators.ComputationRun": AdminCase(lambda o: o.run, IN_ALL, add=NOBODY, delete=NOBODY),
    "indicators.IndicatorValue": AdminCase(lambda o: o.value_a, IN_A, add=NOBODY, delete=NOBODY),
    "reports.RecommendationText": AdminCase(
        _create("reports.RecommendationText", kind="conclusion", direction=1, text="Курсы не пройдены."), IN_ALL
    ),
    # Letterheads are never deleted (issued letters cite them), and set up on «Реквизиты бланка», not added
    # here (only a superuser adds one, as only a superuser names its signatory's login).
    "reports.Issuer": AdminCase(lambda o: o.letter_a.issuer, IN_ALL, add=NOBODY, delete=NOBODY),
    # Letters are composed on their pages; an issued one is frozen (no delete, even for the institute).
    "reports.Letter": AdminCase(lambda o: o.letter_a, IN_A, add=NOBODY, delete=NOBODY),
    "reports.OutgoingRegister": AdminCase(
        _create("reports.OutgoingRegister", issuer=lambda o: o.letter_a.issuer, year=2026, last_number=2),
        IN_ALL,
        add=NOBODY,
        delete=NOBODY,
    ),
    "reports.LetterReceipt": AdminCase(
        _create("reports.LetterReceipt", letter=lambda o: o.letter_a, user=lambda o: o.head_a),
        IN_A,
        add=NOBODY,
        delete=NOBODY,
    ),
    "reports.Measure": AdminCase(lambda o: o.measure_a, IN_A),
    # Meetings: a municipal body's are its municipality's; presentations every staff reader's.
    "reports.Meeting": AdminCase(lambda o: o.meeting_m1, IN_M1),
    "reports.Presentation": AdminCase(lambda o: o.presentation, IN_ALL),
    # Notices are personal: the institute checks deliveries, everyone else reads their own.
    "reports.Notice": AdminCase(lambda o: o.notice_head_a, ("analyst", "head_a"), add=NOBODY, delete=NOBODY),
    # The region's report: the institute's and the ministry's only, as its pages.
    "reports.AnnualReport": AdminCase(lambda o: o.annual, IN_REGION, viewers=IN_REGION, add=NOBODY, delete=NOBODY),
}


def _indicator(code):
    from indicators.models import Indicator

    return Indicator.objects.get(code=code)


# Site-level admin patterns: name (or route) → probes. ``LOGIN`` for anonymous and the
# teacher, who is no staff member.
def S(*statuses, anon=LOGIN, teacher=LOGIN) -> dict:
    """The admin's statuses for analyst, ministry, municipal, head_a, head_b; anonymous and teacher → login."""
    expect = {"anonymous": anon, "teacher": teacher, **dict(zip(STAFF_PEOPLE, statuses, strict=True))}
    expect["curator"] = teacher
    return expect


def _autocomplete(model: str, field_name: str) -> str:
    return f"?app_label=monitoring&model_name={model}&field_name={field_name}&term="


ADMIN_SITE: dict[str, tuple[Probe, ...]] = {
    "admin:index": (get(S(200, 200, 200, 200, 200)),),
    "admin:login": (get(S(302, 302, 302, 302, 302, anon=200, teacher=200)),),
    # Someone who is not staff is sent to the admin's index (and from there to its login page).
    "admin:logout": (get(S(405, 405, 405, 405, 405, anon=302, teacher=302)),),
    "admin:password_change": (get(S(200, 200, 200, 200, 200)),),
    "admin:password_change_done": (get(S(200, 200, 200, 200, 200)),),
    # Choices offered by autocomplete widgets come from the target admin's scoped queryset.
    "admin:autocomplete": (
        get(S(403, 403, 403, 403, 403), note="no parameters"),
        get(S(200, 200, 200, 200, 200), note="schools' municipalities", query=_autocomplete("school", "municipality")),
        get(S(200, 200, 200, 200, 200), note="roster's teachers", query=_autocomplete("rosterentry", "teacher")),
    ),
    "admin:jsi18n": (get(S(200, 200, 200, 200, 200)),),
    "admin:view_on_site": (
        get(
            S(404, 404, 404, 404, 404),
            lambda o: {
                "content_type_id": ContentType.objects.get_for_model(models.School).pk,
                "object_id": o.school_a.pk,
            },
            "school A (no public page)",
        ),
    ),
    "admin:app_list": tuple(
        get(
            S(*(200 if label not in ("auth", "axes") else 404,) * 5), lambda o, label=label: {"app_label": label}, label
        )
        for label in ("monitoring", "deficits", "iom", "indicators", "reports", "auth", "axes")
    ),
}
ADMIN_CATCH_ALL = "admin/(?P<url>.*)$"

# The families of a ModelAdmin's patterns ("admin:<app>_<model>_<family>"); the unnamed
# "<path:object_id>/" pattern of each model redirects to its change page.
ADMIN_FAMILIES = (
    "changelist", "add", "change", "delete", "history", "simple_history", "import", "process_import", "export",
    "password_change",
)  # fmt: skip


def admin_family(pattern: Pattern) -> tuple[str, str] | None:
    """(model label, family) of a ModelAdmin's pattern, None for a site-level one."""
    for model in admin.site._registry:
        meta = model._meta
        if not pattern.route.startswith(f"admin/{meta.app_label}/{meta.model_name}/"):
            continue
        prefix = f"admin:{meta.app_label}_{meta.model_name}_"
        if pattern.name is None:
            return meta.label, "redirect"
        if pattern.name == "admin:auth_user_password_change":  # django.contrib.auth's UserAdmin names it so
            return meta.label, "password_change"
        return meta.label, pattern.name.removeprefix(prefix)
    return None


def admin_expected(case: AdminCase, family: str, role: str, *, keeps_history: bool):
    """The rule of the admin (see the module's docstring)."""
    if role not in STAFF_PEOPLE:
        return LOGIN
    sees = role in case.seen
    views = role in case.viewers
    if family == "changelist":
        return 200 if views else 403
    if family in ("add", "import"):
        return 200 if role in case.add else 403
    if family == "change":
        return 403 if not views else 200 if sees else 302
    if family == "delete":
        return 403 if role not in case.delete else 200 if sees else 302
    if family in ("history", "simple_history"):
        readers = case.history if case.history is not None else tuple(r for r in case.seen if r in case.viewers)
        if keeps_history:  # monitoring.shared.admin.HistoryAdmin: outside the scope, "not found"
            return 200 if role in readers else 404
        return (200 if views else 403) if sees else 302
    if family == "export":
        return 200 if role in (case.export if case.export is not None else case.viewers) else 403
    if family == "process_import":
        return 200 if role in case.add else 403
    if family == "password_change":
        return 200 if role in case.add else 403
    if family == "redirect":
        return 302
    raise AssertionError(f"no rule for the admin family {family!r}")


def _admin_probes(matrix) -> list[tuple[str, str, str, Probe]]:
    """(label, family, url, probe) for every ModelAdmin pattern, on the object of scope A."""
    by_model: dict[str, dict[str, str | None]] = {}
    for pattern in url_patterns():
        if pattern.is_admin and (found := admin_family(pattern)):
            by_model.setdefault(found[0], {})[found[1]] = pattern.name
    probes = []
    for model in admin.site._registry:
        label = model._meta.label
        case, obj, families = ADMIN_MODELS[label], matrix.admin_objects[label], by_model[label]
        keeps_history = "simple_history" in families
        for family, name in sorted(families.items()):
            if family in ("changelist", "add", "import", "process_import", "export"):
                url = reverse(name)
            elif family == "simple_history":
                url = reverse(name, args=[obj.pk, obj.history.order_by("history_id").first().history_id])
            elif family == "redirect":
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") + f"{obj.pk}/"
            else:
                url = reverse(name, args=[obj.pk])
            method = "post" if family == "process_import" else "get"
            expect = {r: admin_expected(case, family, r, keeps_history=keeps_history) for r in ROLES}
            probes.append((label, family, url, Probe(expect=expect, method=method, note=f"{label} {family}")))
    return probes


@pytest.fixture
def admin_matrix(matrix):
    matrix.admin_objects = {label: case.build(matrix) for label, case in ADMIN_MODELS.items()}
    return matrix


@pytest.mark.parametrize("role", ROLES)
def test_admin(role, client, admin_matrix, monkeypatch):
    matrix = admin_matrix
    if role == "analyst":
        # The institute sees every row and every field, so an admin page has nothing outside its
        # scope to show; a page's status is decided before its template renders, and skipping
        # the rendering here keeps the test fast.
        from django.template.response import SimpleTemplateResponse

        monkeypatch.setattr(SimpleTemplateResponse, "rendered_content", property(lambda self: ""))
    if role != "anonymous":
        client.force_login(getattr(matrix, role))
    failures = []
    for name, probes in ADMIN_SITE.items():
        for probe in probes:
            url = reverse(name, kwargs=probe.kwargs(matrix))
            if problem := _run(client, probe, url, role, matrix):
                failures.append(f"{_probe_label(name, probe, url, matrix)}: {problem}")
    catch_all = get(S(404, 404, 404, 404, 404))
    if problem := _run(client, catch_all, "/admin/no-such-page/", role, matrix):
        failures.append(f"GET /admin/no-such-page/ [catch-all]: {problem}")
    for _label, _family, url, probe in _admin_probes(matrix):
        if problem := _run(client, probe, url, role, matrix):
            failures.append(f"{probe.method.upper()} {url} [{probe.note}]: {problem}")
    assert not failures, f"{role}: {len(failures)} admin pages answer otherwise than the rule says:\n" + "\n".join(
        failures
    )


# ---------------------------------------------------------------------------
# Every pattern classified
# ---------------------------------------------------------------------------


def test_every_url_pattern_is_classified():
    """A new URL fails here until it has its row in DOORS (or its admin is in ADMIN_MODELS / ADMIN_SITE)."""
    patterns = url_patterns()
    site = {p.key for p in patterns if not p.is_admin}
    classified = set(DOORS) | set(LAST_PROBES)
    problems = [f"not classified: {key!r}" for key in sorted(site - classified)]
    problems += [f"classified but no longer a URL: {key!r}" for key in sorted(classified - site)]
    problems += [f"no probe: {key!r}" for key in sorted(classified) if not DOORS.get(key) and key not in LAST_PROBES]

    admin_site = {p.key for p in patterns if p.is_admin and admin_family(p) is None}
    problems += [
        f"admin pattern not classified: {key!r}" for key in sorted(admin_site - {*ADMIN_SITE, ADMIN_CATCH_ALL})
    ]
    problems += [f"admin pattern gone: {key!r}" for key in sorted({*ADMIN_SITE, ADMIN_CATCH_ALL} - admin_site)]
    families = {admin_family(p) for p in patterns if p.is_admin} - {None}
    problems += [
        f"admin family without a rule: {label} {family!r}"
        for label, family in sorted(families)
        if family not in (*ADMIN_FAMILIES, "redirect")
    ]
    registered = {model._meta.label for model in admin.site._registry}
    problems += [
        f"ModelAdmin without a row in ADMIN_MODELS: {label}" for label in sorted(registered - set(ADMIN_MODELS))
    ]
    problems += [f"ADMIN_MODELS row of no ModelAdmin: {label}" for label in sorted(set(ADMIN_MODELS) - registered)]
    assert not problems, "\n".join(problems)
    # The admin test tries each model's changelist and change page (and every other family it has).
    assert {family for _, family in families} >= {"changelist", "change"}
    assert len(patterns) > 400
