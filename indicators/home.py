"""The indicators' line of the institute's home page (store ``home_todos``): the period's last computation."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from indicators.models import ComputationRun, RunStatus
from monitoring.models import MonitoringPeriod, Role
from monitoring.shared.todo import Todo


def run_todos(*, user, period: MonitoringPeriod, today: dt.date) -> list[Todo]:
    """The institute's line about the period's last indicator run (one query)."""
    if not (user.is_superuser or user.role == Role.ANALYST):
        return []
    url = reverse("indicator-overview") + f"?period={period.year}"
    run = ComputationRun.objects.visible_to(user).filter(period=period).order_by("-created_at", "-pk").first()
    if run is None:
        return [Todo(text=f"Показатели за {period.year} год еще не рассчитаны", url=url, tone="warning")]
    when = date_format(timezone.localtime(run.finished_at or run.created_at), "d.m.Y H:i")
    failed = run.status == RunStatus.FAILED
    return [
        Todo(
            text=f"Последний расчет показателей: {run.get_status_display().lower()}, {when}",
            url=url,
            detail="Запустите расчет снова со страницы показателей." if failed else "",
            tone="warning" if failed else "",
        )
    ]
