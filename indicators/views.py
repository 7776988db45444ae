"""Dashboards of the indicators: the nine directions, a direction, an indicator, a run. Thin doors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from indicators import selectors, services
from indicators.catalog import catalog, definition
from indicators.engine import period_edition
from indicators.models import ComputationRun, Level
from monitoring.models import MonitoringPeriod
from monitoring.models.scoping import can_write_region, require_staff_reader
from monitoring.shared import dispatch
from monitoring.shared.pages import requested_period


def _viewer(request):
    require_staff_reader(request.user)


def _run_context(period: MonitoringPeriod) -> dict:
    return {
        "run": ComputationRun.objects.filter(period=period).order_by("-created_at", "-pk").first(),
        "stale": services.is_stale(period),
    }


@login_required
def overview(request):
    _viewer(request)
    period = requested_period(request)
    unit = selectors.home_unit(request.user)
    tiles = selectors.overview(period=period, user=request.user, unit=unit)
    return render(
        request,
        "indicators/overview.html",
        {
            "period": period,
            "periods": MonitoringPeriod.objects.order_by("-year"),
            "unit": unit,
            "directions": [(n, title, tiles[n]) for n, title in selectors.DIRECTIONS.items()],
            "previous": selectors.previous_period(period),
            "can_compute": can_write_region(request.user) and not period.is_closed,
            **_run_context(period),
        },
    )


@login_required
def direction(request, number: int):
    _viewer(request)
    if number not in selectors.DIRECTIONS:
        raise Http404("Такого направления нет.")
    period = requested_period(request)
    unit = selectors.home_unit(request.user)
    matrix = selectors.direction_matrix(period=period, user=request.user, direction=number, unit=unit)
    chosen = request.GET.get("chart") or (matrix.definitions[0].code if matrix.definitions else None)
    chart = None
    if chosen and any(d.code == chosen for d in matrix.definitions):
        index = [d.code for d in matrix.definitions].index(chosen)
        chart = {
            "type": "bar",
            "labels": [name for _, name, _ in matrix.rows],
            "label": definition(chosen).title,
            "values": [float(vals[index]) if vals[index] is not None else None for _, _, vals in matrix.rows],
        }
    return render(
        request,
        "indicators/direction.html",
        {
            "period": period,
            "number": number,
            "title": selectors.DIRECTIONS[number],
            "unit": unit,
            "matrix": matrix,
            "chosen": chosen,
            "chart": chart,
            "definitions": [d for d in catalog() if d.direction == number],
            **_run_context(period),
        },
    )


@login_required
def indicator_detail(request, code: str):
    _viewer(request)
    try:
        defn = definition(code)
    except KeyError as exc:
        raise Http404("Такого показателя нет.") from exc
    period = requested_period(request)
    unit = selectors.home_unit(request.user)
    setting = period_edition(period).get(code)
    level = request.GET.get("level") or unit.below
    allowed = {Level.MUNICIPALITY, Level.SCHOOL} if unit.level == Level.REGION else {Level.SCHOOL}
    if unit.level == Level.SCHOOL:
        allowed = set()
    if level not in allowed:
        level = None
    breakdown = request.GET.get("breakdown", "")
    ranking = (
        selectors.ranking(
            period=period, user=request.user, definition=defn, level=level, breakdown=breakdown, parent=unit
        )
        if level
        else []
    )
    history = selectors.history(user=request.user, definition=defn, unit=unit, breakdown=breakdown)
    return render(
        request,
        "indicators/indicator.html",
        {
            "period": period,
            "definition": defn,
            "setting": setting,
            "unit": unit,
            "level": level,
            "levels": sorted(allowed, key=[Level.MUNICIPALITY, Level.SCHOOL].index),
            "breakdown": breakdown,
            "ranking": ranking,
            "findings": [r for r in ranking if r.finding],
            "history": history,
            "history_chart": {
                "type": "line",
                "labels": [str(year) for year, _ in history],
                "label": unit.name,
                "values": [float(v) if v is not None else None for _, v in history],
            },
            "breakdowns": selectors.breakdown_rows(period=period, user=request.user, definition=defn, unit=unit),
            **_run_context(period),
        },
    )


@login_required
@require_POST
def compute(request):
    """Institute staff start a computation of the period from the dashboard or the period page."""
    if not can_write_region(request.user):
        raise Http404("Страница недоступна.")
    period = get_object_or_404(MonitoringPeriod, year=request.POST.get("period") or 0)
    try:
        with dispatch.watch() as queue:
            run = services.computation_start(period=period, user=request.user)
    except services.ClosedPeriod as exc:
        messages.error(request, str(exc))
        return redirect("indicator-overview")
    if queue.down:
        messages.warning(request, f"Расчет показателей за {period.year} год (№{run.pk}): {dispatch.QUEUE_DOWN_MESSAGE}")
    else:
        messages.success(request, f"Расчет показателей за {period.year} год запущен (№{run.pk}).")
    return redirect(f"{reverse('indicator-overview')}?period={period.year}")


@login_required
def run_status(request, pk: int):
    """The run's progress, polled by the page (htmx) until it is done."""
    _viewer(request)
    run = get_object_or_404(ComputationRun.objects.visible_to(request.user).select_related("period"), pk=pk)
    return render(request, "indicators/includes/run.html", {"run": run, "stale": services.is_stale(run.period)})
