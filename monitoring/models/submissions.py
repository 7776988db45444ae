"""Submissions: whether a school has handed in its data for the period, and each step of it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from monitoring.models.org import School
from monitoring.models.people import User
from monitoring.models.periods import MonitoringPeriod
from monitoring.models.scoping import ScopedManager, ScopePaths


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Черновик"
    SUBMITTED = "submitted", "Представлено"
    RETURNED = "returned", "Возвращено на доработку"
    ACCEPTED = "accepted", "Принято"


class SchoolSubmission(models.Model):
    """A school's data submission for a period; its status drives completeness and indicator 8.6."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="submissions", verbose_name="период"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="submissions", verbose_name="образовательная организация"
    )
    status = models.CharField("статус", max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT)
    submitted_at = models.DateTimeField("представлено", null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кем представлено"
    )
    comment = models.TextField("комментарий проверяющего", blank=True)

    scope_paths = ScopePaths(municipality="school__municipality", school="school")
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "представление данных ОО"
        verbose_name_plural = "представления данных ОО"
        ordering = ["period", "school__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "school"],
                name="submission_unique",
                violation_error_message="Для этой ОО за период уже есть запись о представлении данных.",
            ),
            models.CheckConstraint(
                name="submission_submitted_has_time",
                condition=Q(status=SubmissionStatus.DRAFT) | Q(submitted_at__isnull=False),
                violation_error_message="У представленных данных должна быть дата представления.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.code}: {self.get_status_display()} ({self.period.year})"

    @property
    def is_submitted(self) -> bool:
        return self.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


class SubmissionEvent(models.Model):
    """One step of a submission's workflow (submitted, returned, accepted, acceptance withdrawn): its history."""

    submission = models.ForeignKey(
        SchoolSubmission, on_delete=models.CASCADE, related_name="events", verbose_name="представление"
    )
    status = models.CharField("новый статус", max_length=20, choices=SubmissionStatus.choices)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кто"
    )
    comment = models.TextField("комментарий", blank=True)
    at = models.DateTimeField("когда", auto_now_add=True)

    scope_paths = ScopePaths(municipality="submission__school__municipality", school="submission__school")
    objects = ScopedManager()

    class Meta:
        verbose_name = "событие представления данных"
        verbose_name_plural = "история представления данных"
        ordering = ["submission", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission}: {self.get_status_display()}"
