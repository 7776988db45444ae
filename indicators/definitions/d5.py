"""Direction 5 — Вовлечение педагогов в экспертную деятельность.

Expert roles are per-period records (the period they were imported for); a role of
someone not on the period's roster counts nowhere.

Choices where the spec leaves room:

- 5.1/5.2: one row per subject as written in the role (``subject=<предмет>``), no
  total row; a teacher counts once per subject.
- 5.3: any expert role of the period (ЕГЭ, ОГЭ, аттестация, конкурсы, олимпиады).
- 5.4: the denominator is the teachers with a route active in the period (dates
  overlap the year, any approval state, whether or not based on a diagnostic); the
  numerator those of them with an activity of kind «экспертная деятельность» in such
  a route, whatever its due date or done mark.
"""

from __future__ import annotations

from django.db.models import Count, Q

from indicators.context import Contribution, key, roster_share
from indicators.definitions.d2 import active_routes, on_roster
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from iom.models import ActivityKind, RouteActivity
from monitoring.models import ExpertKind, ExpertRole


def _by_subject(kind: str):
    def compute(ctx):
        cond, school = on_roster(ctx, "teacher")
        rows = (
            ExpertRole.objects.filter(period=ctx.period, kind=kind)
            .filter(cond)
            .values(school, "subject")
            .annotate(num=Count("teacher_id", distinct=True))
            .order_by()
        )
        return [Contribution(Level.SCHOOL, r[school], key(subject=r["subject"]), r["num"], None) for r in rows]

    return compute


indicator(
    Definition(
        "5.1",
        "Количество педагогов, вовлеченных в работу региональной предметной комиссии ЕГЭ, в разрезе учебных предметов",
        Unit.COUNT,
        breakdown="subject",
        compute=_by_subject(ExpertKind.EGE),
        note="Педагоги из списка периода с экспертной ролью «ЕГЭ» за период; педагог учитывается один раз "
        "в каждом предмете, итоговой строки нет.",
    )
)

indicator(
    Definition(
        "5.2",
        "Количество педагогов, вовлеченных в работу региональной предметной комиссии ОГЭ, в разрезе учебных предметов",
        Unit.COUNT,
        breakdown="subject",
        compute=_by_subject(ExpertKind.OGE),
        note="Педагоги из списка периода с экспертной ролью «ОГЭ» за период; педагог учитывается один раз "
        "в каждом предмете, итоговой строки нет.",
    )
)

indicator(
    Definition(
        "5.3",
        "Доля педагогов, вовлеченных в экспертную деятельность",
        Unit.PERCENT,
        compute=lambda ctx: roster_share(
            ctx,
            Q(teacher_id__in=ExpertRole.objects.filter(ctx.teachers_within(), period=ctx.period).values("teacher_id")),
        ),
        note="Педагоги из списка периода с любой экспертной ролью за период (ЕГЭ, ОГЭ, аттестация, конкурсы, "
        "олимпиады) от всех педагогов списка.",
    )
)


def _expert_in_route(ctx):
    routes = active_routes(ctx).filter(ctx.teachers_within())
    expert = RouteActivity.objects.filter(kind=ActivityKind.EXPERT, route__in=routes).values("route__teacher_id")
    return roster_share(ctx, Q(teacher_id__in=expert), among=Q(teacher_id__in=routes.values("teacher_id")))


indicator(
    Definition(
        "5.4",
        "Доля педагогов, включивших экспертную деятельность в ИОМ",
        Unit.PERCENT,
        compute=_expert_in_route,
        note="Знаменатель — педагоги из списка периода с маршрутом (в любом состоянии), сроки которого "
        "пересекаются с годом периода; числитель — те из них, у кого в таком маршруте есть мероприятие "
        "вида «экспертная деятельность» (срок и выполнение не важны).",
    )
)
