"""Direction 2 — Учет индивидуальных образовательных маршрутов (ИОМ).

Routes, activities and enrollments belong to the school of their teacher's roster row
of the period; those of people not on the period's roster count nowhere. A route is
active in the period when its dates overlap [Y-01-01, Y-12-31] (``Route.objects.active_in``).

Choices where the spec leaves room:

- 2.1: a route counts whatever its approval state (draft, submitted, returned,
  approved): a route corrected after an intermediate diagnostic goes back to draft
  and is still the teacher's route; approval is measured by 2.4.
- 2.2: the denominator is 1.9's numerator (rostered teachers whose latest diagnostic
  of the period has at least one deficit); the numerator those of them counted in 2.1.
- 2.3: counted per municipality (start: municipality). The list of schools without
  a route is :func:`schools_without_routes`: schools of the unit with at least one
  teacher on the period's roster and none counted in 2.1 (a school without a roster
  for the period has nobody to write a route for).
- 2.4: "approved by the school head" is the route's state ``approved`` (the package's
  «Согласован» column sets the same state); a corrected route awaiting re-approval
  is not approved. Routes are counted, not teachers.
- 2.5: activities due within the period, of any route (any state) of a rostered
  teacher; "done" is the activity's done mark.
- 2.6: "corrected" is the route's corrected mark; routes are counted, not teachers.
- 2.7: "completed" is the enrollment status «завершил» (final attestation is 3.15's
  concern); a teacher counts once however many such runs.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q

from deficits.models import Diagnostic
from indicators.context import Context, Contribution, roster_count, roster_share
from indicators.definitions.d1 import latest, runs_ending
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from iom.models import Enrollment, EnrollmentStatus, Route, RouteActivity, RouteStatus
from monitoring.models import MonitoringPeriod, School


def on_roster(ctx, teacher: str) -> tuple[Q, str]:
    """Join rows owned by a teacher (``teacher`` is the path to Teacher) to the teacher's roster row.

    Returns the filter keeping rows whose teacher is on the period's roster in the
    chunk, and the path of that roster row's school to group by. One roster row per
    teacher and period, so the join neither repeats nor drops rows. The filter must
    be given in a single ``filter()`` call so both conditions use the same join.
    """
    rel = f"{teacher}__roster_entries"
    return Q(**{f"{rel}__period": ctx.period}) & ctx.within_schools(f"{rel}__school_id"), f"{rel}__school_id"


def per_roster_school(ctx, queryset, teacher: str, *, num: Q | None = None, breakdown: str = "") -> list[Contribution]:
    """Rows of ``queryset`` matching ``num`` over all its rows, per school of the owner's roster row."""
    cond, school = on_roster(ctx, teacher)
    rows = (
        queryset.filter(cond)
        .values(school)
        .annotate(num=Count("pk", filter=num) if num is not None else Count("pk"), den=Count("pk"))
        .order_by()
    )
    return [Contribution(Level.SCHOOL, r[school], breakdown, r["num"], r["den"]) for r in rows]


def active_routes(ctx):
    return Route.objects.active_in(ctx.period)


def with_diagnostic_route(ctx) -> Q:
    """Roster rows counted in 2.1: the teacher has an active route marked "based on diagnostic"."""
    routes = active_routes(ctx).filter(ctx.teachers_within(), based_on_diagnostic=True)
    return Q(teacher_id__in=routes.values("teacher_id"))


def with_deficits(ctx) -> Q:
    """Roster rows counted in 1.9's numerator: the latest diagnostic of the period has a deficit."""
    return Q(teacher_id__in=Diagnostic.objects.filter(pk__in=latest(ctx)).with_any_deficit().values("teacher_id"))


def completed_teachers(ctx, **program) -> Q:
    """Roster rows whose teacher completed a run ending in the period of a program matching ``program``."""
    enrollments = Enrollment.objects.filter(
        ctx.teachers_within(),
        status=EnrollmentStatus.COMPLETED,
        course__in=runs_ending(ctx),
        **{f"course__program__{k}": v for k, v in program.items()},
    )
    return Q(teacher_id__in=enrollments.values("teacher_id"))


indicator(
    Definition(
        "2.1",
        "Количество педагогов, имеющих ИОМ, разработанный на основе диагностики профессиональных дефицитов",
        Unit.COUNT,
        compute=lambda ctx: roster_count(ctx, with_diagnostic_route(ctx)),
        note="Учитывается маршрут в любом состоянии (составляется, на согласовании, согласован), "
        "если его сроки пересекаются с годом периода и он отмечен «на основе диагностики».",
    )
)

indicator(
    Definition(
        "2.2",
        "Доля педагогов с ИОМ от числа педагогов с выявленными дефицитами",
        Unit.PERCENT,
        compute=lambda ctx: roster_share(ctx, with_diagnostic_route(ctx), among=with_deficits(ctx)),
        target=Decimal(100),
        threshold=Decimal(50),
        note="Знаменатель — педагоги, у которых последняя диагностика периода выявила хотя бы один дефицит "
        "(числитель 1.9); числитель — те из них, кто учтен в 2.1.",
    )
)


def _schools_with_routes(ctx):
    rows = (
        ctx.roster()
        .filter(with_diagnostic_route(ctx))
        .values("school__municipality_id")
        .annotate(n=Count("school_id", distinct=True))
        .order_by()
    )
    return [Contribution(Level.MUNICIPALITY, r["school__municipality_id"], "", r["n"], None) for r in rows]


def schools_without_routes(period: MonitoringPeriod, municipality_ids: list[int] | None = None):
    """The schools 2.3 leaves out: a teacher on the period's roster, none counted in 2.1.

    Part of 2.3's result (the spec: "the school list of those without one"); restricted
    to ``municipality_ids`` when given.
    """
    ctx = Context(period=period, municipality_ids=municipality_ids)
    rostered = ctx.roster().values("school_id")
    with_route = ctx.roster().filter(with_diagnostic_route(ctx)).values("school_id")
    return School.objects.filter(pk__in=rostered).exclude(pk__in=with_route).order_by("code")


indicator(
    Definition(
        "2.3",
        "Число образовательных организаций, в которых разработаны ИОМ",
        Unit.COUNT,
        start=Level.MUNICIPALITY,
        compute=_schools_with_routes,
        note="Школы, где хотя бы один педагог из списка периода учтен в 2.1. Список школ без ИОМ — "
        "школы муниципалитета с педагогами в списке периода, из которых ни один не учтен в 2.1.",
    )
)

indicator(
    Definition(
        "2.4",
        "Доля ИОМ, согласованных с работодателем",
        Unit.PERCENT,
        compute=lambda ctx: per_roster_school(ctx, active_routes(ctx), "teacher", num=Q(status=RouteStatus.APPROVED)),
        target=Decimal(100),
        note="Считаются маршруты (не педагоги), сроки которых пересекаются с годом периода, педагогов из "
        "списка периода; согласованный — в состоянии «Согласован». Скорректированный маршрут, "
        "ожидающий повторного согласования, не согласован.",
    )
)

indicator(
    Definition(
        "2.5",
        "Доля выполненных мероприятий ИОМ",
        Unit.PERCENT,
        compute=lambda ctx: per_roster_school(
            ctx,
            RouteActivity.objects.filter(due__gte=ctx.period.start, due__lte=ctx.period.end),
            "route__teacher",
            num=Q(done=True),
        ),
        target=Decimal(100),
        note="Мероприятия со сроком в году периода из маршрутов (в любом состоянии) педагогов из списка "
        "периода; выполненные — отмеченные выполненными.",
    )
)

indicator(
    Definition(
        "2.6",
        "Доля ИОМ, скорректированных по результатам промежуточной диагностики",
        Unit.PERCENT,
        compute=lambda ctx: per_roster_school(ctx, active_routes(ctx), "teacher", num=Q(corrected=True)),
        note="Считаются маршруты (не педагоги), сроки которых пересекаются с годом периода, педагогов из "
        "списка периода; скорректированный — с отметкой «скорректирован».",
    )
)

indicator(
    Definition(
        "2.7",
        "Число педагогов, обученных по программам, сформированным на основе диагностики профессиональных компетенций",
        Unit.COUNT,
        compute=lambda ctx: roster_count(ctx, completed_teachers(ctx, diagnostics_based=True)),
        note="Педагоги из списка периода со статусом обучения «завершил» на курсе, окончившемся в году "
        "периода, по программе с отметкой «на основе диагностики»; педагог учитывается один раз.",
    )
)
