"""Pages of a municipality's справка: its list with progress, and starting one. Thin doors over reports.annual.

A row's progress and files are the annual report's doors (report-status, report-file), scoped by the row.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from monitoring.models import MonitoringPeriod, Municipality, Role
from monitoring.models.scoping import is_region_wide, require_staff_reader
from monitoring.shared import dispatch
from reports import annual, issuers
from reports.models import AnnualReport


def _spravka_reader(request) -> None:
    # The справки: the institute's and the ministry's (every municipality), a municipal official's (their own).
    require_staff_reader(request.user)
    if not (is_region_wide(request.user) or request.user.role == Role.MUNICIPAL):
        raise Http404("Страница недоступна.")


@login_required
def spravka_list(request):
    _spravka_reader(request)
    reports = AnnualReport.objects.visible_to(request.user).filter(municipality__isnull=False)
    # The region-wide roles narrow the list to one municipality of theirs (a municipal official has one).
    filters = (
        list(Municipality.objects.visible_to(request.user).order_by("name")) if is_region_wide(request.user) else []
    )
    chosen = None
    if code := request.GET.get("municipality", "").strip():
        # Matched among the listed ones, never sent to the database as typed; an unknown one shows nothing.
        chosen = next((m for m in filters if m.code == code), None)
        reports = reports.filter(municipality=chosen) if chosen is not None else reports.none()
    reports = reports.select_related("period", "user", "municipality")[:50]
    starts = annual.spravka_municipalities(user=request.user)
    try:
        issuers.require_institute_issuer()
    except issuers.RequisitesMissing as missing:
        setup = issuers.requisites_missing_context(user=request.user, missing=missing, back=request.path)
    else:
        setup = None
    return render(
        request,
        "reports/spravka_list.html",
        {
            "reports": reports,
            "periods": MonitoringPeriod.objects.order_by("-year"),
            "starts": list(starts),
            "filters": filters,
            "chosen": chosen,
            "setup": setup,
        },
    )


class SpravkaStartForm(forms.Form):
    period = forms.ModelChoiceField(
        MonitoringPeriod.objects.all(),
        to_field_name="year",
        error_messages={
            "required": "Выберите год справки.",
            "invalid_choice": "Такого периода мониторинга нет: выберите год из списка.",
        },
    )
    municipality = forms.ModelChoiceField(
        Municipality.objects.all(),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": "Такого муниципалитета нет: выберите муниципалитет из списка."},
    )


@login_required
@require_POST
def spravka_start(request):
    _spravka_reader(request)
    starts = annual.spravka_municipalities(user=request.user)
    if not starts.exists():
        raise Http404("Страница недоступна.")  # the ministry reads the справки and starts none
    form = SpravkaStartForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, f"Справка не запущена. {first}")
        return redirect("spravka-list")
    period = form.cleaned_data["period"]
    municipality = form.cleaned_data["municipality"]
    if municipality is None:
        if request.user.role != Role.MUNICIPAL:
            messages.error(request, "Справка не запущена. Выберите муниципалитет.")
            return redirect("spravka-list")
        municipality = starts.get()  # a municipal official's own
    if (running := annual.report_in_progress(period=period, municipality=municipality)) is not None:
        messages.info(
            request,
            f"Справка «{municipality.name}» за {period.year} год уже формируется (№{running.pk}); "
            "когда она будет готова, ссылки на PDF и XLSX появятся в таблице ниже.",
        )
        return redirect("spravka-list")
    try:
        with dispatch.watch() as queue:
            report = annual.spravka_start(period=period, municipality=municipality, user=request.user)
    except PermissionDenied as exc:
        # Another municipality's справка is no door of a municipal official: "not found", as its rows.
        raise Http404(str(exc)) from exc
    except issuers.RequisitesMissing as missing:
        messages.error(request, f"Справка не запущена. {missing.message}")
        return redirect("spravka-list")
    told = f"Справка «{municipality.name}» за {period.year} год (№{report.pk})"
    if queue.down:
        messages.warning(request, f"{told}: {dispatch.QUEUE_DOWN_MESSAGE}")
    else:
        messages.success(
            request,
            f"{told} поставлена на формирование; когда она будет готова, ссылки на PDF и XLSX появятся в таблице ниже.",
        )
    return redirect("spravka-list")
