"""Methodical associations, their members and their events."""

from __future__ import annotations

from django.utils import timezone

from monitoring import models as m
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet
from monitoring.intake.package.sheets.values import bool_column, dmy, not_in_future, yes_no
from monitoring.shared.bulk import upsert


class AssociationSheet(Sheet):
    name = "Методические объединения"
    models = (m.MethodicalAssociation,)
    order = 60
    key = ("code",)
    provides = {"association": "code"}
    columns = (
        Column("Код МО", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
        Column("Уровень", "level", p.choice(m.AssociationLevel.values), required=True),
        Column("Код ОО", "school", p.parse_code),
        Column("Код муниципалитета", "municipality", p.parse_code),
        Column("Предмет", "subject", p.parse_text, default=""),
        *(bool_column(title, field) for field, title in m.ASSOCIATION_CRITERIA.items()),
    )

    def check(self, rows, ctx):
        for row in rows:
            level = row.values["level"]
            if level == m.AssociationLevel.SCHOOL and not row.values["school"]:
                ctx.problem(self.name, row.number, "Код ОО", "", "для школьного МО укажите код ОО")
            if level == m.AssociationLevel.MUNICIPAL and not row.values["municipality"]:
                ctx.problem(
                    self.name, row.number, "Код муниципалитета", "", "для муниципального МО укажите код муниципалитета"
                )
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")

    def replaced_codes(self, namespace, ctx):
        # The period's rows: replace removes those the package lacks.
        return set(m.MethodicalAssociation.objects.filter(period=ctx.period).values_list("code", flat=True))

    def write(self, rows, ctx):
        schools, mun = ctx.ids("school"), ctx.ids("municipality")
        values = []
        for r in rows:
            # The owner follows the level (a school code given for a municipal MO is ignored).
            level = r.values["level"]
            values.append(
                {
                    "period_id": ctx.period.pk,
                    "code": r.values["code"],
                    "name": r.values["name"],
                    "level": level,
                    "school_id": schools[r.values["school"]] if level == m.AssociationLevel.SCHOOL else None,
                    "municipality_id": mun[r.values["municipality"]] if level == m.AssociationLevel.MUNICIPAL else None,
                    "subject": r.values["subject"],
                    **{f: r.values[f] for f in m.ASSOCIATION_CRITERIA},
                }
            )
        return upsert(
            model=m.MethodicalAssociation,
            existing=m.MethodicalAssociation.objects.filter(period=ctx.period),
            key=("code",),
            values=values,
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.MethodicalAssociation.objects.filter(period=period).select_related("school", "municipality")
        for r in qs.order_by("code"):
            yield [
                r.code,
                r.name,
                r.level,
                r.school.code if r.school else None,
                r.municipality.code if r.municipality else None,
                r.subject or None,
                *(yes_no(getattr(r, f)) for f in m.ASSOCIATION_CRITERIA),
            ]


class AssociationMemberSheet(Sheet):
    name = "Участники МО"
    models = (m.AssociationMember,)
    order = 70
    key = ("association", "teacher")
    columns = (
        Column("Код МО", "association", p.parse_code, required=True),
        Column("Код педагога", "teacher", p.parse_code, required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "association", "association", "Методического объединения")
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")

    def write(self, rows, ctx):
        assoc, teachers = ctx.ids("association"), ctx.ids("roster")
        return upsert(
            model=m.AssociationMember,
            existing=m.AssociationMember.objects.filter(association__period=ctx.period),
            key=("association_id", "teacher_id"),
            values=[
                {"association_id": assoc[r.values["association"]], "teacher_id": teachers[r.values["teacher"]]}
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.AssociationMember.objects.filter(association__period=period).select_related("association", "teacher")
        for r in qs.order_by("association__code", "teacher__code"):
            yield [r.association.code, r.teacher.code]


class AssociationEventSheet(Sheet):
    name = "Мероприятия МО"
    models = (m.AssociationEvent,)
    order = 70
    key = ("association", "date", "title")
    columns = (
        Column("Код МО", "association", p.parse_code, required=True),
        Column("Дата", "date", p.parse_date, required=True, export=dmy),
        Column("Название", "title", p.parse_text, required=True),
        bool_column("Сетевая форма", "networked"),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "association", "association", "Методического объединения")
            not_in_future(ctx, self.name, row, "date", "Дата", today)

    def write(self, rows, ctx):
        assoc = ctx.ids("association")
        return upsert(
            model=m.AssociationEvent,
            existing=m.AssociationEvent.objects.filter(association__period=ctx.period),
            key=("association_id", "date", "title"),
            values=[
                {
                    "association_id": assoc[r.values["association"]],
                    "date": r.values["date"],
                    "title": r.values["title"],
                    "networked": r.values["networked"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.AssociationEvent.objects.filter(association__period=period).select_related("association")
        for r in qs.order_by("association__code", "date", "title"):
            yield [r.association.code, dmy(r.date), r.title, yes_no(r.networked)]
