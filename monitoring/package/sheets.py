"""The monitoring app's sheets of the data package (spec/data-package.md, "Sheets")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import models as djm
from django.utils import timezone

from monitoring import models as m
from monitoring.package import parsing as p
from monitoring.package.importer import ImportContext, register_namespace
from monitoring.package.registry import Column, Row, Sheet, SheetResult, register

BATCH = 2000


def upsert(
    *,
    model: type[djm.Model],
    existing: Iterable[djm.Model],
    key: tuple[str, ...],
    values: list[dict[str, Any]],
    replace: bool,
    removable: Callable[[djm.Model], bool] | None = None,
) -> SheetResult:
    """Insert new rows, update changed ones, and with ``replace`` delete those not given.

    ``values`` hold model attnames (``school_id``…); ``key`` names the attnames that
    identify a row. Bulk statements only: a few queries whatever the number of rows.
    """
    by_key = {tuple(getattr(obj, f) for f in key): obj for obj in existing}
    result = SheetResult()
    new, changed, changed_fields, seen = [], [], set(), set()
    for vals in values:
        k = tuple(vals[f] for f in key)
        seen.add(k)
        obj = by_key.get(k)
        if obj is None:
            new.append(model(**vals))
            continue
        diff = [f for f, v in vals.items() if getattr(obj, f) != v]
        if diff:
            for f in diff:
                setattr(obj, f, vals[f])
            changed.append(obj)
            changed_fields.update(diff)
        else:
            result.unchanged += 1
    model.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        model.objects.bulk_update(changed, sorted(changed_fields), batch_size=BATCH)
    result.added, result.changed = len(new), len(changed)
    if replace:
        gone = [obj.pk for k, obj in by_key.items() if k not in seen and (removable is None or removable(obj))]
        for start in range(0, len(gone), BATCH):
            model.objects.filter(pk__in=gone[start : start + BATCH]).delete()
        result.removed = len(gone)
    return result


# --- value writers for export ----------------------------------------------------


def yes_no(value: bool) -> str:
    return "да" if value else "нет"


def dmy(value: dt.date | None) -> str | None:
    return value.strftime("%d.%m.%Y") if value else None


def number(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def joined(values: list[str]) -> str:
    return "; ".join(values)


def _b(title: str, field: str) -> Column:
    return Column(title, field, p.parse_bool, default=False, export=yes_no)


# --- namespaces of codes in the database ----------------------------------------

register_namespace("municipality", lambda period: m.Municipality.objects.values_list("code", "id"))
register_namespace("school", lambda period: m.School.objects.values_list("code", "id"))
register_namespace("teacher", lambda period: m.Teacher.objects.values_list("code", "id"))
register_namespace(
    "roster", lambda period: m.RosterEntry.objects.filter(period=period).values_list("teacher__code", "teacher_id")
)
register_namespace("region", lambda period: m.Region.objects.values_list("code", "id"))
register_namespace(
    "support_project", lambda period: m.SupportProject.objects.filter(period=period).values_list("code", "id")
)
register_namespace(
    "mentoring_program", lambda period: m.MentoringProgram.objects.filter(period=period).values_list("code", "id")
)
register_namespace(
    "association", lambda period: m.MethodicalAssociation.objects.filter(period=period).values_list("code", "id")
)


def _own_school(ctx: ImportContext):
    """In a school head's upload, "replace" removes only that school's rows."""
    if ctx.school is None:
        return None
    return lambda obj: obj.school_id == ctx.school.pk


def _future(ctx: ImportContext, sheet: str, row: Row, field: str, title: str) -> None:
    value = row.values.get(field)
    if value and value > timezone.localdate():
        ctx.problem(sheet, row.number, title, dmy(value), "дата еще не наступила")


# --- sheets ----------------------------------------------------------------------


class RegionSheet(Sheet):
    name = "Регион"
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
        existing = set(m.Region.objects.values_list("code", flat=True))
        if rows and existing and rows[0]["code"] not in existing:
            ctx.problem(
                self.name,
                rows[0].number,
                "Код",
                rows[0]["code"],
                "портал уже обслуживает другой регион (" + ", ".join(sorted(existing)) + ")",
            )

    def write(self, rows, ctx):
        return upsert(
            model=m.Region,
            existing=m.Region.objects.all(),
            key=("code",),
            values=[{"code": r["code"], "name": r["name"]} for r in rows],
            replace=False,
        )

    def export_rows(self, period):
        for region in m.Region.objects.order_by("code"):
            yield [region.code, region.name]


class MunicipalitySheet(Sheet):
    name = "Муниципалитеты"
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
            values=[{"code": r["code"], "name": r["name"], "region_id": region_id} for r in rows],
            replace=False,
        )

    def export_rows(self, period):
        for mun in m.Municipality.objects.order_by("code"):
            yield [mun.code, mun.name]


class SchoolSheet(Sheet):
    name = "Организации"
    order = 30
    key = ("code",)
    provides = {"school": "code"}
    columns = (
        Column("Код ОО", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
        Column("Код муниципалитета", "municipality", p.parse_code, required=True),
        Column("Тип", "kind", p.choice(m.SchoolKind.values), default=""),
        _b("ШНОР", "low_results"),
        _b("Неблагоприятные условия", "adverse_conditions"),
        Column("ИНН", "inn", p.parse_code, default=""),
        Column("Руководитель", "head_name", p.parse_text, default=""),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")
            inn = row["inn"]
            if inn and not (inn.isdigit() and len(inn) in (10, 12)):
                ctx.problem(self.name, row.number, "ИНН", inn, "ИНН должен состоять из 10 или 12 цифр")

    def write(self, rows, ctx):
        mun = ctx.ids("municipality")
        values = [
            {
                "code": r["code"],
                "name": r["name"],
                "municipality_id": mun[r["municipality"]],
                "kind": r["kind"],
                "low_results": r["low_results"],
                "adverse_conditions": r["adverse_conditions"],
                "inn": r["inn"],
                "head_name": r["head_name"],
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


def _snils(value: Any) -> str | None:
    text = p.parse_text(value)
    if text is None:
        return None
    if not m.snils_is_valid(text):
        raise p.CellError("СНИЛС не прошел проверку контрольного числа (формат 123-456-789 01)")
    digits = "".join(ch for ch in text if ch.isdigit())
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


class TeacherSheet(Sheet):
    name = "Педагоги"
    order = 40
    key = ("code",)
    provides = {"roster": "code", "teacher": "code"}
    columns = (
        Column("Код педагога", "code", p.parse_code, required=True),
        Column("ФИО", "full_name", p.parse_text, required=True),
        Column("Пол", "sex", p.choice(m.Sex.values), required=True),
        Column("Дата рождения", "birth_date", p.parse_date, required=True, export=dmy),
        Column("Код ОО", "school", p.parse_code, required=True),
        Column("Должность", "position", p.parse_text, required=True),
        Column("Предметы", "subjects", p.parse_list, default=[], export=joined),
        Column("Уровень образования", "education_level", p.choice(m.EducationLevel.values), default=""),
        _b("Педагогическое образование", "pedagogical_education"),
        _b("Образование соответствует профилю", "education_matches_profile"),
        Column("Квалификационная категория", "category", p.choice(m.Category.values), default=m.Category.NONE),
        Column("Дата присвоения категории", "category_date", p.parse_date, export=dmy),
        Column("Педагогический стаж", "experience_years", p.ranged_int(0, 80)),
        _b("Совместитель", "part_time"),
        Column("Ставка", "workload", p.ranged_decimal(0, exclusive_low=True), default=Decimal("1"), export=number),
        Column("СНИЛС", "snils", _snils, default=""),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            birth = row["birth_date"]
            age = (today - birth).days // 365
            if birth > today:
                ctx.problem(self.name, row.number, "Дата рождения", dmy(birth), "дата еще не наступила")
            elif not 16 <= age <= 100:
                ctx.problem(self.name, row.number, "Дата рождения", dmy(birth), "возраст педагога неправдоподобен")
            _future(ctx, self.name, row, "category_date", "Дата присвоения категории")

    def write(self, rows, ctx):
        codes = [r["code"] for r in rows]
        people = upsert(
            model=m.Teacher,
            existing=m.Teacher.objects.filter(code__in=codes),
            key=("code",),
            values=[
                {
                    "code": r["code"],
                    "full_name": r["full_name"],
                    "sex": r["sex"],
                    "birth_date": r["birth_date"],
                    "snils": r["snils"],
                }
                for r in rows
            ],
            replace=False,
        )
        teacher_ids = dict(m.Teacher.objects.filter(code__in=codes).values_list("code", "id"))
        schools = ctx.ids("school")
        roster_fields = [
            c.field
            for c in self.columns
            if c.field not in ("code", "full_name", "sex", "birth_date", "snils", "school")
        ]
        result = upsert(
            model=m.RosterEntry,
            existing=m.RosterEntry.objects.filter(period=ctx.period),
            key=("teacher_id",),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teacher_ids[r["code"]],
                    "school_id": schools[r["school"]],
                    **{f: r[f] for f in roster_fields},
                }
                for r in rows
            ],
            replace=ctx.replace,
            removable=_own_school(ctx),
        )
        # A change of the person's card (name, birth date) is a change of the row too.
        result.changed += people.changed
        result.unchanged = max(0, result.unchanged - people.changed)
        return result

    def export_rows(self, period):
        qs = m.RosterEntry.objects.filter(period=period).select_related("teacher", "school").order_by("teacher__code")
        for e in qs:
            t = e.teacher
            yield [
                t.code,
                t.full_name,
                t.sex,
                dmy(t.birth_date),
                e.school.code,
                e.position,
                joined(e.subjects),
                e.education_level or None,
                yes_no(e.pedagogical_education),
                yes_no(e.education_matches_profile),
                e.category,
                dmy(e.category_date),
                e.experience_years,
                yes_no(e.part_time),
                number(e.workload),
                t.snils or None,
            ]


class StaffingSheet(Sheet):
    name = "Штатное расписание"
    order = 50
    key = ("school", "position")
    columns = (
        Column("Код ОО", "school", p.parse_code, required=True),
        Column("Должность", "position", p.parse_text, required=True),
        Column("Ставок по штату", "positions_by_schedule", p.ranged_decimal(0), required=True, export=number),
        Column("Фактическая потребность в ставках", "actual_need", p.ranged_decimal(0), required=True, export=number),
        Column("Вакантных ставок", "vacant_positions", p.ranged_decimal(0), required=True, export=number),
        Column("Вакантных должностей", "vacant_posts", p.ranged_int(0), required=True),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            if row["vacant_positions"] > row["positions_by_schedule"]:
                ctx.problem(
                    self.name,
                    row.number,
                    "Вакантных ставок",
                    number(row["vacant_positions"]),
                    f"вакантных ставок больше, чем ставок по штату ({number(row['positions_by_schedule'])})",
                )

    def write(self, rows, ctx):
        schools = ctx.ids("school")
        return upsert(
            model=m.StaffingRow,
            existing=m.StaffingRow.objects.filter(period=ctx.period),
            key=("school_id", "position"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "school_id": schools[r["school"]],
                    "position": r["position"],
                    "positions_by_schedule": r["positions_by_schedule"],
                    "actual_need": r["actual_need"],
                    "vacant_positions": r["vacant_positions"],
                    "vacant_posts": r["vacant_posts"],
                }
                for r in rows
            ],
            replace=ctx.replace,
            removable=_own_school(ctx),
        )

    def export_rows(self, period):
        qs = m.StaffingRow.objects.filter(period=period).select_related("school").order_by("school__code", "position")
        for r in qs:
            yield [
                r.school.code,
                r.position,
                number(r.positions_by_schedule),
                number(r.actual_need),
                number(r.vacant_positions),
                r.vacant_posts,
            ]


class ExpertSheet(Sheet):
    name = "Экспертная деятельность"
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
            if row["kind"] in (m.ExpertKind.EGE, m.ExpertKind.OGE) and not row["subject"]:
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
                    "teacher_id": teachers[r["teacher"]],
                    "kind": r["kind"],
                    "subject": r["subject"],
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
                    "full_name": r["full_name"],
                    "municipality_id": mun[r["municipality"]],
                    "role": r["role"],
                    "teacher_id": teachers.get(r["teacher"]) if r["teacher"] else None,
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
    order = 60
    key = ("code",)
    provides = {"support_project": "code"}
    columns = (
        Column("Код проекта", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
    )

    def write(self, rows, ctx):
        return upsert(
            model=m.SupportProject,
            existing=m.SupportProject.objects.filter(period=ctx.period),
            key=("code",),
            values=[{"period_id": ctx.period.pk, "code": r["code"], "name": r["name"]} for r in rows],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        for r in m.SupportProject.objects.filter(period=period).order_by("code"):
            yield [r.code, r.name]


class ProjectParticipantSheet(Sheet):
    name = "Участники проектов"
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
            values=[{"project_id": projects[r["project"]], "teacher_id": teachers[r["teacher"]]} for r in rows],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.SupportProjectParticipant.objects.filter(project__period=period).select_related("project", "teacher")
        for r in qs.order_by("project__code", "teacher__code"):
            yield [r.project.code, r.teacher.code]


class MentoringProgramSheet(Sheet):
    name = "Программы наставничества"
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
            if bool(row["school"]) == bool(row["municipality"]):
                ctx.problem(
                    self.name,
                    row.number,
                    "Код ОО",
                    row["school"],
                    "укажите ровно одно из двух: «Код ОО» или «Код муниципалитета»",
                )
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")

    def write(self, rows, ctx):
        schools, mun = ctx.ids("school"), ctx.ids("municipality")
        return upsert(
            model=m.MentoringProgram,
            existing=m.MentoringProgram.objects.filter(period=ctx.period),
            key=("code",),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "code": r["code"],
                    "name": r["name"],
                    "school_id": schools[r["school"]] if r["school"] else None,
                    "municipality_id": mun[r["municipality"]] if r["municipality"] else None,
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
            if row["mentor"] == row["mentee"]:
                ctx.problem(
                    self.name,
                    row.number,
                    "Код наставляемого",
                    row["mentee"],
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
                    "program_id": programs[r["program"]],
                    "mentor_id": teachers[r["mentor"]],
                    "mentee_id": teachers[r["mentee"]],
                    "form": r["form"],
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
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            _future(ctx, self.name, row, "date", "Дата")

    def write(self, rows, ctx):
        teachers = ctx.ids("roster")
        return upsert(
            model=m.CompetitionEntry,
            existing=m.CompetitionEntry.objects.filter(period=ctx.period),
            key=("teacher_id", "competition", "level", "date"),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teachers[r["teacher"]],
                    "competition": r["competition"],
                    "level": r["level"],
                    "result": r["result"],
                    "date": r["date"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.CompetitionEntry.objects.filter(period=period).select_related("teacher")
        for r in qs.order_by("teacher__code", "date", "competition", "level"):
            yield [r.teacher.code, r.competition, r.level, r.result or None, dmy(r.date)]


class AssociationSheet(Sheet):
    name = "Методические объединения"
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
        *(_b(title, field) for field, title in m.ASSOCIATION_CRITERIA.items()),
    )

    def check(self, rows, ctx):
        for row in rows:
            level = row["level"]
            if level == m.AssociationLevel.SCHOOL and not row["school"]:
                ctx.problem(self.name, row.number, "Код ОО", "", "для школьного МО укажите код ОО")
            if level == m.AssociationLevel.MUNICIPAL and not row["municipality"]:
                ctx.problem(
                    self.name, row.number, "Код муниципалитета", "", "для муниципального МО укажите код муниципалитета"
                )
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            ctx.check_reference(self.name, row, "municipality", "municipality", "Муниципалитета")

    def write(self, rows, ctx):
        schools, mun = ctx.ids("school"), ctx.ids("municipality")
        values = []
        for r in rows:
            # The owner follows the level (a school code given for a municipal MO is ignored).
            level = r["level"]
            values.append(
                {
                    "period_id": ctx.period.pk,
                    "code": r["code"],
                    "name": r["name"],
                    "level": level,
                    "school_id": schools[r["school"]] if level == m.AssociationLevel.SCHOOL else None,
                    "municipality_id": mun[r["municipality"]] if level == m.AssociationLevel.MUNICIPAL else None,
                    "subject": r["subject"],
                    **{f: r[f] for f in m.ASSOCIATION_CRITERIA},
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
            values=[{"association_id": assoc[r["association"]], "teacher_id": teachers[r["teacher"]]} for r in rows],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.AssociationMember.objects.filter(association__period=period).select_related("association", "teacher")
        for r in qs.order_by("association__code", "teacher__code"):
            yield [r.association.code, r.teacher.code]


class AssociationEventSheet(Sheet):
    name = "Мероприятия МО"
    order = 70
    key = ("association", "date", "title")
    columns = (
        Column("Код МО", "association", p.parse_code, required=True),
        Column("Дата", "date", p.parse_date, required=True, export=dmy),
        Column("Название", "title", p.parse_text, required=True),
        _b("Сетевая форма", "networked"),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "association", "association", "Методического объединения")
            _future(ctx, self.name, row, "date", "Дата")

    def write(self, rows, ctx):
        assoc = ctx.ids("association")
        return upsert(
            model=m.AssociationEvent,
            existing=m.AssociationEvent.objects.filter(association__period=ctx.period),
            key=("association_id", "date", "title"),
            values=[
                {
                    "association_id": assoc[r["association"]],
                    "date": r["date"],
                    "title": r["title"],
                    "networked": r["networked"],
                }
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.AssociationEvent.objects.filter(association__period=period).select_related("association")
        for r in qs.order_by("association__code", "date", "title"):
            yield [r.association.code, dmy(r.date), r.title, yes_no(r.networked)]


class DigitalSheet(Sheet):
    name = "Цифровая среда"
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
                {"period_id": ctx.period.pk, "school_id": schools[r["school"]], **{f: r[f] for f in fields}}
                for r in rows
            ],
            replace=ctx.replace,
        )

    def export_rows(self, period):
        qs = m.DigitalEnvironmentScore.objects.filter(period=period).select_related("school")
        for r in qs.order_by("school__code"):
            yield [r.school.code, r.infrastructure, r.tools, r.usage, r.professional_development]


for _sheet in (
    RegionSheet(),
    MunicipalitySheet(),
    SchoolSheet(),
    TeacherSheet(),
    StaffingSheet(),
    ExpertSheet(),
    ActivistSheet(),
    ProjectSheet(),
    ProjectParticipantSheet(),
    MentoringProgramSheet(),
    MentoringPairSheet(),
    CompetitionSheet(),
    AssociationSheet(),
    AssociationMemberSheet(),
    AssociationEventSheet(),
    DigitalSheet(),
):
    register(_sheet)
