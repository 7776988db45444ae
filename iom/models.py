"""The DPO catalog (providers, programs, course runs, enrollments) and individual educational routes.

Programs are the region's catalog of additional professional programs (ДПП); a course
run is one cohort of a program with its dates; an enrollment is a teacher on a run. A
route (ИОМ) is a teacher's plan for one to three years made of activities, approved
by the school head and corrected after an intermediate diagnostic, each version kept.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from deficits.models import Diagnostic
from monitoring.models import NATURAL, ScopedManager, ScopedQuerySet, ScopePaths, Teacher

# Paths from a teacher-owned row to the scope anchors: a teacher belongs to the
# schools of their roster rows (every period), as for diagnostics.
_TEACHER_SCOPE = {
    "municipality": "teacher__roster_entries__school__municipality",
    "school": "teacher__roster_entries__school",
    "teacher": "teacher",
}


class Provider(models.Model):
    """An organization of additional professional education that runs programs."""

    name = models.CharField("наименование", max_length=500, unique=True, db_collation=NATURAL)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "организация ДПО"
        verbose_name_plural = "организации ДПО"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProgramKind(models.TextChoices):
    PK = "ПК", "повышение квалификации"
    PP = "ПП", "профессиональная переподготовка"


class Topic(models.TextChoices):
    QUALITY = "оценка качества", "оценка качества образования"
    LOW_RESULTS = "ШНОР", "школы с низкими результатами"
    TALENTS = "таланты", "работа с одаренными детьми"
    CAREER = "профориентация", "профориентация"
    UPBRINGING = "воспитание", "воспитание"
    PRESCHOOL = "дошкольное", "дошкольное образование"
    FEDERAL = "федеральные программы", "федеральные программы"


class TagKind(models.TextChoices):
    POSITION = "position", "целевая должность"
    COMPETENCE = "competence", "группа компетенций"
    TOPIC = "topic", "тематика"


# The program flags of the `Программы ДПП` sheet: field name -> column title.
PROGRAM_FLAGS: dict[str, str] = {
    "e_learning": "ЭО и ДОТ",
    "in_registry": "В реестре",
    "digital_support": "Цифровое обеспечение",
    "municipal_order": "Муниципальный заказ",
    "exam_based": "ГИА и мониторинги",
    "efom": "ЕФОМ",
    "regional_projects": "Региональные проекты",
    "external_review": "Внешняя экспертиза",
    "for_school_teams": "Для команд ОО",
    "by_association_request": "По запросу объединений",
    "network_form": "Сетевая форма",
    "internship": "Стажировка",
    "diagnostics_based": "На основе диагностики",
}


class ProgramQuerySet(ScopedQuerySet):
    def addressing(self, group_code: str):
        """Programs that list competence group ``group_code`` among those they develop."""
        return self.filter(tags__kind=TagKind.COMPETENCE, tags__value=group_code)

    def with_topic(self, topic: str):
        return self.filter(tags__kind=TagKind.TOPIC, tags__value=topic)


class Program(models.Model):
    """An additional professional program of the regional catalog."""

    code = models.CharField("код программы", max_length=50, unique=True)
    name = models.CharField("наименование", max_length=1000, db_collation=NATURAL)
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="programs", verbose_name="организация ДПО"
    )
    kind = models.CharField("вид", max_length=2, choices=ProgramKind.choices)
    hours = models.PositiveIntegerField("часов")
    e_learning = models.BooleanField("ЭО и ДОТ", default=False)
    in_registry = models.BooleanField("в федеральном реестре", default=False)
    digital_support = models.BooleanField("цифровое обеспечение", default=False)
    municipal_order = models.BooleanField("по муниципальному заказу", default=False)
    exam_based = models.BooleanField("по результатам ГИА и мониторингов", default=False)
    efom = models.BooleanField("на основе ЕФОМ", default=False)
    regional_projects = models.BooleanField("по региональным проектам", default=False)
    external_review = models.BooleanField("внешняя экспертиза", default=False)
    for_school_teams = models.BooleanField("для команд ОО", default=False)
    by_association_request = models.BooleanField("по запросу профессиональных объединений", default=False)
    network_form = models.BooleanField("сетевая форма", default=False)
    internship = models.BooleanField("стажировка", default=False)
    diagnostics_based = models.BooleanField("на основе диагностики дефицитов", default=False)

    scope_paths = ScopePaths(public=True)
    objects = models.Manager.from_queryset(ProgramQuerySet)()

    class Meta:
        verbose_name = "программа ДПП"
        verbose_name_plural = "программы ДПП"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="program_hours_positive",
                condition=Q(hours__gt=0),
                violation_error_message="Объем программы должен быть больше нуля часов.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def _tags(self, kind: str) -> list[str]:
        # Reads prefetched tags when the caller prefetched them (lists, exports).
        return sorted(t.value for t in self.tags.all() if t.kind == kind)

    @property
    def target_positions(self) -> list[str]:
        return self._tags(TagKind.POSITION)

    @property
    def competences(self) -> list[str]:
        return self._tags(TagKind.COMPETENCE)

    @property
    def topics(self) -> list[str]:
        return self._tags(TagKind.TOPIC)


class ProgramTag(models.Model):
    """One value of a program's list attribute: a target position, a competence group or a topic.

    A table rather than JSON lists so that the catalog filters and the indicators that
    break programs down by position are plain joins on every database.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tags", verbose_name="программа")
    kind = models.CharField("вид", max_length=20, choices=TagKind.choices)
    value = models.CharField("значение", max_length=255)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "признак программы"
        verbose_name_plural = "признаки программ"
        ordering = ["program", "kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "value"],
                name="program_tag_unique",
                violation_error_message="Это значение у программы уже указано.",
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="program_tag_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class CourseRunQuerySet(ScopedQuerySet):
    def ending_in(self, period):
        """Runs that end within the period's calendar year (how the indicators count them)."""
        return self.filter(end__gte=period.start, end__lte=period.end)

    def upcoming(self, on: dt.date):
        return self.filter(start__gte=on)


class CourseRun(models.Model):
    """One cohort of a program with its dates (the `Курсы` sheet)."""

    code = models.CharField("код курса", max_length=50, unique=True)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="runs", verbose_name="программа")
    start = models.DateField("начало")
    end = models.DateField("окончание")
    by_school_request = models.BooleanField("по заявке ОО", default=False)

    scope_paths = ScopePaths(public=True)
    objects = models.Manager.from_queryset(CourseRunQuerySet)()

    class Meta:
        verbose_name = "курс"
        verbose_name_plural = "курсы"
        ordering = ["start", "code"]
        constraints = [
            models.CheckConstraint(
                name="course_run_dates_ordered",
                condition=Q(end__gte=F("start")),
                violation_error_message="Окончание курса не может быть раньше его начала.",
            ),
        ]
        indexes = [models.Index(fields=["end"], name="course_run_end")]

    def __str__(self) -> str:
        return f"{self.code}: {self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "зачислен", "зачислен"
    COMPLETED = "завершил", "завершил обучение"
    EXPELLED = "отчислен", "отчислен"


class Enrollment(models.Model):
    """A teacher on a course run (the `Обучение` sheet)."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="enrollments", verbose_name="педагог")
    course = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="enrollments", verbose_name="курс")
    status = models.CharField("статус", max_length=20, choices=EnrollmentStatus.choices)
    final_attestation = models.BooleanField("итоговая аттестация пройдена", default=False)
    satisfaction = models.PositiveSmallIntegerField("удовлетворенность (1–5)", null=True, blank=True)

    scope_paths = ScopePaths(**_TEACHER_SCOPE, year="course__end__year")
    objects = ScopedManager()

    class Meta:
        verbose_name = "обучение"
        verbose_name_plural = "обучение"
        ordering = ["course", "teacher"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "course"],
                name="enrollment_unique",
                violation_error_message="Педагог уже записан на этот курс.",
            ),
            models.CheckConstraint(
                name="enrollment_satisfaction_range",
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                violation_error_message="Удовлетворенность оценивается от 1 до 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id} → {self.course.code}"


class RouteStatus(models.TextChoices):
    DRAFT = "draft", "Составляется"
    SUBMITTED = "submitted", "На согласовании"
    RETURNED = "returned", "Возвращен на доработку"
    APPROVED = "approved", "Согласован"


class RouteQuerySet(ScopedQuerySet):
    def active_in(self, period):
        """Routes whose dates overlap the period's calendar year."""
        return self.filter(start__lte=period.end, end__gte=period.start)

    def approved(self):
        return self.filter(status=RouteStatus.APPROVED)


class Route(models.Model):
    """A teacher's individual educational route (ИОМ) for one to three years."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="routes", verbose_name="педагог")
    start = models.DateField("начало")
    end = models.DateField("окончание")
    based_on_diagnostic = models.BooleanField("на основе диагностики", default=False)
    # The diagnostic the route was built (or last corrected) from, when built in the portal.
    diagnostic = models.ForeignKey(
        Diagnostic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routes",
        verbose_name="диагностика",
    )
    status = models.CharField("состояние", max_length=20, choices=RouteStatus.choices, default=RouteStatus.DRAFT)
    corrected = models.BooleanField("скорректирован", default=False)
    version = models.PositiveSmallIntegerField("версия", default=1)
    comment = models.TextField("комментарий руководителя", blank=True)
    reflection = models.TextField("рефлексия педагога", blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="согласовал",
    )
    approved_at = models.DateTimeField("согласован", null=True, blank=True)

    scope_paths = ScopePaths(**_TEACHER_SCOPE, year="start__year")
    objects = models.Manager.from_queryset(RouteQuerySet)()

    class Meta:
        verbose_name = "индивидуальный образовательный маршрут"
        verbose_name_plural = "индивидуальные образовательные маршруты"
        ordering = ["teacher", "-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "start"],
                name="route_unique_start",
                violation_error_message="У педагога уже есть маршрут с этой датой начала.",
            ),
            models.CheckConstraint(
                name="route_dates_ordered",
                condition=Q(end__gt=F("start")),
                violation_error_message="Окончание маршрута должно быть позже его начала.",
            ),
        ]

    def __str__(self) -> str:
        return f"ИОМ {self.teacher_id} {self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"

    @property
    def is_approved(self) -> bool:
        return self.status == RouteStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in (RouteStatus.DRAFT, RouteStatus.RETURNED)


class ActivityKind(models.TextChoices):
    COURSE = "курс", "курс повышения квалификации"
    SELF_EDUCATION = "самообразование", "самообразование"
    MENTORING = "наставничество", "наставничество"
    EXPERT = "экспертная деятельность", "экспертная деятельность"
    COMPETITION = "конкурс", "конкурс профессионального мастерства"
    METHODICAL = "методическое мероприятие", "методическое мероприятие"


class RouteActivity(models.Model):
    """One activity of a route: a course of a program, self-education, mentoring, …, with its due date."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="activities", verbose_name="маршрут")
    kind = models.CharField("вид", max_length=30, choices=ActivityKind.choices)
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="route_activities",
        verbose_name="программа",
    )
    group_code = models.CharField("группа компетенций", max_length=20, blank=True)
    title = models.CharField("содержание", max_length=1000, blank=True)
    due = models.DateField("срок")
    done = models.BooleanField("выполнено", default=False)
    done_at = models.DateTimeField("отмечено выполненным", null=True, blank=True)

    scope_paths = ScopePaths(
        municipality="route__teacher__roster_entries__school__municipality",
        school="route__teacher__roster_entries__school",
        teacher="route__teacher",
        year="route__start__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "мероприятие ИОМ"
        verbose_name_plural = "мероприятия ИОМ"
        ordering = ["route", "due", "pk"]
        constraints = [
            # One row per what, when: the package's `Мероприятия ИОМ` rows are keyed so, and
            # two identical rows could not be told apart on re-import. NULL programs get
            # their own partial index, since NULLs never collide in a unique index.
            models.UniqueConstraint(
                fields=["route", "kind", "program", "group_code", "due"],
                condition=Q(program__isnull=False),
                name="activity_unique_with_program",
                violation_error_message="Такое мероприятие с этим сроком в маршруте уже есть.",
            ),
            models.UniqueConstraint(
                fields=["route", "kind", "group_code", "due"],
                condition=Q(program__isnull=True),
                name="activity_unique_without_program",
                violation_error_message="Такое мероприятие с этим сроком в маршруте уже есть.",
            ),
            models.CheckConstraint(
                name="activity_course_has_program",
                condition=~Q(kind=ActivityKind.COURSE) | Q(program__isnull=False),
                violation_error_message="Для мероприятия «курс» нужно указать программу.",
            ),
        ]
        indexes = [models.Index(fields=["due"], name="route_activity_due")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title or (self.program.name if self.program_id else '')}"

    @property
    def label(self) -> str:
        if self.program_id:
            return self.program.name
        return self.title or self.get_kind_display()


class RouteVersion(models.Model):
    """A kept version of a route: its dates and activities as they were before a correction."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="versions", verbose_name="маршрут")
    number = models.PositiveSmallIntegerField("версия")
    created_at = models.DateTimeField("создана", auto_now_add=True)
    reason = models.CharField("причина", max_length=500)
    # {"start": "...", "end": "...", "activities": [{"kind", "program", "group_code", "title", "due", "done"}]}
    snapshot = models.JSONField("состав маршрута")

    scope_paths = ScopePaths(
        municipality="route__teacher__roster_entries__school__municipality",
        school="route__teacher__roster_entries__school",
        teacher="route__teacher",
        year="route__start__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "версия ИОМ"
        verbose_name_plural = "версии ИОМ"
        ordering = ["route", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "number"],
                name="route_version_unique",
                violation_error_message="Такая версия маршрута уже сохранена.",
            ),
        ]

    def __str__(self) -> str:
        return f"версия {self.number}"


class RouteEvent(models.Model):
    """A step of a route's approval: submitted, returned with a comment, approved."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="events", verbose_name="маршрут")
    status = models.CharField("состояние", max_length=20, choices=RouteStatus.choices)
    at = models.DateTimeField("когда", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="кто"
    )
    comment = models.TextField("комментарий", blank=True)

    scope_paths = ScopePaths(
        municipality="route__teacher__roster_entries__school__municipality",
        school="route__teacher__roster_entries__school",
        teacher="route__teacher",
        year="route__start__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "событие согласования ИОМ"
        verbose_name_plural = "события согласования ИОМ"
        ordering = ["route", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_status_display()}"


class RouteComment(models.Model):
    """A curator's (or head's) comment on a route; the teacher reads it on their route page."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="comments", verbose_name="маршрут")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="автор"
    )
    text = models.TextField("комментарий")
    created_at = models.DateTimeField("когда", auto_now_add=True)

    scope_paths = ScopePaths(
        municipality="route__teacher__roster_entries__school__municipality",
        school="route__teacher__roster_entries__school",
        teacher="route__teacher",
        year="route__start__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "комментарий к ИОМ"
        verbose_name_plural = "комментарии к ИОМ"
        ordering = ["route", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="route_comment_not_empty",
                condition=~Q(text=""),
                violation_error_message="Комментарий не может быть пустым.",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]
