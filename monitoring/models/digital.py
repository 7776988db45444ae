"""A school's self-assessed digital environment (direction 4, the `Цифровая среда` sheet)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from monitoring.models.org import School
from monitoring.models.periods import MonitoringPeriod
from monitoring.models.scoping import ScopedManager, ScopePaths


class DigitalEnvironmentScore(models.Model):
    """A school's self-assessed digital environment, four scores 0–4 (the `Цифровая среда` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="digital_scores", verbose_name="период"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="digital_scores", verbose_name="образовательная организация"
    )
    infrastructure = models.PositiveSmallIntegerField("инфраструктура")
    tools = models.PositiveSmallIntegerField("инструменты и сервисы")
    usage = models.PositiveSmallIntegerField("использование в обучении")
    professional_development = models.PositiveSmallIntegerField("профессиональное развитие")

    scope_paths = ScopePaths(municipality="school__municipality", school="school")
    objects = ScopedManager()

    class Meta:
        verbose_name = "оценка цифровой среды"
        verbose_name_plural = "цифровая среда"
        ordering = ["period", "school__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "school"],
                name="digital_score_unique",
                violation_error_message="Оценка цифровой среды этой ОО за период уже есть.",
            ),
            models.CheckConstraint(
                name="digital_scores_range",
                condition=Q(infrastructure__lte=4)
                & Q(tools__lte=4)
                & Q(usage__lte=4)
                & Q(professional_development__lte=4)
                & Q(infrastructure__gte=0)
                & Q(tools__gte=0)
                & Q(usage__gte=0)
                & Q(professional_development__gte=0),
                violation_error_message="Оценки цифровой среды должны быть целыми числами от 0 до 4.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.code} ({self.period.year})"
