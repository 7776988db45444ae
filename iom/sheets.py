"""The iom sheets of the data package: `Программы ДПП`, `Курсы`, `Обучение`, `ИОМ`, `Мероприятия ИОМ`.

What a period's package carries (export) and what "replace" may remove (import):

- programs and their providers are the region's catalog, not the period's: every
  program is exported, and replace never removes one (like municipalities and schools);
- course runs are the catalog's cohorts: every run is exported, earlier years' and
  later ones alike, and replace removes only runs overlapping the period;
- every enrollment of a teacher on the period's roster, whatever the run's year;
- every route of a teacher on the period's roster, begun in an earlier year or later
  than the period, with all its activities.

A package imported for a period may bring rows of other years (a run of 2024, a route
begun in 2022 or planned from 2026), and the indicators read some of them (3.16 counts
retraining completed in any year up to the period's end), so they come back out of the
period's export: a package exported for a period imports into an empty portal,
computes the same indicators and exports again unchanged. Teacher codes refer to the
period's roster (as in `Диагностика`). Replace removes only enrollments on runs
overlapping the period and routes overlapping it: other years' rows belong to other
periods' packages as well.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from deficits.sheets import GROUP_CODES
from iom.models import (
    PROGRAM_FLAGS,
    ActivityKind,
    CourseRun,
    Enrollment,
    EnrollmentStatus,
    Program,
    ProgramKind,
    ProgramTag,
    Provider,
    Route,
    RouteActivity,
    RouteStatus,
    TagKind,
    Topic,
)
from iom.services import route_length_problem
from monitoring.intake.package import parsing as p
from monitoring.intake.package.registry import Column, Sheet, SheetResult
from monitoring.intake.package.sheets.values import dmy, joined, yes_no
from monitoring.models import RosterEntry
from monitoring.shared.bulk import insert_rows, upsert


def program_codes(period):
    """Code namespace ``program`` (monitoring/config/extensions.py)."""
    return Program.objects.values_list("code", "id")


def course_codes(period):
    """Code namespace ``course`` (monitoring/config/extensions.py)."""
    return CourseRun.objects.values_list("code", "id")


_LISTS = {"positions": TagKind.POSITION, "competences": TagKind.COMPETENCE, "topics": TagKind.TOPIC}


def _overlapping(qs, period):
    return qs.filter(start__lte=period.end, end__gte=period.start)


def _roster_teachers(period):
    return RosterEntry.objects.filter(period=period).values("teacher_id")


class ProgramSheet(Sheet):
    name = "Программы ДПП"
    models = (Program, ProgramTag)
    order = 85
    key = ("code",)
    provides = {"program": "code"}
    columns = (
        Column("Код программы", "code", p.parse_code, required=True),
        Column("Наименование", "name", p.parse_text, required=True),
        Column("Организация", "provider", p.parse_text, required=True, stored_in=Provider._meta.get_field("name")),
        Column("Вид", "kind", p.choice(ProgramKind.values), required=True),
        Column("Часов", "hours", p.ranged_int(1), required=True),
        Column(
            "Целевые должности",
            "positions",
            p.parse_list,
            default=[],
            export=joined,
            stored_in=ProgramTag._meta.get_field("value"),
        ),
        Column("Компетенции", "competences", p.list_of_choices(GROUP_CODES), default=[], export=joined),
        Column("Тематика", "topics", p.list_of_choices(Topic.values), default=[], export=joined),
        *(Column(title, name, p.parse_bool, default=False, export=yes_no) for name, title in PROGRAM_FLAGS.items()),
    )

    def write(self, rows, ctx) -> SheetResult:
        providers = dict(Provider.objects.values_list("name", "id"))
        missing = sorted({r["provider"] for r in rows} - set(providers))
        Provider.objects.bulk_create([Provider(name=name) for name in missing])
        if missing:
            providers = dict(Provider.objects.values_list("name", "id"))
        result = upsert(
            model=Program,
            existing=Program.objects.all(),
            key=("code",),
            values=[
                {
                    "code": r["code"],
                    "name": r["name"],
                    "provider_id": providers[r["provider"]],
                    "kind": r["kind"],
                    "hours": r["hours"],
                    **{flag: r[flag] for flag in PROGRAM_FLAGS},
                }
                for r in rows
            ],
            replace=False,
        )
        # A list cell is the whole truth about its program: tags not in it go, new ones come.
        ids = dict(Program.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "id"))
        wanted = {(ids[r["code"]], kind, value) for r in rows for field, kind in _LISTS.items() for value in r[field]}
        stored = {
            (pid, kind, value): pk
            for pk, pid, kind, value in ProgramTag.objects.filter(program_id__in=ids.values()).values_list(
                "pk", "program_id", "kind", "value"
            )
        }
        gone = [pk for key, pk in stored.items() if key not in wanted]
        ProgramTag.objects.filter(pk__in=gone).delete()
        insert_rows(
            model=ProgramTag,
            rows=[
                {"program_id": pid, "kind": kind, "value": value} for pid, kind, value in sorted(wanted - set(stored))
            ],
        )
        return result

    def export_rows(self, period):
        tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for pid, kind, value in ProgramTag.objects.order_by("program_id", "kind", "value").values_list(
            "program_id", "kind", "value"
        ):
            tags[pid][kind].append(value)
        for prog in Program.objects.select_related("provider").order_by("code"):
            own = tags[prog.pk]
            yield [
                prog.code,
                prog.name,
                prog.provider.name,
                prog.kind,
                prog.hours,
                joined(own[TagKind.POSITION]) or None,
                joined(own[TagKind.COMPETENCE]) or None,
                joined(own[TagKind.TOPIC]) or None,
                *(yes_no(getattr(prog, flag)) for flag in PROGRAM_FLAGS),
            ]


class CourseSheet(Sheet):
    name = "Курсы"
    models = (CourseRun,)
    order = 86
    key = ("code",)
    provides = {"course": "code"}
    columns = (
        Column("Код курса", "code", p.parse_code, required=True),
        Column("Код программы", "program", p.parse_code, required=True),
        Column("Начало", "start", p.parse_date, required=True, export=dmy),
        Column("Окончание", "end", p.parse_date, required=True, export=dmy),
        Column("По заявке ОО", "by_school_request", p.parse_bool, default=False, export=yes_no),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "program", "program", "Программы")
            if row["end"] < row["start"]:
                ctx.problem(self.name, row.number, "Окончание", dmy(row["end"]), "окончание курса раньше его начала")

    def write(self, rows, ctx) -> SheetResult:
        programs = ctx.ids("program")
        result = upsert(
            model=CourseRun,
            existing=CourseRun.objects.all(),
            key=("code",),
            values=[
                {
                    "code": r["code"],
                    "program_id": programs[r["program"]],
                    "start": r["start"],
                    "end": r["end"],
                    "by_school_request": r["by_school_request"],
                }
                for r in rows
            ],
            replace=False,
        )
        if ctx.replace:
            # Replace reaches the runs of the period, not the catalog's future cohorts.
            gone = _overlapping(CourseRun.objects.all(), ctx.period).exclude(code__in=[r["code"] for r in rows])
            result.removed = gone.count()
            gone.delete()
        return result

    def export_rows(self, period):
        for run in CourseRun.objects.select_related("program").order_by("code"):
            yield [run.code, run.program.code, dmy(run.start), dmy(run.end), yes_no(run.by_school_request)]


class EnrollmentSheet(Sheet):
    name = "Обучение"
    models = (Enrollment,)
    order = 87
    key = ("teacher", "course")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Код курса", "course", p.parse_code, required=True),
        Column("Статус", "status", p.choice(EnrollmentStatus.values), required=True),
        Column("Итоговая аттестация", "final_attestation", p.parse_bool, default=False, export=yes_no),
        Column("Удовлетворенность", "satisfaction", p.ranged_int(1, 5)),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            ctx.check_reference(self.name, row, "course", "course", "Курса")
            if row["final_attestation"] and row["status"] != EnrollmentStatus.COMPLETED:
                ctx.problem(
                    self.name,
                    row.number,
                    "Итоговая аттестация",
                    "да",
                    f"итоговая аттестация отмечена, а статус обучения «{row['status']}», а не «завершил»",
                )

    def write(self, rows, ctx) -> SheetResult:
        teachers, courses = ctx.ids("roster"), ctx.ids("course")
        values = [
            {
                "teacher_id": teachers[r["teacher"]],
                "course_id": courses[r["course"]],
                "status": r["status"],
                "final_attestation": r["final_attestation"],
                "satisfaction": r["satisfaction"],
            }
            for r in rows
        ]
        period_runs = set(_overlapping(CourseRun.objects.all(), ctx.period).values_list("pk", flat=True))
        named_runs = {v["course_id"] for v in values}
        # Rows the package may match: the roster's enrollments on the runs it names (a
        # run of an earlier year too) and on the period's runs; replace removes only
        # the latter.
        return upsert(
            model=Enrollment,
            existing=Enrollment.objects.filter(
                teacher_id__in=_roster_teachers(ctx.period), course_id__in=period_runs | named_runs
            ),
            key=("teacher_id", "course_id"),
            values=values,
            replace=ctx.replace,
            removable=lambda e: e.course_id in period_runs,
        )

    def export_rows(self, period):
        qs = (
            Enrollment.objects.filter(teacher_id__in=_roster_teachers(period))
            .select_related("teacher", "course")
            .order_by("teacher__code", "course__code")
        )
        for e in qs.iterator(chunk_size=5000):
            yield [e.teacher.code, e.course.code, e.status, yes_no(e.final_attestation), e.satisfaction]


class RouteSheet(Sheet):
    name = "ИОМ"
    models = (Route,)
    order = 90
    key = ("teacher", "start")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Начало", "start", p.parse_date, required=True, export=dmy),
        Column("Окончание", "end", p.parse_date, required=True, export=dmy),
        Column("На основе диагностики", "based_on_diagnostic", p.parse_bool, default=False, export=yes_no),
        Column("Согласован", "approved", p.parse_bool, default=False, export=yes_no),
        Column("Скорректирован", "corrected", p.parse_bool, default=False, export=yes_no),
    )

    def check(self, rows, ctx):
        for row in rows:
            ctx.check_reference(self.name, row, "teacher", "roster", "Педагога в списке периода")
            if problem := route_length_problem(start=row["start"], end=row["end"]):
                ctx.problem(self.name, row.number, "Окончание", dmy(row["end"]), problem)

    def write(self, rows, ctx) -> SheetResult:
        teachers = ctx.ids("roster")
        existing = Route.objects.filter(teacher_id__in=_roster_teachers(ctx.period))
        stored_status = dict(((t, s), status) for t, s, status in existing.values_list("teacher_id", "start", "status"))
        values = []
        for r in rows:
            teacher_id = teachers[r["teacher"]]
            current = stored_status.get((teacher_id, r["start"]))
            # "Согласован" carries approval only: an unapproved route keeps the state it has
            # in the portal (being drafted, returned…), a new one starts as submitted.
            if r["approved"]:
                status = RouteStatus.APPROVED
            elif current is not None and current != RouteStatus.APPROVED:
                status = current
            else:
                status = RouteStatus.SUBMITTED
            values.append(
                {
                    "teacher_id": teacher_id,
                    "start": r["start"],
                    "end": r["end"],
                    "based_on_diagnostic": r["based_on_diagnostic"],
                    "status": status,
                    "corrected": r["corrected"],
                }
            )
        result = upsert(
            model=Route,
            existing=existing,
            key=("teacher_id", "start"),
            values=values,
            replace=False,
        )
        wanted = {(v["teacher_id"], v["start"]) for v in values}
        if ctx.replace:
            gone = [
                pk
                for pk, t, s in _overlapping(existing, ctx.period).values_list("pk", "teacher_id", "start")
                if (t, s) not in wanted
            ]
            Route.objects.filter(pk__in=gone).delete()
            result.removed = len(gone)
        return result

    def export_rows(self, period):
        qs = Route.objects.filter(teacher_id__in=_roster_teachers(period))
        for r in qs.select_related("teacher").order_by("teacher__code", "start"):
            yield [
                r.teacher.code,
                dmy(r.start),
                dmy(r.end),
                yes_no(r.based_on_diagnostic),
                yes_no(r.status == RouteStatus.APPROVED),
                yes_no(r.corrected),
            ]


class ActivitySheet(Sheet):
    name = "Мероприятия ИОМ"
    models = (RouteActivity,)
    order = 95
    key = ("teacher", "route_start", "kind", "program", "group_code", "due")
    columns = (
        Column("Код педагога", "teacher", p.parse_code, required=True),
        Column("Начало ИОМ", "route_start", p.parse_date, required=True, export=dmy),
        Column("Вид", "kind", p.choice(ActivityKind.values), required=True),
        Column("Код программы", "program", p.parse_code),
        Column("Компетенция", "group_code", p.choice(GROUP_CODES), default=""),
        Column("Срок", "due", p.parse_date, required=True, export=dmy),
        Column("Выполнено", "done", p.parse_bool, default=False, export=yes_no),
    )

    def _routes(self, rows, ctx) -> dict[tuple[str, dt.date], tuple[dt.date, dt.date]]:
        """(teacher code, start) -> (start, end) of the routes in the package and in the portal."""
        routes = {
            (code, start): (start, end)
            for code, start, end in Route.objects.filter(teacher__code__in={r["teacher"] for r in rows}).values_list(
                "teacher__code", "start", "end"
            )
        }
        for r in ctx.package.get(RouteSheet.name, []):
            routes[(r["teacher"], r["start"])] = (r["start"], r["end"])
        return routes

    def check(self, rows, ctx):
        routes = self._routes(rows, ctx)
        for row in rows:
            ctx.check_reference(self.name, row, "program", "program", "Программы")
            dates = routes.get((row["teacher"], row["route_start"]))
            if dates is None:
                ctx.problem(
                    self.name,
                    row.number,
                    "Начало ИОМ",
                    dmy(row["route_start"]),
                    f"у педагога {row['teacher']} нет маршрута с этой датой начала ни в файле, ни в портале",
                )
            elif not dates[0] <= row["due"] <= dates[1]:
                ctx.problem(
                    self.name,
                    row.number,
                    "Срок",
                    dmy(row["due"]),
                    f"срок вне сроков маршрута ({dmy(dates[0])}–{dmy(dates[1])})",
                )
            if row["kind"] == ActivityKind.COURSE and not row["program"]:
                ctx.problem(self.name, row.number, "Код программы", "", "для мероприятия «курс» укажите код программы")

    def write(self, rows, ctx) -> SheetResult:
        teachers, programs = ctx.ids("roster"), ctx.ids("program")
        routes = {
            (t, s): pk
            for pk, t, s in Route.objects.filter(teacher_id__in=_roster_teachers(ctx.period)).values_list(
                "pk", "teacher_id", "start"
            )
        }
        values = [
            {
                "route_id": routes[(teachers[r["teacher"]], r["route_start"])],
                "kind": r["kind"],
                "program_id": programs[r["program"]] if r["program"] else None,
                "group_code": r["group_code"],
                "due": r["due"],
                "done": r["done"],
            }
            for r in rows
        ]
        return upsert(
            model=RouteActivity,
            existing=RouteActivity.objects.filter(route_id__in=set(routes.values())),
            key=("route_id", "kind", "program_id", "group_code", "due"),
            values=values,
            replace=ctx.replace,
            # Replace touches the activities of the routes the package names, and only them.
            removable=lambda a, named={v["route_id"] for v in values}: a.route_id in named,
        )

    def export_rows(self, period):
        qs = (
            RouteActivity.objects.filter(route__teacher_id__in=_roster_teachers(period))
            .select_related("route__teacher", "program")
            .order_by("route__teacher__code", "route__start", "due", "kind", "program__code", "group_code", "pk")
        )
        for a in qs.iterator(chunk_size=5000):
            yield [
                a.route.teacher.code,
                dmy(a.route.start),
                a.kind,
                a.program.code if a.program_id else None,
                a.group_code or None,
                dmy(a.due),
                yes_no(a.done),
            ]
