"""People: the users who sign in, teachers as persons and the period's roster of teachers.

Also the rules every age and СНИЛС in the portal follows (``age_on``, ``years_before``,
``snils_is_valid``) and the validator of a roster row's list of subjects.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from monitoring.models.base import NATURAL, Role
from monitoring.models.history import UserHistory
from monitoring.models.org import Municipality, School
from monitoring.models.periods import MonitoringPeriod
from monitoring.models.scoping import ScopedManager, ScopedQuerySet, ScopePaths

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
        raise ValidationError('Ожидается список названий, например ["Математика", "Физика"].')
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
    full_name = models.CharField("ФИО", max_length=255, db_collation=NATURAL)
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
