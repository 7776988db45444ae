"""Every write leaves everything outside the writer's scope untouched (issue 14, the class of item 1).

For each role with a scope — a municipal official (M1: schools A and C), the head of school
A and teacher A — every door that writes (pages, uploads, API, the admin) is tried with
hostile inputs: the access matrix's own probes (objects of scope A and B in the address),
every such door again with a body naming other units' objects (``foreign_body``), and
door-specific attacks (``ATTACKS``: an upload mixing the school's rows with another
school's teachers and codes, bodies naming another route or letter). Before and after each
attempt every table is read; the rows outside the writer's scope (``outside``) must come out
exactly as they went in — none changed, none removed, none added — save the journal rows a
write may address to others (``JOURNALS``).

The writer's scope is monitoring.models.scoping's filter for the role, without the rows it only
reads: public catalogs (periods, programs, the indicator catalog) and rows addressed to the
whole region are outside for every scoped role; rows that belong to a person (their own
notices, uploads, receipts) are inside for that person.

Every URL pattern is classified: a writing door in ``WRITE_DOORS`` (tried here), a reading
one in ``READ_ONLY`` (tried here too: a POST, PUT, PATCH and DELETE with the hostile body
must change no row of any table). A new pattern fails ``test_every_door_is_classified``
until it is put in one of them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from openpyxl import Workbook
from simple_history.models import HistoricalChanges

from monitoring.models.scoping import NOTHING, scope_filter
from tests import test_access_matrix as access
from tests.test_access_matrix import DOORS, LAST_PROBES, url_patterns

# The access matrix's world (one object of each kind in scope A and B), by the same fixtures.
matrix = access.matrix
admin_matrix = access.admin_matrix

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]

# The curator (assigned to teacher A) writes comments on their teachers' routes.
WRITERS = ("municipal", "head_a", "teacher", "curator")


def _person(o, role: str):
    """One of the matrix's people; the curator is the world's own (not among the six ``people``)."""
    return o.people[role] if role in o.people else getattr(o, role)


# Tables no door writes on anyone's behalf, left out with their reason.
BOOKKEEPING = {
    "sessions.Session": "signing in is the session's own business",
    "axes.AccessAttempt": "login attempts (django-axes)",
    "axes.AccessLog": "login records (django-axes)",
    "axes.AccessFailureLog": "login records (django-axes)",
    "axes.AccessAttemptExpiration": "login records (django-axes)",
    "admin.LogEntry": "the admin's own journal of its saves",
    "contenttypes.ContentType": "Django's registry of models",
    "auth.Permission": "Django's registry of permissions",
    # What the computation derives from the data: recomputed (the institute's computation, which
    # an applied import schedules), never written by a door of a scoped role.
    "indicators.IndicatorValue": "the computation's output",
    "reports.Finding": "the computation's output",
    "indicators.ComputationRun": "the computation's record (an applied import schedules one)",
}
# Rows a write may add for other people, never changing or removing one that exists.
JOURNALS = {
    "reports.Notice": "a notice to the person a write concerns (a teacher whose route was reviewed)",
    # Every use of a personal link is recorded, a refused one too (someone signed in who is not
    # its teacher gets 409 and leaves a record): the link's own journal, whoever holds it.
    "deficits.PersonalLink": "a personal link's record, made on its first use",
    "deficits.PersonalLinkUse": "a recorded use of a personal link",
}
# Rows a reading page makes on its first visit and then reads, never changing an existing one.
LAZY = {
    "reports.Issuer": "a municipality's letterhead, made when its letters are first listed",
    "indicators.PeriodIndicator": "the period's edition of the catalog, frozen when first read",
    **JOURNALS,
}
# Write doors that build a document in the request (the embedded default runs a queued build there):
# the build reads the period's edition of the catalog, which its first read freezes (LAZY).
BUILDS = {
    "spravka-start": "builds a municipality's справка",
}
# Rows of a person: inside the scope of that person only.
OWNED_BY = {
    "monitoring.ImportJob": "user",
    "monitoring.ExportJob": "user",
    "monitoring.SubmissionEvent": "user",
    "reports.Notice": "user",
    "reports.LetterReceipt": "user",
    "reports.AnnualReport": "user",
    "deficits.PersonalLinkUse": "user",
    "iom.RouteEvent": "user",
}
# Rows without scope paths of their own: in the scope of their parent row.
PARENT = {
    "deficits.GroupResult": "diagnostic",
    "reports.LetterItem": "letter",
    "reports.LetterReceipt": "letter",
}


def _models():
    for model in apps.get_models():
        label = model._meta.label
        if issubclass(model, HistoricalChanges) or label in BOOKKEEPING:
            continue  # audit history is written by every change, in its own tables
        yield model


def inside(user, model) -> Q:
    """The rows of ``model`` within what ``user`` may change: anchored rows, not the ones only read."""
    label = model._meta.label
    q = NOTHING
    if label == "monitoring.User":
        q = Q(pk=user.pk)  # signing in stamps one's own last_login
    paths = getattr(model, "scope_paths", None)
    if paths is not None and not paths.public:
        q |= scope_filter(user=user, model=model)
        if paths.region_wide:
            q &= Q(**{f"{paths.region_wide}__isnull": False})
    if label in PARENT:
        parent = model._meta.get_field(PARENT[label]).related_model
        q |= Q(**{f"{PARENT[label]}__in": parent._base_manager.filter(inside(user, parent)).values("pk")})
    if label in OWNED_BY:
        q |= Q(**{OWNED_BY[label]: user})
    if label == "reports.Issuer" and user.municipality_id:
        q |= Q(municipality_id=user.municipality_id)  # a municipality's own letterhead
    return q


def _rows(queryset) -> dict:
    fields = [f.attname for f in queryset.model._meta.concrete_fields]
    return {row[0]: row for row in queryset.order_by("pk").values_list("pk", *fields)}


def outside(user) -> dict[str, dict]:
    return {m._meta.label: _rows(m._base_manager.exclude(inside(user, m))) for m in _models()}


def everything() -> dict[str, dict]:
    return {m._meta.label: _rows(m._base_manager.all()) for m in _models()}


def differences(before: dict, after: dict, *, journals=JOURNALS) -> list[str]:
    found = []
    for label, rows in before.items():
        now = after[label]
        for pk, row in rows.items():
            if pk not in now:
                found.append(f"{label} #{pk} removed")
            elif now[pk] != row:
                changed = [i for i, (a, b) in enumerate(zip(row, now[pk], strict=True)) if a != b]
                found.append(f"{label} #{pk} changed ({len(changed)} fields)")
        if label not in journals:
            found += [f"{label} #{pk} added" for pk in now.keys() - rows.keys()]
    return found


# ---------------------------------------------------------------------------
# Hostile inputs
# ---------------------------------------------------------------------------


def foreign_body(o) -> dict:
    """Every field name a door reads, naming what belongs to school B, M2 or teacher B."""
    return {
        "school": o.school_b.code,
        "municipality": o.m2.code,
        "teacher": o.teacher_b.code,
        "route": o.route_b.pk,
        "diagnostic": o.diagnostic_b.pk,
        "letter": o.letter_b.pk,
        "activity": o.activity_b.pk,
        "course": o.course.code,
        "user": o.head_b.pk,
        "responsible_user": o.head_b.pk,
        "org_code": o.school_b.code,
        "level": "school",
        "period": o.period.year,
        "kind": "staffing",
        "id": o.roster_b.pk,
        "pk": o.roster_b.pk,
        "submission": o.sub_a.pk,
        "action": "accept",
        "decision": "approve",
        "done": "1",
        "direction": "up",
        "title": "Подмена",
        "text": "Подмена",
        "comment": "Подмена",
        "reflection": "Подмена",
        "target": "50",
        "due": "2026-06-01",
        "indicator": "1.1",
        "responsible": "Подмена",
        "name": "Подмена",
        "role": "analyst",
        "status": "accepted",
    }


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


TEACHER_HEAD = ["Код педагога", "ФИО", "Пол", "Дата рождения", "Код ОО", "Должность"]
STAFFING_HEAD = [
    "Код ОО", "Должность", "Ставок по штату", "Фактическая потребность в ставках", "Вакантных ставок",
    "Вакантных должностей",
]  # fmt: skip


def mixed_staffing(o, *, school_code="000001") -> bytes:
    """School A's file naming teachers B and C (another municipality's, a neighbour's) and school B."""
    return _workbook(
        {
            "Штатное расписание": [
                STAFFING_HEAD,
                [school_code, "учитель", 20, 21, 1, 1],
                ["000002", "учитель", 99, 99, 0, 0],
            ],
            "Педагоги": [
                TEACHER_HEAD,
                ["T0000001", "Петрова Анна Ивановна", "Ж", "17.05.1980", school_code, "учитель"],
                ["T0000002", "Захватов Иван", "М", "01.01.1990", school_code, "учитель"],
                ["T0000003", "Захватова Ольга", "Ж", "01.01.1991", school_code, "учитель"],
            ],
        }
    )


def takeover_only(o) -> bytes:
    """The reported attack, alone: one row, teacher B's code, school A's code."""
    return _workbook(
        {
            "Штатное расписание": [STAFFING_HEAD, ["000001", "учитель", 20, 21, 1, 1]],
            "Педагоги": [TEACHER_HEAD, ["T0000002", "Захватов Иван", "М", "01.01.1990", "000001", "учитель"]],
        }
    )


def region_package(o) -> bytes:
    return _workbook(
        {
            "Организации": [["Код ОО", "Наименование", "Код муниципалитета"], ["000002", "Подмена", "02"]],
            "Педагоги": [TEACHER_HEAD, ["T0000002", "Захватов Иван", "М", "01.01.1990", "000002", "учитель"]],
        }
    )


@dataclass(frozen=True)
class Attack:
    """One hostile request: the URL's kwargs, the method, and a body (files included)."""

    note: str
    kwargs: Callable[[SimpleNamespace], dict] = lambda o: {}
    method: str = "post"
    data: Callable[[SimpleNamespace], dict] = lambda o: {}
    then_confirm: bool = False  # an upload: confirm the job it made, as its uploader would


def _upload(builder, name="Штатное.xlsx", **extra):
    return lambda o: {"file": SimpleUploadedFile(name, builder(o)), **extra}


def _code(name):
    return lambda o: {"code": getattr(o, name).code}


def _pk(name):
    return lambda o: {"pk": getattr(o, name).pk}


ATTACKS: dict[str, tuple[Attack, ...]] = {
    "staffing-upload": (
        Attack("school A's file with B's and C's teachers", _code("school_a"), data=_upload(mixed_staffing),
               then_confirm=True),
        Attack("teacher B alone under school A", _code("school_a"), data=_upload(takeover_only), then_confirm=True),
        Attack("school B's address, A's file", _code("school_b"), data=_upload(mixed_staffing)),
    ),
    "import-list": (Attack("a region package", data=_upload(region_package, "Пакет.xlsx", replace="on")),),
    "api-import-job-list": (
        Attack("staffing for A with B's teachers", then_confirm=True,
               data=_upload(mixed_staffing, kind="staffing", period=2025, school="000001")),
        Attack("staffing for B", data=_upload(mixed_staffing, kind="staffing", period=2025, school="000002")),
        Attack("a region package", data=_upload(region_package, "Пакет.xlsx", kind="package", period=2025)),
    ),
    "teacher-transfer": (
        Attack("teacher B into school A", _code("teacher_b"), data=lambda o: {"school": "000001"}),
        Attack("teacher A into school B", _code("teacher_a"), data=lambda o: {"school": "000002"}),
        Attack("teacher C into school A", _code("teacher_c"), data=lambda o: {"school": "000001"}),
    ),
    "api-teacher-transfer": (
        Attack("teacher B into school A", _pk("roster_b"), data=lambda o: {"school": "000001"}),
        Attack("teacher A into school B", _pk("roster_a"), data=lambda o: {"school": "000002"}),
    ),
    "api-route-activity-list": (
        Attack("an activity on route B", data=lambda o: {"route": o.route_b.pk, "kind": "самообразование",
                                                        "title": "Подмена", "due": "2025-10-01"}),
    ),
    "activity-add": (
        Attack("route A's address, route B in the body", _pk("route_a"),
               data=lambda o: {"route": o.route_b.pk, "kind": "самообразование", "title": "Подмена",
                               "due": "2025-10-01"}),
    ),
    "api-route-list": (Attack("a route from diagnostic B", data=lambda o: {"diagnostic": o.diagnostic_b.pk}),),
    "measure-create": (
        Attack("a measure for school B", data=lambda o: {**_measure(o), "org_code": "000002"}),
        Attack("a measure for M2", data=lambda o: {**_measure(o), "level": "municipality", "org_code": "02"}),
    ),
    "letter-new": (Attack("a letter to M2", data=lambda o: {"municipality": o.m2.pk, "period": o.period.pk}),),
    "route-comment-add": (
        Attack("route A's address, route B in the body", _pk("route_a"),
               data=lambda o: {"route": o.route_b.pk, "text": "Подмена"}),
        Attack("a comment on route B", _pk("route_b"), data=lambda o: {"text": "Подмена"}),
    ),
    "curator-detail": (
        Attack("teachers B and C to the curator", _pk("curator"),
               data=lambda o: {"codes": f"{o.teacher_b.code} {o.teacher_c.code}"}),
    ),
    "measure-edit": (
        Attack("a decision about school B", _pk("measure_b"),
               data=lambda o: {"text": "Подмена", "target": "1", "responsible": "Подмена", "due": "2026-06-01"}),
    ),
    "meeting-list": (
        Attack("a meeting naming the institute's body", data=lambda o: {"number": "99", "date": "2026-07-14",
                                                                      "issuer": o.meeting_institute.issuer_id}),
    ),
    "letter-edit": (
        Attack("the institute's meeting on a draft", _pk("letter_draft"),
               data=lambda o: {"title": "Подмена", "meeting": o.meeting_institute.pk, "revision": "0"}),
    ),
}  # fmt: skip


def _measure(o) -> dict:
    from indicators.models import Indicator

    return {
        "period": o.period.pk,
        "text": "Подмена",
        "indicator": Indicator.objects.get(code="1.1").pk,
        "level": "school",
        "org_code": "000001",
        "target": "50",
        "responsible": "Подмена",
        "due": "2026-06-01",
    }


# Every door that writes, with why it is one. Tried with the matrix's probes, the hostile body,
# and its ATTACKS.
WRITE_DOORS = {
    "logout": "ends the session",
    "staffing-upload": "a school's staffing file",
    "submission-review": "a reviewer's decision on a school's data",
    "import-list": "a region package upload",
    "export-start": "an export job",
    "import-confirm": "applies an upload",
    "import-cancel": "discards an upload",
    "teacher-transfer": "moves a teacher between schools",
    "api-token-list": "issues a token",
    "api-token-revoke": "revokes a token",
    "diagnostic-start": "starts a diagnostic",
    "diagnostic-link": "opens a personal link (records its use)",
    "diagnostic-fill": "saves answers",
    "diagnostic-link-fill": "saves answers through a personal link",
    "survey-answer": "binds a campaign's personal link to a browser",
    "survey-answer-page": "saves a draft and submits a response through a campaign's link",
    "route-submit": "sends a route to the head",
    "route-review": "the head's decision on a route",
    "route-reflect": "the teacher's reflection",
    "route-correct": "corrects a route",
    "activity-add": "adds a route activity",
    "activity-remove": "removes a route activity",
    "activity-mark": "marks a route activity",
    "indicator-compute": "starts the computation",
    "letter-new": "creates a letter",
    "letter-edit": "edits a letter",
    "letter-move": "reorders a letter's items",
    "letter-approve": "approves a letter",
    "letter-reopen": "reopens a letter",
    "letter-issue": "issues a letter",
    "letter-correct": "starts a correction",
    "letter-read": "confirms reading",
    "measure-create": "records a measure",
    "measure-done": "marks a measure done",
    "measure-edit": "corrects a recorded decision",
    "measure-delete": "deletes a recorded decision",
    "meeting-list": "records a meeting of one's own adopting body (with its protocol file)",
    "meeting-delete": "deletes a meeting no letter cites",
    "presentation-list": "records a presentation of a period's results",
    "presentation-edit": "corrects a presentation",
    "presentation-delete": "deletes a presentation",
    "notice-read-all": "marks one's notices read",
    "plan-item-edit": "edits a plan item (the analyst)",
    "plan-item-done": "marks a plan item done (the analyst or its responsible user)",
    "notice-open": "marks a notice read",
    "report-start": "starts the annual report",
    "spravka-start": "starts a municipality's справка (the institute any, a municipal official their own)",
    "requisites-edit": "saves the requisites of one's own letterhead",
    "api-teacher-transfer": "moves a teacher between schools",
    "api-import-job-list": "uploads a package or staffing file",
    "api-import-job-confirm": "applies an upload",
    "api-diagnostic-list": "starts a diagnostic",
    "api-diagnostic-answers": "saves answers",
    "api-diagnostic-submit": "completes a diagnostic",
    "api-route-list": "builds a route",
    "api-route-submit": "sends a route to the head",
    "api-route-review": "the head's decision",
    "api-route-reflection": "the teacher's reflection",
    "api-route-correct": "corrects a route",
    "api-route-activity-list": "adds an activity",
    "api-route-activity-detail": "removes an activity (DELETE)",
    "api-route-activity-mark": "marks an activity",
    "api-computation-run-list": "starts the computation",
    # The institute's own indicators: only institute staff define them; everyone else is refused.
    "indicator-builder-new": "defines an indicator",
    "indicator-builder-edit": "changes an indicator's definition",
    "indicator-builder-remove": "takes an indicator out of the period",
    "indicator-builder-adopt": "adopts a catalog into the period",
    "indicator-builder-import": "loads a catalog file",
    "indicator-builder-preview": "computes a definition unsaved (writes nothing)",
    # Questionnaires: only institute staff create them and save their editions.
    "survey-questionnaire-new": "creates a questionnaire",
    "survey-questionnaire-edit": "saves a questionnaire's edition",
    "survey-questionnaire-import": "creates a questionnaire from an XLSForm workbook",
    "survey-edition-import": "saves an edition from an XLSForm workbook",
    "api-declarative-list": "defines an indicator",
    "api-declarative-detail": "changes or removes an indicator",
    "api-declarative-preview": "computes a definition unsaved (writes nothing)",
    "api-indicator-catalog-import": "loads a catalog file",
    "api-indicator-catalog-adopt": "adopts a catalog into the period",
    # Questionnaire campaigns: the institute's writers only (deficits.questionnaire.campaigns).
    "survey-campaign-new": "creates a campaign (a draft)",
    "survey-campaign-open": "opens a campaign and invites its people",
    "survey-campaign-close": "closes a campaign",
    "survey-campaign-remind": "stamps and e-mails reminders",
    # Curators (iom.curators, iom.services.route_comment_add).
    "route-comment-add": "a curator's or head's comment on a route",
    "curator-detail": "assigns teachers to a curator (the institute's)",
    "curator-unassign": "takes a teacher off a curator's list (the institute's)",
}


def _probes_of(name: str):
    return [*DOORS.get(name, ()), *((LAST_PROBES[name],) if name in LAST_PROBES else ())]


def attempts(o, name: str):
    """(label, url, method, body, then_confirm) for one door: the matrix's probes, the hostile body, the attacks."""
    seen_urls = set()
    for probe in _probes_of(name):
        url = probe.path(o) if probe.path else reverse(name, kwargs=probe.kwargs(o))
        method = probe.method if probe.method != "get" else "post"
        data = probe.data(o) if probe.data else {}
        yield f"{name} [{probe.note or 'probe'}]", url, method, data, False
        if url not in seen_urls:
            seen_urls.add(url)
            yield f"{name} [{probe.note or 'probe'}, foreign body]", url, method, {**foreign_body(o), **data}, False
            yield f"{name} [{probe.note or 'probe'}, only foreign body]", url, method, foreign_body(o), False
    for attack in ATTACKS.get(name, ()):
        url = reverse(name, kwargs=attack.kwargs(o))
        yield f"{name} [{attack.note}]", url, attack.method, attack.data(o), attack.then_confirm


def _send(client, method: str, url: str, data: dict):
    if method == "delete":
        return client.delete(url)
    if method in ("put", "patch"):
        return getattr(client, method)(url, data, content_type="application/json")
    return client.post(url, data)


def _confirm_latest(client, user):
    from monitoring.models import ImportJob

    job = ImportJob.objects.filter(user=user).order_by("-pk").first()
    if job is not None:
        client.post(reverse("import-confirm", kwargs={"pk": job.pk}))
        client.post(reverse("api-import-job-confirm", kwargs={"pk": job.pk}))


def rows_written() -> int | None:
    """How many rows this connection has inserted, updated or deleted so far (None: unknown).

    A cheap first look: an attempt that wrote no row at all needs no comparison of every table.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables")
        else:
            return None
        return int(cursor.fetchone()[0])


def _try(client, user, label, url, method, data, confirm, before, journals=JOURNALS) -> list[str]:
    # ``before`` is read once per test: every attempt runs in a savepoint rolled back after it.
    with transaction.atomic():
        try:
            written = rows_written()
            response = _send(client, method, url, data)
            if confirm:
                _confirm_latest(client, user)
            quiet = written is not None and rows_written() == written
            after = before if quiet else outside(user)
        finally:
            transaction.set_rollback(True)
    if response.status_code >= 500:
        return [f"{label}: {method.upper()} {url} -> {response.status_code}"]
    return [f"{label}: {method.upper()} {url}: {d}" for d in differences(before, after, journals=journals)]


@pytest.mark.parametrize("role", WRITERS)
def test_no_write_door_changes_what_lies_outside_the_writers_scope(role, client, matrix, media_root):
    user = _person(matrix, role)
    client.force_login(user)
    before = outside(user)
    failures, tried = [], 0
    for name in sorted(WRITE_DOORS):
        if name == "logout":
            continue  # tried last: it ends the session
        journals = LAZY if name in BUILDS else JOURNALS
        for label, url, method, data, confirm in attempts(matrix, name):
            failures += _try(client, user, label, url, method, data, confirm, before, journals)
            tried += 1
    for label, url, method, data, confirm in attempts(matrix, "logout"):
        failures += _try(client, user, label, url, method, data, confirm, before)
    assert tried > 150
    assert not failures, f"{role}: {len(failures)} writes reached outside the scope:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------
# The admin's write pages
# ---------------------------------------------------------------------------


def _admin_attempts(o):
    """Add, change, delete and import of every ModelAdmin, on objects of scope A and B, with the hostile body."""
    from tests.test_access_matrix import admin_family

    families: dict[str, dict[str, str]] = {}
    for pattern in url_patterns():
        if pattern.is_admin and (found := admin_family(pattern)) and pattern.name:
            families.setdefault(found[0], {})[found[1]] = pattern.name
    for model in admin.site._registry:
        label = model._meta.label
        names = families.get(label, {})
        obj = o.admin_objects[label]
        body = {**foreign_body(o), "post": "yes", "_save": "Сохранить"}
        if "add" in names:
            yield f"{label} add", reverse(names["add"]), body
        if "change" in names:
            yield f"{label} change (scope A)", reverse(names["change"], args=[obj.pk]), body
        if "delete" in names:
            yield f"{label} delete (scope A)", reverse(names["delete"], args=[obj.pk]), {"post": "yes"}
        for family in ("import", "process_import"):
            if family in names:
                file = SimpleUploadedFile(
                    "x.csv", "Код ОО,Наименование,Код муниципалитета\n000002,Подмена,02\n".encode()
                )
                yield f"{label} {family}", reverse(names[family]), {"import_file": file, "format": "1", "resource": "0"}


@pytest.mark.parametrize("role", ["municipal", "head_a"])
def test_the_admin_writes_nothing_outside_the_scope(role, client, admin_matrix, media_root):
    user = admin_matrix.people[role]
    client.force_login(user)
    before = outside(user)
    failures = []
    for label, url, data in _admin_attempts(admin_matrix):
        failures += _try(client, user, f"admin {label}", url, "post", data, False, before)
    assert len(failures) == 0, f"{role}: " + "\n".join(failures)


# ---------------------------------------------------------------------------
# Every door classified; the reading ones write nothing at all
# ---------------------------------------------------------------------------

READ_ONLY = {name for name in {p.name for p in url_patterns() if not p.is_admin and p.name} if name not in WRITE_DOORS}


def test_every_door_is_classified():
    """A new door is either a writing one here (with its attacks) or proven to write nothing below."""
    names = {p.name for p in url_patterns() if not p.is_admin and p.name}
    writing = {name for name in DOORS if any(p.method != "get" for p in _probes_of(name))} | set(LAST_PROBES)
    assert writing <= set(WRITE_DOORS), (
        f"doors with writing probes not in WRITE_DOORS: {sorted(writing - set(WRITE_DOORS))}"
    )
    assert set(WRITE_DOORS) <= names, f"WRITE_DOORS that are no longer URLs: {sorted(set(WRITE_DOORS) - names)}"
    assert set(ATTACKS) <= set(WRITE_DOORS)
    unnamed = [p.route for p in url_patterns() if not p.is_admin and not p.name]
    assert unnamed == [], f"unnamed doors cannot be classified: {unnamed}"


@pytest.mark.parametrize("role", ["analyst", *WRITERS])
def test_a_reading_door_writes_nothing_whatever_it_is_sent(role, client, matrix, media_root):
    """POST, PUT, PATCH and DELETE with the hostile body to every door not in WRITE_DOORS: no row of any table moves."""
    user = _person(matrix, role)
    client.force_login(user)
    before = everything()
    failures = []
    for name in sorted(READ_ONLY):
        probes = DOORS.get(name, ())
        urls = {probe.path(matrix) if probe.path else reverse(name, kwargs=probe.kwargs(matrix)) for probe in probes}
        for url in sorted(urls):
            for method in ("post", "put", "patch", "delete"):
                with transaction.atomic():
                    written = rows_written()
                    response = _send(client, method, url, foreign_body(matrix))
                    quiet = written is not None and rows_written() == written
                    after = before if quiet else everything()
                    transaction.set_rollback(True)
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} -> {response.status_code}")
                # The session's user row is stamped by signing in, nothing else may move.
                failures += [f"{method.upper()} {url}: {d}" for d in differences(before, after, journals=LAZY)]
    assert not failures, f"{role}:\n" + "\n".join(failures)


def test_a_personal_links_holder_writes_only_as_its_teacher(client, matrix, media_root):
    """Through a link, anyone who holds it acts for its teacher on one questionnaire: nothing else moves."""
    from deficits.services import personal_link_teacher
    from monitoring.models import Role, User

    token = matrix.link_new
    newcomer = personal_link_teacher(token=token)
    # Whose scope the holder writes in: the link's teacher's (an account made for the comparison).
    # No usable password: an account that signs in with one never opens a link.
    as_teacher = User(username="link-holder", role=Role.TEACHER, teacher=newcomer, is_active=True)
    as_teacher.set_unusable_password()
    as_teacher.save()
    failures = []
    steps = [
        ("get", reverse("diagnostic-link", kwargs={"token": token}), {}),
        ("post", reverse("diagnostic-link", kwargs={"token": token}), foreign_body(matrix)),
        ("post", reverse("diagnostic-link-fill", kwargs={"token": token, "page": 1}), foreign_body(matrix)),
        ("post", reverse("diagnostic-link-fill", kwargs={"token": token, "page": 99}), foreign_body(matrix)),
        ("get", reverse("diagnostic-link-result", kwargs={"token": token}), {}),
    ]
    before = outside(as_teacher)
    for method, url, data in steps:
        response = client.get(url) if method == "get" else client.post(url, data)
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url} -> {response.status_code}")
    failures += differences(before, outside(as_teacher))
    assert not failures, "\n".join(failures)
    # The holder did write, as the teacher: the link's diagnostic was started.
    from deficits.models import Diagnostic

    assert Diagnostic.objects.filter(teacher=newcomer).exists()


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_survey_links_holder_writes_only_its_invitations_answers(client, matrix, media_root, anonymous):
    """Through a campaign's link, its holder answers that questionnaire once: only the invitation,
    its response and the campaign's tallies move; the response names nobody in an anonymous campaign."""
    from deficits.models import Response
    from deficits.questionnaire.links import invitation_token
    from monitoring.models import Role, User
    from tests.deficits.questionnaire import answering

    campaign = answering.campaign(matrix, anonymous=anonymous)
    newcomer = access.factories.TeacherFactory(full_name="Новикова Ирина Львовна")
    invitation = answering.invitation(campaign, newcomer, matrix.school_a)
    token = invitation_token(invitation=invitation)
    as_teacher = User(username="survey-holder", role=Role.TEACHER, teacher=newcomer, is_active=True)
    as_teacher.set_unusable_password()
    as_teacher.save()
    body = foreign_body(matrix)
    page = lambda n: reverse("survey-answer-page", kwargs={"token": token, "page": n})  # noqa: E731
    steps = [
        ("get", reverse("survey-answer", kwargs={"token": token}), {}),
        ("post", reverse("survey-answer", kwargs={"token": token}), body),
        ("post", page(1), {**body, "role": "head", "years": "7", "shown": "role years"}),
        ("post", page(99), body),
        ("post", page(3), {**body, "short": "ok", "shown": "short long"}),
        ("post", page(3), {**body, "short": "again", "shown": "short long"}),
        ("get", reverse("survey-answer-done", kwargs={"token": token}), {}),
    ]
    before = outside(as_teacher)
    failures = []
    for method, url, data in steps:
        response = client.get(url) if method == "get" else client.post(url, data)
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url} -> {response.status_code}")
    # The campaign's tallies count every response (no person in them); an anonymous response
    # keeps no teacher, so it is anchored to nobody's scope: both are added, nothing else.
    journals = {**JOURNALS, "deficits.ResponseTally": "counts", **({"deficits.Response": "anon"} if anonymous else {})}
    failures += differences(before, outside(as_teacher), journals=journals)
    assert not failures, "\n".join(failures)
    invitation.refresh_from_db()
    assert invitation.answered
    response = Response.objects.get(campaign=campaign)
    assert response.answers == {"role": "head", "years": 7, "short": "ok"}
    assert (response.teacher_id is None) == anonymous
