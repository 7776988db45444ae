"""Recommendation texts, issuing bodies, addressed-recommendation letters and their register."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from indicators.models import Indicator
from monitoring.models import MonitoringPeriod, Municipality, RandomName, ScopedManager, ScopePaths


class AddresseeKind(models.TextChoices):
    MUNICIPAL = "municipal", "Органам местного самоуправления, осуществляющим управление в сфере образования"
    SCHOOL_HEADS = "school_heads", "Руководителям общеобразовательных организаций"
    INSTITUTE = "institute", "Институту развития образования"


class TextKind(models.TextChoices):
    CONCLUSION = "conclusion", "вывод"
    RECOMMENDATION = "recommendation", "рекомендация"


class RecommendationText(models.Model):
    """A conclusion or recommendation of the library, for an indicator (or a direction) and an addressee kind.

    Placeholders filled from the findings in scope: ``{count}`` units, ``{units}`` their
    names, ``{value}``/``{threshold}`` for a single unit, ``{period}`` the year.
    """

    kind = models.CharField("вид", max_length=20, choices=TextKind.choices)
    direction = models.PositiveSmallIntegerField("направление")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="texts", verbose_name="показатель"
    )
    addressee = models.CharField("адресат", max_length=20, choices=AddresseeKind.choices, blank=True)
    text = models.TextField("текст")
    order = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("используется", default=True)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "текст библиотеки рекомендаций"
        verbose_name_plural = "библиотека выводов и рекомендаций"
        ordering = ["direction", "indicator__order", "kind", "addressee", "order"]
        constraints = [
            models.CheckConstraint(
                name="recommendation_has_addressee",
                condition=Q(kind="conclusion") | ~Q(addressee=""),
                violation_error_message="У рекомендации должен быть адресат.",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class IssuerKind(models.TextChoices):
    INSTITUTE = "institute", "институт"
    MUNICIPAL = "municipal", "муниципальный орган управления образованием"


# ОКПО: 8 digits for an organisation, 10 for an individual entrepreneur (Rosstat's notice).
OKPO_MESSAGE = "ОКПО должен состоять из 8 или 10 цифр."


class Issuer(models.Model):
    """An issuing body and its letterhead: name, address and requisites, signatory, number prefix.

    Entered once (the setup page, ``reports.issuers``) and read by every document that
    wears the body's blank: letters and the annual report. The code carries no
    requisites of its own: a portal without the institute's setup asks for it.
    """

    kind = models.CharField("вид", max_length=20, choices=IssuerKind.choices)
    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="issuer",
        verbose_name="муниципалитет",
    )
    name = models.CharField(
        "полное наименование", max_length=500, help_text="Как на бланке и на титульном листе отчета."
    )
    short_name = models.CharField(
        "краткое наименование",
        max_length=255,
        blank=True,
        help_text="Например, ГАУ ДПО «ИРО»: для перечней и адресатов.",
    )
    address = models.CharField("адрес", max_length=500, blank=True, help_text="С почтовым индексом.")
    city = models.CharField(
        "город (место составления)",
        max_length=100,
        blank=True,
        help_text="Печатается на титульном листе годового отчета рядом с годом.",
    )
    phone = models.CharField("телефон", max_length=100, blank=True)
    fax = models.CharField("факс", max_length=100, blank=True)
    email = models.EmailField("e-mail", blank=True)
    site = models.CharField("сайт", max_length=200, blank=True)
    okpo = models.CharField(
        "ОКПО",
        # 14 as before: the history keeps whatever was typed before the digits were checked.
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^([0-9]{8}|[0-9]{10})$", OKPO_MESSAGE)],
        help_text="8 цифр (10 — у индивидуального предпринимателя), как в уведомлении Росстата.",
    )
    ogrn = models.CharField("ОГРН", max_length=15, blank=True)
    inn_kpp = models.CharField("ИНН/КПП", max_length=30, blank=True)
    signatory_position = models.CharField("должность подписанта", max_length=255)
    signatory_name = models.CharField("подписант (инициалы, фамилия)", max_length=255)
    # The person who signs, when they have a login: only they approve the body's letters as
    # signatory, and the letters print their name (with the position above).
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="подписант (пользователь портала)",
        help_text="Если указан, письма органа согласует только он, и письма подписываются его именем.",
    )
    # The body that adopts this issuer's recommendations, in the genitive as the letter cites it:
    # «одобрены на заседании программно-методического совета». Editable per issuer (seeds/000).
    adoption_body = models.CharField(
        "совет, одобряющий рекомендации (в родительном падеже)",
        max_length=255,
        default="научно-методического совета",
        help_text="Как в письме: «одобрены на заседании …», например «программно-методического совета».",
    )
    number_suffix = models.CharField("суффикс исходящего номера", max_length=20, blank=True)

    scope_paths = ScopePaths(public=True)
    objects = ScopedManager()
    history = HistoricalRecords()

    # What a blank cannot go without; the rest is printed when given.
    REQUIRED_FOR_BLANK = ("name", "address", "city", "signatory_position", "signatory_name")

    class Meta:
        verbose_name = "орган, издающий письма"
        verbose_name_plural = "органы, издающие письма (бланки)"
        constraints = [
            models.CheckConstraint(
                name="issuer_municipal_has_municipality",
                condition=Q(kind="institute", municipality__isnull=True)
                | Q(kind="municipal", municipality__isnull=False),
                violation_error_message="Муниципальный орган должен быть связан с муниципалитетом, институт — нет.",
            ),
            models.CheckConstraint(
                name="issuer_okpo_digits",
                condition=Q(okpo="") | Q(okpo__regex=r"^([0-9]{8}|[0-9]{10})$"),
                violation_error_message=OKPO_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def missing_for_blank(self) -> list[str]:
        """The labels of the requisites a blank needs and this body has not filled in yet."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.REQUIRED_FOR_BLANK
            # «—» is what an authority created on first need carries until its officials fill it in.
            if getattr(self, name).strip() in ("", "—", "-")
        ]

    @property
    def is_complete(self) -> bool:
        return not self.missing_for_blank

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name

    @property
    def requisite_lines(self) -> list[str]:
        """The letterhead's lines under the name: address and contacts, then the registration numbers."""
        contacts = [self.address] if self.address else []
        contacts += [f"{label} {value}" for label, value in (("Тел.", self.phone), ("Факс", self.fax)) if value]
        online = [f"{label} {value}" for label, value in (("E-mail:", self.email), ("Сайт:", self.site)) if value]
        codes = [
            f"{label} {value}"
            for label, value in (("ОКПО", self.okpo), ("ОГРН", self.ogrn), ("ИНН/КПП", self.inn_kpp))
            if value
        ]
        return [line for line in (". ".join(contacts), ", ".join(online), ", ".join(codes)) if line]


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Черновик"
    APPROVED = "approved", "Согласовано подписантом"
    ISSUED = "issued", "Зарегистрировано и отправлено"


class DocumentKind(models.TextChoices):
    LETTER = "letter", "письмо"
    NOTE = "note", "справка"


class Letter(models.Model):
    """An addressed-recommendation letter (or справка); once issued its text, number and PDF never change."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.PROTECT, related_name="letters", verbose_name="период"
    )
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="letters", verbose_name="от кого")
    document_kind = models.CharField("вид документа", max_length=10, choices=DocumentKind.choices, default="letter")
    # Addressees: a kind and its scope (all school heads of a municipality, one authority, …).
    addressee = models.CharField("адресат", max_length=20, choices=AddresseeKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name="муниципалитет",
    )
    addressee_line = models.CharField("адресат (как в письме)", max_length=500)
    title = models.TextField("заголовок")
    introduction = models.TextField("вступление", blank=True)
    closing = models.TextField("заключение", blank=True)
    protocol = models.CharField("протокол (для справки)", max_length=255, blank=True)
    # The meeting of the issuer's adopting body that approved the recommendations; the letter
    # cites its protocol (number and date). The free-text protocol above is kept for old letters.
    meeting = models.ForeignKey(
        "reports.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name="заседание, одобрившее рекомендации",
    )
    # The letter this one answers: its number and its date, printed «на № 12-34 от 01.02.2025».
    reply_to = models.CharField("на № (номер письма)", max_length=255, blank=True)
    reply_to_date = models.DateField("от (дата письма)", null=True, blank=True)
    status = models.CharField("состояние", max_length=20, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    signatory_position = models.CharField("должность подписанта", max_length=255)
    signatory_name = models.CharField("подписант", max_length=255)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="автор"
    )
    # Bumped by every saved edit of the draft: an editor's form carries the revision it was
    # opened at, and a save over someone else's newer edit is refused instead of erasing it.
    revision = models.PositiveIntegerField("редакция", default=0, editable=False)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кем согласовано",
    )
    approved_at = models.DateTimeField("согласовано", null=True, blank=True)
    number = models.CharField("исходящий номер", max_length=50, blank=True)
    issued_on = models.DateField("дата", null=True, blank=True)
    pdf = models.FileField("PDF", upload_to=RandomName("letters"), blank=True)
    pdf_sha256 = models.CharField("SHA-256 PDF", max_length=64, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name="исправляет"
    )

    # A letter names its municipality, or none when it goes to the whole region; a school
    # head reads the letters of their school's municipality and the region's.
    scope_paths = ScopePaths(municipality="municipality", school="municipality__schools", region_wide="municipality")
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "письмо с адресными рекомендациями"
        verbose_name_plural = "письма с адресными рекомендациями"
        ordering = ["-period__year", "-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="letter_issued_has_number",
                condition=~Q(status="issued") | (~Q(number="") & Q(issued_on__isnull=False) & ~Q(pdf_sha256="")),
                violation_error_message="У зарегистрированного письма должны быть номер, дата и PDF.",
            ),
            models.UniqueConstraint(
                fields=["issuer", "number"],
                condition=~Q(number=""),
                name="letter_number_unique",
                violation_error_message="Такой исходящий номер у этого органа уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or 'проект'}: {self.title[:60]}"

    @property
    def is_issued(self) -> bool:
        return self.status == LetterStatus.ISSUED


class LetterItem(models.Model):
    """A numbered conclusion or recommendation of a letter (recommendations grouped by addressee)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="items", verbose_name="письмо")
    kind = models.CharField("вид", max_length=20, choices=TextKind.choices)
    addressee = models.CharField("адресат", max_length=20, choices=AddresseeKind.choices, blank=True)
    indicator = models.ForeignKey(Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    order = models.PositiveSmallIntegerField("порядок", default=0)
    text = models.TextField("текст")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "пункт письма"
        verbose_name_plural = "пункты письма"
        ordering = ["letter", "kind", "addressee", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class OutgoingRegister(models.Model):
    """An issuing body's register of outgoing numbers for a year (numbers are drawn under a row lock)."""

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="registers")
    year = models.PositiveSmallIntegerField("год")
    last_number = models.PositiveIntegerField("последний номер", default=0)

    class Meta:
        verbose_name = "журнал исходящих"
        verbose_name_plural = "журналы исходящих"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year"],
                name="register_unique_year",
                violation_error_message="Журнал этого года у органа уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.year}: {self.last_number}"


class LetterReceipt(models.Model):
    """An addressee's confirmation that they have read a letter."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField("прочитано", auto_now_add=True)

    class Meta:
        verbose_name = "отметка о прочтении"
        verbose_name_plural = "отметки о прочтении"
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "user"], name="receipt_unique", violation_error_message="Прочтение уже отмечено."
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} прочитал {self.letter_id}"
