"""Pages of routes (ИОМ) and of the DPO catalog. Thin doors over iom.services and iom.selectors.

Objects come through ``visible_to`` (monitoring.models.scoping): outside the user's scope a
route is "not found". What a user may change is the services' decision (the teacher
their own route, the head of the teacher's school its approval).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from deficits.models import Diagnostic, DiagnosticStatus
from iom import selectors, services
from iom.drafts import draft_keep, draft_take
from iom.filters import ProgramFilter, RouteFilter
from iom.forms import ActivityForm, CommentForm, ReflectionForm, ReviewForm, RouteBuildForm
from iom.models import CourseRun, Program, Route, RouteActivity, RouteComment, RouteStatus
from monitoring.models import Role
from monitoring.models.scoping import require_staff_reader
from monitoring.shared.pages import page_of, requested_period


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    """A refused form's problems, each under its field's label («Комментарий: не более 2000 символов…»)."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            if name == "action":
                messages.error(request, "Выберите действие: согласовать или вернуть на доработку.")
            else:
                messages.error(request, f"{field.label}: {error}" if field else error)


# --- routes ------------------------------------------------------------------------


@login_required
def route_list(request):
    """A teacher's routes; for staff, routes per school in their scope."""
    user = request.user
    if user.role == Role.TEACHER:
        return _my_routes(request)
    if user.role == Role.CURATOR and not user.is_superuser:
        return redirect("curator-routes")  # a curator's routes are their teachers'
    require_staff_reader(user)
    period = requested_period(request)
    # The API's routes filters read ?school= the same way: a code in the user's scope.
    filterset = RouteFilter(request.GET, user=user)
    if not filterset.is_valid():
        raise Http404(" ".join(e for errors in filterset.errors.values() for e in errors))
    school = filterset.form.cleaned_data.get("school") or (user.school if user.role == Role.SCHOOL_HEAD else None)
    if school is not None:
        rows = selectors.school_teachers(period=period, user=user, school=school)
        pending = selectors.pending_routes(period=period, user=user, school=school)
        return render(
            request,
            "iom/school_routes.html",
            {"period": period, "school": school, "rows": rows, "pending": pending},
        )
    schools = selectors.school_routes(period=period, user=user)
    without = [s for s in schools if s.deficits_without_route]
    shown = without if request.GET.get("only") == "without" else schools
    no_routes_at_all = [s for s in without if s.no_routes_at_all]
    totals = selectors.coverage(schools)
    return render(
        request,
        "iom/route_coverage.html",
        {
            "period": period,
            "without": without,
            "no_routes_at_all": no_routes_at_all,
            "no_routes_in": ngettext(
                "ИОМ не разработаны ни одному педагогу в %(n)d организации:",
                "ИОМ не разработаны ни одному педагогу в %(n)d организациях:",
                len(no_routes_at_all),
            )
            % {"n": len(no_routes_at_all)},
            "page": page_of(request, shown),
            "totals": totals,
            "routes_without_deficits": ngettext(
                "Кроме того, ИОМ есть у %(n)d педагога без выявленных дефицитов",
                "Кроме того, ИОМ есть у %(n)d педагогов без выявленных дефицитов",
                totals.routes_without_deficits,
            )
            % {"n": totals.routes_without_deficits},
        },
    )


def _my_routes(request):
    teacher = request.user.teacher
    routes = (
        Route.objects.visible_to(request.user).filter(teacher=teacher).prefetch_related("activities").order_by("-start")
    )
    latest = (
        Diagnostic.objects.visible_to(request.user)
        .submitted()
        .filter(teacher=teacher)
        .order_by("-date", "-pk")
        .prefetch_related("results")
        .first()
    )
    has_deficits = bool(latest and any(r.is_deficit for r in latest.results.all()))
    return render(
        request,
        "iom/my_routes.html",
        {
            "routes": routes,
            "latest": latest,
            "has_deficits": has_deficits,
            # A route a new one would overlap: the page links to it instead of offering to build.
            "open_route": services.open_route(teacher_id=teacher.pk, today=timezone.localdate()),
        },
    )


def _own_submitted_diagnostic(request, pk: int) -> Diagnostic:
    if request.user.role != Role.TEACHER or not request.user.teacher_id:
        raise Http404("Маршрут составляет сам педагог.")
    return get_object_or_404(
        Diagnostic.objects.visible_to(request.user).select_related("instrument"),
        pk=pk,
        teacher_id=request.user.teacher_id,
        status=DiagnosticStatus.SUBMITTED,
    )


@login_required
def route_build(request, diagnostic_pk: int):
    """Build a route from a diagnostic: proposals per deficit group, the teacher ticks and schedules."""
    diagnostic = _own_submitted_diagnostic(request, diagnostic_pk)
    existing = services.open_route(teacher_id=request.user.teacher_id, today=timezone.localdate())
    if existing is not None:
        # Refused before the form, not after it is filled: the teacher corrects the route they have.
        messages.info(
            request,
            f"У вас уже есть маршрут на {existing.start:%d.%m.%Y}–{existing.end:%d.%m.%Y}: новый не составляется, "
            "его можно дополнить или скорректировать по итогам промежуточной диагностики.",
        )
        return redirect("route-detail", pk=existing.pk)
    proposals = services.propose(diagnostic=diagnostic)
    start, end = services.default_route_dates(timezone.localdate())
    initial = {"start": start, "end": end}
    form = RouteBuildForm(request.POST or None, proposals=proposals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            route = services.route_create(
                teacher=request.user.teacher,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                activities=form.activities(),
                user=request.user,
                diagnostic=diagnostic,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Маршрут составлен. Проверьте его и отправьте руководителю на согласование.")
            return redirect("route-detail", pk=route.pk)
    return render(request, "iom/route_build.html", {"form": form, "diagnostic": diagnostic, "correcting": None})


def _route(request, pk: int) -> Route:
    return get_object_or_404(Route.objects.visible_to(request.user).select_related("teacher", "diagnostic"), pk=pk)


@login_required
def route_detail(request, pk: int):
    route = _route(request, pk)
    user = request.user
    is_owner = user.role == Role.TEACHER and user.teacher_id == route.teacher_id
    activities = route.activities.select_related("program").order_by("due", "pk")
    groups = list(
        route.diagnostic.instrument.groups.order_by("order").values_list("code", "name")
        if route.diagnostic_id
        else services.active_group_choices()
    )
    names = dict(groups)
    activities = list(activities)
    today = timezone.localdate()
    for a in activities:
        a.group_name = names.get(a.group_code, a.group_code)
        a.overdue = not a.done and a.due < today
    done = sum(1 for a in activities if a.done)
    can_review = route.status == RouteStatus.SUBMITTED and services.is_head_of(user=user, teacher_id=route.teacher_id)
    may_comment = services.may_comment(user=user, route=route)
    draft = (draft_take(request, kind="comment", pk=route.pk) or "") if may_comment else ""
    review_draft = draft_take(request, kind="review", pk=route.pk) or ""
    reflection_draft = draft_take(request, kind="reflection", pk=route.pk)
    return render(
        request,
        "iom/route_detail.html",
        {
            "route": route,
            "activities": activities,
            "done": done,
            "overdue": sum(1 for a in activities if a.overdue),
            "percent": round(100 * done / len(activities)) if activities else 0,
            "deficits": _route_deficits(route, names),
            "is_owner": is_owner,
            "can_review": can_review,
            "activity_form": ActivityForm(groups=groups) if is_owner and route.is_editable else None,
            "review_form": ReviewForm(),
            "review_draft": review_draft,
            "reflection_form": ReflectionForm(
                initial={"reflection": route.reflection if reflection_draft is None else reflection_draft}
            ),
            "correction": services.correction_diagnostic(route=route) if is_owner else None,
            "events": route.events.select_related("user"),
            "comments": RouteComment.objects.visible_to(user).filter(route=route).select_related("author"),
            "comment_form": CommentForm(initial={"text": draft}) if may_comment else None,
            "is_curator": user.role == Role.CURATOR and not user.is_superuser,
            "versions": route.versions.all(),
        },
    )


def _route_deficits(route: Route, names: dict[str, str]) -> list:
    """The deficit groups of the diagnostic behind the route, largest first, each with its name."""
    if not route.diagnostic_id:
        return []
    results = sorted(route.diagnostic.results.filter(is_deficit=True), key=services.deficit_order)
    for r in results:
        r.group_name = names.get(r.group_code, r.group_code)
    return results


@login_required
@require_POST
def activity_add(request, pk: int):
    route = _route(request, pk)
    groups = services.active_group_choices()
    form = ActivityForm(request.POST, groups=groups)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("route-detail", pk=pk)
    try:
        services.activity_add(route=route, activity=form.activity(), user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Мероприятие добавлено.")
    return redirect("route-detail", pk=pk)


def _activity(request, pk: int) -> RouteActivity:
    return get_object_or_404(RouteActivity.objects.visible_to(request.user).select_related("route"), pk=pk)


@login_required
@require_POST
def activity_remove(request, pk: int):
    activity = _activity(request, pk)
    try:
        services.activity_remove(activity=activity, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("route-detail", pk=activity.route_id)


@login_required
@require_POST
def activity_mark(request, pk: int):
    activity = _activity(request, pk)
    try:
        services.activity_mark(activity=activity, user=request.user, done=request.POST.get("done") == "1")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("route-detail", pk=activity.route_id)


@login_required
@require_POST
def route_submit(request, pk: int):
    route = _route(request, pk)
    try:
        services.route_submit(route=route, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Маршрут отправлен руководителю на согласование.")
    return redirect("route-detail", pk=pk)


@login_required
@require_POST
def route_review(request, pk: int):
    """The head's decision; then on to the next route waiting for them, or back to the list."""
    route = _route(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        draft_keep(request, kind="review", pk=pk, text=request.POST.get("comment", ""))
        return redirect("route-detail", pk=pk)
    try:
        services.route_review(
            route=route,
            user=request.user,
            approve=form.cleaned_data["action"] == "approve",
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        _errors(request, exc)
        draft_keep(request, kind="review", pk=pk, text=request.POST.get("comment", ""))
        return redirect("route-detail", pk=pk)
    done = "согласован" if route.status == RouteStatus.APPROVED else "возвращен на доработку"
    following, waiting = selectors.next_pending_route(user=request.user, after=route)
    if following is None:
        messages.success(request, f"Маршрут ({route.teacher.full_name}) {done}. Других маршрутов на согласовании нет.")
        return redirect("route-list")
    left = ngettext("на согласовании еще %(n)d маршрут", "на согласовании еще %(n)d маршрутов", waiting) % {
        "n": waiting
    }
    messages.success(
        request, f"Маршрут ({route.teacher.full_name}) {done}; {left}. Открыт следующий: {following.teacher.full_name}."
    )
    return redirect("route-detail", pk=following.pk)


@login_required
@require_POST
def route_reflect(request, pk: int):
    route = _route(request, pk)
    form = ReflectionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        draft_keep(request, kind="reflection", pk=pk, text=request.POST.get("reflection", ""))
        return redirect("route-detail", pk=pk)
    services.route_reflect(route=route, user=request.user, text=form.cleaned_data["reflection"])
    messages.success(request, "Рефлексия сохранена.")
    return redirect("route-detail", pk=pk)


@login_required
def route_correct(request, pk: int):
    """Correct a route by an intermediate diagnostic: keep or drop open activities, add new proposals."""
    route = _route(request, pk)
    if request.user.role != Role.TEACHER or request.user.teacher_id != route.teacher_id:
        raise Http404("Корректирует маршрут сам педагог.")
    diagnostic = services.correction_diagnostic(route=route)
    if diagnostic is None:
        messages.error(request, "Для корректировки пройдите промежуточную диагностику в сроки маршрута.")
        return redirect("route-detail", pk=pk)
    proposals = [
        services.current_plan(route=route),
        *services.propose(diagnostic=diagnostic, start=route.start, end=route.end),
    ]
    form = RouteBuildForm(
        request.POST or None, proposals=proposals, fixed_start=route.start, initial={"end": route.end}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.route_correct(
                route=route,
                user=request.user,
                diagnostic=diagnostic,
                end=form.cleaned_data["end"],
                activities=form.activities(),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request, "Маршрут скорректирован; предыдущая версия сохранена. Отправьте его на согласование."
            )
            return redirect("route-detail", pk=pk)
    return render(request, "iom/route_build.html", {"form": form, "diagnostic": diagnostic, "correcting": route})


# --- catalog -----------------------------------------------------------------------


@login_required
def program_list(request):
    programs = Program.objects.visible_to(request.user).select_related("provider").prefetch_related("tags")
    filterset = ProgramFilter(request.GET, queryset=programs.order_by("name", "code"))
    return render(
        request,
        "iom/program_list.html",
        {
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "groups": dict(services.active_group_choices()),
        },
    )


@login_required
def program_detail(request, code: str):
    program = get_object_or_404(
        Program.objects.visible_to(request.user)
        .select_related("provider")
        .prefetch_related("tags", Prefetch("runs", queryset=CourseRun.objects.order_by("-start"))),
        code=code,
    )
    return render(
        request,
        "iom/program_detail.html",
        {"program": program, "groups": dict(services.active_group_choices()), "flags": services.program_flags(program)},
    )


@login_required
def program_stats(request):
    require_staff_reader(request.user)
    period = requested_period(request)
    return render(
        request,
        "iom/program_stats.html",
        {
            "period": period,
            "programs": selectors.program_stats(period=period, user=request.user),
            "providers": selectors.provider_stats(period=period, user=request.user),
        },
    )
