"""Direction 3 — Профессиональная переподготовка и качество ДПП.

3.1–3.13 are about the region's catalog (from: region): the programs with a course
run ending in the period, each counted once however many runs. 3.14–3.16 count
enrollments or teachers at the school of the teacher's roster row of the period;
enrollments of people not on the period's roster count nowhere.

Choices where the spec leaves room:

- 3.8: a program of that set counts when at least one activity of a route active in
  the period (dates overlap the year, any approval state) of a teacher on the
  period's roster refers to it, whatever the activity's due date or kind.
- 3.11: 1 when at least one submitted diagnostic of a teacher on the period's roster
  is dated in the period, else 0 (a draft is not a diagnostic yet).
- 3.14: every enrollment on a run ending in the period with a satisfaction given,
  whatever its status (an expelled listener's rating counts too).
- 3.15: enrollments are counted (a teacher on two runs counts twice); the numerator
  is status «завершил» with final attestation passed, the denominator every
  enrollment on those runs (completed, still enrolled or expelled).
- 3.16: "without pedagogical education" is the roster row's mark; "completed" is
  status «завершил» on a run of a `ПП` program that ended on or before Y-12-31.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q

from deficits.models import Diagnostic
from indicators.context import Contribution, roster_share
from indicators.definitions.d1 import runs_ending
from indicators.definitions.d2 import active_routes, per_roster_school
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from iom.models import PROGRAM_FLAGS, Enrollment, EnrollmentStatus, Program, ProgramKind, RouteActivity


def programs(ctx):
    """The programs of 3.x and 4.1: those with a course run ending in the period."""
    return Program.objects.filter(pk__in=runs_ending(ctx).values("program_id"))


def program_flags(ctx) -> dict[str, int]:
    """One aggregate over the programs of the period: ``total`` and the count per flag of PROGRAM_FLAGS."""

    def build():
        return programs(ctx).aggregate(
            total=Count("pk"), **{flag: Count("pk", filter=Q(**{flag: True})) for flag in PROGRAM_FLAGS}
        )

    return ctx.cached("program_flags", build)


def flag_share(flag: str):
    def compute_region(ctx):
        counts = program_flags(ctx)
        return [Contribution(Level.REGION, None, "", counts[flag], counts["total"])]

    return compute_region


_NOTE = "Среди программ, у которых хотя бы один курс окончился в году периода (каждая программа — один раз)."

FLAG_INDICATORS = (
    ("3.1", "Доля ДПП, размещенных в единой информационной системе", "in_registry"),
    ("3.2", "Доля ДПП, информационно и методически обеспеченных средствами цифровой среды", "digital_support"),
    ("3.3", "Доля ДПП, разработанных с учетом потребностей, отраженных в муниципальном заказе", "municipal_order"),
    (
        "3.4",
        "Доля ДПП, разработанных с учетом диагностики профессиональных дефицитов по результатам ГИА "
        "и мониторинговых исследований",
        "exam_based",
    ),
    ("3.5", "Доля ДПП, разработанных с учетом результатов оценки компетенций на основе ЕФОМ", "efom"),
    ("3.6", "Доля ДПП, разработанных с учетом направлений проектов и программ региона", "regional_projects"),
    ("3.7", "Доля ДПП, прошедших независимую (внешнюю) экспертизу", "external_review"),
    (
        "3.9",
        "Доля ДПП, реализованных по муниципальному запросу для команд образовательных организаций",
        "for_school_teams",
    ),
    (
        "3.10",
        "Доля адресных ДПП, разработанных по запросу профессиональных объединений",
        "by_association_request",
    ),
    ("3.12", "Доля программ, реализованных на основе сетевого взаимодействия", "network_form"),
    ("3.13", "Доля программ, реализованных в форме стажировки", "internship"),
)

for _code, _title, _flag in FLAG_INDICATORS:
    indicator(
        Definition(
            _code,
            _title,
            Unit.PERCENT,
            start=Level.REGION,
            compute_region=flag_share(_flag),
            note=f"{_NOTE} Признак «{PROGRAM_FLAGS[_flag]}» листа «Программы ДПП».",
        )
    )


def _in_routes(ctx):
    cited = RouteActivity.objects.filter(
        route__in=active_routes(ctx).filter(teacher_id__in=ctx.roster_teachers()), program__isnull=False
    ).values("program_id")
    counts = programs(ctx).aggregate(num=Count("pk", filter=Q(pk__in=cited)), den=Count("pk"))
    return [Contribution(Level.REGION, None, "", counts["num"], counts["den"])]


indicator(
    Definition(
        "3.8",
        "Доля ДПП, включенных в индивидуальные образовательные маршруты",
        Unit.PERCENT,
        start=Level.REGION,
        compute_region=_in_routes,
        note=f"{_NOTE} Программа включена в ИОМ, если на нее ссылается хотя бы одно мероприятие маршрута "
        "(в любом состоянии), сроки которого пересекаются с годом периода, педагога из списка периода; "
        "срок самого мероприятия не важен.",
    )
)


def _has_diagnostics(ctx):
    exists = Diagnostic.objects.in_period(ctx.period).filter(teacher_id__in=ctx.roster_teachers()).exists()
    return [Contribution(Level.REGION, None, "", int(exists), None)]


indicator(
    Definition(
        "3.11",
        "Наличие диагностического инструментария, в том числе автоматизированных систем",
        Unit.FLAG,
        start=Level.REGION,
        compute_region=_has_diagnostics,
        target=Decimal(1),
        threshold=Decimal(1),
        note="1, если в году периода завершена хотя бы одна диагностика педагога из списка периода, иначе 0.",
    )
)


def enrollments(ctx):
    return Enrollment.objects.filter(course__in=runs_ending(ctx))


indicator(
    Definition(
        "3.14",
        "Удовлетворенность качеством ДПП (в процентах от количества слушателей)",
        Unit.PERCENT,
        compute=lambda ctx: per_roster_school(
            ctx, enrollments(ctx).filter(satisfaction__isnull=False), "teacher", num=Q(satisfaction__gte=4)
        ),
        target=Decimal(90),
        note="Записи на курсы, окончившиеся в году периода, педагогов из списка периода, с оценкой "
        "удовлетворенности (в любом статусе обучения); числитель — оценки 4 и 5.",
    )
)

indicator(
    Definition(
        "3.15",
        "Доля педагогов, успешно освоивших ДПП и прошедших итоговую аттестацию, к общей численности зачисленных",
        Unit.PERCENT,
        compute=lambda ctx: per_roster_school(
            ctx,
            enrollments(ctx),
            "teacher",
            num=Q(status=EnrollmentStatus.COMPLETED, final_attestation=True),
        ),
        threshold=Decimal(70),
        note="Считаются записи на курсы (педагог на двух курсах — две записи), окончившиеся в году периода, "
        "педагогов из списка периода; числитель — статус «завершил» и итоговая аттестация пройдена, "
        "знаменатель — все записи на эти курсы, включая отчисленных.",
    )
)


def _retrained(ctx) -> Q:
    done = Enrollment.objects.filter(
        ctx.teachers_within(),
        status=EnrollmentStatus.COMPLETED,
        course__program__kind=ProgramKind.PP,
        course__end__lte=ctx.period.end,
    )
    return Q(teacher_id__in=done.values("teacher_id"))


indicator(
    Definition(
        "3.16",
        "Доля педагогов без педагогического образования, освоивших программы профессиональной переподготовки "
        "педагогической направленности",
        Unit.PERCENT,
        compute=lambda ctx: roster_share(ctx, _retrained(ctx), among=Q(pedagogical_education=False)),
        target=Decimal(100),
        note="Знаменатель — педагоги из списка периода без отметки «педагогическое образование»; числитель — "
        "те из них со статусом «завершил» на курсе программы вида ПП, окончившемся не позже конца года периода.",
    )
)
