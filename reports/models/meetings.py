"""The adopting body's meetings (cited by letters) and the presentations of a period's results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from monitoring.models import MonitoringPeriod, RandomName, ScopedManager, ScopePaths
from reports.models.letters import Issuer


class Meeting(models.Model):
    """A meeting of an issuer's adopting body («программно-методический совет»): number, date,
    agenda and the signed protocol. Letters cite it: «Протокол № 4 от 14.07.2020»."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="meetings", verbose_name="орган")
    number = models.CharField("номер протокола", max_length=50)
    date = models.DateField("дата заседания")
    agenda = models.TextField("повестка", blank=True)
    protocol_file = models.FileField("протокол (файл)", upload_to=RandomName("protocols"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("внесено", auto_now_add=True)

    # Like the issuer's letters: a municipal body's meetings are its municipality's.
    scope_paths = ScopePaths(municipality="issuer__municipality")
    objects = ScopedManager()

    class Meta:
        verbose_name = "заседание совета"
        verbose_name_plural = "заседания совета"
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "number", "date"],
                name="meeting_unique_protocol",
                violation_error_message="Протокол с этим номером и датой у органа уже есть.",
            ),
            models.CheckConstraint(
                name="meeting_date_plausible",
                condition=Q(date__gte="2000-01-01") & Q(date__lte="2100-12-31"),
                violation_error_message="Дата заседания должна быть между 2000 и 2100 годом.",
            ),
            models.CheckConstraint(
                name="meeting_number_filled",
                condition=~Q(number=""),
                violation_error_message="Укажите номер протокола.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer.adoption_body}: протокол № {self.number} от {self.date:%d.%m.%Y}"

    @property
    def citation(self) -> str:
        """How a letter cites it."""
        return f"Протокол № {self.number} от {self.date:%d.%m.%Y}"


class PresentationKind(models.TextChoices):
    MEETING = "meeting", "Совещание"
    WEBINAR = "webinar", "Вебинар"
    CONFERENCE = "conference", "Конференция"


class Presentation(models.Model):
    """The results of a period presented to municipal offices and heads (seeds/004):
    when, to whom, in what form, with which materials."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="presentations", verbose_name="период"
    )
    date = models.DateField("дата")
    kind = models.CharField("форма", max_length=20, choices=PresentationKind.choices, default=PresentationKind.MEETING)
    title = models.CharField("тема", max_length=500)
    audience = models.CharField(
        "участники", max_length=500, help_text="Например: «муниципальные органы, руководители ОО»"
    )
    place = models.CharField("место или ссылка", max_length=500, blank=True)
    report = models.ForeignKey(
        "reports.AnnualReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presentations",
        verbose_name="годовой отчет",
    )
    letters = models.ManyToManyField(
        "reports.Letter", blank=True, related_name="presentations", verbose_name="письма с рекомендациями"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Listed on the period page for every staff reader; the materials keep their own scope.
    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "представление результатов"
        verbose_name_plural = "представления результатов"
        ordering = ["period", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                name="presentation_date_plausible",
                condition=Q(date__gte="2000-01-01") & Q(date__lte="2100-12-31"),
                violation_error_message="Дата должна быть между 2000 и 2100 годом.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d.%m.%Y})"
