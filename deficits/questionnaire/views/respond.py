"""Answering a campaign's questionnaire through a personal link. Thin doors over ``responding``.

``/surveys/a/<token>/`` is the link's first page (GET changes nothing, so a messenger's
preview cannot use the link up; "Начать" is a POST that binds it to this browser);
``…/<page>/`` is one section of the form; ``…/done/`` thanks. These pages serve nobody
signed in (a link never switches accounts) and open nothing but the link's questionnaire.

One page per section: a section is the author's unit (XLSForm's group), and skip logic
across sections is decided by the server on the answers saved so far, so it works
without JavaScript. Within a page, ``static/js/survey-form.js`` shows and hides items
as the person answers; without it, the page comes back once more when the answers
reveal questions it had hidden.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from deficits.models import Invitation
from deficits.questionnaire import responding
from deficits.questionnaire.answers import Form, Section, Walk, answers_walk, expression_json, form_compile
from deficits.questionnaire.responding import AnswersInvalid, SurveyRefused

# The browser's own random value a survey link is bound to (its digest is stored).
DEVICE_COOKIE = "survey_device"
DEVICE_COOKIE_AGE = 60 * 24 * 3600

_STATUS = {
    SurveyRefused.INVALID: 400,
    SurveyRefused.SIGNED_IN: 409,
    SurveyRefused.NOT_OPEN: 403,
    SurveyRefused.CLOSED: 403,
    SurveyRefused.DEVICE: 403,
}


def _device(request) -> str:
    return request.COOKIES.get(DEVICE_COOKIE, "")


def _refused(request, token: str, exc: SurveyRefused) -> HttpResponse:
    if exc.reason == SurveyRefused.ANSWERED:
        return redirect("survey-answer-done", token=token)
    return render(
        request,
        "surveys/respond/refused.html",
        {"message": exc.message, "signed_in": exc.reason == SurveyRefused.SIGNED_IN},
        status=_STATUS[exc.reason],
    )


def _use(request, token: str, device: str | None = None) -> Invitation | HttpResponse:
    """The invitation the request may act on, or the page that says why not."""
    try:
        return responding.survey_link_use(
            token=token,
            device=_device(request) if device is None else device,
            signed_in=request.user.is_authenticated,
        )
    except SurveyRefused as exc:
        return _refused(request, token, exc)


def _resume_page(walk: Walk, form: Form) -> int:
    """The first shown page with something to answer; the last shown one when all is answered."""
    for index in walk.sections:
        if any(item.name in walk.errors for item in form.sections[index].items):
            return index + 1
    return walk.sections[-1] + 1 if walk.sections else 1


@require_http_methods(["GET", "POST"])
def survey_answer(request, token: str):
    """The link's first page: the questionnaire, the rules, and "Начать" (which binds this browser)."""
    if request.method == "POST":
        device = _device(request) or responding.new_device()
        invitation = _use(request, token, device)
        if isinstance(invitation, HttpResponse):
            return invitation
        try:
            invitation = responding.survey_start(invitation=invitation, device=device)
        except SurveyRefused as exc:
            return _refused(request, token, exc)
        form = form_compile(invitation.campaign.edition.definition)
        walk = answers_walk(form=form, answers=invitation.draft)
        response = redirect("survey-answer-page", token=token, page=_resume_page(walk, form))
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_COOKIE_AGE,
            path=reverse("survey-answer", args=[token]).removesuffix(f"{token}/"),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
    invitation = _use(request, token)
    if isinstance(invitation, HttpResponse):
        return invitation
    campaign = invitation.campaign
    form = form_compile(campaign.edition.definition)
    return render(
        request,
        "surveys/respond/home.html",
        {
            "campaign": campaign,
            "questionnaire": campaign.edition.questionnaire,
            "form": form,
            "started": invitation.started_at is not None,
        },
    )


def _posted(request, section: Section) -> dict[str, Any]:
    """The page's answers as posted (a multiple choice as a list; an unchecked one as none)."""
    posted: dict[str, Any] = {}
    for item in section.items:
        if item.type == "multiple":
            posted[item.name] = request.POST.getlist(item.name)
        else:
            # Every value posted: two for a single choice are refused (answers.answer_read), not one taken.
            values = request.POST.getlist(item.name)
            posted[item.name] = values if len(values) > 1 else (values[0] if values else "")
    return posted


def _page_context(
    *, form: Form, index: int, walk: Walk, values: dict[str, Any], errors: dict[str, str], campaign
) -> dict[str, Any]:
    section = form.sections[index]
    shown = walk.sections
    position = shown.index(index) + 1 if index in shown else 1
    items = []
    for item in section.items:
        value = values.get(item.name)
        values_of = value if isinstance(value, list) else [value]
        chosen = [str(v) for v in values_of if v not in (None, "")]
        if item.type != "multiple":
            chosen = chosen[-1:]
        items.append(
            {
                "item": item,
                "shown": item.name in walk.items,
                "value": chosen[0] if chosen and item.type != "multiple" else "",
                "chosen": chosen,
                "error": errors.get(item.name, ""),
                "relevant": expression_json(item.relevant),
            }
        )
    earlier = {name: value for name, value in walk.clean.items() if name not in {i.name for i in section.items}}
    return {
        "campaign": campaign,
        "form": form,
        "section": section,
        "items": items,
        "page": index + 1,
        "position": position,
        "pages": len(shown),
        "percent": round(100 * (position - 1) / len(shown)) if shown else 0,
        "is_first": not shown or index <= shown[0],
        "is_last": not shown or index >= shown[-1],
        "shown_names": " ".join(item.name for item in section.items if item.name in walk.items),
        "script": {
            "answers": earlier,
            "items": {i["item"].name: i["relevant"] for i in items if i["relevant"] is not None},
            "types": {item.name: item.type for item in section.items},
        },
        "has_errors": bool(errors),
    }


@require_http_methods(["GET", "POST"])
def survey_answer_page(request, token: str, page: int):
    """One section of the form: GET shows it with the draft; POST saves the page and moves on."""
    invitation = _use(request, token)
    if isinstance(invitation, HttpResponse):
        return invitation
    if invitation.started_at is None:
        return redirect("survey-answer", token=token)
    campaign = invitation.campaign
    form = form_compile(campaign.edition.definition)
    if not 1 <= page <= len(form.sections):
        raise Http404("Такой страницы в анкете нет.")
    index = page - 1
    section = form.sections[index]
    draft = dict(invitation.draft)
    if request.method == "GET":
        walk = answers_walk(form=form, answers=draft)
        if index not in walk.sections:
            # A section the earlier answers hide: on to the next one shown (or the last).
            later = [i for i in walk.sections if i > index]
            return redirect("survey-answer-page", token=token, page=later[0] + 1 if later else _resume_page(walk, form))
        # ?check: sent back here by a submission that found this page incomplete — show why.
        errors = {i.name: walk.errors[i.name] for i in section.items if i.name in walk.errors}
        context = _page_context(
            form=form,
            index=index,
            walk=walk,
            values=draft,
            errors=errors if "check" in request.GET else {},
            campaign=campaign,
        )
        return render(request, "surveys/respond/page.html", context)

    posted = _posted(request, section)
    draft.update(posted)
    action = request.POST.get("action", "next")
    try:
        invitation = responding.draft_save(invitation=invitation, answers=draft, device=_device(request))
    except SurveyRefused as exc:
        return _refused(request, token, exc)
    walk = answers_walk(form=form, answers=draft)
    if action == "save":
        messages.success(request, "Ответы сохранены. Чтобы продолжить, откройте ссылку снова в этом же браузере.")
        return redirect("survey-answer", token=token)
    if action == "back":
        earlier = [i for i in walk.sections if i < index]
        return redirect("survey-answer-page", token=token, page=(earlier[-1] if earlier else index) + 1)
    if index not in walk.sections:
        return redirect("survey-answer-page", token=token, page=_resume_page(walk, form))
    errors = {item.name: walk.errors[item.name] for item in section.items if item.name in walk.errors}
    before = set(request.POST.get("shown", "").split())
    revealed = [item.name for item in section.items if item.name in walk.items and item.name not in before]
    if errors or revealed:
        context = _page_context(form=form, index=index, walk=walk, values=draft, errors=errors, campaign=campaign)
        context["revealed"] = bool(revealed) and not errors
        return render(request, "surveys/respond/page.html", context)
    later = [i for i in walk.sections if i > index]
    if later:
        return redirect("survey-answer-page", token=token, page=later[0] + 1)
    try:
        responding.response_submit(invitation=invitation, answers=draft, device=_device(request))
    except AnswersInvalid:
        messages.error(request, "Ответы не отправлены: на этой странице остались вопросы без ответа или с ошибкой.")
        target = reverse("survey-answer-page", args=[token, _resume_page(walk, form)])
        return redirect(f"{target}?check=1")
    except SurveyRefused as exc:
        return _refused(request, token, exc)
    return redirect("survey-answer-done", token=token)


@require_http_methods(["GET"])
def survey_answer_done(request, token: str):
    """Thanks for an answered invitation (its answers are not shown again); others go back to the link."""
    try:
        responding.survey_link_use(token=token, device=_device(request), signed_in=request.user.is_authenticated)
    except SurveyRefused as exc:
        if exc.reason != SurveyRefused.ANSWERED:
            return _refused(request, token, exc)
        return render(request, "surveys/respond/done.html", {})
    return redirect("survey-answer", token=token)
