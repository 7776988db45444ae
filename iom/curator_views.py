"""Pages of ЦНППМ curators: the institute's assignment pages, a curator's routes, comments on a route.

Thin doors over iom.curators and iom.services.route_comment_add. The assignment pages are the
institute's (others: "not found"); the curator's page is the curator's own (others: "not found").
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from iom import curators, services
from iom.drafts import draft_drop, draft_keep
from iom.forms import AssignForm, CommentForm
from iom.models import Route
from monitoring.models import CuratorAssignment, Role
from monitoring.models.scoping import can_write_region


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _require_institute(request) -> None:
    if not can_write_region(request.user):
        raise Http404("Страница недоступна.")


def _curator(request, pk: int):
    _require_institute(request)
    try:
        return curators.curator_of(user=request.user, pk=pk)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from exc


@login_required
def curator_list(request):
    """The institute's list of curator accounts with the number of their teachers."""
    _require_institute(request)
    return render(request, "iom/curator_list.html", {"curators": curators.curator_accounts(user=request.user)})


@login_required
def curator_detail(request, pk: int):
    """One curator's teachers; the institute adds teachers by code (several pasted at once) and removes them."""
    curator = _curator(request, pk)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = curators.parse_codes(form.cleaned_data["codes"])
        try:
            added = curators.curator_assign(curator=curator, codes=codes, user=request.user)
        except ValidationError as exc:
            _errors(request, exc)  # the pasted codes stay in the form to be corrected
        else:
            messages.success(request, f"Закреплено педагогов: {len(added)}.")
            return redirect("curator-detail", pk=curator.pk)
    links = (
        CuratorAssignment.objects.filter(curator=curator)
        .select_related("teacher", "assigned_by")
        .order_by("teacher__full_name", "teacher__code")
    )
    return render(request, "iom/curator_detail.html", {"curator": curator, "links": links, "form": form})


@login_required
@require_POST
def curator_unassign(request, pk: int):
    curator = _curator(request, pk)
    try:
        teacher = curators.curator_unassign(curator=curator, code=request.POST.get("teacher", ""), user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Педагог {teacher.full_name} ({teacher.code}) откреплен от куратора.")
    return redirect("curator-detail", pk=curator.pk)


@login_required
def curator_routes(request):
    """«Маршруты моих педагогов»: the curator's teachers, their current routes, progress; ?lagging=1 the lagging."""
    user = request.user
    if user.role != Role.CURATOR or user.is_superuser:
        raise Http404("Страница куратора.")
    rows = curators.curator_routes(user=user, today=timezone.localdate())
    lagging = [r for r in rows if r.lagging]
    only_lagging = request.GET.get("lagging") == "1"
    return render(
        request,
        "iom/curator_routes.html",
        {
            "rows": lagging if only_lagging else rows,
            "all_count": len(rows),
            "lagging_count": len(lagging),
            "only_lagging": only_lagging,
            "lag_months": curators.LAG_MONTHS,
        },
    )


@login_required
@require_POST
def route_comment_add(request, pk: int):
    route = get_object_or_404(Route.objects.visible_to(request.user), pk=pk)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            # The form's own refusal (a NUL, too long), under the field's label.
            raise ValidationError(
                [f"{form.fields[name].label}: {e}" for name, errors in form.errors.items() for e in errors]
            )
        services.route_comment_add(route=route, author=request.user, text=form.cleaned_data["text"])
    except ValidationError as exc:
        _errors(request, exc)
        # Nothing typed is lost: the route page offers the refused text again.
        draft_keep(request, kind="comment", pk=pk, text=request.POST.get("text", ""))
    else:
        draft_drop(request, kind="comment", pk=pk)
        messages.success(request, "Комментарий добавлен.")
    return redirect("route-detail", pk=pk)
