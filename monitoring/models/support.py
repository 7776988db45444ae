"""Support around a teacher: the ЦНППМ curator who follows them and their attestation in a period."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from monitoring.models.people import Teacher
from monitoring.models.periods import MonitoringPeriod
from monitoring.models.scoping import ScopedManager, ScopePaths


class CuratorAssignment(models.Model):
    """A ЦНППМ curator or tutor assigned to a teacher (seeds/003, 004 direction 6: «сопровождение
    персональных траекторий»). The curator's scope is exactly the teachers assigned to them."""

    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="curated", verbose_name="куратор"
    )
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="curator_links", verbose_name="педагог")
    assigned_at = models.DateTimeField("назначен", auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = ScopePaths(
        municipality="teacher__roster_entries__school__municipality",
        school="teacher__roster_entries__school",
        teacher="teacher",
    )
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "закрепление куратора"
        verbose_name_plural = "закрепления кураторов"
        ordering = ["curator", "teacher__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["curator", "teacher"],
                name="curator_assignment_unique",
                violation_error_message="Этот педагог уже закреплен за куратором.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.curator}: {self.teacher.code}"


class AttestationCategory(models.TextChoices):
    FIRST = "первая", "первая"
    HIGHEST = "высшая", "высшая"


class AttestationResult(models.TextChoices):
    PENDING = "pending", "На рассмотрении"
    ASSIGNED = "assigned", "Категория установлена"
    REFUSED = "refused", "В установлении категории отказано"
    WITHDRAWN = "withdrawn", "Заявление отозвано"


class Attestation(models.Model):
    """A teacher being attested in a period (seeds/004: «реестр аттестуемых»): the category sought,
    the application and decision dates, the result. The package's «Аттестация» sheet."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="attestations", verbose_name="период"
    )
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="attestations", verbose_name="педагог")
    category = models.CharField("категория (на которую претендует)", max_length=10, choices=AttestationCategory.choices)
    applied_on = models.DateField("дата заявления")
    decided_on = models.DateField("дата решения", null=True, blank=True)
    result = models.CharField(
        "результат", max_length=20, choices=AttestationResult.choices, default=AttestationResult.PENDING
    )

    scope_paths = ScopePaths(
        municipality="teacher__roster_entries__school__municipality",
        school="teacher__roster_entries__school",
        teacher="teacher",
        year="period__year",
    )
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "аттестация педагога"
        verbose_name_plural = "реестр аттестуемых"
        ordering = ["period", "teacher__code", "applied_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "teacher", "applied_on"],
                name="attestation_unique",
                violation_error_message="Заявление этого педагога с этой датой в периоде уже есть.",
            ),
            models.CheckConstraint(
                name="attestation_decision_after_application",
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("applied_on")),
                violation_error_message="Дата решения не может быть раньше даты заявления.",
            ),
            models.CheckConstraint(
                name="attestation_decided_has_date",
                condition=Q(result__in=["pending", "withdrawn"]) | Q(decided_on__isnull=False),
                violation_error_message="Для принятого решения укажите дату решения.",
            ),
            models.CheckConstraint(
                name="attestation_pending_has_no_decision",
                condition=~Q(result="pending") | Q(decided_on__isnull=True),
                violation_error_message="У заявления на рассмотрении не может быть даты решения.",
            ),
            models.CheckConstraint(
                name="attestation_dates_plausible",
                condition=Q(applied_on__gte="2000-01-01") & Q(applied_on__lte="2100-12-31"),
                violation_error_message="Дата заявления должна быть между 2000 и 2100 годом.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher.code}: {self.category} ({self.get_result_display()})"
