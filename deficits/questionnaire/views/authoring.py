"""Authoring pages: the questionnaires, their editions, the builder and XLSForm upload and download. Thin doors.

Staff read questionnaires (a teacher meets "not found", as on every staff page); institute
staff write them through deficits.questionnaire.editions (other staff are refused, 403).
The builder posts the whole definition and scoring as JSON in two hidden fields
(static/js/questionnaire-builder.js writes them); a refused save re-renders the builder
with what was posted and every problem, so nothing typed is lost.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from deficits.models import Questionnaire, QuestionnaireEdition
from deficits.questionnaire import editions
from deficits.questionnaire.definition import ITEM_TYPES, DefinitionRefused
from deficits.questionnaire.describe import condition_text
from deficits.questionnaire.xlsform import FormRefused
from monitoring.models.scoping import can_write_region, require_staff_reader

# An XLSForm workbook is a few hundred rows: anything bigger is not a questionnaire.
UPLOAD_LIMIT = 5_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BLANK = {
    "title": "",
    "form_id": "",
    "version": "",
    "sections": [{"name": "s1", "title": "", "relevant": "", "items": []}],
    "choice_lists": {},
}


def _writer(request) -> None:
    # A teacher meets "not found", as on every staff page; other staff are refused (authoring is the institute's).
    require_staff_reader(request.user)
    if not can_write_region(request.user):
        raise PermissionDenied("Анкеты создают и изменяют сотрудники института.")


def _questionnaire(request, code: str) -> Questionnaire:
    return get_object_or_404(Questionnaire.objects.visible_to(request.user), code=code)


def content_disposition(filename: str) -> str:
    """An attachment's header with a Russian file name (RFC 5987), and an ASCII fallback."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@login_required
@require_GET
def questionnaire_list(request):
    require_staff_reader(request.user)
    questionnaires = list(Questionnaire.objects.visible_to(request.user).prefetch_related("editions"))
    for questionnaire in questionnaires:
        questionnaire.latest = max(questionnaire.editions.all(), key=lambda e: e.version, default=None)
    context = {"questionnaires": questionnaires, "writer": can_write_region(request.user)}
    return render(request, "surveys/authoring/list.html", context)


def preview(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's sections and items as the preview shows them: choices resolved, scale points listed."""
    lists = definition.get("choice_lists", {})
    sections = []
    for section in definition.get("sections", []):
        items = []
        for item in section.get("items", []):
            shown = {**item, "type_label": ITEM_TYPES.get(item.get("type"), "")}
            shown["relevant_text"] = condition_text(item["relevant"], definition) if item.get("relevant") else ""
            shown["constraint_text"] = condition_text(item["constraint"], definition) if item.get("constraint") else ""
            if "list" in item:
                shown["choices"] = lists.get(item["list"], [])
            if item.get("type") == "scale":
                shown["points"] = list(range(item["start"], item["end"] + 1, item["step"]))[:101]
            items.append(shown)
        told = condition_text(section["relevant"], definition) if section.get("relevant") else ""
        sections.append({**section, "items": items, "relevant_text": told})
    return sections


@login_required
@require_GET
def questionnaire_detail(request, code: str):
    require_staff_reader(request.user)
    questionnaire = _questionnaire(request, code)
    all_editions = list(
        questionnaire.editions.select_related("created_by").prefetch_related("campaigns").order_by("-version")
    )
    chosen = all_editions[0] if all_editions else None
    wanted = request.GET.get("edition", "")
    if wanted.isdigit():
        chosen = next((e for e in all_editions if e.version == int(wanted)), chosen)
    latest = all_editions[0] if all_editions else None
    context = {
        "questionnaire": questionnaire,
        "editions": all_editions,
        "edition": chosen,
        "sections": preview(chosen.definition) if chosen else [],
        "latest_in_use": latest is not None and editions.edition_in_use(edition=latest),
        "latest": latest,
        "writer": can_write_region(request.user),
    }
    return render(request, "surveys/authoring/detail.html", context)


@login_required
@require_GET
def edition_export(request, code: str, version: int):
    require_staff_reader(request.user)
    questionnaire = _questionnaire(request, code)
    edition = get_object_or_404(QuestionnaireEdition, questionnaire=questionnaire, version=version)
    response = HttpResponse(editions.questionnaire_export_xlsform(edition=edition), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(f"{questionnaire.code}-ред{version}.xlsx")
    return response


def _posted_json(request, field: str) -> tuple[Any, bool]:
    """The posted JSON of ``field`` and whether it was read."""
    try:
        return json.loads(request.POST.get(field, "")), True
    except (ValueError, RecursionError):
        return None, False


NULL_SCORING = (
    "Подсчет баллов не прочитан: пришло пустое значение (null). "
    "Чтобы убрать подсчет баллов, удалите все группы и уровни."
)


def _posted_scoring(request) -> tuple[Any, bool, list[str]]:
    """The posted scoring, whether it was read, and the problems found before the services see it.

    An absent field means "not scored" ({}), as the builder sends {} for a form without scoring.
    JSON ``null`` is refused here: the services take ``None`` as "not scored", so it would be
    saved as an empty scoring. Any other non-object goes on and is refused by ``form_clean``.
    """
    if "scoring" not in request.POST:
        return {}, True, []
    scoring, read = _posted_json(request, "scoring")
    if read and scoring is None:
        return scoring, read, [NULL_SCORING]
    return scoring, read, []


def _builder(request, *, questionnaire, definition, scoring, errors=(), fields=None, status=200, based_on=None):
    latest = questionnaire.editions.order_by("-version").first() if questionnaire else None
    context = {
        # The edition the editor was opened on; a refused save keeps the one it was sent with,
        # so a stale page stays stale until it is reloaded.
        "based_on": based_on if based_on is not None else editions.edition_digest(edition=latest),
        "questionnaire": questionnaire,
        # What was posted goes back to the editor as it was, when it is an object the editor can show.
        "definition": definition if isinstance(definition, dict) else BLANK,
        # A scoring that is no object cannot be shown: the editor gets the latest edition's back.
        "scoring": scoring if isinstance(scoring, dict) else (latest.scoring if latest else {}),
        "errors": list(errors),
        "fields": fields or {},
        "latest": latest,
        "latest_in_use": latest is not None and editions.edition_in_use(edition=latest),
        "item_types": list(ITEM_TYPES.items()),
    }
    return render(request, "surveys/authoring/builder.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_new(request):
    _writer(request)
    if request.method == "GET":
        return _builder(request, questionnaire=None, definition=BLANK, scoring={})
    definition, read = _posted_json(request, "definition")
    scoring, scoring_read, scoring_problems = _posted_scoring(request)
    fields = {key: request.POST.get(key, "") for key in ("code", "description")}
    if not (read and scoring_read):
        errors = ["Анкета не прочитана: включите JavaScript или обновите страницу и повторите."]
        keep = definition if isinstance(definition, dict) else BLANK
        return _builder(
            request, questionnaire=None, definition=keep, scoring={}, errors=errors, fields=fields, status=400
        )
    if scoring_problems:
        return _builder(
            request,
            questionnaire=None,
            definition=definition,
            scoring={},
            errors=scoring_problems,
            fields=fields,
            status=400,
        )
    title = definition.get("title", "") if isinstance(definition, dict) else ""
    try:
        created = editions.questionnaire_create(
            code=fields["code"],
            title=title if isinstance(title, str) else "",
            description=fields["description"],
            definition=definition,
            scoring=scoring,
            user=request.user,
        )
    except DefinitionRefused as exc:
        return _builder(
            request,
            questionnaire=None,
            definition=definition,
            scoring=scoring,
            errors=exc.problems,
            fields=fields,
            status=400,
        )
    messages.success(request, f"Анкета «{created.title}» создана (редакция 1).")
    return redirect("survey-questionnaire-detail", code=created.code)


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request, code: str):
    _writer(request)
    questionnaire = _questionnaire(request, code)
    latest = questionnaire.editions.order_by("-version").first()
    if request.method == "GET":
        definition = latest.definition if latest else {**BLANK, "title": questionnaire.title}
        return _builder(
            request, questionnaire=questionnaire, definition=definition, scoring=latest.scoring if latest else {}
        )
    definition, read = _posted_json(request, "definition")
    scoring, scoring_read, scoring_problems = _posted_scoring(request)
    based_on = request.POST.get("based_on", "")
    if not (read and scoring_read):
        errors = ["Анкета не прочитана: включите JavaScript или обновите страницу и повторите."]
        keep = definition if isinstance(definition, dict) else (latest.definition if latest else BLANK)
        return _builder(
            request,
            questionnaire=questionnaire,
            definition=keep,
            scoring={},
            errors=errors,
            status=400,
            based_on=based_on,
        )
    if scoring_problems:
        return _builder(
            request,
            questionnaire=questionnaire,
            definition=definition,
            scoring=scoring,
            errors=scoring_problems,
            status=400,
            based_on=based_on,
        )
    try:
        saved = editions.edition_save(
            questionnaire=questionnaire, definition=definition, scoring=scoring, user=request.user, based_on=based_on
        )
    except DefinitionRefused as exc:
        # A save over someone else's newer save is a conflict (409); every other refusal is the form's (400).
        return _builder(
            request,
            questionnaire=questionnaire,
            definition=definition,
            scoring=scoring,
            errors=exc.problems,
            status=409 if isinstance(exc, editions.EditionStale) else 400,
            based_on=based_on,
        )
    if latest is not None and saved.pk != latest.pk:
        message = f"Сохранена новая редакция {saved.version}: редакция {latest.version} уже используется в опросах."
    else:
        message = f"Редакция {saved.version} сохранена."
    messages.success(request, message)
    return redirect("survey-questionnaire-detail", code=questionnaire.code)


def _upload(request, questionnaire: Questionnaire | None):
    context = {"questionnaire": questionnaire, "upload_limit_mb": UPLOAD_LIMIT // 1_000_000}
    if request.method == "GET":
        return render(request, "surveys/authoring/import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["errors"] = ["Выберите файл XLSForm (.xlsx)."]
        return render(request, "surveys/authoring/import.html", context, status=400)
    if upload.size > UPLOAD_LIMIT:
        context["errors"] = [f"Файл больше {UPLOAD_LIMIT // 1_000_000} МБ: анкета столько не занимает."]
        return render(request, "surveys/authoring/import.html", context, status=400)
    try:
        edition = editions.questionnaire_import_xlsform(
            source=upload, filename=upload.name, user=request.user, questionnaire=questionnaire
        )
    except FormRefused as exc:
        # A problem of the whole file (not a workbook, too big …) is said without a sheet.
        context["errors"] = [
            problem.message if problem.sheet == upload.name and problem.row is None else str(problem)
            for problem in exc.problems
        ]
        context["filename"] = upload.name
        return render(request, "surveys/authoring/import.html", context, status=400)
    messages.success(request, f"Анкета «{edition.questionnaire.title}» загружена из файла: редакция {edition.version}.")
    return redirect("survey-questionnaire-detail", code=edition.questionnaire.code)


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_import(request):
    _writer(request)
    return _upload(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def edition_import(request, code: str):
    _writer(request)
    return _upload(request, _questionnaire(request, code))
