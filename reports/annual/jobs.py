"""The annual report as a background job: queue it, find the queued ones again, generate and store its files.

This service sends its Celery task (``reports.tasks``) once the caller's transaction
commits; the task imports this module inside its body, so the import goes one way.

Starting a report answers at once whatever the setup: with a broker the task goes to a
worker; on the embedded default (Celery eager, no worker) the build runs beside the
request in a thread of the web process (:func:`monitoring.shared.dispatch.send_beside_on_commit`),
and the page follows its progress as it would a worker's.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from monitoring.models import MonitoringPeriod, Municipality, PeriodStatus, Role
from monitoring.models.scoping import can_write_region
from monitoring.shared.dispatch import send_beside_on_commit
from reports.annual.build import annual_build
from reports.issuers import require_institute_issuer
from reports.models import AnnualReport, ReportStatus
from reports.tasks import build_annual_report_task

log = logging.getLogger(__name__)


def annual_start(*, period: MonitoringPeriod, user, municipality: Municipality | None = None) -> AnnualReport:
    """Queue a report (with ``municipality``: its справка); the worker takes it once the caller's transaction commits.

    Refused (RequisitesMissing) before anything is queued when the institute's blank is not set up.
    A report of the period already queued or being built is returned instead of a second one
    (three quick clicks start one build): :func:`report_in_progress` tells the caller.
    Who may start which is the door's question (:func:`spravka_start` asks it for a справка).
    """
    require_institute_issuer()
    with transaction.atomic():
        # The period's row is locked while looking: two clicks at once queue one report.
        list(MonitoringPeriod.objects.select_for_update().filter(pk=period.pk).values_list("pk", flat=True))
        existing = report_in_progress(period=period, municipality=municipality)
        if existing is not None:
            return existing
        report = AnnualReport.objects.create(
            period=period, user=user, municipality=municipality, preliminary=period.status != PeriodStatus.CLOSED
        )
        # With the queue down the report stays queued and is sent again when it is back (monitoring.shared.dispatch).
        send_beside_on_commit(build_annual_report_task, (report.pk,), name=f"annual-report-{report.pk}")
    return report


# A report queued or building longer than this is taken for lost (a worker killed mid-build):
# it no longer keeps a new report of its period from starting.
IN_PROGRESS_FOR_AT_MOST = dt.timedelta(hours=2)


def report_in_progress(*, period: MonitoringPeriod, municipality: Municipality | None = None) -> AnnualReport | None:
    """The period's report (or the municipality's справка) still queued or being built, if any."""
    return (
        AnnualReport.objects.filter(
            period=period,
            municipality=municipality,
            status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING),
            created_at__gte=timezone.now() - IN_PROGRESS_FOR_AT_MOST,
        )
        .order_by("pk")
        .first()
    )


def spravka_municipalities(*, user) -> QuerySet[Municipality]:
    """The municipalities whose справка ``user`` may start: the institute's any, a municipal official's own.

    The ministry reads the справки and starts none (the municipality's and the institute's document).
    """
    if can_write_region(user):
        return Municipality.objects.order_by("name")
    if user.is_authenticated and user.role == Role.MUNICIPAL and user.municipality_id:
        return Municipality.objects.filter(pk=user.municipality_id)
    return Municipality.objects.none()


def spravka_start(*, period: MonitoringPeriod, municipality: Municipality, user) -> AnnualReport:
    """Queue a municipality's справка for ``user``; refused (PermissionDenied) for a municipality not theirs."""
    if not spravka_municipalities(user=user).filter(pk=municipality.pk).exists():
        raise PermissionDenied("Справку по этому муниципалитету вы сформировать не можете.")
    return annual_start(period=period, user=user, municipality=municipality)


def document_name(report: AnnualReport) -> str:
    """A report's file name without its extension: «Годовой отчет 2025», «Справка <муниципалитет> 2025»."""
    if report.municipality is not None:
        return f"Справка {report.municipality.name} {report.period.year}"
    return f"Годовой отчет {report.period.year}"


def waiting_reports(window):
    """Reports still queued (not yet taken by a worker): monitoring.shared.dispatch sends them again."""
    for pk in AnnualReport.objects.filter(status=ReportStatus.QUEUED, created_at__range=window).values_list(
        "pk", flat=True
    ):
        yield build_annual_report_task, (pk,)


def annual_generate(*, report_id: int) -> AnnualReport:
    """Build the report's files and store them; a failure is recorded on the report, not lost."""
    report = AnnualReport.objects.select_related("period", "municipality").get(pk=report_id)
    if report.status == ReportStatus.DONE:
        return report  # a redelivered task (acks late) finds the work done
    AnnualReport.objects.filter(pk=report_id).update(status=ReportStatus.RUNNING, progress=5, error="")

    def progress(percent: int) -> None:
        AnnualReport.objects.filter(pk=report_id).update(progress=percent)

    try:
        built = annual_build(period=report.period, municipality=report.municipality, progress=progress)
    except Exception as exc:
        log.exception("annual report %s failed", report_id)
        AnnualReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:5000], finished_at=timezone.now()
        )
        report.refresh_from_db()
        return report
    name = f"annual-{report.period.year}-{report.pk}"
    if report.municipality is not None:
        name = f"spravka-{report.municipality.code}-{report.period.year}-{report.pk}"
    report.pdf.save(f"{name}.pdf", ContentFile(built.pdf), save=False)
    report.xlsx.save(f"{name}.xlsx", ContentFile(built.xlsx), save=False)
    report.pages = built.pages
    report.preliminary = built.preliminary
    report.status = ReportStatus.DONE
    report.progress = 100
    report.error = ""
    report.finished_at = timezone.now()
    report.save(update_fields=["pdf", "xlsx", "pages", "preliminary", "status", "progress", "error", "finished_at"])
    return report
