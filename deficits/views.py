"""Diagnostic pages: the teacher's questionnaire and result, the staff's results. Thin doors.

Every object is fetched through ``visible_to`` (monitoring.models.scoping): a diagnostic
outside the user's scope is "not found". Only the teacher a draft belongs to may fill
it in; staff read results. A personal link's pages (``personal_link*``) serve no
signed-in user: they act on the one diagnostic the link is bound to.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from deficits import selectors, services
from deficits.filters import DiagnosticFilter
from deficits.forms import GroupPageForm, StartForm
from deficits.models import Diagnostic, DiagnosticStatus, LinkEvent, PersonalLink
from deficits.scoring import instrument_spec
from monitoring.models import MonitoringPeriod, Role
from monitoring.models.scoping import require_staff_reader
from monitoring.shared.pages import requested_period
from monitoring.shared.security import client_ip

# Who may hand out a teacher's personal link: the school's head, and institute staff
# who run the diagnostic for the region. A link opens one questionnaire, nothing else.
LINK_ROLES = {Role.SCHOOL_HEAD, Role.ANALYST}
# The browser's own random value a personal link is bound to (its digest is stored).
DEVICE_COOKIE = "diagnostic_device"
DEVICE_COOKIE_AGE = 30 * 24 * 3600


def _teacher_or_404(request):
    if request.user.role != Role.TEACHER or not request.user.teacher_id:
        raise Http404("Страница доступна только педагогу.")
    return request.user.teacher


def _own_draft(request, pk: int) -> Diagnostic:
    teacher = _teacher_or_404(request)
    diagnostic = get_object_or_404(
        Diagnostic.objects.visible_to(request.user).select_related("instrument"), pk=pk, teacher=teacher
    )
    return diagnostic


@login_required
def my_diagnostics(request):
    """A teacher's diagnostics and the button to start one; staff go to the results."""
    if request.user.role != Role.TEACHER:
        return redirect("diagnostic-results")
    teacher = _teacher_or_404(request)
    diagnostics = (
        Diagnostic.objects.visible_to(request.user)
        .filter(teacher=teacher)
        .select_related("instrument")
        .prefetch_related("results")
        .order_by("-date", "-pk")
    )
    draft = services.current_draft(teacher=teacher)
    form = StartForm(initial={"kind": services.default_kind(teacher=teacher)})
    return render(
        request,
        "deficits/my_diagnostics.html",
        {"diagnostics": diagnostics, "draft": draft, "form": form, "teacher": teacher},
    )


@login_required
@require_POST
def diagnostic_start(request):
    teacher = _teacher_or_404(request)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите вид диагностики из списка.")
        return redirect("my-diagnostics")
    try:
        diagnostic = services.diagnostic_start(teacher=teacher, kind=form.cleaned_data["kind"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("my-diagnostics")
    return redirect("diagnostic-fill", pk=diagnostic.pk, page=_first_open_page(diagnostic))


def _first_open_page(diagnostic: Diagnostic) -> int:
    spec = instrument_spec(diagnostic.instrument)
    for index, (_, items) in enumerate(spec.groups, start=1):
        if any(item not in diagnostic.answers for item in items):
            return index
    return len(spec.groups)


@login_required
def diagnostic_fill(request, pk: int, page: int):
    """One page per competence group; "Далее" asks for every answer, "Сохранить" keeps a partial page."""
    diagnostic = _own_draft(request, pk)
    if diagnostic.status != DiagnosticStatus.DRAFT:
        return redirect("diagnostic-detail", pk=diagnostic.pk)
    return _fill_page(
        request,
        diagnostic,
        page,
        page_url=lambda n: reverse("diagnostic-fill", args=[pk, n]),
        done_url=reverse("diagnostic-detail", args=[pk]),
        leave_url=reverse("my-diagnostics"),
        leave_message="Ответы сохранены. Вы можете вернуться к анкете в любое время.",
    )


def _fill_page(
    request,
    diagnostic: Diagnostic,
    page: int,
    *,
    page_url: Callable[[int], str],
    done_url: str,
    leave_url: str,
    leave_message: str,
) -> HttpResponse:
    """The questionnaire page of a draft, for its teacher or through a personal link."""
    groups = list(diagnostic.instrument.groups.order_by("order"))
    if not 1 <= page <= len(groups):
        raise Http404("Такой страницы в анкете нет.")
    group = groups[page - 1]
    initial = {code: str(value) for code, value in diagnostic.answers.items() if code.startswith(f"{group.code}-")}
    form = GroupPageForm(
        request.POST or None, instrument=diagnostic.instrument, group=group, initial=initial, prefix=None
    )
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "next")
        try:
            # The service locks the row: completed meanwhile (another tab), the save is refused.
            diagnostic = services.diagnostic_save_answers(diagnostic=diagnostic, answers=form.answers())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(done_url)
        if action == "save":
            messages.success(request, leave_message)
            return redirect(leave_url)
        if action == "back":
            return redirect(page_url(max(1, page - 1)))
        if form.require_all():
            if page < len(groups):
                return redirect(page_url(page + 1))
            missing = services.missing_groups(diagnostic=diagnostic)
            if missing:
                numbers = [str(i) for i, g in enumerate(groups, start=1) if g.code in missing]
                messages.error(request, f"Остались утверждения без ответа на страницах: {', '.join(numbers)}.")
                return redirect(page_url(int(numbers[0])))
            try:
                services.diagnostic_complete(diagnostic=diagnostic)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(leave_url)
            messages.success(request, "Диагностика завершена. Ниже — ваши результаты.")
            return redirect(done_url)
    answered = len(diagnostic.answers)
    total = sum(len(items) for _, items in instrument_spec(diagnostic.instrument).groups)
    return render(
        request,
        "deficits/fill.html",
        {
            "diagnostic": diagnostic,
            "form": form,
            "group": group,
            "groups": groups,
            "page": page,
            "pages": len(groups),
            "answered": answered,
            "total": total,
            "percent": round(100 * answered / total) if total else 0,
            "is_last": page == len(groups),
        },
    )


@login_required
def diagnostic_detail(request, pk: int):
    """A diagnostic's result: the profile against the bands, the deficits named, what to do next."""
    diagnostic = get_object_or_404(
        Diagnostic.objects.visible_to(request.user).select_related("teacher", "instrument"), pk=pk
    )
    if diagnostic.status == DiagnosticStatus.DRAFT:
        if request.user.teacher_id == diagnostic.teacher_id:
            return redirect("diagnostic-fill", pk=pk, page=_first_open_page(diagnostic))
        raise Http404("Диагностика еще не завершена.")
    return _result_page(request, diagnostic, is_own=request.user.teacher_id == diagnostic.teacher_id)


def _result_page(request, diagnostic: Diagnostic, *, is_own: bool, via_link: bool = False) -> HttpResponse:
    groups, bands = selectors.instrument_layout(diagnostic.instrument)
    rows, previous = selectors.diagnostic_profile(diagnostic=diagnostic)
    results = {row["group"].code: row["result"] for row in rows if row["result"]}
    chart = {
        "labels": [g.name for g in groups],
        "scores": [results[g.code].score if g.code in results else None for g in groups],
        "bands": [{"name": b.name, "min": b.min_score, "max": b.max_score, "deficit": b.is_deficit} for b in bands],
    }
    return render(
        request,
        "deficits/detail.html",
        {
            "diagnostic": diagnostic,
            "rows": rows,
            "deficits": [row for row in rows if row["result"] and row["result"].is_deficit],
            "bands": bands,
            "chart": chart,
            "previous": previous,
            "is_own": is_own,
            "via_link": via_link,
        },
    )


def _visitor(request) -> services.LinkVisitor:
    return services.LinkVisitor(
        user=request.user if request.user.is_authenticated else None,
        address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def _use_link(request, token: str, event: str, device: str | None = None) -> PersonalLink | HttpResponse:
    """The link a request may act on, or the page that says why not."""
    try:
        return services.personal_link_use(
            token=token,
            device=device or request.COOKIES.get(DEVICE_COOKIE, ""),
            visitor=_visitor(request),
            event=event,
        )
    except services.LinkRefused as exc:
        if exc.reason == LinkEvent.REFUSED_SIGNED_IN:
            if request.user.teacher_id == exc.link.teacher_id and request.user.role == Role.TEACHER:
                return redirect("my-diagnostics")
            # Someone else is signed in (often the head checking the link they send): a link
            # never switches accounts, and opening it does not count as the teacher's first use.
            return render(request, "deficits/link_other_user.html", {"teacher": exc.link.teacher}, status=409)
        status = 400 if exc.reason in (None, LinkEvent.REFUSED_EXPIRED) else 403
        return render(request, "deficits/link_invalid.html", {"message": " ".join(exc.messages)}, status=status)


def _link_target(token: str, link: PersonalLink) -> str:
    diagnostic = link.diagnostic
    if diagnostic.status != DiagnosticStatus.DRAFT:
        return reverse("diagnostic-link-result", args=[token])
    return reverse("diagnostic-link-fill", args=[token, _first_open_page(diagnostic)])


@require_http_methods(["GET", "POST"])
def personal_link(request, token: str):
    """A personal link's first page: who it is for and the rules; "Начать" binds it to this browser.

    Following the link (GET) changes nothing, so a messenger's preview or a mail scanner
    cannot use it up; the POST of "Начать" (or "Продолжить") binds it and opens the page.
    """
    if request.method == "POST":
        device = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_urlsafe(32)
        link = _use_link(request, token, LinkEvent.STARTED, device=device)
        if isinstance(link, HttpResponse):
            return link
        response = redirect(_link_target(token, link))
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_COOKIE_AGE,
            path=reverse("my-diagnostics"),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
    link = _use_link(request, token, LinkEvent.OPENED)
    if isinstance(link, HttpResponse):
        return link
    return render(
        request,
        "deficits/link_home.html",
        {
            "link": link,
            "teacher": link.teacher,
            "diagnostic": link.diagnostic if link.bound_at else None,
            "expires": services.personal_link_expires(link=link),
            "result_url": reverse("diagnostic-link-result", args=[token]),
            "bound_days": services.PERSONAL_LINK_BOUND.days,
        },
    )


@require_http_methods(["GET", "POST"])
def personal_link_fill(request, token: str, page: int):
    """A questionnaire page through a personal link: the link's own diagnostic, in its browser."""
    link = _use_link(request, token, LinkEvent.ANSWERED if request.method == "POST" else LinkEvent.PAGE)
    if isinstance(link, HttpResponse):
        return link
    if link.bound_at is None:
        return redirect("diagnostic-link", token=token)
    diagnostic = link.diagnostic
    if diagnostic.status != DiagnosticStatus.DRAFT:
        return redirect("diagnostic-link-result", token=token)
    expires = services.personal_link_expires(link=link)
    return _fill_page(
        request,
        diagnostic,
        page,
        page_url=lambda n: reverse("diagnostic-link-fill", args=[token, n]),
        done_url=reverse("diagnostic-link-result", args=[token]),
        leave_url=reverse("diagnostic-link", args=[token]),
        leave_message=(
            "Ответы сохранены. Чтобы продолжить, откройте ссылку снова в этом же браузере "
            f"до {timezone.localtime(expires):%d.%m.%Y %H:%M}."
        ),
    )


@require_http_methods(["GET"])
def personal_link_result(request, token: str):
    """The result of the diagnostic taken through the link (nothing else of the teacher's)."""
    link = _use_link(request, token, LinkEvent.RESULT)
    if isinstance(link, HttpResponse):
        return link
    if link.bound_at is None:
        return redirect("diagnostic-link", token=token)
    if link.diagnostic.status == DiagnosticStatus.DRAFT:
        return redirect(_link_target(token, link))
    diagnostic = Diagnostic.objects.select_related("teacher", "instrument").get(pk=link.diagnostic_id)
    return _result_page(request, diagnostic, is_own=False, via_link=True)


def _results_unit(request, period: MonitoringPeriod) -> selectors.Unit:
    user = request.user
    if user.role == Role.SCHOOL_HEAD:
        return selectors.Unit("school", school=user.school, municipality=user.school.municipality)
    # The API's diagnostics filters read ?school= and ?municipality= the same way.
    filterset = DiagnosticFilter(request.GET, user=user)
    if not filterset.is_valid():
        raise Http404(" ".join(e for errors in filterset.errors.values() for e in errors))
    school, municipality = filterset.form.cleaned_data.get("school"), filterset.form.cleaned_data.get("municipality")
    if school is not None:
        return selectors.Unit("school", school=school, municipality=school.municipality)
    if municipality is None and user.role == Role.MUNICIPAL:
        municipality = user.municipality
    if municipality is not None:
        return selectors.Unit("municipality", municipality=municipality)
    return selectors.Unit("region")


@login_required
def results(request):
    """Coverage, level distribution and the deficit heat map for the user's scope, drilled down by unit."""
    user = request.user
    require_staff_reader(user)
    period = requested_period(request)
    unit = _results_unit(request, period)
    groups, bands = selectors.instrument_layout()
    group_codes = [g.code for g in groups]
    coverage = selectors.coverage(period=period, user=user, unit=unit)
    distribution, heatmap = selectors.results_breakdown(period=period, user=user, unit=unit, group_codes=group_codes)
    diagnosed_latest = max((sum(levels.values()) for levels in distribution.values()), default=0)
    context = {
        "period": period,
        "periods": MonitoringPeriod.objects.order_by("-year"),
        "unit": unit,
        "groups": groups,
        "bands": bands,
        "coverage": coverage,
        "total": sum(r.total for r in coverage),
        "diagnosed": sum(r.diagnosed for r in coverage),
        "distribution": [
            (g, [_cell(distribution.get(g.code, {}).get(b.name, 0), diagnosed_latest) for b in bands]) for g in groups
        ],
        "diagnosed_latest": diagnosed_latest,
        "distribution_chart": {
            "labels": [g.name for g in groups],
            "levels": [
                {
                    "name": b.name,
                    "shares": [_share(distribution.get(g.code, {}).get(b.name, 0), diagnosed_latest) for g in groups],
                }
                for b in bands
            ],
        },
        "can_link": user.is_superuser or user.role in LINK_ROLES,
        "link_first_use_days": services.PERSONAL_LINK_FIRST_USE.days,
        "link_bound_days": services.PERSONAL_LINK_BOUND.days,
    }
    if unit.level == "school":
        missing = list(selectors.not_diagnosed(period=period, user=user, school=unit.school))
        if context["can_link"]:
            tokens = services.personal_links_issue(teachers=[entry.teacher for entry in missing], issued_by=user)
            for entry in missing:
                token = tokens[entry.teacher.pk]
                # None: the teacher signs in with a password, and links are closed to them.
                entry.link = request.build_absolute_uri(reverse("diagnostic-link", args=[token])) if token else None
        context["missing"] = missing
        context["profiles"] = [
            (entry, [profile["results"].get(code) for code in group_codes], profile["diagnostic_id"])
            for entry, profile in selectors.school_profiles(period=period, user=user, school=unit.school)
        ]
    else:
        context["heatmap"] = heatmap
    context["total_percent"] = _share(context["diagnosed"], context["total"])
    context["not_diagnosed"] = context["total"] - context["diagnosed"]
    return render(request, "deficits/results.html", context)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _cell(count: int, whole: int) -> tuple[int, float | None]:
    return count, _share(count, whole)
