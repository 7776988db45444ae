"""The reports' lines of the home page (store ``home_todos``): letters to read or finish, findings, annual reports."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import ngettext

from monitoring.models import MonitoringPeriod, Role
from monitoring.shared.todo import Todo
from reports.letters import letters_visible
from reports.models import AddresseeKind, AnnualReport, Finding, LetterStatus, ReportStatus, TextKind

# How many of the latest annual reports the ministry's home page offers to download.
REPORTS_SHOWN = 3

_ROLE_ADDRESSEE = {Role.MUNICIPAL: AddresseeKind.MUNICIPAL, Role.SCHOOL_HEAD: AddresseeKind.SCHOOL_HEADS}


def unread_letter_count(*, user) -> int:
    """Issued letters addressed to ``user``'s role in their scope that they have not marked read (one query)."""
    kind = _ROLE_ADDRESSEE[user.role]
    addressed = Q(addressee=kind) | Q(items__kind=TextKind.RECOMMENDATION, items__addressee=kind)
    unread = letters_visible(user).filter(addressed, status=LetterStatus.ISSUED).exclude(receipts__user=user)
    return unread.values("pk").distinct().count()


def _letters_to_read(*, user) -> Todo:
    count = unread_letter_count(user=user)
    text = (
        ngettext("%(n)d новое письмо с адресными рекомендациями", "%(n)d новых писем с адресными рекомендациями", count)
        % {"n": count}
        if count
        else "Новых писем с адресными рекомендациями нет"
    )
    return Todo(text=text, url=reverse("letter-list"), count=count, tone="warning" if count else "")


def _institute_todos(*, user, period: MonitoringPeriod) -> list[Todo]:
    """Findings of the period's last run and the letters in work (two queries)."""
    findings = Finding.objects.visible_to(user).filter(period=period).count()
    in_work = letters_visible(user).exclude(status=LetterStatus.ISSUED).count()
    return [
        Todo(
            text=ngettext(
                "%(n)d значение показателя за порогом (проблемные зоны)",
                "%(n)d значений показателей за порогом (проблемные зоны)",
                findings,
            )
            % {"n": findings},
            url=reverse("indicator-overview") + f"?period={period.year}",
            count=findings,
        ),
        Todo(
            text=ngettext("%(n)d письмо в работе (не отправлено)", "%(n)d писем в работе (не отправлены)", in_work)
            % {"n": in_work},
            url=reverse("letter-list"),
            count=in_work,
            tone="warning" if in_work else "",
        ),
    ]


def _annual_reports(*, user, period: MonitoringPeriod) -> list[Todo]:
    """The latest finished annual report of each recent period, to download (one query)."""
    done = (
        AnnualReport.objects.visible_to(user)
        .filter(status=ReportStatus.DONE, municipality__isnull=True)  # the region's, not a municipality's справка
        .select_related("period")
        .order_by("-period__year", "-created_at", "-pk")[: REPORTS_SHOWN * 4]
    )
    latest: dict[int, AnnualReport] = {}
    for report in done:
        latest.setdefault(report.period.year, report)
    todos = [
        Todo(
            text=f"Годовой отчет за {year} год",
            url=reverse("report-file", args=[report.pk, "pdf"]),
            detail="предварительный: сбор данных продолжается" if not report.period.is_closed else "",
            items=(("PDF", reverse("report-file", args=[report.pk, "pdf"])),)
            + ((("XLSX", reverse("report-file", args=[report.pk, "xlsx"])),) if report.xlsx else ()),
        )
        for year, report in list(latest.items())[:REPORTS_SHOWN]
    ]
    if period.year not in latest:
        todos.insert(0, Todo(text=f"Годовой отчет за {period.year} год еще не сформирован", url=reverse("report-list")))
    return todos


def letter_and_report_todos(*, user, period: MonitoringPeriod, today: dt.date) -> list[Todo]:
    if user.is_superuser or user.role == Role.ANALYST:
        return _institute_todos(user=user, period=period)
    if user.role in _ROLE_ADDRESSEE:
        return [_letters_to_read(user=user)]
    if user.role == Role.MINISTRY:
        return _annual_reports(user=user, period=period)
    return []
