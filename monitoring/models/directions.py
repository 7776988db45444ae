"""The yearly data of directions 5-8: expert work, the methodical activists, support projects
for young teachers, mentoring, competitions and the methodical associations with their
members and events.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from monitoring.models.org import Municipality, School
from monitoring.models.people import Teacher
from monitoring.models.periods import MonitoringPeriod
from monitoring.models.scoping import ScopedManager, ScopePaths

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
    # The association's head (руководитель МО): at most one per association (the constraint below).
    is_head = models.BooleanField("руководитель МО", default=False)

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
            models.UniqueConstraint(
                fields=["association"],
                condition=models.Q(is_head=True),
                name="association_one_head",
                violation_error_message=(
                    "У методического объединения уже есть руководитель: руководитель МО может быть только один."
                ),
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
