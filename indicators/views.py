"""Dashboards of the indicators: the nine directions, a direction, an indicator, a run. Thin doors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from indicators import display, selectors, services
from indicators.engine import definition_current
from indicators.models import ComputationRun, Level
from monitoring.models import MonitoringPeriod
from monitoring.models.scoping import can_write_region, require_staff_reader
from monitoring.shared import dispatch
from monitoring.shared.pages import requested_period


def _viewer(request):
    require_staff_reader(request.user)


def _run_context(request, period: MonitoringPeriod) -> dict:
    return {
        "run": ComputationRun.objects.filter(period=period).order_by("-created_at", "-pk").first(),
        "stale": services.is_stale(period),
        # The run's number, size and timing matter to the institute's staff who start runs, not to readers.
        "run_details": can_write_region(request.user),
    }


def _lines(setting) -> list[dict]:
    """The target and the alert threshold a chart draws across its value axis."""
    lines = []
    if setting is not None and setting.target is not None:
        lines.append({"label": "Цель", "value": float(setting.target), "color": "#146c43", "dash": []})
    if setting is not None and setting.threshold is not None:
        lines.append({"label": "Порог тревоги", "value": float(setting.threshold), "color": "#b02a37", "dash": [6, 4]})
    return lines


def _chart(*, kind: str, defn, setting, labels: list[str], label: str, values: list) -> dict:
    return {
        "type": kind,
        "labels": labels,
        "label": label,
        "values": [float(v) if v is not None else None for v in values],
        "axis": display.axis(defn),
        "lines": _lines(setting),
    }


def _sparklines(directions) -> dict[str, dict]:
    """Per indicator of the overview, its values over the periods (drawn when there are two or more)."""
    return {
        t.definition.code: {
            "labels": [str(year) for year, _ in t.series],
            "values": [float(v) if v is not None else None for _, v in t.series],
            "axis": display.axis(t.definition),
        }
        for _, _, tiles in directions
        for t in tiles
        if len(t.series) > 1
    }


# The alert names this many units; the rest wait behind «и ещё N».
FINDINGS_SHOWN = 5


def _used_standings(standings) -> list[tuple[str, str, str, str, str]]:
    """The legend: (key, row class, swatch class, colour, meaning) of each standing the page colours, in order."""
    used = set(standings)
    return [(key, *display.STANDINGS[key]) for key in display.STANDINGS if key in used]


@login_required
def overview(request):
    _viewer(request)
    period = requested_period(request)
    unit = selectors.home_unit(request.user)
    tiles = selectors.overview(period=period, user=request.user, unit=unit)
    directions = [(n, title, tiles[n]) for n, title in selectors.DIRECTIONS.items()]
    return render(
        request,
        "indicators/overview.html",
        {
            "period": period,
            "periods": MonitoringPeriod.objects.order_by("-year"),
            "unit": unit,
            "directions": directions,
            "sparklines": _sparklines(directions),
            "standings": _used_standings(t.standing for _, _, ts in directions for t in ts),
            "previous": selectors.previous_period(period),
            "can_compute": can_write_region(request.user) and not period.is_closed,
            **_run_context(request, period),
        },
    )


@login_required
def direction(request, number: int):
    _viewer(request)
    if number not in selectors.DIRECTIONS:
        raise Http404("Такого направления нет.")
    period = requested_period(request)
    unit = selectors.home_unit(request.user)
    edition = selectors.period_definitions(period)
    matrix = selectors.direction_matrix(period=period, user=request.user, direction=number, unit=unit, edition=edition)
    chosen = request.GET.get("chart") or (matrix.definitions[0].code if matrix.definitions else None)
    chart = None
    chosen_definition = chosen_setting = None
    if chosen and any(d.code == chosen for d in matrix.definitions):
        index = [d.code for d in matrix.definitions].index(chosen)
        chosen_definition = matrix.definitions[index]
        chosen_setting = edition.settings.get(chosen)
        chart = _chart(
            kind="bar",
            defn=chosen_definition,
            setting=chosen_setting,
            labels=[row.name for row in matrix.rows],
            label=chosen_definition.title,
            values=[row.values[index] for row in matrix.rows],
        )
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
            "chosen_definition": chosen_definition,
            "chosen_setting": chosen_setting,
            "chart": chart,
            "definitions": edition.of_direction(number),
            "standings": _used_standings(c.standing for row in matrix.rows for c in row.cells),
            **_run_context(request, period),
        },
    )


@login_required
def indicator_detail(request, code: str):
    _viewer(request)
    period = requested_period(request)
    edition = selectors.period_definitions(period)
    # The period's own definition; an indicator the institute defined only in another period
    # still has its page here (its values of other years), read from its current definition.
    defn = edition.get(code) or definition_current(code)
    if defn is None:
        raise Http404("Такого показателя нет.")
    unit = selectors.home_unit(request.user)
    setting = edition.settings.get(code)
    level = request.GET.get("level") or unit.below
    allowed = {Level.MUNICIPALITY, Level.SCHOOL} if unit.level == Level.REGION else {Level.SCHOOL}
    if unit.level == Level.SCHOOL:
        allowed = set()
    if level not in allowed:
        level = None
    breakdown = request.GET.get("breakdown", "")
    ranking = (
        selectors.ranking(
            period=period,
            user=request.user,
            definition=defn,
            level=level,
            breakdown=breakdown,
            parent=unit,
            setting=setting,
        )
        if level
        else []
    )
    history = selectors.history(user=request.user, definition=defn, unit=unit, breakdown=breakdown)
    findings = [r for r in ranking if r.finding]
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
            "direction_title": selectors.DIRECTIONS[defn.direction],
            "ranking": ranking,
            "findings": findings,
            "findings_shown": findings[:FINDINGS_SHOWN],
            "findings_more": findings[FINDINGS_SHOWN:],
            "standings": _used_standings(r.standing for r in ranking),
            "history": history,
            "history_chart": _chart(
                kind="line",
                defn=defn,
                setting=setting,
                labels=[str(year) for year, _ in history],
                label=unit.name,
                values=[v for _, v in history],
            ),
            "breakdowns": selectors.breakdown_rows(period=period, user=request.user, definition=defn, unit=unit),
            **_run_context(request, period),
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
    return render(
        request,
        "indicators/includes/run.html",
        {"run": run, "stale": services.is_stale(run.period), "run_details": can_write_region(request.user)},
    )
