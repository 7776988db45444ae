"""The iom part of the demo region: a DPO catalog, its course runs, enrollments and routes.

Registered as a step of monitoring.demo.seed_demo after the diagnostics step. Sizes
follow the region: about a third of the roster studies on a course ending in each
period, and a share of the teachers with deficits have a route built from their
diagnostic, most of them approved. The demo teacher's account is left without a
route in the latest period, so the journey "take the diagnostic, build a route" can
be walked on the demo.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Max
from django.utils import timezone

from deficits.models import Diagnostic, GroupResult
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
    RouteComment,
    RouteEvent,
    RouteStatus,
    RouteVersion,
    TagKind,
    Topic,
)
from iom.services import years_after
from monitoring.demo import wipe
from monitoring.models import CuratorAssignment, Municipality, Role, RosterEntry, User

PROVIDERS = (
    "ГАУ ДПО «Волгоградская государственная академия последипломного образования»",
    "Центр непрерывного повышения профессионального мастерства педагогических работников",
    "ФГБОУ ВО «Волгоградский государственный социально-педагогический университет»",
    "ФГАОУ ДПО «Академия Минпросвещения России»",
    "АНО ДПО «Институт современного образования»",
    "ГБПОУ «Волгоградский социально-педагогический колледж»",
)

# Program titles by the competence group they mainly develop.
TITLES = {
    "МЕТ": (
        "Проектирование рабочей программы по предмету в соответствии с обновленными ФГОС",
        "Формирующее оценивание в урочной деятельности",
        "Функциональная грамотность обучающихся: методика формирования и оценки",
        "Анализ результатов оценочных процедур и коррекция преподавания",
    ),
    "ТЕХ": (
        "Современные образовательные технологии в условиях реализации ФГОС",
        "Технология развития критического мышления через чтение и письмо",
        "Смешанное обучение и модель «перевернутый класс»",
        "Технологии организации групповой работы на уроке",
    ),
    "ИССЛ": (
        "Организация учебно-исследовательской деятельности обучающихся",
        "Исследование урока: методика Lesson Study",
        "Педагогическое исследование: от проблемы к публикации",
    ),
    "ПРОЕКТ": (
        "Организация проектной деятельности обучающихся в основной и средней школе",
        "Индивидуальный проект: сопровождение и оценивание",
        "Проектирование индивидуального образовательного маршрута педагога",
    ),
    "ИКТ": (
        "Цифровые образовательные ресурсы и сервисы в работе учителя",
        "Работа в ФГИС «Моя школа»: инструменты учителя",
        "Электронное обучение и дистанционные образовательные технологии",
        "Основы кибербезопасности и цифровой гигиены для педагогов",
    ),
    "КОРР": (
        "Инклюзивное образование обучающихся с ОВЗ в общеобразовательной организации",
        "Адаптированные образовательные программы: разработка и реализация",
        "Профилактика трудностей в обучении: диагностика и коррекция",
        "Психолого-педагогическое сопровождение обучающихся с особыми образовательными потребностями",
    ),
}
RETRAINING = (
    ("Педагогическое образование: учитель начальных классов", ("МЕТ", "ТЕХ")),
    ("Педагогическое образование: теория и методика преподавания в основной школе", ("МЕТ", "ИССЛ")),
    ("Дефектология и логопедия в образовательной организации", ("КОРР",)),
)
# Target positions narrower than «учитель»: a retraining for primary-school teachers is not
# proposed to a maths teacher (iom.audience).
AUDIENCE = {"Педагогическое образование: учитель начальных классов": "учитель начальных классов"}
HOURS = (16, 18, 24, 36, 36, 48, 72, 72, 108)
FLAG_SHARE = {
    "e_learning": 0.55,
    "in_registry": 0.45,
    "digital_support": 0.6,
    "municipal_order": 0.35,
    "exam_based": 0.3,
    "efom": 0.15,
    "regional_projects": 0.4,
    "external_review": 0.5,
    "for_school_teams": 0.2,
    "by_association_request": 0.15,
    "network_form": 0.2,
    "internship": 0.1,
    "diagnostics_based": 0.45,
}
# Shares of the roster enrolled on a run ending in each period, and of the teachers
# with deficits who build a route in it (the earlier year, the year being collected).
# With one or two deficit groups worked on per route, a region-size period's package
# gains about 40,000 rows: the ~166,000 rows the import benchmark is sized for.
ENROLLED = (0.3, 0.33)
ROUTED = (0.22, 0.3)


def wipe_iom() -> dict[str, int]:
    """Delete the catalog, enrollments and routes (leaves first), for seed_demo --reset."""
    deleted = {}
    models = (
        *(RouteComment, CuratorAssignment),
        *(RouteActivity, RouteEvent, RouteVersion, Route, Enrollment, CourseRun, ProgramTag, Program, Provider),
    )
    for model in models:
        deleted[model.__name__] = wipe(model._base_manager.all())
    return deleted


def seed_iom(*, periods, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    if Program.objects.filter(code__startswith="ДПП-").exists() or Provider.objects.filter(name__in=PROVIDERS).exists():
        log("  каталог ДПП уже есть в базе: программы, курсы и ИОМ демо-данных не создавались")
        return {}
    rng = random.Random(seed * 104729 + 31)
    today = timezone.localdate()
    counts: dict[str, int] = defaultdict(int)
    programs = _catalog(rng, counts)
    by_group: dict[str, list[Program]] = defaultdict(list)
    for program, groups in programs:
        for group in groups:
            by_group[group].append(program)
    # Runs for the demo's years and on to next year, so that "upcoming runs" exist
    # whenever the demo is seeded and route proposals have dates to offer.
    last = max(max(period.year for period in periods), today.year) + 1
    years = list(range(min(period.year for period in periods), last + 1))
    runs = _runs(rng, [p for p, _ in programs], years, counts)
    demo_teacher = User.objects.filter(username="teacher").values_list("teacher_id", flat=True).first()
    for index, period in enumerate(periods):
        roster = list(
            RosterEntry.objects.filter(period=period).order_by("teacher_id").values_list("teacher_id", flat=True)
        )
        deficits = _deficits(period)
        ending = [r for r in runs if period.start <= r.end <= period.end]
        _enroll(rng, roster, deficits, ending, by_group, ENROLLED[min(index, len(ENROLLED) - 1)], today, counts)
        skip = {demo_teacher} if index == len(periods) - 1 else set()
        _routes(rng, deficits, by_group, runs, ROUTED[min(index, len(ROUTED) - 1)], today, skip, counts)
        log(f"  ИОМ {period.year}: {counts['Route']}, обучение: {counts['Enrollment']}")
    _curated(rng, periods[-1], counts)
    return dict(counts)


# The demo curator follows this many teachers of the first municipality who have routes.
CURATED = 15
CURATOR_COMMENTS = (
    "Посмотрела ваш маршрут: курс выбран удачно. Не забудьте отметить выполнение после итоговой аттестации.",
    "Срок мероприятия прошел — напишите, если нужна помощь с выбором другой программы.",
)


def _curated(rng: random.Random, period, counts) -> None:
    """The `curator` login: ~15 teachers of the first municipality with routes of the latest period; two comments."""
    curator = User.objects.filter(username="curator", role=Role.CURATOR).first()
    municipality = Municipality.objects.order_by("code").first()
    if curator is None or municipality is None:
        return
    on_roster = RosterEntry.objects.filter(period=period, school__municipality=municipality).values("teacher_id")
    routes = list(Route.objects.filter(teacher_id__in=on_roster, start__gte=period.start).order_by("teacher_id", "pk"))
    chosen = sorted(rng.sample(routes, min(CURATED, len(routes))), key=lambda r: r.teacher_id)
    CuratorAssignment.objects.bulk_create(
        [CuratorAssignment(curator=curator, teacher_id=r.teacher_id) for r in chosen], ignore_conflicts=True
    )
    comments = [
        RouteComment(route=route, author=curator, text=text)
        for route, text in zip(chosen, CURATOR_COMMENTS, strict=False)
    ]
    RouteComment.objects.bulk_create(comments)
    counts["CuratorAssignment"] += len(chosen)
    counts["RouteComment"] += len(comments)


def _catalog(rng: random.Random, counts) -> list[tuple[Program, tuple[str, ...]]]:
    providers = Provider.objects.bulk_create([Provider(name=name) for name in PROVIDERS])
    specs: list[tuple[str, str, tuple[str, ...]]] = []
    for group, titles in TITLES.items():
        for title in titles:
            extra = rng.choice([g for g in GROUP_CODES if g != group]) if rng.random() < 0.35 else None
            specs.append((title, ProgramKind.PK, (group, extra) if extra else (group,)))
    specs += [(title, ProgramKind.PP, groups) for title, groups in RETRAINING]
    programs, tags = [], []
    for number, (title, kind, groups) in enumerate(specs, start=1):
        program = Program(
            code=f"ДПП-{number:03d}",
            name=title,
            provider=providers[0] if rng.random() < 0.45 else rng.choice(providers),
            kind=kind,
            hours=rng.choice((256, 288, 520)) if kind == ProgramKind.PP else rng.choice(HOURS),
            **{flag: rng.random() < share for flag, share in FLAG_SHARE.items()},
        )
        programs.append((program, groups))
    Program.objects.bulk_create([p for p, _ in programs])
    topics = list(Topic.values)
    for program, groups in programs:
        tags += [ProgramTag(program=program, kind=TagKind.COMPETENCE, value=g) for g in groups]
        if rng.random() < 0.6:
            tags += [
                ProgramTag(program=program, kind=TagKind.TOPIC, value=t) for t in rng.sample(topics, rng.randint(1, 2))
            ]
        if program.kind == ProgramKind.PP or rng.random() < 0.3:
            tags.append(ProgramTag(program=program, kind=TagKind.POSITION, value=AUDIENCE.get(program.name, "учитель")))
    ProgramTag.objects.bulk_create(tags)
    counts["Provider"], counts["Program"], counts["ProgramTag"] = len(providers), len(programs), len(tags)
    assert set(PROGRAM_FLAGS) == set(FLAG_SHARE)
    return programs


def _runs(rng: random.Random, programs: list[Program], years: list[int], counts) -> list[CourseRun]:
    runs = []
    for year in years:
        for program in programs:
            for _ in range(rng.choice((1, 2, 2, 3))):
                start = dt.date(year, 1, 15) + dt.timedelta(days=rng.randint(0, 300))
                weeks = 2 if program.hours <= 36 else 4 if program.hours <= 108 else 24
                runs.append(
                    CourseRun(
                        code=f"К-{year}-{len(runs) + 1:04d}",
                        program=program,
                        start=start,
                        end=min(start + dt.timedelta(weeks=weeks), dt.date(year, 12, 25)),
                        by_school_request=rng.random() < 0.25,
                    )
                )
    CourseRun.objects.bulk_create(runs, batch_size=2000)
    counts["CourseRun"] = len(runs)
    return runs


def _deficits(period) -> dict[int, tuple[Diagnostic, list[str]]]:
    """Teacher -> (their latest diagnostic in the period, its deficit groups), for those with deficits."""
    latest = Diagnostic.objects.latest_in_period(period).filter(teacher__roster_entries__period=period)
    groups: dict[int, list[str]] = defaultdict(list)
    for diagnostic_id, group in GroupResult.objects.filter(
        diagnostic__in=latest.values("pk"), is_deficit=True
    ).values_list("diagnostic_id", "group_code"):
        groups[diagnostic_id].append(group)
    return {d.teacher_id: (d, sorted(groups[d.pk])) for d in latest.only("pk", "teacher_id", "date") if groups[d.pk]}


def _enroll(rng, roster, deficits, ending, by_group, share, today, counts) -> None:
    by_program: dict[int, list[CourseRun]] = defaultdict(list)
    for run in ending:
        by_program[run.program_id].append(run)
    enrollments = []
    for teacher_id in roster:
        if rng.random() > share:
            continue
        wanted = deficits.get(teacher_id, (None, []))[1]
        pool = [p for g in wanted for p in by_group[g] if by_program.get(p.pk)] or [
            p for ps in by_group.values() for p in ps if by_program.get(p.pk)
        ]
        if not pool:
            continue
        run = rng.choice(by_program[rng.choice(pool).pk])
        if run.end >= today:
            status, passed = EnrollmentStatus.ENROLLED, False
        else:
            status = EnrollmentStatus.COMPLETED if rng.random() < 0.88 else EnrollmentStatus.EXPELLED
            passed = status == EnrollmentStatus.COMPLETED and rng.random() < 0.95
        rated = status == EnrollmentStatus.COMPLETED and rng.random() < 0.7
        enrollments.append(
            Enrollment(
                teacher_id=teacher_id,
                course=run,
                status=status,
                final_attestation=passed,
                satisfaction=rng.choices((2, 3, 4, 5), weights=(1, 3, 8, 10))[0] if rated else None,
            )
        )
    Enrollment.objects.bulk_create(enrollments, batch_size=5000)
    counts["Enrollment"] += len(enrollments)


def _routes(rng, deficits, by_group, runs, share, today, skip, counts) -> None:
    runs_by_program: dict[int, list[CourseRun]] = defaultdict(list)
    for run in runs:
        runs_by_program[run.program_id].append(run)
    routes, plans = [], []
    # A teacher whose route from the year before still runs gets no second one.
    running = dict(Route.objects.values_list("teacher_id").annotate(last=Max("end")).order_by())
    for teacher_id, (diagnostic, groups) in sorted(deficits.items()):
        if teacher_id in skip or rng.random() > share:
            continue
        if running.get(teacher_id) and running[teacher_id] >= diagnostic.date:
            continue
        start = diagnostic.date
        end = years_after(start, 2 if rng.random() < 0.2 else 1) - dt.timedelta(days=1)
        status = rng.choices((RouteStatus.APPROVED, RouteStatus.SUBMITTED, RouteStatus.DRAFT), weights=(78, 14, 8))[0]
        route = Route(
            teacher_id=teacher_id,
            start=start,
            end=end,
            based_on_diagnostic=rng.random() < 0.95,
            diagnostic=diagnostic,
            status=status,
        )
        routes.append(route)
        plans.append((route, groups))
    Route.objects.bulk_create(routes, batch_size=5000)
    activities = []
    for route, groups in plans:
        used = set()
        for group in rng.sample(groups, min(len(groups), rng.choice((1, 2)))):
            choices = [
                p for p in by_group[group] if any(route.start <= r.end <= route.end for r in runs_by_program[p.pk])
            ]
            if choices:
                program = rng.choice(choices)
                run = next(r for r in runs_by_program[program.pk] if route.start <= r.end <= route.end)
                _plan(activities, used, rng, route, today, ActivityKind.COURSE, group, run.end, program=program)
            kind = rng.choice((ActivityKind.SELF_EDUCATION, ActivityKind.MENTORING, ActivityKind.METHODICAL))
            due = route.start + dt.timedelta(days=rng.randint(30, max(31, (route.end - route.start).days)))
            _plan(activities, used, rng, route, today, kind, group, due, title=f"{kind.label.capitalize()} ({group})")
    RouteActivity.objects.bulk_create(activities, batch_size=5000)
    counts["Route"] += len(routes)
    counts["RouteActivity"] += len(activities)


def _plan(activities, used, rng, route, today, kind, group, due, program=None, title="") -> None:
    key = (kind, program.pk if program else None, group, due)
    if key in used:
        return
    used.add(key)
    done = route.status == RouteStatus.APPROVED and due < today and rng.random() < 0.75
    activities.append(
        RouteActivity(route=route, kind=kind, program=program, group_code=group, title=title, due=due, done=done)
    )
