"""Direction 7 — Поддержка молодых педагогов, наставничество.

Teachers are counted through their roster row of the period (one per teacher), at
its school; participants, mentors, mentees and competitors who are not on the
period's roster count nowhere. Young is the roster's rule (age < 35 at the reference
date, RosterEntryQuerySet.young), a valid category its ``valid_category``.

Choices where the spec leaves room:

- 7.1, 7.2: support projects are per-period records (no dates); a project "of the
  period" is one imported for it, and a teacher takes part when listed among the
  participants of at least one such project.
- 7.3: a program counts once, in the municipality that runs it or in the municipality
  of the school that runs it; programs have no school rows (from: municipality).
- 7.4: a teacher counts once whether mentor, mentee or both, in one or several pairs
  of programs of the period (a program of any school or municipality: a teacher of
  school A mentoring in a program of school B counts at A).
- 7.5, 7.6: a competition entry counts when it belongs to the period's data *and* is
  dated within [Y-01-01, Y-12-31]; a stray date from another year does not count.
  7.6's total row counts a teacher once however many entries; its ``level=…`` rows
  count the teachers with at least one entry of that level, over all teachers, so the
  level rows may add up to more than the total.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, IntegerField, Q
from django.db.models.functions import Coalesce

from indicators.context import Contribution, key, per_school, roster_share
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from monitoring.models import (
    CompetitionEntry,
    CompetitionLevel,
    MentoringPair,
    MentoringProgram,
    SupportProject,
    SupportProjectParticipant,
)

LEVELS = tuple(CompetitionLevel.values)


def share(queryset, numerator: Q) -> list[Contribution]:
    """Roster rows of ``queryset`` matching ``numerator`` over the rows of ``queryset``, per school."""
    rows = queryset.values("school_id").annotate(num=Count("pk", filter=numerator), den=Count("pk")).order_by()
    return per_school(rows)


def young(ctx):
    return ctx.roster().young(period=ctx.period)


def entries(ctx):
    """Competition entries of the period's data dated within the period."""
    period = ctx.period
    return CompetitionEntry.objects.filter(
        ctx.teachers_within(), period=period, date__gte=period.start, date__lte=period.end
    )


def competitor(ctx, **filters) -> Q:
    return Q(teacher_id__in=entries(ctx).filter(**filters).values("teacher_id"))


# --- 7.1 -------------------------------------------------------------------


def _projects(ctx):
    return [Contribution(Level.REGION, None, "", SupportProject.objects.filter(period=ctx.period).count(), None)]


indicator(
    Definition(
        "7.1",
        "Количество проектов по поддержке молодых педагогов, реализуемых в регионе",
        Unit.COUNT,
        start=Level.REGION,
        compute_region=_projects,
        note="Проекты листа «Проекты молодых педагогов», загруженные за период.",
    )
)


# --- 7.2 -------------------------------------------------------------------


def _young_in_projects(ctx):
    participants = SupportProjectParticipant.objects.filter(ctx.teachers_within(), project__period=ctx.period)
    participants = participants.values("teacher_id")
    return share(young(ctx), Q(teacher_id__in=participants))


indicator(
    Definition(
        "7.2",
        "Доля молодых педагогов, охваченных мероприятиями проектов по поддержке молодых педагогов",
        Unit.PERCENT,
        compute=_young_in_projects,
        note=(
            "Молодой педагог (по умолчанию моложе 35 лет на отчетную дату) учитывается, если он участник "
            "хотя бы одного проекта поддержки молодых педагогов периода; педагог считается по ОО своей строки "
            "списка педагогов."
        ),
    )
)


# --- 7.3 -------------------------------------------------------------------


def _programs(ctx):
    rows = (
        MentoringProgram.objects.filter(period=ctx.period)
        .annotate(mun=Coalesce("municipality_id", "school__municipality_id", output_field=IntegerField()))
        .filter(ctx.within("mun"))
        .values("mun")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [Contribution(Level.MUNICIPALITY, r["mun"], "", r["n"], None) for r in rows]


indicator(
    Definition(
        "7.3",
        "Количество программ наставничества",
        Unit.COUNT,
        start=Level.MUNICIPALITY,
        compute=_programs,
        note=(
            "Программа учитывается один раз: в муниципалитете, который ее ведет, или в муниципалитете ОО, "
            "которая ее ведет."
        ),
    )
)


# --- 7.4 -------------------------------------------------------------------


def _mentoring(ctx):
    pairs = MentoringPair.objects.filter(program__period=ctx.period)
    mentors = pairs.filter(ctx.teachers_within("mentor_id")).values("mentor_id")
    mentees = pairs.filter(ctx.teachers_within("mentee_id")).values("mentee_id")
    return roster_share(ctx, Q(teacher_id__in=mentors) | Q(teacher_id__in=mentees))


indicator(
    Definition(
        "7.4",
        "Доля педагогов, участвующих в программах наставничества",
        Unit.PERCENT,
        compute=_mentoring,
        note=(
            "Педагог учитывается один раз, если он наставник или наставляемый хотя бы в одной паре программы "
            "наставничества периода (любой ОО или муниципалитета), — по ОО своей строки списка педагогов."
        ),
    )
)


# --- 7.5 -------------------------------------------------------------------

ENTRY_NOTE = (
    "Участие в конкурсе учитывается, если запись загружена за период и ее дата лежит в календарном году периода."
)

indicator(
    Definition(
        "7.5",
        "Доля молодых педагогов, принявших участие в профессиональных конкурсах",
        Unit.PERCENT,
        compute=lambda ctx: share(young(ctx), competitor(ctx)),
        note=ENTRY_NOTE
        + " Молодой педагог — моложе возраста, заданного в периоде (по умолчанию 35 лет), на отчетную дату.",
    )
)


# --- 7.6 -------------------------------------------------------------------


def _competitors(ctx):
    counts = {"any": Count("pk", filter=competitor(ctx))}
    counts.update({f"level{i}": Count("pk", filter=competitor(ctx, level=lv)) for i, lv in enumerate(LEVELS)})
    rows = ctx.roster().values("school_id").annotate(den=Count("pk"), **counts).order_by()
    out = []
    for r in rows:
        out.append(Contribution(Level.SCHOOL, r["school_id"], "", r["any"], r["den"]))
        for i, lv in enumerate(LEVELS):
            out.append(Contribution(Level.SCHOOL, r["school_id"], key(level=lv), r[f"level{i}"], r["den"]))
    return out


indicator(
    Definition(
        "7.6",
        "Доля педагогов, участвующих в профессиональных конкурсах различного уровня",
        Unit.PERCENT,
        breakdown="level",
        keys=("", *(key(level=lv) for lv in LEVELS)),
        compute=_competitors,
        note=(
            ENTRY_NOTE + " Итоговая строка считает педагога один раз; строка уровня — педагогов, участвовавших "
            "в конкурсе этого уровня, от всех педагогов, поэтому сумма строк уровней может превышать итог."
        ),
    )
)


# --- 7.7 -------------------------------------------------------------------


def _category(ctx):
    valid = ctx.roster().valid_category(period=ctx.period).values("pk")
    return roster_share(ctx, Q(pk__in=valid))


indicator(
    Definition(
        "7.7",
        "Доля педагогов, прошедших аттестацию (имеющих квалификационную категорию)",
        Unit.PERCENT,
        compute=_category,
        threshold=Decimal(40),
        note=(
            "Первая или высшая категория, присвоенная не ранее чем за пять лет до отчетной даты и не позднее нее "
            "(обе даты включительно)."
        ),
    )
)
