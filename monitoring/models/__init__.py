"""The monitored world: region, municipalities, schools, teachers and their yearly data.

Every invariant that `shared/spec/data-package.md` states about one row is a named
database constraint with a Russian message, so that no door (import, admin, API, shell)
can store a row the spec forbids.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.deconstruct import deconstructible
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords

from monitoring.models.base import Direction, Role
from monitoring.models.history import UserHistory
from monitoring.models.scoping import ScopedManager, ScopedQuerySet, ScopePaths

# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------


class Region(models.Model):
    """The region the portal serves (the org of every region-level indicator row)."""

    code = models.CharField("код", max_length=20, unique=True)
    name = models.CharField("наименование", max_length=255)

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
    name = models.CharField("наименование", max_length=255)

    scope_paths = ScopePaths(municipality="pk")
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["code"]

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
    name = models.CharField("наименование", max_length=500)
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
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="school_inn_digits",
                condition=Q(inn="") | Q(inn__regex=r"^([0-9]{10}|[0-9]{12})$"),
                violation_error_message="ИНН должен состоять из 10 или 12 цифр.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------
# Periods and the plan
# ---------------------------------------------------------------------------


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
        ]

    def __str__(self) -> str:
        return f"{self.period.year}: {self.get_direction_display()}"


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------


class User(AbstractUser):
    """A person who signs in; their role and its anchor (municipality, school, teacher) define their scope."""

    role = models.CharField("роль", max_length=20, choices=Role.choices, default=Role.TEACHER)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="муниципалитет",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="образовательная организация",
    )
    teacher = models.OneToOneField(
        "monitoring.Teacher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name="педагог",
    )
    position = models.CharField("должность", max_length=255, blank=True)

    objects = UserManager()
    # Role and scope changes are what matters; the password hash and logins are not kept.
    history = UserHistory(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        constraints = [
            models.CheckConstraint(
                name="user_municipal_has_municipality",
                condition=~Q(role=Role.MUNICIPAL) | Q(municipality__isnull=False),
                violation_error_message="Для специалиста муниципалитета нужно указать муниципалитет.",
            ),
            models.CheckConstraint(
                name="user_head_has_school",
                condition=~Q(role=Role.SCHOOL_HEAD) | Q(school__isnull=False),
                violation_error_message="Для руководителя ОО нужно указать образовательную организацию.",
            ),
            models.CheckConstraint(
                name="user_teacher_has_teacher",
                condition=~Q(role=Role.TEACHER) | Q(teacher__isnull=False),
                violation_error_message="Для педагога нужно указать его карточку педагога.",
            ),
        ]

    @property
    def is_institute(self) -> bool:
        return self.is_superuser or self.role == Role.ANALYST

    @property
    def can_edit_region(self) -> bool:
        """Institute staff change any data of the region; everyone else edits through their own doors."""
        return self.is_institute


# ---------------------------------------------------------------------------
# Teachers and the roster
# ---------------------------------------------------------------------------


class Sex(models.TextChoices):
    MALE = "М", "мужской"
    FEMALE = "Ж", "женский"


class EducationLevel(models.TextChoices):
    HIGHER = "высшее", "высшее"
    VOCATIONAL = "среднее профессиональное", "среднее профессиональное"
    NONE = "нет профессионального", "нет профессионального"


class Category(models.TextChoices):
    NONE = "нет", "нет"
    FIRST = "первая", "первая"
    HIGHEST = "высшая", "высшая"


def validate_text_list(value) -> None:
    """A list cell's value (a teacher's subjects) is a short list of short texts, as the package reads it."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Ожидается список названий, например [\"Математика\", \"Физика\"].")
    if len(value) > 50 or any(len(item) > 200 for item in value):
        raise ValidationError("Не более 50 значений, каждое не длиннее 200 символов.")


def snils_is_valid(snils: str) -> bool:
    """Check a СНИЛС (11 digits, separators allowed) against its control number."""
    digits = "".join(ch for ch in snils if ch in "0123456789")  # str.isdigit() takes «²» and Arabic digits too
    if len(digits) != 11 or len(digits) != len(snils.replace("-", "").replace(" ", "")):
        return False
    number, control = digits[:9], int(digits[9:])
    # The Pension Fund's rule: the check applies to numbers above 001-001-998.
    if int(number) <= 1001998:
        return True
    return snils_control(number) == control


def snils_control(number: str) -> int:
    """The control number of a СНИЛС's nine digits (the Pension Fund's rule)."""
    total = sum(int(d) * w for d, w in zip(number, range(9, 0, -1), strict=True))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    return total % 101 % 100


class Teacher(models.Model):
    """A teacher as a person: the code lasts across periods so diagnostics and routes follow them."""

    code = models.CharField("код педагога", max_length=32, unique=True)
    full_name = models.CharField("ФИО", max_length=255)
    sex = models.CharField("пол", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("дата рождения")
    snils = models.CharField("СНИЛС", max_length=14, blank=True)

    scope_paths = ScopePaths(
        municipality="roster_entries__school__municipality", school="roster_entries__school", teacher="pk"
    )
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "педагог"
        verbose_name_plural = "педагоги"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="teacher_birth_date_plausible",
                condition=Q(birth_date__gte=dt.date(1920, 1, 1)),
                violation_error_message="Дата рождения педагога неправдоподобна (раньше 1920 года).",
            ),
            # A СНИЛС names one person: two cards with one are one person twice (or a takeover).
            models.UniqueConstraint(
                fields=["snils"],
                condition=~Q(snils=""),
                name="teacher_snils_unique",
                violation_error_message="Этот СНИЛС уже указан у другого педагога.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"

    def age_at(self, on: dt.date) -> int:
        """Whole years at the date; a birthday on that date counts as reached."""
        return age_on(self.birth_date, on)


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years from ``birth`` to ``on``, by the rule every age in the portal follows."""
    years = on.year - birth.year
    if birth > _birth_date_upper(on, years):
        years -= 1
    return years


def years_before(on: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (29 February falls on the 28th, as ages count it)."""
    return _birth_date_upper(on, years)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _birth_date_upper(on: dt.date, years: int) -> dt.date:
    """The latest birth date of someone who is at least ``years`` old at ``on``.

    Someone born on 29 February reaches an age on 28 February of a common year (the
    Civil Code's rule for terms ending on a day the month lacks), so on 28 February of
    a common year the bound reaches 29 February of a leap birth year.
    """
    target = on.year - years
    if on.month == 2 and on.day == 28 and not _is_leap(on.year) and _is_leap(target):
        return dt.date(target, 2, 29)
    try:
        return on.replace(year=target)
    except ValueError:  # on is 29 February and the birth year is common
        return dt.date(target, 2, 28)


class RosterEntryQuerySet(ScopedQuerySet):
    """Named filters for the definitions spec/indicators.md fixes."""

    def for_period(self, period):
        return self.filter(period=period)

    def young(self, *, period: MonitoringPeriod):
        """Age < young_age_limit (default 35) at the reference date: a teacher who turns 35 that day is not young."""
        limit = _birth_date_upper(period.reference_date, period.young_age_limit)
        return self.filter(teacher__birth_date__gt=limit)

    def pension_age(self, *, period: MonitoringPeriod):
        """Age ≥ 60 for women, ≥ 65 for men at the reference date (the period's thresholds)."""
        women = _birth_date_upper(period.reference_date, period.pension_age_women)
        men = _birth_date_upper(period.reference_date, period.pension_age_men)
        return self.filter(
            Q(teacher__sex=Sex.FEMALE, teacher__birth_date__lte=women)
            | Q(teacher__sex=Sex.MALE, teacher__birth_date__lte=men)
        )

    def valid_category(self, *, period: MonitoringPeriod):
        """A first or highest category assigned within five years up to the reference date, both ends included."""
        ref = period.reference_date
        return self.filter(
            category__in=[Category.FIRST, Category.HIGHEST],
            category_date__gte=_birth_date_upper(ref, 5),
            category_date__lte=ref,
        )

    def part_time(self):
        return self.filter(part_time=True)

    def not_part_time(self):
        return self.filter(part_time=False)


class RosterEntry(models.Model):
    """A teacher's row of the period's roster (the `Педагоги` sheet): what changes year to year."""

    period = models.ForeignKey(MonitoringPeriod, on_delete=models.CASCADE, related_name="roster", verbose_name="период")
    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="roster_entries", verbose_name="педагог"
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="roster", verbose_name="образовательная организация"
    )
    position = models.CharField("должность", max_length=255)
    subjects = models.JSONField("предметы", default=list, blank=True, validators=[validate_text_list])
    education_level = models.CharField("уровень образования", max_length=40, choices=EducationLevel.choices, blank=True)
    pedagogical_education = models.BooleanField("педагогическое образование", default=False)
    education_matches_profile = models.BooleanField("образование соответствует профилю", default=False)
    category = models.CharField(
        "квалификационная категория", max_length=10, choices=Category.choices, default=Category.NONE
    )
    category_date = models.DateField("дата присвоения категории", null=True, blank=True)
    experience_years = models.PositiveSmallIntegerField("педагогический стаж, лет", null=True, blank=True)
    part_time = models.BooleanField("совместитель", default=False)
    workload = models.DecimalField("ставка", max_digits=5, decimal_places=2, default=Decimal("1"))

    scope_paths = ScopePaths(municipality="school__municipality", school="school", teacher="teacher")
    objects = models.Manager.from_queryset(RosterEntryQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "строка списка педагогов"
        verbose_name_plural = "списки педагогов по периодам"
        ordering = ["period", "teacher__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "teacher"],
                name="roster_one_row_per_teacher_period",
                violation_error_message="Педагог уже есть в списке этого периода.",
            ),
            models.CheckConstraint(
                name="roster_workload_positive",
                condition=Q(workload__gt=0),
                violation_error_message="Ставка должна быть больше нуля.",
            ),
            models.CheckConstraint(
                name="roster_experience_plausible",
                condition=Q(experience_years__isnull=True) | Q(experience_years__lte=80),
                violation_error_message="Педагогический стаж не может превышать 80 лет.",
            ),
        ]
        indexes = [models.Index(fields=["period", "school"], name="roster_period_school")]

    def __str__(self) -> str:
        return f"{self.teacher} — {self.school} ({self.period.year})"


# ---------------------------------------------------------------------------
# Staffing (direction 9)
# ---------------------------------------------------------------------------


class StaffingRow(models.Model):
    """A school's staffing for one position in a period (the `Штатное расписание` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="staffing_rows", verbose_name="период"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="staffing_rows", verbose_name="образовательная организация"
    )
    position = models.CharField("должность", max_length=255)
    positions_by_schedule = models.DecimalField("ставок по штату", max_digits=9, decimal_places=2)
    actual_need = models.DecimalField("фактическая потребность в ставках", max_digits=9, decimal_places=2)
    vacant_positions = models.DecimalField("вакантных ставок", max_digits=9, decimal_places=2)
    vacant_posts = models.PositiveIntegerField("вакантных должностей")

    scope_paths = ScopePaths(municipality="school__municipality", school="school")
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "строка штатного расписания"
        verbose_name_plural = "штатное расписание"
        ordering = ["period", "school__code", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "school", "position"],
                name="staffing_unique_position",
                violation_error_message="Для этой должности в школе уже есть строка штатного расписания за период.",
            ),
            models.CheckConstraint(
                name="staffing_schedule_nonnegative",
                condition=Q(positions_by_schedule__gte=0),
                violation_error_message="Число ставок по штату не может быть отрицательным.",
            ),
            models.CheckConstraint(
                name="staffing_need_nonnegative",
                condition=Q(actual_need__gte=0),
                violation_error_message="Фактическая потребность в ставках не может быть отрицательной.",
            ),
            models.CheckConstraint(
                name="staffing_vacant_within_schedule",
                condition=Q(vacant_positions__gte=0) & Q(vacant_positions__lte=F("positions_by_schedule")),
                violation_error_message="Вакантных ставок не может быть меньше нуля или больше, чем ставок по штату.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.code}: {self.position} ({self.period.year})"


# ---------------------------------------------------------------------------
# Expert work (direction 5) and the methodical activists (direction 6)
# ---------------------------------------------------------------------------


class ExpertKind(models.TextChoices):
    EGE = "ЕГЭ", "ЕГЭ"
    OGE = "ОГЭ", "ОГЭ"
    ATTESTATION = "аттестация", "аттестация"
    COMPETITIONS = "конкурсы", "конкурсы"
    OLYMPIADS = "олимпиады", "олимпиады"


class ExpertRole(models.Model):
    """A teacher's expert work in a period (the `Экспертная деятельность` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="expert_roles", verbose_name="период"
    )
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="expert_roles", verbose_name="педагог")
    kind = models.CharField("вид", max_length=20, choices=ExpertKind.choices)
    subject = models.CharField("предмет", max_length=255, blank=True)

    scope_paths = ScopePaths(
        municipality="teacher__roster_entries__school__municipality",
        school="teacher__roster_entries__school",
        teacher="teacher",
        year="period__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "экспертная деятельность"
        verbose_name_plural = "экспертная деятельность"
        ordering = ["period", "teacher__code", "kind", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "teacher", "kind", "subject"],
                name="expert_role_unique",
                violation_error_message="Эта экспертная роль педагога за период уже записана.",
            ),
            models.CheckConstraint(
                name="expert_role_exam_has_subject",
                condition=~Q(kind__in=[ExpertKind.EGE, ExpertKind.OGE]) | ~Q(subject=""),
                violation_error_message="Для экспертов ЕГЭ и ОГЭ нужно указать предмет.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher.code}: {self.kind} {self.subject}".strip()


class ActivistRole(models.TextChoices):
    TUTOR = "тьютор ЦНППМ", "тьютор ЦНППМ"
    RUMO = "член РУМО", "член РУМО"
    MMS_HEAD = "руководитель ММС", "руководитель ММС"
    MMS_REPRESENTATIVE = "представитель ММС", "представитель ММС"


class MethodicalActivist(models.Model):
    """A member of the methodical activists (the `Методический актив` sheet); not necessarily on the roster."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="activists", verbose_name="период"
    )
    full_name = models.CharField("ФИО", max_length=255)
    teacher = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="activist_roles", verbose_name="педагог"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="activists", verbose_name="муниципалитет"
    )
    role = models.CharField("роль", max_length=30, choices=ActivistRole.choices)

    scope_paths = ScopePaths(municipality="municipality", teacher="teacher")
    objects = ScopedManager()

    class Meta:
        verbose_name = "участник методического актива"
        verbose_name_plural = "методический актив"
        ordering = ["period", "municipality__code", "role", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "full_name", "municipality", "role"],
                name="activist_unique",
                violation_error_message="Этот человек уже записан в методический актив с этой ролью.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.role}"


# ---------------------------------------------------------------------------
# Young teachers and mentoring (direction 7)
# ---------------------------------------------------------------------------


class SupportProject(models.Model):
    """A regional project supporting young teachers (the `Проекты молодых педагогов` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="support_projects", verbose_name="период"
    )
    code = models.CharField("код проекта", max_length=32)
    name = models.CharField("наименование", max_length=500)

    # Regional projects are open information: every signed-in user may see them.
    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "проект поддержки молодых педагогов"
        verbose_name_plural = "проекты поддержки молодых педагогов"
        ordering = ["period", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "code"],
                name="support_project_unique_code",
                violation_error_message="Проект с таким кодом в этом периоде уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SupportProjectParticipant(models.Model):
    """A teacher taking part in a support project (the `Участники проектов` sheet)."""

    project = models.ForeignKey(
        SupportProject, on_delete=models.CASCADE, related_name="participants", verbose_name="проект"
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="support_projects", verbose_name="педагог"
    )

    scope_paths = ScopePaths(
        municipality="teacher__roster_entries__school__municipality",
        school="teacher__roster_entries__school",
        teacher="teacher",
        year="project__period__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "участник проекта"
        verbose_name_plural = "участники проектов"
        ordering = ["project", "teacher__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "teacher"],
                name="support_participant_unique",
                violation_error_message="Педагог уже участвует в этом проекте.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.teacher.code}"


class MentoringProgram(models.Model):
    """A mentoring program run by a school or a municipality (the `Программы наставничества` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="mentoring_programs", verbose_name="период"
    )
    code = models.CharField("код программы наставничества", max_length=32)
    name = models.CharField("наименование", max_length=500)
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentoring_programs",
        verbose_name="образовательная организация",
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentoring_programs",
        verbose_name="муниципалитет",
    )

    # A school's program is its municipality's too (like a methodical association).
    scope_paths = ScopePaths(municipality=("municipality", "school__municipality"), school="school")
    objects = ScopedManager()

    class Meta:
        verbose_name = "программа наставничества"
        verbose_name_plural = "программы наставничества"
        ordering = ["period", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "code"],
                name="mentoring_program_unique_code",
                violation_error_message="Программа наставничества с таким кодом в этом периоде уже есть.",
            ),
            models.CheckConstraint(
                name="mentoring_program_one_owner",
                condition=(Q(school__isnull=False) & Q(municipality__isnull=True))
                | (Q(school__isnull=True) & Q(municipality__isnull=False)),
                violation_error_message=(
                    "Программу наставничества ведет либо ОО, либо муниципалитет: укажите ровно одно из двух."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MentoringPair(models.Model):
    """A mentor and a mentee in a mentoring program (the `Наставничество` sheet)."""

    program = models.ForeignKey(
        MentoringProgram, on_delete=models.CASCADE, related_name="pairs", verbose_name="программа"
    )
    mentor = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="mentoring_as_mentor", verbose_name="наставник"
    )
    mentee = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="mentoring_as_mentee", verbose_name="наставляемый"
    )
    form = models.CharField("форма", max_length=100, blank=True)

    scope_paths = ScopePaths(
        municipality="mentee__roster_entries__school__municipality",
        school="mentee__roster_entries__school",
        teacher="mentee",
        year="program__period__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "пара наставничества"
        verbose_name_plural = "пары наставничества"
        ordering = ["program", "mentor__code", "mentee__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentor", "mentee"],
                name="mentoring_pair_unique",
                violation_error_message="Такая пара уже есть в программе наставничества.",
            ),
            models.CheckConstraint(
                name="mentoring_pair_distinct_people",
                condition=~Q(mentor=F("mentee")),
                violation_error_message="Наставник и наставляемый должны быть разными людьми.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.code} → {self.mentee.code}"


class CompetitionLevel(models.TextChoices):
    SCHOOL = "школьный", "школьный"
    MUNICIPAL = "муниципальный", "муниципальный"
    REGIONAL = "региональный", "региональный"
    FEDERAL = "всероссийский", "всероссийский"
    INTERNATIONAL = "международный", "международный"


class CompetitionResult(models.TextChoices):
    PARTICIPANT = "участник", "участник"
    PRIZE = "призер", "призер"
    WINNER = "победитель", "победитель"


class CompetitionEntry(models.Model):
    """A teacher's entry in a professional competition (the `Конкурсы` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="competition_entries", verbose_name="период"
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="competition_entries", verbose_name="педагог"
    )
    competition = models.CharField("конкурс", max_length=500)
    level = models.CharField("уровень", max_length=20, choices=CompetitionLevel.choices)
    result = models.CharField("результат", max_length=20, choices=CompetitionResult.choices, blank=True)
    date = models.DateField("дата")

    scope_paths = ScopePaths(
        municipality="teacher__roster_entries__school__municipality",
        school="teacher__roster_entries__school",
        teacher="teacher",
        year="period__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "участие в конкурсе"
        verbose_name_plural = "участие в конкурсах"
        ordering = ["period", "teacher__code", "date", "competition"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "teacher", "competition", "level", "date"],
                name="competition_entry_unique",
                violation_error_message="Это участие педагога в конкурсе уже записано.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher.code}: {self.competition} ({self.level})"


# ---------------------------------------------------------------------------
# Methodical associations (direction 8)
# ---------------------------------------------------------------------------


class AssociationLevel(models.TextChoices):
    SCHOOL = "школьное", "школьное"
    MUNICIPAL = "муниципальное", "муниципальное"
    REGIONAL = "региональное", "региональное"


# The six effectiveness criteria of indicator 8.5: field name → the column title users see.
ASSOCIATION_CRITERIA: dict[str, str] = {
    "criterion_state_policy": "Соответствие государственной политике",
    "criterion_regulations": "Нормативная база",
    "criterion_mentoring": "Система наставничества",
    "criterion_interaction": "Взаимодействие МО",
    "criterion_analytics": "Аналитическая деятельность",
    "criterion_decisions": "Управленческие решения",
}


class MethodicalAssociation(models.Model):
    """A methodical association or professional community of teachers (the `Методические объединения` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="associations", verbose_name="период"
    )
    code = models.CharField("код МО", max_length=32)
    name = models.CharField("наименование", max_length=500)
    level = models.CharField("уровень", max_length=20, choices=AssociationLevel.choices)
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="associations",
        verbose_name="образовательная организация",
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="associations",
        verbose_name="муниципалитет",
    )
    subject = models.CharField("предмет", max_length=255, blank=True)
    criterion_state_policy = models.BooleanField(ASSOCIATION_CRITERIA["criterion_state_policy"], default=False)
    criterion_regulations = models.BooleanField(ASSOCIATION_CRITERIA["criterion_regulations"], default=False)
    criterion_mentoring = models.BooleanField(ASSOCIATION_CRITERIA["criterion_mentoring"], default=False)
    criterion_interaction = models.BooleanField(ASSOCIATION_CRITERIA["criterion_interaction"], default=False)
    criterion_analytics = models.BooleanField(ASSOCIATION_CRITERIA["criterion_analytics"], default=False)
    criterion_decisions = models.BooleanField(ASSOCIATION_CRITERIA["criterion_decisions"], default=False)

    # A school-level association belongs to its school and so to the school's
    # municipality; a municipal one to its municipality; a regional one is seen by the
    # region-wide roles only.
    scope_paths = ScopePaths(municipality=("municipality", "school__municipality"), school="school")
    objects = ScopedManager()

    class Meta:
        verbose_name = "методическое объединение"
        verbose_name_plural = "методические объединения"
        ordering = ["period", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "code"],
                name="association_unique_code",
                violation_error_message="Методическое объединение с таким кодом в этом периоде уже есть.",
            ),
            models.CheckConstraint(
                name="association_level_owner",
                condition=(Q(level=AssociationLevel.SCHOOL) & Q(school__isnull=False) & Q(municipality__isnull=True))
                | (Q(level=AssociationLevel.MUNICIPAL) & Q(school__isnull=True) & Q(municipality__isnull=False))
                | (Q(level=AssociationLevel.REGIONAL) & Q(school__isnull=True) & Q(municipality__isnull=True)),
                violation_error_message=(
                    "Школьному МО нужна ОО, муниципальному — муниципалитет, региональному — ни то ни другое."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssociationMember(models.Model):
    """A teacher's membership in a methodical association (the `Участники МО` sheet)."""

    association = models.ForeignKey(
        MethodicalAssociation, on_delete=models.CASCADE, related_name="members", verbose_name="МО"
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="association_memberships", verbose_name="педагог"
    )

    scope_paths = ScopePaths(
        municipality="teacher__roster_entries__school__municipality",
        school="teacher__roster_entries__school",
        teacher="teacher",
        year="association__period__year",
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "участник МО"
        verbose_name_plural = "участники МО"
        ordering = ["association", "teacher__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "teacher"],
                name="association_member_unique",
                violation_error_message="Педагог уже состоит в этом методическом объединении.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association.code}: {self.teacher.code}"


class AssociationEvent(models.Model):
    """A scientific-methodical event held by an association (the `Мероприятия МО` sheet)."""

    association = models.ForeignKey(
        MethodicalAssociation, on_delete=models.CASCADE, related_name="events", verbose_name="МО"
    )
    date = models.DateField("дата")
    title = models.CharField("название", max_length=500)
    networked = models.BooleanField("сетевая форма", default=False)

    scope_paths = ScopePaths(
        municipality=("association__municipality", "association__school__municipality"), school="association__school"
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = "мероприятие МО"
        verbose_name_plural = "мероприятия МО"
        ordering = ["association", "date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "date", "title"],
                name="association_event_unique",
                violation_error_message="Такое мероприятие этого МО в этот день уже записано.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d.%m.%Y})"


# ---------------------------------------------------------------------------
# Digital environment (direction 4)
# ---------------------------------------------------------------------------


class DigitalEnvironmentScore(models.Model):
    """A school's self-assessed digital environment, four scores 0–4 (the `Цифровая среда` sheet)."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="digital_scores", verbose_name="период"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="digital_scores", verbose_name="образовательная организация"
    )
    infrastructure = models.PositiveSmallIntegerField("инфраструктура")
    tools = models.PositiveSmallIntegerField("инструменты и сервисы")
    usage = models.PositiveSmallIntegerField("использование в обучении")
    professional_development = models.PositiveSmallIntegerField("профессиональное развитие")

    scope_paths = ScopePaths(municipality="school__municipality", school="school")
    objects = ScopedManager()

    class Meta:
        verbose_name = "оценка цифровой среды"
        verbose_name_plural = "цифровая среда"
        ordering = ["period", "school__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "school"],
                name="digital_score_unique",
                violation_error_message="Оценка цифровой среды этой ОО за период уже есть.",
            ),
            models.CheckConstraint(
                name="digital_scores_range",
                condition=Q(infrastructure__lte=4)
                & Q(tools__lte=4)
                & Q(usage__lte=4)
                & Q(professional_development__lte=4)
                & Q(infrastructure__gte=0)
                & Q(tools__gte=0)
                & Q(usage__gte=0)
                & Q(professional_development__gte=0),
                violation_error_message="Оценки цифровой среды должны быть целыми числами от 0 до 4.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.code} ({self.period.year})"


# ---------------------------------------------------------------------------
# Submissions: whether a school has handed in its data for the period
# ---------------------------------------------------------------------------


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


class ImportKind(models.TextChoices):
    PACKAGE = "package", "Пакет данных института"
    STAFFING = "staffing", "Штатное расписание ОО"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "Проверяется"
    CHECKED = "checked", "Проверен, ожидает подтверждения"
    RUNNING = "running", "Загружается"
    APPLIED = "applied", "Загружен"
    REFUSED = "refused", "Отклонен"


class ExportStatus(models.TextChoices):
    """Where a package export stands: being written, or its file ready to download.

    The stored values are those export jobs kept while they borrowed ImportStatus, so
    existing rows stay valid.
    """

    RUNNING = "running", "Готовится"
    READY = "applied", "Файл готов"


@deconstructible
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
    problems = models.JSONField("ошибки", default=list, blank=True)
    warnings = models.JSONField("предупреждения", default=list, blank=True)
    # The upload with its bad cells marked, written by the worker that refused the file
    # (monitoring.imports): a web request never reads an uploaded file.
    error_report = models.FileField("отчет об ошибках", upload_to=_import_report_to, blank=True)
    # How many times a worker started on the job's current step (check, or apply): a
    # file that kills its worker every time is refused after a few, not retried forever.
    attempts = models.PositiveSmallIntegerField("попыток обработки", default=0)
    # The writes the check planned (monitoring.imports._plan): the confirmation applies only the same ones.
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

    # Region-wide data: only the region-wide roles export it (see monitoring.imports).
    scope_paths = ScopePaths()
    objects = ScopedManager()

    class Meta:
        verbose_name = "выгрузка пакета данных"
        verbose_name_plural = "выгрузки пакета данных"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Выгрузка {self.period.year} ({self.get_format_display()})"


# ---------------------------------------------------------------------------
# API access for other systems
# ---------------------------------------------------------------------------


class ApiToken(AbstractAuthToken):
    """A token another system signs in with; it acts as its user, so its role and scope are that user's.

    django-rest-knox keeps only the token's hash (``digest``) and its first characters
    (``token_key``) for the lookup; the token itself is shown once, when it is made.
    """

    name = models.CharField("назначение", max_length=200)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кем выпущен"
    )
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True)

    class Meta:
        verbose_name = "токен API"
        verbose_name_plural = "токены API"
        ordering = ["-created", "token_key"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
