"""The region, its municipalities and its schools: the sheets every other sheet refers to."""

from __future__ import annotations

from monitoring import models as m
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet
from monitoring.intake.package.sheets.values import bool_column, yes_no
from monitoring.shared.bulk import upsert


class RegionSheet(Sheet):
    name = "Регион"
    models = (m.Region,)
    order = 10
    key = ("code",)
    provides = {"region": "code"}
    columns = (
        Column("Код", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
    )

    def check(self, rows, ctx):
        if len(rows) > 1:
            ctx.problem(self.name, rows[1].number, None, None, "на листе «Регион» должна быть одна строка")
        existing = dict(m.Region.objects.order_by("code").values_list("code", "name"))
        if rows and existing and rows[0].values["code"] not in existing:
            # The region by its name (a code alone, «другой регион (34)», told the user nothing).
            served = ", ".join(f"{name} (код {code})" for code, name in existing.items())
            ctx.problem(
                self.name,
                rows[0].number,
                "Код",
                rows[0].values["code"],
                f"портал уже обслуживает другой регион: {served}",
            )

    def write(self, rows, ctx):
        return upsert(
            model=m.Region,
            existing=m.Region.objects.all(),
            key=("code",),
            values=[{"code": r.values["code"], "name": r.values["name"]} for r in rows],
            replace=False,
        )

    def export_rows(self, period):
        for region in m.Region.objects.order_by("code"):
            yield [region.code, region.name]


class MunicipalitySheet(Sheet):
    name = "Муниципалитеты"
    models = (m.Municipality,)
    order = 20
    key = ("code",)
    provides = {"municipality": "code"}
    columns = (
        Column("Код", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
    )

    def check(self, rows, ctx):
        if rows and not ctx.known("region"):
            ctx.problem(self.name, rows[0].number, None, None, "регион не задан: добавьте лист «Регион»")

    def write(self, rows, ctx):
        region_id = next(iter(ctx.ids("region").values()))
        return upsert(
            model=m.Municipality,
            existing=m.Municipality.objects.all(),
            key=("code",),
            values=[{"code": r.values["code"], "name": r.values["name"], "region_id": region_id} for r in rows],
            replace=False,
        )

    def export_rows(self, period):
        for mun in m.Municipality.objects.order_by("code"):
            yield [mun.code, mun.name]


class SchoolSheet(Sheet):
    name = "Организации"
    models = (m.School,)
    order = 30
    key = ("code",)
    provides = {"school": "code"}
    columns = (
        Column("Код ОО", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
        Column("Код муниципалитета", "municipality", p.parse_code, required=True),
        Column("Тип", "kind", p.choice(m.SchoolKind.values), default=""),
        bool_column("ШНОР", "low_results"),
        bool_column("Неблагоприятные условия", "adverse_conditions"),
        Column("ИНН", "inn", p.parse_code, default=""),
        Column("Руководитель", "head_name", p.parse_text, default=""),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")
            inn = row.values["inn"]
            if inn and not (inn.isdigit() and len(inn) in (10, 12)):
                ctx.problem(self.name, row.number, "ИНН", inn, "ИНН должен состоять из 10 или 12 цифр")

    def write(self, rows, ctx):
        mun = ctx.ids("municipality")
        values = [
            {
                "code": r.values["code"],
                "name": r.values["name"],
                "municipality_id": mun[r.values["municipality"]],
                "kind": r.values["kind"],
                "low_results": r.values["low_results"],
                "adverse_conditions": r.values["adverse_conditions"],
                "inn": r.values["inn"],
                "head_name": r.values["head_name"],
            }
            for r in rows
        ]
        return upsert(model=m.School, existing=m.School.objects.all(), key=("code",), values=values, replace=False)

    def export_rows(self, period):
        for s in m.School.objects.select_related("municipality").order_by("code"):
            yield [
                s.code,
                s.name,
                s.municipality.code,
                s.kind or None,
                yes_no(s.low_results),
                yes_no(s.adverse_conditions),
                s.inn or None,
                s.head_name or None,
            ]
