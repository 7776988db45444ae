"""Teachers (a person's card and the period's roster row) and the schools' staffing."""

from __future__ import annotations

import operator
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.db import models as djm
from django.utils import timezone

from monitoring import models as m
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet
from monitoring.intake.package.rows import row_values
from monitoring.intake.package.sheets.values import bool_column, dmy, joined, not_in_future, number, own_school, yes_no
from monitoring.shared import identity
from monitoring.shared.bulk import combined_digest, upsert


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
        bool_column("Педагогическое образование", "pedagogical_education"),
        bool_column("Образование соответствует профилю", "education_matches_profile"),
        Column("Квалификационная категория", "category", p.choice(m.Category.values), default=m.Category.NONE),
        Column("Дата присвоения категории", "category_date", p.parse_date, export=dmy),
        Column("Педагогический стаж", "experience_years", p.ranged_int(0, 80)),
        bool_column("Совместитель", "part_time"),
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
            not_in_future(ctx, self.name, row, "category_date", "Дата присвоения категории", today)
        self._check_snils(rows, ctx)
        self._check_people(rows, ctx)

    def _check_people(self, rows, ctx):
        """A new code is one new person, and a card rewritten stays its own person, as the eye reads them.

        A new code may not read as a known teacher's code, nor name a known person (ФИО and birth
        date); a known code whose ФИО or birth date the row changes may not become another known
        person either. Refused in a school's upload; reported to the institute, whose package may
        hold true namesakes (see monitoring.shared.identity). Compared with the portal and within the file.
        """
        report = ctx.problem if ctx.school is not None else ctx.warning
        # (row, code, ФИО, birth date), read once: a region's first package has 100,000 rows, each met four times below.
        cards_read = row_values(rows, ("code", "full_name", "birth_date"))
        people_rows = [(row, *values) for row, values in zip(rows, cards_read, strict=True)]
        codes = [code for _, code, _, _ in people_rows]
        named = set(codes)
        cards = {
            code: (name, born)
            for code, name, born in _teachers(codes).values_list("code", "full_name", "birth_date")
            if code in named
        }
        new = [entry for entry in people_rows if entry[1] not in cards]
        rewritten = [entry for entry in people_rows if entry[1] in cards and cards[entry[1]] != entry[2:]]
        if not new and not rewritten:
            return  # a re-upload that names no one new (a region's package every year) costs nothing here
        # Each row's folds once: a region's first package has every row new (30,000 and more).
        code_folds = {code: identity.fold_code(code) for _, code, _, _ in new}
        looks: dict[str, str] = {}
        if cards or m.Teacher.objects.exists():
            wanted = set(code_folds.values())
            for code in m.Teacher.objects.values_list("code", flat=True).iterator(chunk_size=5000):
                folded = identity.fold_code(code)
                if folded in wanted:
                    looks.setdefault(folded, code)
        for code in codes:  # the file's own codes count as known too
            looks.setdefault(code_folds.get(code) or identity.fold_code(code), code)
        checked = new + rewritten
        people: dict[tuple[str, Any], str] = {}
        for name, born, code in m.Teacher.objects.filter(birth_date__in={born for *_, born in checked}).values_list(
            "full_name", "birth_date", "code"
        ):
            for key in identity.name_keys(name):
                people.setdefault((key, born), code)
        row_keys = {code: identity.name_keys(name) for _, code, name, _ in people_rows}
        for _, code, _, born in people_rows:
            for key in row_keys[code]:
                people.setdefault((key, born), code)
        for row, code, name, born in checked:
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
                others = {people.get((key, born)) for key in row_keys[code]} - {None, code}
                if others:
                    same = min(others)
                    where = "в этом файле" if same in row_keys else "в портале"
                    if ctx.school is not None:
                        hint = "; " + identity.TRANSFER_HINT if where == "в портале" and code not in cards else ""
                        text = f"педагог с такими ФИО и датой рождения уже есть {where} под другим кодом{hint}"
                    else:
                        text = f"педагог с такими ФИО и датой рождения уже есть {where} под кодом «{same}»"
                    report(self.name, row.number, "ФИО", name, text)

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
            removable=own_school(ctx),
        )
        # A change of the person's card (name, birth date) is a change of the row too.
        result.changed += people.changed
        result.unchanged = max(0, result.unchanged - people.changed)
        result.digest = combined_digest(people, result)
        # The preview names the card's changes with the row's; a new card is the new row itself.
        result.rows = tuple({**sample, "added": [], "removed": []} for sample in people.rows) + result.rows
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
            removable=own_school(ctx),
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
