"""Findings: org units whose indicator value misses the period's alert threshold."""

from __future__ import annotations

from django.db import models

from indicators.models import Indicator, Level
from monitoring.models import NATURAL, MonitoringPeriod, Municipality, School, ScopedManager, ScopePaths


class Finding(models.Model):
    """An org unit whose indicator value misses the period's alert threshold (recomputed with the indicators)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="findings", verbose_name="период"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="findings", verbose_name="показатель"
    )
    level = models.CharField("уровень", max_length=20, choices=Level.choices)
    org_code = models.CharField("код", max_length=20)
    org_name = models.CharField("наименование", max_length=500, db_collation=NATURAL)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    value = models.DecimalField("значение", max_digits=20, decimal_places=4)
    threshold = models.DecimalField("порог", max_digits=14, decimal_places=2)
    higher_is_better = models.BooleanField("чем больше, тем лучше", default=True)

    scope_paths = ScopePaths(municipality="municipality", school="school")
    objects = ScopedManager()

    class Meta:
        verbose_name = "проблемная зона"
        verbose_name_plural = "проблемные зоны (показатели ниже порога)"
        ordering = ["period", "indicator__order", "level", "org_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "indicator", "level", "org_code"],
                name="finding_unique",
                violation_error_message="Эта проблемная зона уже отмечена.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.org_name}: {self.value}"
