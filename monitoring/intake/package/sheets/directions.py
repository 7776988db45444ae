"""Sheets of the monitoring's directions: experts, the methodical activists, young teachers'
support projects, mentoring, competitions."""

from __future__ import annotations

from django.utils import timezone

from monitoring import models as m
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet
from monitoring.intake.package.sheets.values import dmy, not_in_future
from monitoring.shared.bulk import upsert


class ExpertSheet(Sheet):
    name = "Экспертная деятельность"
    models = (m.ExpertRole,)
    order = 60
    key = ("teacher", "kind", "subject")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Вид", "kind", p.choice(m.ExpertKind.values), required=True),
        Column("Предмет", "subject", p.parse_text, default=""),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            if row.values["kind"] in (m.ExpertKind.EGE, m.ExpertKind.OGE) and not row.values["subject"]:
                ctx.problem(self.name, row.number, "Предмет", "", f"для эксперта {row['kind']} нужно указать предмет")

    def write(self, rows, ctx):
        teachers = ctx.ids("roster")
        return upsert(
            model=m.ExpertRole,
            existing=m.ExpertRole.objects.filter(period=ctx.period),
            key=("teacher_id", "kind", "subject"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teachers[r.values["teacher"]],
                    "kind": r.values["kind"],
                    "subject": r.values["subject"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.ExpertRole.objects.filter(period=period).select_related("teacher")
        for r in qs.order_by("teacher__code", "kind", "subject"):
            yield [r.teacher.code, r.kind, r.subject or None]


class ActivistSheet(Sheet):
    name = "Методический актив"
    models = (m.MethodicalActivist,)
    order = 60
    key = ("full_name", "municipality", "role")
    columns = (
        Column("ФИО", "full_name", p.parse_text, required=True),
        Column("Код педагога", "teacher", p.parse_code),
        Column("Код муниципалитета", "municipality", p.parse_code, required=True),
        Column("Роль", "role", p.choice(m.ActivistRole.values), required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")
            ctx.check_reference(self.name, row, "teacher", "teacher", "Педагога")

    def write(self, rows, ctx):
        mun, teachers = ctx.ids("municipality"), ctx.ids("teacher")
        return upsert(
            model=m.MethodicalActivist,
            existing=m.MethodicalActivist.objects.filter(period=ctx.period),
            key=("full_name", "municipality_id", "role"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "full_name": r.values["full_name"],
                    "municipality_id": mun[r.values["municipality"]],
                    "role": r.values["role"],
                    "teacher_id": teachers.get(r.values["teacher"]) if r.values["teacher"] else None,
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.MethodicalActivist.objects.filter(period=period).select_related("teacher", "municipality")
        for r in qs.order_by("municipality__code", "role", "full_name"):
            yield [r.full_name, r.teacher.code if r.teacher else None, r.municipality.code, r.role]


class ProjectSheet(Sheet):
    name = "Проекты молодых педагогов"
    models = (m.SupportProject,)
    order = 60
    key = ("code",)
    provides = {"support_project": "code"}
    columns = (
        Column("Код проекта", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
    )

    def replaced_codes(self, namespace, ctx):
        # The period's rows: replace removes those the package lacks.
        return set(m.SupportProject.objects.filter(period=ctx.period).values_list("code", flat=True))

    def write(self, rows, ctx):
        return upsert(
            model=m.SupportProject,
            existing=m.SupportProject.objects.filter(period=ctx.period),
            key=("code",),
            values=[{"period_id": ctx.period.pk, "code": r.values["code"], "name": r.values["name"]} for r in rows],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        for r in m.SupportProject.objects.filter(period=period).order_by("code"):
            yield [r.code, r.name]


class ProjectParticipantSheet(Sheet):
    name = "Участники проектов"
    models = (m.SupportProjectParticipant,)
    order = 70
    key = ("project", "teacher")
    columns = (
        Column("Код проекта", "project", p.parse_code, required=True),
        Column("Код педагога", "teacher", p.parse_code, required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "project", "support_project", "Проекта")
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")

    def write(self, rows, ctx):
        projects, teachers = ctx.ids("support_project"), ctx.ids("roster")
        return upsert(
            model=m.SupportProjectParticipant,
            existing=m.SupportProjectParticipant.objects.filter(project__period=ctx.period),
            key=("project_id", "teacher_id"),
            values=[
                {"project_id": projects[r.values["project"]], "teacher_id": teachers[r.values["teacher"]]} for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.SupportProjectParticipant.objects.filter(project__period=period).select_related("project", "teacher")
        for r in qs.order_by("project__code", "teacher__code"):
            yield [r.project.code, r.teacher.code]


class MentoringProgramSheet(Sheet):
    name = "Программы наставничества"
    models = (m.MentoringProgram,)
    order = 60
    key = ("code",)
    provides = {"mentoring_program": "code"}
    columns = (
        Column("Код программы наставничества", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
        Column("Код ОО", "school", p.parse_code),
        Column("Код муниципалитета", "municipality", p.parse_code),
    )

    def check(self, rows, ctx):
        for row in rows:
            if bool(row.values["school"]) == bool(row.values["municipality"]):
                ctx.problem(
                    self.name,
                    row.number,
                    "Код ОО",
                    row.values["school"],
                    "укажите ровно одно из двух: «Код ОО» или «Код муниципалитета»",
                )
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")

    def replaced_codes(self, namespace, ctx):
        # The period's rows: replace removes those the package lacks.
        return set(m.MentoringProgram.objects.filter(period=ctx.period).values_list("code", flat=True))

    def write(self, rows, ctx):
        schools, mun = ctx.ids("school"), ctx.ids("municipality")
        return upsert(
            model=m.MentoringProgram,
            existing=m.MentoringProgram.objects.filter(period=ctx.period),
            key=("code",),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "code": r.values["code"],
                    "name": r.values["name"],
                    "school_id": schools[r.values["school"]] if r.values["school"] else None,
                    "municipality_id": mun[r.values["municipality"]] if r.values["municipality"] else None,
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.MentoringProgram.objects.filter(period=period).select_related("school", "municipality")
        for r in qs.order_by("code"):
            yield [r.code, r.name, r.school.code if r.school else None, r.municipality.code if r.municipality else None]


class MentoringPairSheet(Sheet):
    name = "Наставничество"
    models = (m.MentoringPair,)
    order = 70
    key = ("program", "mentor", "mentee")
    columns = (
        Column("Код программы наставничества", "program", p.parse_code, required=True),
        Column("Код наставника", "mentor", p.parse_code, required=True),
        Column("Код наставляемого", "mentee", p.parse_code, required=True),
        Column("Форма", "form", p.parse_text, default=""),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "program", "mentoring_program", "Программы наставничества")
            ctx.check_reference(self.name, row, "mentor", "roster", "Наставника в списке периода")
            ctx.check_reference(self.name, row, "mentee", "roster", "Наставляемого в списке периода")
            if row.values["mentor"] == row.values["mentee"]:
                ctx.problem(
                    self.name,
                    row.number,
                    "Код наставляемого",
                    row.values["mentee"],
                    "наставник и наставляемый должны быть разными людьми",
                )

    def write(self, rows, ctx):
        programs, teachers = ctx.ids("mentoring_program"), ctx.ids("roster")
        return upsert(
            model=m.MentoringPair,
            existing=m.MentoringPair.objects.filter(program__period=ctx.period),
            key=("program_id", "mentor_id", "mentee_id"),
            values=[
                {
                    "program_id": programs[r.values["program"]],
                    "mentor_id": teachers[r.values["mentor"]],
                    "mentee_id": teachers[r.values["mentee"]],
                    "form": r.values["form"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.MentoringPair.objects.filter(program__period=period).select_related("program", "mentor", "mentee")
        for r in qs.order_by("program__code", "mentor__code", "mentee__code"):
            yield [r.program.code, r.mentor.code, r.mentee.code, r.form or None]


class CompetitionSheet(Sheet):
    name = "Конкурсы"
    models = (m.CompetitionEntry,)
    order = 60
    key = ("teacher", "competition", "level", "date")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Конкурс", "competition", p.parse_text, required=True),
        Column("Уровень", "level", p.choice(m.CompetitionLevel.values), required=True),
        Column("Результат", "result", p.choice(m.CompetitionResult.values), default=""),
        Column("Дата", "date", p.parse_date, required=True, export=dmy),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            not_in_future(ctx, self.name, row, "date", "Дата", today)

    def write(self, rows, ctx):
        teachers = ctx.ids("roster")
        return upsert(
            model=m.CompetitionEntry,
            existing=m.CompetitionEntry.objects.filter(period=ctx.period),
            key=("teacher_id", "competition", "level", "date"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teachers[r.values["teacher"]],
                    "competition": r.values["competition"],
                    "level": r.values["level"],
                    "result": r.values["result"],
                    "date": r.values["date"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.CompetitionEntry.objects.filter(period=period).select_related("teacher")
        for r in qs.order_by("teacher__code", "date", "competition", "level"):
            yield [r.teacher.code, r.competition, r.level, r.result or None, dmy(r.date)]
