"""The deficit diagnostic: a versioned instrument and the diagnostics teachers take.

An instrument edition never changes once used: a new edition is a new row (same code,
next version), and each diagnostic keeps its edition and its group results as scored
when it was submitted, so old results stay as they were.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.db.models import F, OuterRef, Q, Subquery
from simple_history.models import HistoricalRecords

from monitoring.models import MonitoringPeriod, ScopedManager, ScopedQuerySet, ScopePaths, Teacher


class Instrument(models.Model):
    """One edition of a questionnaire (the deficit diagnostic, or any other scored self-assessment)."""

    code = models.CharField("код", max_length=50)
    version = models.PositiveSmallIntegerField("редакция", default=1)
    name = models.CharField("наименование", max_length=500)
    description = models.TextField("описание", blank=True)
    # Answer options as [{"value": 1, "label": "…"}, …]; item scores are their values.
    scale = models.JSONField("шкала ответов", default=list)
    is_active = models.BooleanField("используется для новых диагностик", default=True)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "инструмент диагностики"
        verbose_name_plural = "инструменты диагностики"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                name="instrument_unique_edition",
                violation_error_message="Редакция с таким номером у этого инструмента уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (ред. {self.version})"

    @property
    def min_item(self) -> int:
        return min(option["value"] for option in self.scale)

    @property
    def max_item(self) -> int:
        return max(option["value"] for option in self.scale)


class CompetenceGroup(models.Model):
    """A group of items scored together (МЕТ, ТЕХ, …)."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="groups", verbose_name="инструмент"
    )
    code = models.CharField("код", max_length=20)
    name = models.CharField("наименование", max_length=255)
    description = models.TextField("описание", blank=True)
    order = models.PositiveSmallIntegerField("порядок", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "группа компетенций"
        verbose_name_plural = "группы компетенций"
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "code"],
                name="group_unique_code",
                violation_error_message="Группа с таким кодом в инструменте уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Item(models.Model):
    """A statement the teacher rates; its code is the group code and number (МЕТ-1)."""

    group = models.ForeignKey(CompetenceGroup, on_delete=models.CASCADE, related_name="items", verbose_name="группа")
    number = models.PositiveSmallIntegerField("номер")
    text = models.TextField("утверждение")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "утверждение"
        verbose_name_plural = "утверждения"
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "number"],
                name="item_unique_number",
                violation_error_message="Утверждение с таким номером в группе уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.group.code}-{self.number}"


class LevelBand(models.Model):
    """A band of group scores (оптимальный 30–40 …); a band marked deficit makes the group a deficit."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="bands", verbose_name="инструмент"
    )
    name = models.CharField("уровень", max_length=50)
    min_score = models.PositiveSmallIntegerField("от")
    max_score = models.PositiveSmallIntegerField("до")
    is_deficit = models.BooleanField("дефицит", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "уровень сформированности"
        verbose_name_plural = "уровни сформированности"
        ordering = ["instrument", "min_score"]
        constraints = [
            models.CheckConstraint(
                name="band_bounds_ordered",
                condition=Q(min_score__lte=F("max_score")),
                violation_error_message="Нижняя граница уровня не может быть больше верхней.",
            ),
            models.UniqueConstraint(
                fields=["instrument", "name"],
                name="band_unique_name",
                violation_error_message="Уровень с таким названием в инструменте уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.min_score}–{self.max_score})"


class DiagnosticKind(models.TextChoices):
    ENTRY = "входная", "входная"
    INTERMEDIATE = "промежуточная", "промежуточная"
    FINAL = "итоговая", "итоговая"


class DiagnosticStatus(models.TextChoices):
    DRAFT = "draft", "Заполняется"
    SUBMITTED = "submitted", "Завершена"


class DiagnosticQuerySet(ScopedQuerySet):
    def submitted(self):
        return self.filter(status=DiagnosticStatus.SUBMITTED)

    def in_period(self, period: MonitoringPeriod):
        """Diagnostics dated within the period's calendar year."""
        return self.submitted().filter(date__gte=period.start, date__lte=period.end)

    def latest_in_period(self, period: MonitoringPeriod, *, teachers=None):
        """Each teacher's latest diagnostic of the period (the one deficit shares use).

        Latest by date, then by id, so two diagnostics on one day resolve the same way
        on every run. ``teachers`` (teacher ids: a queryset or a list) narrows the search
        to them before the latest are picked: the same diagnostics for those teachers,
        without sorting the whole region's (a school's page costs a school's rows).
        """
        candidates = Diagnostic.objects.in_period(period)
        if teachers is not None:
            candidates = candidates.filter(teacher_id__in=teachers)
        if connections[self.db].vendor == "postgresql":
            # DISTINCT ON reads the period's diagnostics once, where the correlated
            # subquery below looks each teacher up again (3x slower on a region).
            latest = candidates.order_by("teacher_id", "-date", "-pk").distinct("teacher_id").values("pk")
            return self.in_period(period).filter(pk__in=latest)
        latest = candidates.filter(teacher=OuterRef("teacher")).order_by("-date", "-pk").values("pk")[:1]
        return self.in_period(period).filter(pk=Subquery(latest))

    def with_deficit_in(self, group_code: str):
        return self.filter(results__group_code=group_code, results__is_deficit=True)

    def with_any_deficit(self):
        return self.filter(pk__in=GroupResult.objects.filter(is_deficit=True).values("diagnostic_id"))


class Diagnostic(models.Model):
    """A diagnostic a teacher took (in the browser or imported): answers and, once submitted, group results."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="diagnostics", verbose_name="педагог")
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="diagnostics", verbose_name="инструмент (редакция)"
    )
    date = models.DateField("дата")
    kind = models.CharField("вид", max_length=20, choices=DiagnosticKind.choices, default=DiagnosticKind.ENTRY)
    status = models.CharField(
        "состояние", max_length=20, choices=DiagnosticStatus.choices, default=DiagnosticStatus.DRAFT
    )
    # Item code → score, e.g. {"МЕТ-1": 3}; kept so a result can always be explained.
    answers = models.JSONField("ответы", default=dict, blank=True)
    imported = models.BooleanField("загружена из пакета данных", default=False)
    submitted_at = models.DateTimeField("завершена", null=True, blank=True)

    scope_paths = ScopePaths(
        municipality="teacher__roster_entries__school__municipality",
        school="teacher__roster_entries__school",
        teacher="teacher",
        year="date__year",
    )
    objects = models.Manager.from_queryset(DiagnosticQuerySet)()

    class Meta:
        verbose_name = "диагностика"
        verbose_name_plural = "диагностики"
        ordering = ["teacher", "-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "date", "kind"],
                name="diagnostic_unique_per_day_kind",
                violation_error_message="У педагога уже есть диагностика этого вида за эту дату.",
            ),
        ]
        indexes = [
            models.Index(fields=["date"], name="diagnostic_date"),
            # The period's submitted diagnostics, read by every results page, route list and
            # dashboard (latest per teacher, the staleness check's last submission) without
            # touching the rows themselves: their answers make the table ~2 kB a row, and a
            # scan of it cost 50-100 ms per page on the region demo (tests/perf/load).
            models.Index(
                fields=["date", "teacher", "id", "submitted_at"],
                condition=Q(status=DiagnosticStatus.SUBMITTED),
                name="diagnostic_submitted_in_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher.code}: {self.kind} {self.date:%d.%m.%Y}"


class GroupResult(models.Model):
    """A group's score and level in one diagnostic, frozen at submission."""

    # No index of its own: the unique (diagnostic, group_code) index serves every lookup by
    # diagnostic, and a second one cost the region import ~0.1 s of COPY for nothing.
    diagnostic = models.ForeignKey(
        Diagnostic, on_delete=models.CASCADE, related_name="results", verbose_name="диагностика", db_index=False
    )
    group_code = models.CharField("группа", max_length=20)
    score = models.PositiveSmallIntegerField("балл")
    level = models.CharField("уровень", max_length=50)
    is_deficit = models.BooleanField("дефицит")

    class Meta:
        verbose_name = "результат по группе"
        verbose_name_plural = "результаты по группам"
        ordering = ["diagnostic", "group_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "group_code"],
                name="group_result_unique",
                violation_error_message="Результат по этой группе у диагностики уже есть.",
            ),
        ]
        indexes = [models.Index(fields=["group_code", "is_deficit"], name="group_result_deficit")]

    def __str__(self) -> str:
        return f"{self.group_code}: {self.score} ({self.level})"


class LinkEvent(models.TextChoices):
    """What a request through a personal link did, or why it was refused."""

    OPENED = "opened", "Открыта ссылка"
    STARTED = "started", "Начато или продолжено заполнение"
    PAGE = "page", "Открыта страница анкеты"
    ANSWERED = "answered", "Отправлены ответы"
    RESULT = "result", "Открыты результаты"
    REFUSED_SIGNED_IN = "refused_signed_in", "Отказ: в браузере выполнен вход в портал"
    REFUSED_PASSWORD = "refused_password", "Отказ: педагог входит по логину и паролю"
    REFUSED_CLOSED = "refused_closed", "Отказ: вход по ссылке закрыт"
    REFUSED_EXPIRED = "refused_expired", "Отказ: срок действия истек"
    REFUSED_DEVICE = "refused_device", "Отказ: другой браузер"


class PersonalLink(models.Model):
    """A teacher's personal link the portal has seen: the browser it is bound to, the questionnaire it opens.

    The link itself is a signed token (deficits.services.personal_links_issue), so showing
    links on a page writes nothing; the row is made the first time the link is followed.
    The first "Начать" binds it to that browser (``device``: a digest of a random cookie)
    and to one diagnostic; from then on it opens that questionnaire in that browser only.
    """

    # SHA-256 of the token: the row names the link without keeping a usable copy of it.
    digest = models.CharField("отпечаток ссылки", max_length=64)
    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="personal_links", verbose_name="педагог"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто выдал",
    )
    issued_at = models.DateTimeField("выдана")
    device = models.CharField("браузер (отпечаток)", max_length=64, blank=True)
    bound_at = models.DateTimeField("начато заполнение", null=True, blank=True)
    diagnostic = models.ForeignKey(
        Diagnostic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personal_links",
        verbose_name="диагностика",
    )

    scope_paths = ScopePaths(
        municipality="teacher__roster_entries__school__municipality",
        school="teacher__roster_entries__school",
        teacher="teacher",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "персональная ссылка"
        verbose_name_plural = "персональные ссылки"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest"],
                name="personal_link_unique_digest",
                violation_error_message="Эта ссылка уже учтена.",
            ),
            models.CheckConstraint(
                name="personal_link_bound_with_device",
                condition=Q(bound_at__isnull=True, device="") | (Q(bound_at__isnull=False) & ~Q(device="")),
                violation_error_message="Ссылка привязывается к браузеру в момент начала заполнения.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher.code}: ссылка от {self.issued_at:%d.%m.%Y %H:%M}"


class PersonalLinkUse(models.Model):
    """One request through a personal link (served or refused): who, when, from where."""

    link = models.ForeignKey(PersonalLink, on_delete=models.CASCADE, related_name="uses", verbose_name="ссылка")
    at = models.DateTimeField("когда", auto_now_add=True)
    event = models.CharField("что произошло", max_length=30, choices=LinkEvent.choices)
    address = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    user_agent = models.CharField("браузер (User-Agent)", max_length=500, blank=True)
    # A signed-in account that followed the link (refused: links never switch accounts).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="учетная запись в браузере",
    )

    scope_paths = ScopePaths(
        municipality="link__teacher__roster_entries__school__municipality",
        school="link__teacher__roster_entries__school",
        teacher="link__teacher",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "обращение по персональной ссылке"
        verbose_name_plural = "обращения по персональным ссылкам"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["at"], name="personal_link_use_at")]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M}: {self.get_event_display()}"


__all__ = [
    "CompetenceGroup",
    "Diagnostic",
    "DiagnosticKind",
    "DiagnosticQuerySet",
    "DiagnosticStatus",
    "GroupResult",
    "Instrument",
    "Item",
    "LevelBand",
    "LinkEvent",
    "PersonalLink",
    "PersonalLinkUse",
]
