"""factory_boy factories for the monitored world."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from deficits.scoring import active_instrument, diagnostic_submit
from monitoring import models


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Region
        django_get_or_create = ("code",)

    code = "34"
    name = "Волгоградская область"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Municipality

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"{n + 1:02d}")
    name = factory.Sequence(lambda n: f"Муниципальный район № {n + 1}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.School

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"{n + 1:06d}")
    name = factory.Sequence(lambda n: f"МБОУ «Средняя школа № {n + 1}»")
    kind = models.SchoolKind.GENERAL


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MonitoringPeriod
        django_get_or_create = ("year",)

    year = 2025
    reference_date = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Teacher

    code = factory.Sequence(lambda n: f"T{n + 1:07d}")
    full_name = factory.Sequence(lambda n: f"Иванова Мария Петровна {n + 1}")
    sex = models.Sex.FEMALE
    birth_date = dt.date(1980, 5, 17)


class RosterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RosterEntry

    period = factory.SubFactory(PeriodFactory)
    teacher = factory.SubFactory(TeacherFactory)
    school = factory.SubFactory(SchoolFactory)
    position = "учитель"
    subjects = factory.LazyFunction(lambda: ["Математика"])
    education_level = models.EducationLevel.HIGHER
    pedagogical_education = True
    education_matches_profile = True
    workload = Decimal("1.00")


class StaffingRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StaffingRow

    period = factory.SubFactory(PeriodFactory)
    school = factory.SubFactory(SchoolFactory)
    position = factory.Sequence(lambda n: f"должность {n}")
    positions_by_schedule = Decimal("10")
    actual_need = Decimal("10")
    vacant_positions = Decimal("1")
    vacant_posts = 1


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SchoolSubmission

    period = factory.SubFactory(PeriodFactory)
    school = factory.SubFactory(SchoolFactory)
    status = models.SubmissionStatus.SUBMITTED
    submitted_at = factory.LazyFunction(lambda: dt.datetime(2025, 10, 1, 12, 0, tzinfo=dt.UTC))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = models.Role.ANALYST
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


# ---------------------------------------------------------------------------
# Diagnostics (deficits)
# ---------------------------------------------------------------------------

GROUP_CODES = ("МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР")


def answers_for(scores: dict[str, int] | None = None, *, default: int = 35) -> dict[str, int]:
    """Ten 1–4 answers per group of the shipped instrument summing to each wanted score (10–40)."""
    answers = {}
    for group in GROUP_CODES:
        total = (scores or {}).get(group, default)
        base, extra = divmod(total - 10, 10)  # every item gets 1 + base, `extra` items one more
        for number in range(1, 11):
            answers[f"{group}-{number}"] = 1 + base + (1 if number <= extra else 0)
    return answers


class DiagnosticFactory(factory.django.DjangoModelFactory):
    """A diagnostic of the shipped instrument; ``scores={"ИКТ": 22}`` sets group sums, ``submit=True`` scores it."""

    class Meta:
        model = "deficits.Diagnostic"
        skip_postgeneration_save = True

    class Params:
        scores = None

    teacher = factory.SubFactory(TeacherFactory)
    instrument = factory.LazyFunction(active_instrument)
    date = dt.date(2025, 3, 1)
    kind = "входная"
    status = "draft"
    answers = factory.LazyAttribute(lambda o: answers_for(o.scores))

    @factory.post_generation
    def submit(obj, create, extracted, **kwargs):
        if create and extracted:
            diagnostic_submit(diagnostic=obj)


# ---------------------------------------------------------------------------
# The DPO catalog and routes (iom)
# ---------------------------------------------------------------------------


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "iom.Provider"
        django_get_or_create = ("name",)

    name = "ГАУ ДПО «Волгоградская государственная академия последипломного образования»"


class ProgramFactory(factory.django.DjangoModelFactory):
    """A catalog program; ``groups=["ИКТ"]``, ``topics``, ``positions`` become its tags."""

    class Meta:
        model = "iom.Program"
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"П-{n + 1:03d}")
    name = factory.Sequence(lambda n: f"Программа повышения квалификации № {n + 1}")
    provider = factory.SubFactory(ProviderFactory)
    kind = "ПК"
    hours = 36

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        _tags(obj, create, "competence", extracted)

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        _tags(obj, create, "topic", extracted)

    @factory.post_generation
    def positions(obj, create, extracted, **kwargs):
        _tags(obj, create, "position", extracted)


def _tags(program, create, kind, values) -> None:
    if create and values:
        from iom.models import ProgramTag

        ProgramTag.objects.bulk_create([ProgramTag(program=program, kind=kind, value=v) for v in values])


class CourseRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "iom.CourseRun"

    code = factory.Sequence(lambda n: f"К-{n + 1:04d}")
    program = factory.SubFactory(ProgramFactory)
    start = dt.date(2025, 3, 1)
    end = dt.date(2025, 3, 20)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "iom.Enrollment"

    teacher = factory.SubFactory(TeacherFactory)
    course = factory.SubFactory(CourseRunFactory)
    status = "завершил"
    final_attestation = True


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "iom.Route"

    teacher = factory.SubFactory(TeacherFactory)
    start = dt.date(2025, 3, 1)
    end = dt.date(2026, 2, 28)
    based_on_diagnostic = True
    status = "approved"


class RouteActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "iom.RouteActivity"

    route = factory.SubFactory(RouteFactory)
    kind = "самообразование"
    title = "Изучение методической литературы"
    due = dt.date(2025, 9, 1)


# ---------------------------------------------------------------------------
# Jobs, files and documents (the doors' objects: imports, exports, runs, letters, measures)
# ---------------------------------------------------------------------------


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A school's staffing upload, checked, awaiting confirmation; ``school=None, kind="package"`` for the region."""

    class Meta:
        model = models.ImportJob

    kind = models.ImportKind.STAFFING
    period = factory.SubFactory(PeriodFactory)
    school = factory.SubFactory(SchoolFactory)
    original_name = "Штатное расписание.xlsx"
    file = factory.django.FileField(filename="upload.xlsx", data=b"not really a workbook")
    status = models.ImportStatus.CHECKED


class ExportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ExportJob

    period = factory.SubFactory(PeriodFactory)
    status = models.ExportStatus.READY
    file = factory.django.FileField(filename="export.xlsx", data=b"export")


class ComputationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "indicators.ComputationRun"

    period = factory.SubFactory(PeriodFactory)
    status = "done"


# The tests' institute: a blank of no real region (the code has none; the demo seeds its own).
TEST_INSTITUTE = {
    "name": "ГАУ ДПО «Институт развития образования»",
    "short_name": "ГАУ ДПО ИРО",
    "address": "100000, г. Энск, ул. Школьная, д. 1",
    "city": "Энск",
    "phone": "(000) 00-00-00",
    "email": "info@iro.example",
    "ogrn": "1023403432290",
    "inn_kpp": "3446006416/344601001",
    "signatory_position": "Ректор",
    "signatory_name": "И.А. Воронина",
}


def institute_issuer():
    """The institute's blank of the tests (made on first need)."""
    from reports.models import Issuer

    issuer = Issuer.objects.filter(kind="institute").order_by("pk").first()
    return issuer or Issuer.objects.create(kind="institute", **TEST_INSTITUTE)


def _indicator(code: str):
    from indicators.engine import ensure_indicators

    return ensure_indicators()[code]


class LetterFactory(factory.django.DjangoModelFactory):
    """A draft of the institute to the school heads of a municipality (``issuer`` defaults to the institute's)."""

    class Meta:
        model = "reports.Letter"

    period = factory.SubFactory(PeriodFactory)
    issuer = factory.LazyFunction(lambda: institute_issuer())
    addressee = "school_heads"
    municipality = factory.SubFactory(MunicipalityFactory)
    addressee_line = "Руководителям общеобразовательных организаций"
    title = "Об итогах мониторинга"
    signatory_position = "Ректор"
    signatory_name = "И. И. Иванов"


def municipal_issuer(municipality):
    """A municipality's education authority's blank, as its letters make it on first need."""
    from reports.letters.permissions import municipal_issuer as made

    return made(municipality=municipality)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting of the institute's adopting body; ``protocol=True`` attaches a protocol PDF."""

    class Meta:
        model = "reports.Meeting"

    class Params:
        protocol = False

    issuer = factory.LazyFunction(lambda: institute_issuer())
    number = factory.Sequence(lambda n: str(n + 1))
    date = dt.date(2026, 2, 14)
    agenda = "Итоги мониторинга"
    protocol_file = factory.Maybe(
        "protocol", factory.django.FileField(filename="protocol.pdf", data=b"%PDF-1.4 protocol"), None
    )


class PresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.Presentation"

    period = factory.SubFactory(PeriodFactory)
    date = dt.date(2026, 9, 14)
    kind = "webinar"
    title = "Итоги мониторинга"
    audience = "муниципальные органы управления образованием, руководители ОО"


class LetterItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.LetterItem"

    letter = factory.SubFactory(LetterFactory)
    kind = "recommendation"
    addressee = "school_heads"
    order = 1
    text = "Организовать повышение квалификации."


def letter_issue_as_stored(letter, *, number: str, content: bytes = b"%PDF-1.7 issued") -> None:
    """Mark a letter issued with a stored PDF and its hash, as letter_issue leaves it, without rendering one."""
    import hashlib

    from django.core.files.base import ContentFile

    letter.pdf.save(f"letter-{letter.pk}.pdf", ContentFile(content), save=False)
    type(letter).objects.filter(pk=letter.pk).update(
        status="issued",
        number=number,
        issued_on=dt.date(2026, 3, 2),
        pdf=letter.pdf.name,
        pdf_sha256=hashlib.sha256(content).hexdigest(),
    )
    letter.refresh_from_db()


class MeasureFactory(factory.django.DjangoModelFactory):
    """A decision about a school (``school`` sets the municipality and the code); needs the indicator catalog."""

    class Meta:
        model = "reports.Measure"

    period = factory.SubFactory(PeriodFactory)
    text = "Провести методический семинар"
    responsible = "Петров П. П."
    due = dt.date(2026, 6, 1)
    indicator = factory.LazyFunction(lambda: _indicator("1.1"))
    level = "school"
    school = factory.SubFactory(SchoolFactory)
    municipality = factory.LazyAttribute(lambda o: o.school.municipality if o.school else None)
    org_code = factory.LazyAttribute(lambda o: o.school.code if o.school else "34")
    target = Decimal("50")


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.Notice"

    user = factory.SubFactory(UserFactory)
    text = "Срок сдачи данных через неделю"
    url = "/"
    key = factory.Sequence(lambda n: f"notice-{n}")


class AnnualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.AnnualReport"

    period = factory.SubFactory(PeriodFactory)
    status = "done"
    progress = 100
    pdf = factory.django.FileField(filename="annual.pdf", data=b"%PDF-1.7 report")
    xlsx = factory.django.FileField(filename="annual.xlsx", data=b"xlsx")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    """A school's value of an indicator (``school`` sets the municipality and the code); needs the catalog."""

    class Meta:
        model = "indicators.IndicatorValue"

    period = factory.SubFactory(PeriodFactory)
    indicator = factory.LazyFunction(lambda: _indicator("1.1"))
    level = "school"
    school = factory.SubFactory(SchoolFactory)
    municipality = factory.LazyAttribute(lambda o: o.school.municipality if o.school else None)
    org_code = factory.LazyAttribute(lambda o: o.school.code if o.school else "34")
    numerator = Decimal("1")
    denominator = Decimal("4")
    value = Decimal("25")
    computed_at = factory.LazyFunction(lambda: dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC))


class FindingFactory(factory.django.DjangoModelFactory):
    """A school missing the threshold of an indicator; needs the catalog."""

    class Meta:
        model = "reports.Finding"

    period = factory.SubFactory(PeriodFactory)
    indicator = factory.LazyFunction(lambda: _indicator("1.1"))
    level = "school"
    school = factory.SubFactory(SchoolFactory)
    municipality = factory.LazyAttribute(lambda o: o.school.municipality if o.school else None)
    org_code = factory.LazyAttribute(lambda o: o.school.code if o.school else "34")
    org_name = factory.LazyAttribute(lambda o: o.school.name if o.school else "Регион")
    value = Decimal("25")
    threshold = Decimal("50")
