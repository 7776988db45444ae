"""Helpers every app's pages share (the public face of the page layer; no app imports a view of another).

Pages of ``deficits``, ``iom``, ``indicators`` and ``reports`` used to import
``monitoring.views.requested_period``: a view module is a door, not a library.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404

from monitoring.models import MonitoringPeriod

PAGE_SIZE = 50


def page_of(request, queryset, *, size: int = PAGE_SIZE) -> Page:
    """The page of ``queryset`` that ?page= asks for (the last one for a number past it)."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def requested_period(request) -> MonitoringPeriod:
    """The period a page shows: ?period=YYYY, else the current one."""
    year = request.GET.get("period")
    if year:
        # ASCII digits only: str.isdigit() also accepts «²» and thousand-digit strings, which int() refuses.
        if not (year.isascii() and year.isdigit() and len(year) <= 4):
            raise Http404("Период указан неверно.")
        return get_object_or_404(MonitoringPeriod, year=int(year))
    period = MonitoringPeriod.objects.current()
    if period is None:
        raise Http404("В портале еще нет ни одного периода мониторинга.")
    return period
