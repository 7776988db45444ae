"""Measures: management decisions taken on recommendations, judged by the next period's values."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from indicators.models import Indicator, Level, Unit
from monitoring.models import MonitoringPeriod, Municipality, School, ScopedManager, ScopePaths
from reports.models.letters import LetterItem


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "Запланировано"
    DONE = "done", "Выполнено"


class Effect(models.TextChoices):
    ACHIEVED = "achieved", "достигнут"
    PARTLY = "partly", "частично"
    NOT = "not", "не достигнут"


class DecidedBy(models.TextChoices):
    """Who took the decision: the institute's measures and the executive authorities' decisions
    (seeds/002, 004: «управленческие решения») are judged the same way the next period."""

    INSTITUTE = "institute", "Институт"
    MINISTRY = "ministry", "Министерство (орган исполнительной власти)"
    MUNICIPAL = "municipal", "Муниципальный орган управления образованием"


class Measure(models.Model):
    """A management decision taken on a recommendation: what, who, by when, which indicator should move and to what."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.PROTECT, related_name="measures", verbose_name="период"
    )
    item = models.ForeignKey(
        LetterItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name="рекомендация",
    )
    text = models.TextField("мера")
    responsible = models.CharField("ответственный", max_length=255)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due = models.DateField("срок")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="measures", verbose_name="показатель"
    )
    level = models.CharField("уровень", max_length=20, choices=Level.choices, default=Level.REGION)
    org_code = models.CharField("код организации", max_length=20)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    baseline = models.DecimalField("значение на момент решения", max_digits=20, decimal_places=4, null=True, blank=True)
    target = models.DecimalField("целевое значение", max_digits=14, decimal_places=2)
    status = models.CharField("состояние", max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    decided_by = models.CharField("кем принято", max_length=20, choices=DecidedBy.choices, default=DecidedBy.INSTITUTE)
    # The act that records the decision: «Приказ Министерства № 123 от 01.03.2026».
    act = models.CharField("документ (приказ, распоряжение)", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кем внесено",
    )

    scope_paths = ScopePaths(municipality="municipality", school="school")
    objects = ScopedManager()
    history = HistoricalRecords()

    # How far ahead a decision may be due: the effect is judged on the following periods.
    DUE_YEARS_AHEAD = 5

    class Meta:
        verbose_name = "управленческое решение"
        verbose_name_plural = "управленческие решения (меры)"
        ordering = ["period", "due", "pk"]
        constraints = [
            models.CheckConstraint(
                name="measure_target_not_negative",
                condition=Q(target__gte=0),
                violation_error_message="Целевое значение не может быть отрицательным.",
            ),
            models.CheckConstraint(
                name="measure_due_plausible",
                condition=Q(due__gte="2000-01-01") & Q(due__lte="2100-12-31"),
                violation_error_message="Срок должен быть датой между 2000 и 2100 годом.",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self):
        """What every door (the form, the API, the admin) checks before a decision is stored."""
        errors = {}
        if self.target is not None and self.indicator_id:
            unit = self.indicator.unit
            if self.target < 0:
                errors["target"] = "Целевое значение не может быть отрицательным."
            elif unit == Unit.PERCENT and self.target > 100:
                errors["target"] = "Показатель измеряется в процентах: целевое значение — от 0 до 100."
            elif unit == Unit.FLAG and self.target not in (0, 1):
                errors["target"] = "Показатель — признак наличия: целевое значение 0 или 1."
        if self.due is not None and self.period_id:
            first, last = self.period.start, self.period.end.replace(year=self.period.year + self.DUE_YEARS_AHEAD)
            if not first <= self.due <= last:
                errors["due"] = (
                    f"Срок должен лежать между {first:%d.%m.%Y} и {last:%d.%m.%Y}: от начала периода "
                    f"{self.period.year} года и не дальше {self.DUE_YEARS_AHEAD} лет вперед."
                )
        if errors:
            raise ValidationError(errors)
