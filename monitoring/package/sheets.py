"""The monitoring app's sheets of the data package (spec/data-package.md, "Sheets")."""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.db import models as djm
from django.utils import timezone

from monitoring import identity
from monitoring import models as m
from monitoring.package import parsing as p
from monitoring.package.importer import ImportContext, register_namespace
from monitoring.package.registry import Column, Row, Sheet, register
from monitoring.shared.bulk import combined_digest, upsert

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


def _future(ctx: ImportContext, sheet: str, row: Row, field: str, title: str, today: dt.date) -> None:
    # ``today`` comes from the caller, once per sheet: timezone.localdate() per row cost
    # more than the rest of the check.
    value = row.values.get(field)
    if value and value > today:
        ctx.problem(sheet, row.number, title, dmy(value), "дата еще не наступила")


# --- sheets ----------------------------------------------------------------------


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
        existing = set(m.Region.objects.values_list("code", flat=True))
        if rows and existing and rows[0].values["code"] not in existing:
            ctx.problem(
                self.name,
                rows[0].number,
                "Код",
                rows[0].values["code"],
                "портал уже обслуживает другой регион (" + ", ".join(sorted(existing)) + ")",
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
        _b("ШНОР", "low_results"),
        _b("Неблагоприятные условия", "adverse_conditions"),
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


def _snils(value: Any) -> str | None:
    text = p.parse_text(value)
    if text is None:
        return None
    # Full-width or other Unicode digits are the same number: stored in ASCII, so that one
    # person's СНИЛС is one string (and the unique constraint sees a second card).
    text = unicodedata.normalize("NFKC", text)
    if not m.snils_is_valid(text):
        raise p.CellError("СНИЛС не прошел проверку контрольного числа (формат 123-456-789 01)")
    if _SNILS_FORMAT.fullmatch(text):  # already written the way it is stored
        return text
    digits = "".join(filter(str.isdigit, text))
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


_SNILS_FORMAT = re.compile(r"[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}")


# Above this many codes a package is compared with every teacher: one plain scan is
# cheaper than compiling and sending an IN list of tens of thousands of codes.
IN_LIMIT = 1000


def _teachers(codes: list[str]) -> djm.QuerySet:
    """The teachers a package's codes may name (possibly more: codes not given match nothing)."""
    qs = m.Teacher.objects.all()
    return qs if len(codes) > IN_LIMIT else qs.filter(code__in=codes)


class TeacherSheet(Sheet):
    name = "Педагоги"
    models = (m.Teacher, m.RosterEntry)
    order = 40
    key = ("code",)
    provides = {"roster": "code", "teacher": "code"}
    columns = (
        Column("Код педагога", "code", p.parse_code, required=True),
        Column("ФИО", "full_name", p.parse_text, required=True),
        Column("Пол", "sex", p.choice(m.Sex.values), required=True),
        Column("Дата рождения", "birth_date", p.parse_date, required=True, export=dmy, personal=True),
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
        Column("СНИЛС", "snils", _snils, default="", personal=True),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "school", "school", "Организации")
            birth = row.values["birth_date"]
            age = (today - birth).days // 365
            if birth > today:
                ctx.problem(self.name, row.number, "Дата рождения", dmy(birth), "дата еще не наступила")
            elif not 16 <= age <= 100:
                ctx.problem(self.name, row.number, "Дата рождения", dmy(birth), "возраст педагога неправдоподобен")
            _future(ctx, self.name, row, "category_date", "Дата присвоения категории", today)
        self._check_snils(rows, ctx)
        self._check_people(rows, ctx)

    def _check_people(self, rows, ctx):
        """A new code is one new person, and a card rewritten stays its own person, as the eye reads them.

        A new code may not read as a known teacher's code, nor name a known person (ФИО and birth
        date); a known code whose ФИО or birth date the row changes may not become another known
        person either. Refused in a school's upload; reported to the institute, whose package may
        hold true namesakes (see monitoring.identity). Compared with the portal and within the file.
        """
        report = ctx.problem if ctx.school is not None else ctx.warning
        codes = [r["code"] for r in rows]
        named = set(codes)
        cards = {
            code: (name, born)
            for code, name, born in _teachers(codes).values_list("code", "full_name", "birth_date")
            if code in named
        }
        new = [r for r in rows if r["code"] not in cards]
        rewritten = [r for r in rows if r["code"] in cards and cards[r["code"]] != (r["full_name"], r["birth_date"])]
        if not new and not rewritten:
            return  # a re-upload that names no one new (a region's package every year) costs nothing here
        # Each row's folds once: a region's first package has every row new (30,000 and more).
        code_folds = {r["code"]: identity.fold_code(r["code"]) for r in new}
        looks: dict[str, str] = {}
        if cards or m.Teacher.objects.exists():
            wanted = set(code_folds.values())
            for code in m.Teacher.objects.values_list("code", flat=True).iterator(chunk_size=5000):
                folded = identity.fold_code(code)
                if folded in wanted:
                    looks.setdefault(folded, code)
        for row in rows:  # the file's own codes count as known too
            looks.setdefault(code_folds.get(row["code"]) or identity.fold_code(row["code"]), row["code"])
        checked = new + rewritten
        people: dict[tuple[str, Any], str] = {}
        for name, born, code in m.Teacher.objects.filter(birth_date__in={r["birth_date"] for r in checked}).values_list(
            "full_name", "birth_date", "code"
        ):
            for key in identity.name_keys(name):
                people.setdefault((key, born), code)
        row_keys = {r["code"]: identity.name_keys(r["full_name"]) for r in rows}
        for row in rows:
            for key in row_keys[row["code"]]:
                people.setdefault((key, row["birth_date"]), row["code"])
        for row in checked:
            code = row["code"]
            twin = looks.get(code_folds[code]) if code in code_folds else None
            if code in code_folds and not identity.PLAIN_CODE.fullmatch(code):
                report(
                    self.name,
                    row.number,
                    "Код педагога",
                    code,
                    "новый код педагога записывается латинскими буквами, цифрами и знаками «-», «_», «.», «/»; "
                    "в этом коде есть другие символы (возможно, русские буквы или невидимые знаки)",
                )
            elif twin is not None and twin != code:
                report(
                    self.name,
                    row.number,
                    "Код педагога",
                    code,
                    f"код почти совпадает с кодом «{twin}» (отличаются регистр, разделители, нули или похожие "
                    "буквы); укажите код точно так, как он записан в портале",
                )
            else:
                others = {people.get((key, row["birth_date"])) for key in row_keys[code]} - {None, code}
                if others:
                    same = min(others)
                    where = "в этом файле" if same in row_keys else "в портале"
                    if ctx.school is not None:
                        hint = "; " + identity.TRANSFER_HINT if where == "в портале" and code not in cards else ""
                        text = f"педагог с такими ФИО и датой рождения уже есть {where} под другим кодом{hint}"
                    else:
                        text = f"педагог с такими ФИО и датой рождения уже есть {where} под кодом «{same}»"
                    report(self.name, row.number, "ФИО", row["full_name"], text)

    def _check_snils(self, rows, ctx):
        """A СНИЛС names one person: not two rows of the file, nor a teacher of the portal under another code.

        A head who writes another school's teacher's СНИЛС on a new row would otherwise make a
        second card of that person. The other teacher's code is named for the institute only:
        a school learns no one's code from a СНИЛС.
        """
        first: dict[str, int] = {}
        for row in rows:
            snils = row["snils"]
            if not snils:
                continue
            if snils in first:
                ctx.problem(self.name, row.number, "СНИЛС", snils, f"этот СНИЛС уже указан в строке {first[snils]}")
            else:
                first[snils] = row.number
        if not first:
            return
        stored = m.Teacher.objects.exclude(snils="")
        if len(first) <= IN_LIMIT:
            stored = stored.filter(snils__in=list(first))
        owners = dict(stored.values_list("snils", "code"))
        for row in rows:
            owner = owners.get(row["snils"])
            if owner is not None and owner != row["code"]:
                whose = f" (код {owner})" if ctx.school is None else ""
                ctx.problem(
                    self.name,
                    row.number,
                    "СНИЛС",
                    row["snils"],
                    f"этот СНИЛС в портале указан у другого педагога{whose}",
                )

    def write(self, rows, ctx):
        codes = [r.values["code"] for r in rows]
        people_rows = rows
        roster = m.RosterEntry.objects.filter(period=ctx.period)
        if ctx.school is not None:
            # A school's upload (its check refuses another school's teachers) writes inside the
            # school only: a roster row elsewhere is never matched (the database's unique
            # teacher-per-period constraint would refuse the import rather than move it), and a
            # person's card is rewritten only for teachers the school alone has had.
            roster = roster.filter(school=ctx.school)
            entries = m.RosterEntry.objects.filter(teacher__code__in=codes)
            here = set(entries.filter(school=ctx.school).values_list("teacher__code", flat=True))
            here -= set(entries.exclude(school=ctx.school).values_list("teacher__code", flat=True))
            known = set(_teachers(codes).filter(code__in=codes).values_list("code", flat=True))
            people_rows = [r for r in rows if r.values["code"] not in known or r.values["code"] in here]
        people = upsert(
            model=m.Teacher,
            existing=_teachers([r.values["code"] for r in people_rows]),
            key=("code",),
            values=[
                {
                    "code": r.values["code"],
                    "full_name": r.values["full_name"],
                    "sex": r.values["sex"],
                    "birth_date": r.values["birth_date"],
                    "snils": r.values["snils"],
                }
                for r in people_rows
            ],
            replace=False,
        )
        teacher_ids = dict(_teachers(codes).values_list("code", "id"))
        schools = ctx.ids("school")
        roster_fields = [
            c.field
            for c in self.columns
            if c.field not in ("code", "full_name", "sex", "birth_date", "snils", "school")
        ]
        roster_values = operator.itemgetter(*roster_fields)
        result = upsert(
            model=m.RosterEntry,
            existing=roster,
            key=("teacher_id",),
            values=[
                {
                    "period_id": ctx.period.pk,
                    "teacher_id": teacher_ids[r.values["code"]],
                    "school_id": schools[r.values["school"]],
                    **dict(zip(roster_fields, roster_values(r.values), strict=True)),
                }
                for r in rows
            ],
            replace=ctx.replace,
            removable=_own_school(ctx),
        )
        # A change of the person's card (name, birth date) is a change of the row too.
        result.changed += people.changed
        result.unchanged = max(0, result.unchanged - people.changed)
        result.digest = combined_digest(people, result)
        return result

    def replaced_codes(self, namespace, ctx):
        if namespace != "roster":
            return set()  # teachers as people are never removed, only their rows of the period
        roster = m.RosterEntry.objects.filter(period=ctx.period)
        if ctx.school is not None:  # a school head's replace stays inside the school (see _own_school)
            roster = roster.filter(school=ctx.school)
        return set(roster.values_list("teacher__code", flat=True))

    def export_rows(self, period, *, school=None):
        qs = m.RosterEntry.objects.filter(period=period).select_related("teacher", "school").order_by("teacher__code")
        if school is not None:  # a school head's template: one school's roster, not the region's
            qs = qs.filter(school=school)
        for e in qs.iterator(chunk_size=2000):
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
    models = (m.StaffingRow,)
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
            if row.values["vacant_positions"] > row.values["positions_by_schedule"]:
                ctx.problem(
                    self.name,
                    row.number,
                    "Вакантных ставок",
                    number(row.values["vacant_positions"]),
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
                    "school_id": schools[r.values["school"]],
                    "position": r.values["position"],
                    "positions_by_schedule": r.values["positions_by_schedule"],
                    "actual_need": r.values["actual_need"],
                    "vacant_positions": r.values["vacant_positions"],
                    "vacant_posts": r.values["vacant_posts"],
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
            _future(ctx, self.name, row, "date", "Дата", today)

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
        *(_b(title, field) for field, title in m.ASSOCIATION_CRITERIA.items()),
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
        _b("Сетевая форма", "networked"),
    )

    def check(self, rows, ctx):
        today = timezone.localdate()
        for row in rows:
            ctx.check_reference(self.name, row, "association", "association", "Методического объединения")
            _future(ctx, self.name, row, "date", "Дата", today)

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
