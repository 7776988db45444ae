"""Diagnostic pages: the teacher's questionnaire and result, the staff's results. Thin doors.

Every object is fetched through ``visible_to`` (monitoring.scoping): a diagnostic
outside the user's scope is "not found". Only the teacher a draft belongs to may fill
it in; staff read results.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from deficits import selectors, services
from deficits.filters import DiagnosticFilter
from deficits.forms import GroupPageForm, StartForm
from deficits.models import Diagnostic, DiagnosticStatus
from deficits.scoring import instrument_spec
from monitoring.models import MonitoringPeriod, Role
from monitoring.scoping import require_staff_reader
from monitoring.views import requested_period

# Who may hand out a teacher's personal link: the school's head, and institute staff
# who run the diagnostic for the region. A link signs its holder in as the teacher.
LINK_ROLES = {Role.SCHOOL_HEAD, Role.ANALYST}


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
        services.diagnostic_save_answers(diagnostic=diagnostic, answers=form.answers())
        if action == "save":
            messages.success(request, "Ответы сохранены. Вы можете вернуться к анкете в любое время.")
            return redirect("my-diagnostics")
        if action == "back":
            return redirect("diagnostic-fill", pk=pk, page=max(1, page - 1))
        if form.require_all():
            if page < len(groups):
                return redirect("diagnostic-fill", pk=pk, page=page + 1)
            missing = services.missing_groups(diagnostic=diagnostic)
            if missing:
                numbers = [str(i) for i, g in enumerate(groups, start=1) if g.code in missing]
                messages.error(request, f"Остались утверждения без ответа на страницах: {', '.join(numbers)}.")
                return redirect("diagnostic-fill", pk=pk, page=int(numbers[0]))
            try:
                services.diagnostic_complete(diagnostic=diagnostic)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("my-diagnostics")
            messages.success(request, "Диагностика завершена. Ниже — ваши результаты.")
            return redirect("diagnostic-detail", pk=pk)
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
            "is_own": request.user.teacher_id == diagnostic.teacher_id,
        },
    )


def personal_link(request, token: str):
    """Sign a teacher in from the link their school head sent, then open their questionnaire."""
    try:
        teacher = services.personal_link_teacher(token=token)
    except ValidationError as exc:
        return render(request, "deficits/link_invalid.html", {"message": " ".join(exc.messages)}, status=400)
    if request.user.is_authenticated:
        if request.user.teacher_id == teacher.pk and request.user.role == Role.TEACHER:
            return redirect("my-diagnostics")
        # Someone else is signed in (often the head checking the link they send): never
        # switch accounts silently.
        return render(request, "deficits/link_other_user.html", {"teacher": teacher}, status=409)
    user = services.teacher_user(teacher=teacher)
    if not user.is_active or user.role != Role.TEACHER:
        return render(
            request,
            "deficits/link_invalid.html",
            {"message": "Вход по этой ссылке закрыт. Войдите в портал со своим логином и паролем."},
            status=403,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("my-diagnostics")


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
    }
    if unit.level == "school":
        missing = list(selectors.not_diagnosed(period=period, user=user, school=unit.school))
        if context["can_link"]:
            for entry in missing:
                entry.link = request.build_absolute_uri(
                    reverse("diagnostic-link", args=[services.personal_link_token(teacher=entry.teacher)])
                )
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
