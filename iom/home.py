"""The routes' lines of the home page (store ``home_todos``): the teacher's next step, the routes a head approves."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import ngettext

from deficits.models import Diagnostic, DiagnosticStatus
from iom.curators import curator_routes
from iom.models import Route, RouteActivity, RouteStatus
from monitoring.models import MonitoringPeriod, Role, RosterEntry
from monitoring.shared.todo import Todo


def teacher_next_step(*, user, today: dt.date) -> Todo:
    """A teacher's next step: take or finish the diagnostic, build or submit the route, or its next activity.

    At most four queries, whatever the number of diagnostics, routes and activities.
    """
    teacher_id = user.teacher_id
    route = Route.objects.visible_to(user).filter(teacher_id=teacher_id).order_by("-start", "-pk").first()
    if route is not None and route.status == RouteStatus.APPROVED:
        open_items = RouteActivity.objects.filter(route=route, done=False).select_related("program")
        activity = open_items.order_by("due", "pk").first()
        url = reverse("route-detail", args=[route.pk])
        if activity is None:
            return Todo(text="Все мероприятия маршрута выполнены: опишите их итоги (рефлексия)", url=url)
        what = activity.program.name if activity.program_id else (activity.title or activity.get_kind_display())
        late = activity.due < today
        return Todo(
            text=f"Следующее мероприятие маршрута: {what}",
            url=url,
            detail=("Срок истек " if late else "Срок: до ") + date_format(activity.due, "d.m.Y"),
            tone="warning" if late else "",
        )
    if route is not None and route.status == RouteStatus.SUBMITTED:
        return Todo(
            text="Маршрут на согласовании у руководителя",
            url=reverse("route-detail", args=[route.pk]),
            detail="Когда руководитель согласует его, здесь появится первое мероприятие.",
        )
    if route is not None:
        returned = route.status == RouteStatus.RETURNED
        return Todo(
            text=("Доработайте" if returned else "Допишите") + " маршрут и отправьте его на согласование",
            url=reverse("route-detail", args=[route.pk]),
            detail=f"Комментарий руководителя: {route.comment}" if returned and route.comment else "",
            tone="warning",
        )
    drafts = Diagnostic.objects.visible_to(user).filter(teacher_id=teacher_id, status=DiagnosticStatus.DRAFT)
    draft = drafts.order_by("-pk").first()
    if draft is not None:
        return Todo(
            text="Продолжите диагностику профессиональных дефицитов",
            url=reverse("diagnostic-detail", args=[draft.pk]),
            detail="Ответы сохранены: можно продолжить с того места, где вы остановились.",
            tone="warning",
        )
    latest = (
        Diagnostic.objects.visible_to(user)
        .filter(teacher_id=teacher_id, status=DiagnosticStatus.SUBMITTED)
        .order_by("-date", "-pk")
        .first()
    )
    if latest is not None:
        return Todo(
            text="Постройте индивидуальный образовательный маршрут по результатам диагностики",
            url=reverse("route-build", args=[latest.pk]),
            detail=f"Диагностика от {date_format(latest.date, 'd.m.Y')}.",
            tone="warning",
        )
    return Todo(
        text="Пройдите диагностику профессиональных дефицитов",
        url=reverse("my-diagnostics"),
        detail="По ее результатам строится ваш индивидуальный образовательный маршрут.",
        tone="warning",
    )


def pending_count(*, user, period: MonitoringPeriod) -> int:
    """Routes of the head's school waiting for their approval (one query)."""
    on_roster = RosterEntry.objects.filter(period=period, school_id=user.school_id).values("teacher_id")
    return Route.objects.visible_to(user).filter(status=RouteStatus.SUBMITTED, teacher_id__in=on_roster).count()


def curator_todo(*, user, today: dt.date) -> Todo:
    """A curator's line: the routes of their teachers that lag (iom.curators), or that none do."""
    rows = curator_routes(user=user, today=today)
    lagging = [r for r in rows if r.lagging]
    if lagging:
        url = reverse("curator-routes") + "?lagging=1"
        return Todo(
            text=f"Отстающие маршруты ваших педагогов: {len(lagging)}",
            url=url,
            count=len(lagging),
            items=tuple(
                (r.teacher.full_name, reverse("route-detail", args=[r.route.pk]) if r.route else url)
                for r in lagging[:5]
            ),
            more=max(0, len(lagging) - 5),
            tone="warning",
        )
    if not rows:
        return Todo(text="За вами пока не закреплены педагоги: их закрепляет институт", url=reverse("curator-routes"))
    return Todo(text=f"Маршруты ваших педагогов ({len(rows)}) идут в срок", url=reverse("curator-routes"))


def route_todos(*, user, period: MonitoringPeriod, today: dt.date) -> list[Todo]:
    if user.is_superuser:
        return []
    if user.role == Role.TEACHER and user.teacher_id:
        return [teacher_next_step(user=user, today=today)]
    if user.role == Role.CURATOR:
        return [curator_todo(user=user, today=today)]
    if user.role == Role.SCHOOL_HEAD and user.school_id:
        count = pending_count(user=user, period=period)
        text = (
            ngettext("%(n)d маршрут ждет вашего согласования", "%(n)d маршрутов ждут вашего согласования", count)
            % {"n": count}
            if count
            else "Маршрутов на согласовании нет"
        )
        return [Todo(text=text, url=reverse("route-list"), count=count, tone="warning" if count else "")]
    return []
