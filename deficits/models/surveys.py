"""Questionnaires the institute defines, sent in campaigns to the people it chooses.

A *questionnaire* is a named survey (the burnout screening, course feedback …); its
*editions* hold the form itself as data (``definition``: the format of
``deficits.questionnaire.xlsform`` — sections, items, skip logic, choice lists) and an
optional ``scoring`` (sums per group, bands). An edition a campaign has used never
changes: editing it makes the next edition, so answers already given keep the form
they were given to.

A *campaign* sends one edition for a window of dates to a target (the roster, a
seeded sample, a group, chosen schools …). Each person it reaches has an
*invitation*: their personal link (a signed token naming the invitation and its
nonce; the row keeps only a digest of the browser it was started in), their draft
while they answer, and whether they have answered (coverage, reminders).

A *response* is a submitted form. In an anonymous campaign it keeps no way back to the
person: no invitation, teacher, school, account or time of submission (only the
municipality, the school's type and the respondent's role, for breakdowns that are
never shown below five respondents), and its key is random, so not even the order of
insertion says who answered when. ``ResponseTally`` counts answers per item, value and
breakdown as responses arrive, so results pages read a few hundred rows, not every
response.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from monitoring.models import (
    MonitoringPeriod,
    Municipality,
    School,
    ScopedManager,
    ScopePaths,
    Teacher,
)


class Questionnaire(models.Model):
    """A survey the institute runs (its editions hold the form)."""

    code = models.SlugField("код", max_length=60, unique=True, allow_unicode=False)
    title = models.CharField("наименование", max_length=300)
    description = models.TextField("описание", blank=True)
    # Shipped with the portal (fixtures/questionnaires): reloaded on start when its file changes.
    shipped = models.BooleanField("поставляется с порталом", default=False)
    created_at = models.DateTimeField("создана", auto_now_add=True)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "анкета"
        verbose_name_plural = "анкеты"
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class QuestionnaireEdition(models.Model):
    """One edition of a questionnaire's form; frozen once a campaign uses it."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="editions", verbose_name="анкета"
    )
    version = models.PositiveSmallIntegerField("редакция")
    # The form: deficits.questionnaire.xlsform's definition (title, sections, items, choice lists).
    definition = models.JSONField("форма")
    # Optional scoring: {"groups": [{"code", "name", "items": [...], "bands": [...]}], "bands": [...]},
    # a band being {"name", "min", "max", "flag"}; see deficits.questionnaire.scoring.
    scoring = models.JSONField("подсчет баллов", default=dict, blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="автор",
    )

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "редакция анкеты"
        verbose_name_plural = "редакции анкет"
        ordering = ["questionnaire", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "version"],
                name="questionnaire_edition_unique_version",
                violation_error_message="Редакция с таким номером у этой анкеты уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.title} (ред. {self.version})"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Подготовка"
    OPEN = "open", "Идет опрос"
    CLOSED = "closed", "Завершена"


class TargetKind(models.TextChoices):
    """Who a campaign reaches; parameters live in ``Campaign.target``."""

    ROSTER = "roster", "Все педагоги списка периода"
    SAMPLE = "sample", "Случайная выборка педагогов"
    YOUNG = "young", "Молодые педагоги"
    DEFICIT = "deficit", "Педагоги с дефицитом в группе компетенций"
    LOW_RESULTS = "low_results", "Педагоги школ с низкими результатами (ШНОР)"
    COURSE_RUN = "course_run", "Слушатели курса"
    HEADS = "heads", "Руководители образовательных организаций"
    ASSOCIATION_HEADS = "association_heads", "Руководители методических объединений"
    SCHOOLS = "schools", "Педагоги выбранных организаций"
    MUNICIPALITIES = "municipalities", "Педагоги выбранных муниципалитетов"


class RespondentRole(models.TextChoices):
    TEACHER = "teacher", "Педагог"
    HEAD = "head", "Руководитель ОО"
    ASSOCIATION_HEAD = "association_head", "Руководитель методического объединения"


class Campaign(models.Model):
    """One edition sent for a window of dates to a target."""

    edition = models.ForeignKey(
        QuestionnaireEdition, on_delete=models.PROTECT, related_name="campaigns", verbose_name="редакция анкеты"
    )
    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.PROTECT, related_name="campaigns", verbose_name="период"
    )
    title = models.CharField("название", max_length=300)
    opens = models.DateField("начало опроса")
    closes = models.DateField("окончание опроса")
    anonymous = models.BooleanField("анонимный опрос", default=False)
    target_kind = models.CharField("кого опрашиваем", max_length=30, choices=TargetKind.choices)
    # The target's parameters: {"share": 0.1} or {"size": 500}, {"group": "МЕТ"}, {"schools": [ids]} …
    target = models.JSONField("параметры выборки", default=dict, blank=True)
    # The sample's seed (shown on the campaign's page): the same seed draws the same people.
    seed = models.BigIntegerField("зерно выборки", null=True, blank=True)
    status = models.CharField("состояние", max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто создал",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    opened_at = models.DateTimeField("опрос начат", null=True, blank=True)
    closed_at = models.DateTimeField("опрос завершен", null=True, blank=True)

    # Campaigns are the institute's; every staff role reads the list, and what each sees of
    # the answers is narrowed by the invitations' and tallies' own scope.
    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "опрос"
        verbose_name_plural = "опросы"
        ordering = ["-opens", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="campaign_window_ordered",
                condition=Q(opens__lte=F("closes")),
                violation_error_message="Опрос не может закончиться раньше, чем начнется.",
            ),
            models.CheckConstraint(
                name="campaign_target_kind_valid",
                condition=Q(target_kind__in=TargetKind.values),
                violation_error_message="Неизвестный вид выборки.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """A person a campaign reaches: their link, their draft, whether they answered."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations", verbose_name="опрос")
    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations", verbose_name="педагог"
    )
    # A school head invited as such (heads are accounts, not always teachers on the roster).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name="учетная запись",
    )
    # Where the person was when invited: coverage is counted by these, not by later moves.
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="invitations", verbose_name="ОО")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="invitations", verbose_name="муниципалитет"
    )
    role = models.CharField("роль", max_length=20, choices=RespondentRole.choices, default=RespondentRole.TEACHER)
    # Part of the link's signed payload: a new nonce makes the old link useless.
    nonce = models.CharField("код ссылки", max_length=32)
    # SHA-256 of the browser's cookie, set when the person starts: the link then works there only.
    device = models.CharField("браузер (отпечаток)", max_length=64, blank=True)
    started_at = models.DateTimeField("начато заполнение", null=True, blank=True)
    # Answers given so far (a draft); emptied when the response is submitted.
    draft = models.JSONField("черновик ответов", default=dict, blank=True)
    answered = models.BooleanField("ответ получен", default=False)
    reminders = models.PositiveSmallIntegerField("напоминаний отправлено", default=0)
    reminded_at = models.DateTimeField("последнее напоминание", null=True, blank=True)

    scope_paths = ScopePaths(municipality="municipality", school="school", teacher="teacher")
    objects = ScopedManager()

    class Meta:
        verbose_name = "приглашение к опросу"
        verbose_name_plural = "приглашения к опросам"
        ordering = ["campaign", "pk"]
        constraints = [
            models.CheckConstraint(
                name="invitation_names_a_person",
                condition=Q(teacher__isnull=False) | Q(user__isnull=False),
                violation_error_message="Приглашение выдается педагогу или учетной записи руководителя.",
            ),
            models.UniqueConstraint(
                fields=["campaign", "teacher"],
                name="invitation_unique_teacher",
                condition=Q(teacher__isnull=False),
                violation_error_message="Этот педагог уже приглашен к опросу.",
            ),
            models.UniqueConstraint(
                fields=["campaign", "user"],
                name="invitation_unique_user",
                condition=Q(user__isnull=False),
                violation_error_message="Эта учетная запись уже приглашена к опросу.",
            ),
            models.CheckConstraint(
                name="invitation_started_with_device",
                condition=Q(started_at__isnull=True, device="") | (Q(started_at__isnull=False) & ~Q(device="")),
                violation_error_message="Ссылка привязывается к браузеру в момент начала заполнения.",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "answered"], name="invitation_campaign_answered")]

    def __str__(self) -> str:
        return f"{self.campaign}: приглашение {self.pk}"


class Response(models.Model):
    """A submitted form; in an anonymous campaign, with nothing that leads back to the person."""

    # Random, so that the keys' order does not tell the order of submission.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses", verbose_name="опрос")
    edition = models.ForeignKey(
        QuestionnaireEdition, on_delete=models.PROTECT, related_name="responses", verbose_name="редакция анкеты"
    )
    anonymous = models.BooleanField("анонимный ответ")
    # Named campaigns only (the constraint below keeps them empty in anonymous ones).
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        verbose_name="приглашение",
    )
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name="педагог",
    )
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses", verbose_name="ОО"
    )
    submitted_at = models.DateTimeField("получен", null=True, blank=True)
    # Breakdowns every response keeps (anonymous ones shown only for groups of five or more).
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="survey_responses", verbose_name="муниципалитет"
    )
    school_kind = models.CharField("тип ОО", max_length=40, blank=True)
    role = models.CharField("роль", max_length=20, choices=RespondentRole.choices, default=RespondentRole.TEACHER)
    # Item name → answer: a text, a number, a date "YYYY-MM-DD" or a list of choice names.
    answers = models.JSONField("ответы", default=dict)
    # Group code → {"score": n, "level": "…", "flag": bool} (empty without scoring).
    scores = models.JSONField("баллы", default=dict, blank=True)

    scope_paths = ScopePaths(municipality="municipality", school="school", teacher="teacher")
    objects = ScopedManager()

    class Meta:
        verbose_name = "ответ на анкету"
        verbose_name_plural = "ответы на анкеты"
        ordering = ["campaign"]
        constraints = [
            models.CheckConstraint(
                name="response_anonymous_keeps_no_person",
                condition=Q(anonymous=False)
                | Q(invitation__isnull=True, teacher__isnull=True, school__isnull=True, submitted_at__isnull=True),
                violation_error_message="Анонимный ответ не хранит ни приглашения, ни педагога, ни ОО, ни времени.",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "municipality"], name="response_campaign_municipality")]

    def __str__(self) -> str:
        return f"{self.campaign}: ответ"


class ResponseTally(models.Model):
    """How many responses of a campaign gave ``value`` to ``item``, per breakdown cell.

    ``item`` "" counts respondents (``value`` ""); "score:<group>" counts a group's levels.
    Kept by the submission in the same transaction (an upsert adding one), and rebuilt
    from the responses by ``deficits.questionnaire.tallies.tallies_rebuild``.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tallies", verbose_name="опрос")
    item = models.CharField("вопрос", max_length=120)
    value = models.CharField("ответ", max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name="муниципалитет"
    )
    school_kind = models.CharField("тип ОО", max_length=40, blank=True)
    role = models.CharField("роль", max_length=20, choices=RespondentRole.choices)
    count = models.PositiveIntegerField("число ответов", default=0)

    scope_paths = ScopePaths(municipality="municipality")
    objects = ScopedManager()

    class Meta:
        verbose_name = "сводка ответов"
        verbose_name_plural = "сводки ответов"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "item", "value", "municipality", "school_kind", "role"],
                name="response_tally_unique_cell",
                violation_error_message="Такая ячейка сводки уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}={self.value}: {self.count}"


__all__ = [
    "Campaign",
    "CampaignStatus",
    "Invitation",
    "Questionnaire",
    "QuestionnaireEdition",
    "RespondentRole",
    "Response",
    "ResponseTally",
    "TargetKind",
]
