"""The organisations monitored: the region, its municipalities and their schools."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from monitoring.models.base import NATURAL
from monitoring.models.scoping import ScopedManager, ScopePaths


class Region(models.Model):
    """The region the portal serves (the org of every region-level indicator row)."""

    code = models.CharField("код", max_length=20, unique=True)
    name = models.CharField("наименование", max_length=255, db_collation=NATURAL)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A municipal district or city of the region."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name="регион")
    code = models.CharField("код", max_length=20, unique=True)
    name = models.CharField("наименование", max_length=255, db_collation=NATURAL)

    scope_paths = ScopePaths(municipality="pk")
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name


class SchoolKind(models.TextChoices):
    GENERAL = "общеобразовательная", "общеобразовательная"
    PRESCHOOL = "дошкольная", "дошкольная"
    ADDITIONAL = "дополнительного образования", "дополнительного образования"
    VOCATIONAL = "профессиональная", "профессиональная"


class School(models.Model):
    """An educational organisation (ОО) of a municipality."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name="муниципалитет"
    )
    code = models.CharField("код ОО", max_length=20, unique=True)
    name = models.CharField("наименование", max_length=500, db_collation=NATURAL)
    kind = models.CharField("тип", max_length=40, choices=SchoolKind.choices, blank=True)
    low_results = models.BooleanField("ШНОР", default=False, help_text="Школа с низкими образовательными результатами")
    adverse_conditions = models.BooleanField("неблагоприятные условия", default=False)
    inn = models.CharField("ИНН", max_length=12, blank=True)
    head_name = models.CharField("руководитель", max_length=255, blank=True)

    scope_paths = ScopePaths(municipality="municipality", school="pk")
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(
                name="school_inn_digits",
                condition=Q(inn="") | Q(inn__regex=r"^([0-9]{10}|[0-9]{12})$"),
                violation_error_message="ИНН должен состоять из 10 или 12 цифр.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
