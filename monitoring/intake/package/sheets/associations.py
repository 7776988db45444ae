"""Methodical associations, their members and their events."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import timezone

from monitoring import models as m
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet
from monitoring.intake.package.rows import Row
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
    """Who is in each association and, in the optional column «Руководитель МО», who heads it.

    A package without that column reads as every member «нет», like any other yes/no
    column left out. One head per association (the model's constraint
    ``association_one_head``): two in one file are refused naming both rows; in a merge
    (not replace) a head named in the file while the portal holds another one the file
    does not demote is refused too, instead of removing the portal's head unasked.
    """

    name = "Участники МО"
    models = (m.AssociationMember,)
    order = 70
    key = ("association", "teacher")
    columns = (
        Column("Код МО", "association", p.parse_code, required=True),
        Column("Код педагога", "teacher", p.parse_code, required=True),
        bool_column("Руководитель МО", "is_head"),
    )

    def check(self, rows, ctx):
        heads: dict[str, Row] = {}
        for row in rows:
            ctx.check_reference(self.name, row, "association", "association", "Методического объединения")
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            if not row.values["is_head"]:
                continue
            code = row.values["association"]
            first = heads.setdefault(code, row)
            if first is not row:
                ctx.problem(
                    self.name,
                    row.number,
                    "Руководитель МО",
                    "да",
                    f"у МО «{code}» два руководителя — в строках {first.number} и {row.number}; "
                    "руководитель МО может быть только один",
                )
        if heads and not ctx.replace:
            self._check_stored_heads(rows, heads, ctx)

    def _check_stored_heads(self, rows, heads, ctx):
        """In a merge, the portal's head of an association the file gives another head must be demoted in the file."""
        demoted = {(r.values["association"], r.values["teacher"]) for r in rows if not r.values["is_head"]}
        stored = m.AssociationMember.objects.filter(
            association__period=ctx.period, association__code__in=list(heads), is_head=True
        ).values_list("association__code", "teacher__code")
        for code, teacher in stored:
            row = heads[code]
            if teacher == row.values["teacher"] or (code, teacher) in demoted:
                continue
            ctx.problem(
                self.name,
                row.number,
                "Руководитель МО",
                "да",
                f"руководителем МО «{code}» в портале уже отмечен педагог {teacher}; "
                "отметьте у него «нет» в этом файле или загрузите пакет с заменой данных",
            )

    def write(self, rows, ctx):
        assoc, teachers = ctx.ids("association"), ctx.ids("roster")
        values = [
            {
                "association_id": assoc[r.values["association"]],
                "teacher_id": teachers[r.values["teacher"]],
                "is_head": r.values["is_head"],
            }
            for r in rows
        ]
        existing = m.AssociationMember.objects.filter(association__period=ctx.period)
        # The stored rows as they are before anything is written: upsert compares (and counts)
        # against them, so the demotion below does not hide a change.
        stored = [
            SimpleNamespace(pk=pk, association_id=a, teacher_id=t, is_head=h)
            for pk, a, t, h in existing.order_by().values_list("pk", "association_id", "teacher_id", "is_head")
        ]
        # The heads the file demotes (or replace removes) lose the mark first: the one-head
        # constraint is checked row by row (PostgreSQL), so a new head inserted or updated while
        # the old one still holds the mark would fail though the file ends with one head per
        # association. A merge leaves the heads the file does not name alone (check() refused
        # a file naming another head for their association).
        given = {(v["association_id"], v["teacher_id"]): v["is_head"] for v in values}
        demote = [
            row.pk
            for row in stored
            if row.is_head
            and not given.get((row.association_id, row.teacher_id), False)
            and (ctx.replace or (row.association_id, row.teacher_id) in given)
        ]
        if demote:
            m.AssociationMember.objects.filter(pk__in=demote).update(is_head=False)
        return upsert(
            model=m.AssociationMember,
            existing=stored,
            key=("association_id", "teacher_id"),
            values=values,
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.AssociationMember.objects.filter(association__period=period).select_related("association", "teacher")
        for r in qs.order_by("association__code", "teacher__code"):
            yield [r.association.code, r.teacher.code, yes_no(r.is_head)]


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
