"""A school's staffing by position in a period (direction 9, the `Штатное расписание` sheet)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from monitoring.models.org import School
from monitoring.models.periods import MonitoringPeriod
from monitoring.models.scoping import ScopedManager, ScopePaths


class StaffingRow(models.Model):
    """A school's staffing for one position in a period (the `Штатное расписание` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="staffing_rows", verbose_name="период"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="staffing_rows", verbose_name="образовательная организация"
    )
    position = models.CharField("должность", max_length=255)
    positions_by_schedule = models.DecimalField("ставок по штату", max_digits=9, decimal_places=2)
    actual_need = models.DecimalField("фактическая потребность в ставках", max_digits=9, decimal_places=2)
    vacant_positions = models.DecimalField("вакантных ставок", max_digits=9, decimal_places=2)
    vacant_posts = models.PositiveIntegerField("вакантных должностей")

    scope_paths = ScopePaths(municipality="school__municipality", school="school")
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "строка штатного расписания"
        verbose_name_plural = "штатное расписание"
        ordering = ["period", "school__code", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "school", "position"],
                name="staffing_unique_position",
                violation_error_message="Для этой должности в школе уже есть строка штатного расписания за период.",
            ),
            models.CheckConstraint(
                name="staffing_schedule_nonnegative",
                condition=Q(positions_by_schedule__gte=0),
                violation_error_message="Число ставок по штату не может быть отрицательным.",
            ),
            models.CheckConstraint(
                name="staffing_need_nonnegative",
                condition=Q(actual_need__gte=0),
                violation_error_message="Фактическая потребность в ставках не может быть отрицательной.",
            ),
            models.CheckConstraint(
                name="staffing_vacant_within_schedule",
                condition=Q(vacant_positions__gte=0) & Q(vacant_positions__lte=F("positions_by_schedule")),
                violation_error_message="Вакантных ставок не может быть меньше нуля или больше, чем ставок по штату.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.code}: {self.position} ({self.period.year})"
