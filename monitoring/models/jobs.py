"""Background jobs on files: data uploads (imports) and package exports, and where their files are stored."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible

from monitoring.models.org import School
from monitoring.models.people import User
from monitoring.models.periods import MonitoringPeriod
from monitoring.models.scoping import ScopedManager, ScopePaths


class ImportKind(models.TextChoices):
    PACKAGE = "package", "Пакет данных института"
    STAFFING = "staffing", "Штатное расписание ОО"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "Проверяется"
    CHECKED = "checked", "Проверен, ожидает подтверждения"
    RUNNING = "running", "Загружается"
    APPLIED = "applied", "Загружен"
    REFUSED = "refused", "Отклонен"
    CANCELLED = "cancelled", "Отменен"


# Migrations name it by its public path (monitoring.models.RandomName), as before the models were split.
class ExportStatus(models.TextChoices):
    """Where a package export stands: being written, or its file ready to download.

    The stored values are those export jobs kept while they borrowed ImportStatus, so
    existing rows stay valid.
    """

    RUNNING = "running", "Готовится"
    READY = "applied", "Файл готов"
    FAILED = "failed", "Не удалось выгрузить"


@deconstructible(path="monitoring.models.RandomName")
class RandomName:
    """``upload_to`` for generated files (exports, letters, reports): ``prefix/<random>.<suffix>``.

    A stored name says nothing and cannot be guessed (``exports/2025-1.xlsx`` could), whatever
    serves the media folder by mistake; the download name a user sees is set by the view.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        suffix = "".join(ch for ch in PurePath(filename).suffix.lower() if ch.isalnum() or ch == ".")[:8]
        return f"{self.prefix}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def _import_upload_to(instance: ImportJob, filename: str) -> str:
    # The stored name never comes from the user: a path in the upload's name goes nowhere.
    suffix = "".join(ch for ch in PurePath(filename).suffix.lower() if ch.isalnum() or ch == ".")[:8]
    return f"imports/{instance.period.year}/{uuid.uuid4().hex}{suffix}"


def _import_report_to(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.period.year}/{uuid.uuid4().hex}-errors.xlsx"


class ImportJob(models.Model):
    """One upload of a data package or a staffing file: who, when, the file kept, and what came of it."""

    kind = models.CharField("вид", max_length=20, choices=ImportKind.choices)
    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="imports", verbose_name="период"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="imports", verbose_name="ОО"
    )
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="imports", verbose_name="кто")
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    # When the data went in (what "the inputs changed after the indicators were computed" compares).
    applied_at = models.DateTimeField("применен", null=True, blank=True)
    file = models.FileField("файл", upload_to=_import_upload_to)
    original_name = models.CharField("имя файла", max_length=255)
    replace = models.BooleanField("режим замены", default=False)
    status = models.CharField("результат", max_length=20, choices=ImportStatus.choices)
    summary = models.JSONField("итоги по листам", default=dict, blank=True)
    # Per sheet, the rows added, changed and removed, by name (monitoring.intake.package.preview).
    preview = models.JSONField("строки по листам", default=dict, blank=True)
    problems = models.JSONField("ошибки", default=list, blank=True)
    warnings = models.JSONField("предупреждения", default=list, blank=True)
    # The upload with its bad cells marked, written by the worker that refused the file
    # (monitoring.intake.jobs): a web request never reads an uploaded file.
    error_report = models.FileField("отчет об ошибках", upload_to=_import_report_to, blank=True)
    # How many times a worker started on the job's current step (check, or apply): a
    # file that kills its worker every time is refused after a few, not retried forever.
    attempts = models.PositiveSmallIntegerField("попыток обработки", default=0)
    # The writes the check planned (monitoring.intake.jobs._plan): the confirmation applies only the same ones.
    plan_digest = models.CharField("план записи", max_length=64, blank=True, editable=False)

    scope_paths = ScopePaths(municipality="school__municipality", school="school")
    objects = ScopedManager()

    class Meta:
        verbose_name = "загрузка данных"
        verbose_name_plural = "история загрузок"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="import_staffing_has_school",
                condition=~Q(kind="staffing") | Q(school__isnull=False),
                violation_error_message="Для загрузки штатного расписания нужна ОО.",
            ),
            # A cancelled job keeps neither its file nor its preview: there is nothing left to confirm.
            models.CheckConstraint(
                name="import_cancelled_discarded",
                condition=~Q(status="cancelled") | (Q(file="") & Q(preview={}) & Q(plan_digest="")),
                violation_error_message="Отмененная загрузка не хранит ни файла, ни предпросмотра.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def preview_outdated(self) -> bool:
        """The confirmation found the portal's data changed since the check and showed the job again."""
        return any(w.get("outdated") for w in self.warnings or ())


class ExportJob(models.Model):
    """A whole period's package export made in the background; the file is downloaded through a scoped view."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "Книга Excel (.xlsx)"
        ZIP = "zip", "ZIP-архив с CSV"

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="exports", verbose_name="период"
    )
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="exports", verbose_name="кто")
    format = models.CharField("формат", max_length=10, choices=Format.choices, default=Format.XLSX)
    status = models.CharField("состояние", max_length=20, choices=ExportStatus.choices, default=ExportStatus.RUNNING)
    file = models.FileField("файл", upload_to=RandomName("exports"), blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    finished_at = models.DateTimeField("готов", null=True, blank=True)
    error = models.TextField("ошибка", blank=True)

    # Region-wide data: only the region-wide roles export it (see monitoring.intake.exports).
    scope_paths = ScopePaths()
    objects = ScopedManager()

    class Meta:
        verbose_name = "выгрузка пакета данных"
        verbose_name_plural = "выгрузки пакета данных"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Выгрузка {self.period.year} ({self.get_format_display()})"
