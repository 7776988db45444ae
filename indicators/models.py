"""The indicator catalog as stored, each period's version of it, computed values and computation runs.

The catalog itself is code (``indicators.catalog``); ``Indicator`` mirrors it so that
values can point at it, and ``PeriodIndicator`` is a period's edition: which indicators
the period uses, with which target and alert threshold. A closed period keeps its
edition and its values whatever the catalog becomes later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from monitoring.models import MonitoringPeriod, Municipality, School, ScopedManager, ScopePaths


class Unit(models.TextChoices):
    COUNT = "count", "количество"
    PERCENT = "percent", "процент"
    AVERAGE = "average", "среднее"
    FLAG = "flag", "наличие"


class Level(models.TextChoices):
    SCHOOL = "school", "образовательная организация"
    MUNICIPALITY = "municipality", "муниципалитет"
    REGION = "region", "регион"


class IndicatorKind(models.TextChoices):
    CODED = "coded", "из кода портала"
    DECLARATIVE = "declarative", "задан институтом"


class IndicatorCatalog(models.Model):
    """A named set of declarative indicators: a region's order, a letter's list, a municipality's own monitoring.

    A period adopts a catalog (its indicators join the period's edition); regions share
    catalogs as files (indicators.declarative.files).
    """

    slug = models.SlugField("обозначение", max_length=50, unique=True, allow_unicode=True)
    title = models.CharField("наименование", max_length=300)
    source = models.TextField("документ-основание", blank=True)
    description = models.TextField("описание", blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "набор показателей"
        verbose_name_plural = "наборы показателей"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """An indicator: coded ones are synced from indicators.catalog; declarative ones carry their definition.

    ``spec`` is a declarative indicator's current definition (indicators.declarative.spec);
    each period keeps its own copy on its edition row, so editing it later never changes
    a closed period's values.
    """

    code = models.CharField("код", max_length=10, unique=True)
    kind = models.CharField("вид", max_length=20, choices=IndicatorKind.choices, default=IndicatorKind.CODED)
    catalog = models.ForeignKey(
        IndicatorCatalog,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="набор показателей",
    )
    spec = models.JSONField("определение", default=dict, blank=True)
    note = models.TextField("пояснение", blank=True)
    # Bumped by every save of a declarative definition: a save carrying an older revision
    # (a second tab, a colleague's edit meanwhile) is refused instead of overwriting it.
    revision = models.PositiveIntegerField("версия определения", default=0)
    direction = models.PositiveSmallIntegerField("направление")
    # Sort key: "1.10" after "1.9".
    order = models.PositiveIntegerField("порядок", default=0)
    title = models.CharField("наименование", max_length=500)
    unit = models.CharField("единица", max_length=10, choices=Unit.choices)
    start_level = models.CharField("уровень, с которого считается", max_length=20, choices=Level.choices)
    breakdown = models.CharField("разрез", max_length=100, blank=True)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "показатель"
        verbose_name_plural = "показатели"
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                name="indicator_declarative_has_spec",
                condition=Q(kind="coded", catalog__isnull=True) | (Q(kind="declarative") & ~Q(spec={})),
                violation_error_message="У показателя, заданного институтом, должно быть определение.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PeriodIndicator(models.Model):
    """An indicator as a period uses it: its target and alert threshold (editable by institute staff)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="indicators", verbose_name="период"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="periods", verbose_name="показатель"
    )
    target = models.DecimalField("целевое значение", max_digits=14, decimal_places=2, null=True, blank=True)
    threshold = models.DecimalField("порог тревоги", max_digits=14, decimal_places=2, null=True, blank=True)
    higher_is_better = models.BooleanField("чем больше, тем лучше", default=True)
    # A declarative indicator's definition as this period computes it (a closed period
    # keeps it whatever the indicator's definition becomes); empty for coded ones.
    spec = models.JSONField("определение в периоде", default=dict, blank=True)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "показатель периода"
        verbose_name_plural = "показатели периода (цели и пороги)"
        ordering = ["period", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "indicator"],
                name="period_indicator_unique",
                violation_error_message="Этот показатель в периоде уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} ({self.period.year})"

    def misses(self, value) -> bool:
        """Whether a value misses the alert threshold (a finding); an empty value never does."""
        if value is None or self.threshold is None:
            return False
        return value < self.threshold if self.higher_is_better else value > self.threshold


class IndicatorValue(models.Model):
    """One computed value: an indicator for an org unit (and a breakdown) in a period."""

    period = models.ForeignKey(MonitoringPeriod, on_delete=models.CASCADE, related_name="values", verbose_name="период")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values", verbose_name="показатель")
    level = models.CharField("уровень", max_length=20, choices=Level.choices)
    # The org unit as the export names it (school, municipality or region code), and
    # the rows it belongs to for scoping: a school row has both, a municipality row
    # its municipality, a region row neither.
    org_code = models.CharField("код", max_length=20)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    breakdown = models.CharField("разрез", max_length=300, blank=True)
    numerator = models.DecimalField("числитель", max_digits=20, decimal_places=4)
    denominator = models.DecimalField("знаменатель", max_digits=20, decimal_places=4, null=True, blank=True)
    value = models.DecimalField("значение", max_digits=20, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField("рассчитано")

    # Region rows belong to the whole region: institute and ministry see them; a
    # municipality's official and a school head see their own units' rows.
    scope_paths = ScopePaths(municipality="municipality", school="school")
    objects = ScopedManager()

    class Meta:
        verbose_name = "значение показателя"
        verbose_name_plural = "значения показателей"
        ordering = ["period", "indicator__order", "level", "org_code", "breakdown"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "indicator", "level", "org_code", "breakdown"],
                name="indicator_value_unique",
                violation_error_message="Значение этого показателя для этой организации уже рассчитано.",
            ),
            models.CheckConstraint(
                name="indicator_value_level_anchor",
                condition=(
                    Q(level="school", school__isnull=False, municipality__isnull=False)
                    | Q(level="municipality", school__isnull=True, municipality__isnull=False)
                    | Q(level="region", school__isnull=True, municipality__isnull=True)
                ),
                violation_error_message="Строка значения должна ссылаться на организацию своего уровня.",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "level", "indicator"], name="indicator_value_lookup"),
            # A chunk's rows (school rows carry their municipality too): each step of a run deletes its
            # stale ones through it, instead of reading the period's values of the whole country.
            models.Index(fields=["period", "municipality", "indicator"], name="indicator_value_chunk"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.level} {self.org_code} {self.breakdown}: {self.value}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "В очереди"
    RUNNING = "running", "Выполняется"
    DONE = "done", "Завершен"
    FAILED = "failed", "Ошибка"


class RunTrigger(models.TextChoices):
    MANUAL = "manual", "вручную"
    IMPORT = "import", "после загрузки данных"
    COMMAND = "command", "командой сервера"
    DEMO = "demo", "демонстрационные данные"
    DEFINITION = "definition", "после изменения показателя"


class ComputationRun(models.Model):
    """One computation of a period's indicators: who started it, progress, timing, the data it read."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="computation_runs", verbose_name="период"
    )
    status = models.CharField("состояние", max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField("запуск", max_length=20, choices=RunTrigger.choices, default=RunTrigger.MANUAL)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("завершен", null=True, blank=True)
    steps_total = models.PositiveIntegerField("шагов всего", default=0)
    steps_done = models.PositiveIntegerField("шагов выполнено", default=0)
    # Seconds spent per direction (summed over its chunks) and in the final roll-up.
    timings = models.JSONField("время по направлениям, с", default=dict, blank=True)
    # What the run read: the applied imports and the submissions of the period.
    inputs = models.JSONField("исходные данные", default=dict, blank=True)
    values_written = models.PositiveIntegerField("записано значений", default=0)
    error = models.TextField("ошибка", blank=True)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "расчет показателей"
        verbose_name_plural = "расчеты показателей"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Расчет {self.period.year} №{self.pk}: {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
