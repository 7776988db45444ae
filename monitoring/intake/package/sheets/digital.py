"""The schools' digital environment scores."""

from __future__ import annotations

from monitoring import models as m
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet
from monitoring.shared.bulk import upsert


class DigitalSheet(Sheet):
    name = "Цифровая среда"
    models = (m.DigitalEnvironmentScore,)
    order = 60
    key = ("school",)
    columns = (
        Column("Код ОО", "school", p.parse_code, required=True),
        Column("Инфраструктура", "infrastructure", p.ranged_int(0, 4), required=True),
        Column("Инструменты и сервисы", "tools", p.ranged_int(0, 4), required=True),
        Column("Использование в обучении", "usage", p.ranged_int(0, 4), required=True),
        Column("Профессиональное развитие", "professional_development", p.ranged_int(0, 4), required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "school", "school", "Организации")

    def write(self, rows, ctx):
        schools = ctx.ids("school")
        fields = ("infrastructure", "tools", "usage", "professional_development")
        return upsert(
            model=m.DigitalEnvironmentScore,
            existing=m.DigitalEnvironmentScore.objects.filter(period=ctx.period),
            key=("school_id",),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "school_id": schools[r.values["school"]],
                    **{f: r.values[f] for f in fields},
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.DigitalEnvironmentScore.objects.filter(period=period).select_related("school")
        for r in qs.order_by("school__code"):
            yield [r.school.code, r.infrastructure, r.tools, r.usage, r.professional_development]
