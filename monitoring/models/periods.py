"""The yearly monitoring period (its status and age thresholds) and the monitoring plan."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from monitoring.models.base import Direction
from monitoring.models.scoping import ScopedManager, ScopedQuerySet, ScopePaths


class PeriodStatus(models.TextChoices):
    COLLECTING = "collecting", "Сбор данных"
    REVIEW = "review", "Проверка и анализ"
    CLOSED = "closed", "Закрыт"


class MonitoringPeriodQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status=PeriodStatus.CLOSED)

    def current(self):
        """The period users work in by default: the latest one not closed, else the latest."""
        return self.open().order_by("-year").first() or self.order_by("-year").first()


class MonitoringPeriod(models.Model):
    """One yearly monitoring (calendar year Y) with the settings its definitions use."""

    year = models.PositiveSmallIntegerField("год", unique=True)
    reference_date = models.DateField("отчетная дата", help_text="Дата, на которую считается возраст")
    young_age_limit = models.PositiveSmallIntegerField("возраст молодого педагога (меньше)", default=35)
    pension_age_women = models.PositiveSmallIntegerField("пенсионный возраст, женщины", default=60)
    pension_age_men = models.PositiveSmallIntegerField("пенсионный возраст, мужчины", default=65)
    status = models.CharField("статус", max_length=20, choices=PeriodStatus.choices, default=PeriodStatus.COLLECTING)

    scope_paths = ScopePaths(public=True)
    objects = models.Manager.from_queryset(MonitoringPeriodQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "период мониторинга"
        verbose_name_plural = "периоды мониторинга"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="period_year_range",
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                violation_error_message="Год периода должен быть между 2000 и 2100.",
            ),
            models.CheckConstraint(
                name="period_ages_positive",
                condition=Q(young_age_limit__gt=0) & Q(pension_age_women__gt=0) & Q(pension_age_men__gt=0),
                violation_error_message="Возрастные пороги должны быть положительными.",
            ),
        ]

    def __str__(self) -> str:
        return f"Мониторинг {self.year} года"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class PlanItemState(models.TextChoices):
    """Where a plan item stands; «просрочен» is not stored but read off the deadline (``is_overdue``)."""

    NOT_STARTED = "not_started", "Не начат"
    IN_PROGRESS = "in_progress", "Выполняется"
    DONE = "done", "Выполнен"


class PlanObligation(models.TextChoices):
    """What a plan item asks of whom, so the daily job knows whom to remind (reports.plan)."""

    INSTITUTE = "institute", "Работа института (без напоминаний организациям)"
    SCHOOL_DATA = "school_data", "Образовательные организации представляют данные"
    DIAGNOSTIC = "diagnostic", "Педагоги проходят диагностику дефицитов"
    ROUTES = "routes", "Руководители согласуют ИОМ педагогов"


class MonitoringPlanItem(models.Model):
    """A row of the monitoring plan: a direction, what is measured, when and who answers for it."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="plan_items", verbose_name="период"
    )
    direction = models.PositiveSmallIntegerField("направление", choices=Direction.choices)
    indicators_scope = models.TextField("показатели мониторинга", blank=True)
    periodicity = models.CharField("периодичность", max_length=100, default="один раз в год")
    deadline = models.DateField("срок")
    responsible = models.ForeignKey(
        "monitoring.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name="ответственный (пользователь)",
    )
    responsible_name = models.CharField("ответственное лицо", max_length=255, blank=True)
    state = models.CharField(
        "состояние", max_length=20, choices=PlanItemState.choices, default=PlanItemState.NOT_STARTED
    )
    obligation = models.CharField(
        "что требуется", max_length=20, choices=PlanObligation.choices, default=PlanObligation.INSTITUTE
    )
    # The organisations the item concerns: empty means every municipality of the region.
    municipalities = models.ManyToManyField(
        "monitoring.Municipality", blank=True, related_name="plan_items", verbose_name="муниципалитеты"
    )
    # Days after the deadline before the municipal official is told that a school is still late.
    grace_days = models.PositiveSmallIntegerField("дней до сообщения муниципалитету", default=5)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "пункт плана мониторинга"
        verbose_name_plural = "план мониторинга"
        ordering = ["period", "direction"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "direction"],
                name="plan_item_unique_direction",
                violation_error_message="В плане периода это направление уже есть.",
            ),
            models.CheckConstraint(
                name="plan_item_grace_days_range",
                condition=Q(grace_days__lte=90),
                violation_error_message="Отсрочка до сообщения муниципалитету — не больше 90 дней.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.year}: {self.get_direction_display()}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.state != PlanItemState.DONE and today > self.deadline
