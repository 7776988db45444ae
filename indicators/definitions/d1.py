"""Direction 1 — Выявление профессиональных дефицитов педагогических работников.

Choices where the spec leaves room:

- A diagnostic counts when submitted (a draft in the browser is not a diagnostic yet).
- 1.4: a program without target positions has no position to be counted under.
- 1.5: a teacher counts once per provider (enrolled on several runs of one provider),
  at the school of their roster row; the breakdown key is the provider's name.
- 1.7–1.9 use each teacher's latest diagnostic dated in the period (by date, then id),
  scored with the edition it was taken with; the denominator is 1.1's numerator.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from deficits.models import Diagnostic, GroupResult
from indicators.context import Contribution, key, per_school, roster_count, roster_share
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from iom.models import CourseRun, Enrollment, Program, ProgramTag, TagKind

GROUPS = ("МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР")
LEVELS = ("оптимальный", "допустимый", "пороговый")


def diagnosed(ctx) -> Q:
    """Roster rows whose teacher has a submitted diagnostic dated in the period."""
    return Q(teacher_id__in=Diagnostic.objects.in_period(ctx.period).filter(ctx.teachers_within()).values("teacher_id"))


def latest(ctx):
    """Each teacher's latest diagnostic of the period; on a chunk, of the chunk's rostered teachers only.

    The chunk's values never read another teacher's (every use is matched against the
    chunk's roster), and picking the latest over the whole country cost each chunk a
    sort of the country's diagnostics.
    """
    teachers = ctx.roster_teachers() if ctx.municipality_ids is not None else None
    return ctx.cached("latest", lambda: Diagnostic.objects.latest_in_period(ctx.period, teachers=teachers).values("pk"))


def runs_ending(ctx):
    return CourseRun.objects.ending_in(ctx.period)


indicator(
    Definition(
        "1.1",
        "Количество педагогических работников, прошедших диагностику профессиональных дефицитов",
        Unit.COUNT,
        compute=lambda ctx: roster_count(ctx, diagnosed(ctx)),
    )
)

indicator(
    Definition(
        "1.2",
        "Доля педагогов, прошедших диагностику профессиональных дефицитов, от общего количества педагогов",
        Unit.PERCENT,
        compute=lambda ctx: roster_share(ctx, diagnosed(ctx)),
        target=Decimal(100),
        threshold=Decimal(70),
    )
)


def _providers(ctx):
    count = runs_ending(ctx).values("program__provider_id").distinct().count()
    return [Contribution(Level.REGION, None, "", count, None)]


indicator(
    Definition(
        "1.3",
        "Число организаций, осуществляющих обучение по дополнительным профессиональным программам",
        Unit.COUNT,
        start=Level.REGION,
        compute_region=_providers,
    )
)


def _programs_by_position(ctx):
    programs = Program.objects.filter(pk__in=runs_ending(ctx).values("program_id"))
    rows = (
        ProgramTag.objects.filter(kind=TagKind.POSITION, program__in=programs)
        .values("value")
        .annotate(n=Count("program_id", distinct=True))
        .order_by()
    )
    return [Contribution(Level.REGION, None, key(position=r["value"]), r["n"], None) for r in rows]


indicator(
    Definition(
        "1.4",
        "Число дополнительных профессиональных программ в разрезе должностей и уровней образования",
        Unit.COUNT,
        start=Level.REGION,
        breakdown="position",
        compute_region=_programs_by_position,
        note="Программа без целевых должностей не учитывается ни в одной строке разреза.",
    )
)


def _teachers_by_provider(ctx):
    # From enrollments to the teacher's roster row of the period: one row per teacher and
    # period, so the join neither repeats nor drops anyone.
    rows = (
        Enrollment.objects.filter(
            ctx.within_schools("teacher__roster_entries__school_id"),
            course__in=runs_ending(ctx),
            teacher__roster_entries__period=ctx.period,
        )
        .values("teacher__roster_entries__school_id", "course__program__provider__name")
        .annotate(num=Count("teacher_id", distinct=True))
        .order_by()
    )
    return [
        Contribution(
            Level.SCHOOL,
            r["teacher__roster_entries__school_id"],
            key(provider=r["course__program__provider__name"]),
            r["num"],
            None,
        )
        for r in rows
    ]


indicator(
    Definition(
        "1.5",
        "Учет выбора педагогическими работниками организаций ДПО",
        Unit.COUNT,
        breakdown="provider",
        compute=_teachers_by_provider,
    )
)


def _runs_by_request(ctx):
    runs = runs_ending(ctx)
    total = runs.count()
    requested = runs.filter(by_school_request=True).count()
    return [Contribution(Level.REGION, None, "", requested, total)]


indicator(
    Definition(
        "1.6",
        "Доля курсов повышения квалификации, организованных по заявкам образовательных организаций, "
        "от общего числа проведенных курсов",
        Unit.PERCENT,
        start=Level.REGION,
        compute_region=_runs_by_request,
    )
)


def _diagnosed_per_school(ctx) -> dict[int, int]:
    def build():
        rows = ctx.roster().filter(diagnosed(ctx)).values("school_id").annotate(n=Count("pk")).order_by()
        return {r["school_id"]: r["n"] for r in rows}

    return ctx.cached("diagnosed_per_school", build)


def _results_per_school(ctx) -> dict[tuple[int, str, str, bool], int]:
    """(school, group, level, deficit) -> teachers, from each rostered teacher's latest diagnostic."""

    def build():
        rows = (
            GroupResult.objects.filter(
                ctx.within_schools("diagnostic__teacher__roster_entries__school_id"),
                diagnostic__in=latest(ctx),
                diagnostic__teacher__roster_entries__period=ctx.period,
            )
            .values("diagnostic__teacher__roster_entries__school_id", "group_code", "level", "is_deficit")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {
            (r["diagnostic__teacher__roster_entries__school_id"], r["group_code"], r["level"], r["is_deficit"]): r["n"]
            for r in rows
        }

    return ctx.cached("results_per_school", build)


def _deficit_by_group(ctx):
    deficits: dict[tuple[int, str], int] = defaultdict(int)
    for (school, group, _level, deficit), n in _results_per_school(ctx).items():
        if deficit:
            deficits[(school, group)] += n
    out = []
    for school, den in _diagnosed_per_school(ctx).items():
        for group in GROUPS:
            out.append(Contribution(Level.SCHOOL, school, key(group=group), deficits[(school, group)], den))
    return out


indicator(
    Definition(
        "1.7",
        "Доля педагогов, имеющих профессиональные дефициты, в разрезе групп компетенций",
        Unit.PERCENT,
        breakdown="group",
        keys=tuple(key(group=g) for g in GROUPS),
        compute=_deficit_by_group,
        higher_is_better=False,
    )
)


def _by_group_and_level(ctx):
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    for (school, group, level, _deficit), n in _results_per_school(ctx).items():
        counts[(school, group, level)] += n
    out = []
    for school, den in _diagnosed_per_school(ctx).items():
        for group in GROUPS:
            for level in LEVELS:
                out.append(
                    Contribution(
                        Level.SCHOOL, school, key(group=group, level=level), counts[(school, group, level)], den
                    )
                )
    return out


indicator(
    Definition(
        "1.8",
        "Доля педагогов в разрезе уровней сформированности компетенций",
        Unit.PERCENT,
        breakdown="group;level",
        keys=tuple(key(group=g, level=lv) for g in GROUPS for lv in LEVELS),
        compute=_by_group_and_level,
    )
)


def _with_deficits(ctx):
    with_deficit = Diagnostic.objects.filter(pk__in=latest(ctx)).with_any_deficit().values("teacher_id")
    rows = (
        ctx.roster()
        .filter(diagnosed(ctx))
        .values("school_id")
        .annotate(num=Count("pk", filter=Q(teacher_id__in=with_deficit)), den=Count("pk"))
        .order_by()
    )
    return per_school(rows)


indicator(
    Definition(
        "1.9",
        "Доля педагогов, имеющих профессиональные дефициты",
        Unit.PERCENT,
        compute=_with_deficits,
        higher_is_better=False,
    )
)
