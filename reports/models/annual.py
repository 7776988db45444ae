"""The annual report of a period (and a municipality's справка)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from monitoring.models import MonitoringPeriod, Municipality, RandomName, ScopedManager, ScopePaths


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "В очереди"
    RUNNING = "running", "Формируется"
    DONE = "done", "Готов"
    FAILED = "failed", "Ошибка"


class AnnualReport(models.Model):
    """The annual report of a period for the ministry: a PDF and an .xlsx of the same tables."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="reports", verbose_name="период"
    )
    status = models.CharField("состояние", max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("готовность, %", default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    finished_at = models.DateTimeField("готов", null=True, blank=True)
    pdf = models.FileField("PDF", upload_to=RandomName("reports"), blank=True)
    xlsx = models.FileField("XLSX", upload_to=RandomName("reports"), blank=True)
    pages = models.PositiveIntegerField("страниц", default=0)
    error = models.TextField("ошибка", blank=True)
    # A municipality's справка: the same structure for one municipality, by its schools.
    # Empty: the region's annual report.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name="муниципалитет (справка)",
    )
    # Built while the period was still collecting data: the document says it is preliminary.
    preliminary = models.BooleanField("предварительный", default=False)

    # The region's report: institute and ministry only; a municipality's справка also to that
    # municipality's officials (a school head has no page of either).
    scope_paths = ScopePaths(municipality="municipality")
    objects = ScopedManager()

    class Meta:
        verbose_name = "годовой отчет"
        verbose_name_plural = "годовые отчеты"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Отчет за {self.period.year} ({self.get_status_display()})"
