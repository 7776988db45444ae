"""Random monitored worlds for comparing declarative indicators with the coded ones.

:func:`build_world` fills an empty database from a seeded ``random.Random``: two
periods (2024 and 2025, reference dates anywhere in their year), schools in two or
three municipalities (some without a roster), teachers of random sex, age, category,
education and workload (some exactly on the age and category-validity boundaries),
on one period's roster, both or none, and everything the re-expressed indicators read:
diagnostics (submitted or drafts, dated inside and outside the periods), programs with
random flags and kinds, course runs ending inside and outside the periods, enrollments
of every status, routes and their activities, expert roles, methodical activists,
support projects, mentoring programs and pairs, competition entries, associations of
every level with members and events, staffing rows, digital-environment scores. The
same seed gives the same world.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from deficits.models import Diagnostic
from iom.models import (
    PROGRAM_FLAGS,
    ActivityKind,
    CourseRun,
    Enrollment,
    EnrollmentStatus,
    Program,
    ProgramKind,
    Provider,
    Route,
    RouteActivity,
    RouteStatus,
)
from monitoring.models import (
    ASSOCIATION_CRITERIA,
    ActivistRole,
    AssociationEvent,
    AssociationLevel,
    AssociationMember,
    Category,
    CompetitionEntry,
    CompetitionLevel,
    DigitalEnvironmentScore,
    EducationLevel,
    ExpertKind,
    ExpertRole,
    MentoringPair,
    MentoringProgram,
    MethodicalActivist,
    MethodicalAssociation,
    MonitoringPeriod,
    RosterEntry,
    Sex,
    StaffingRow,
    SupportProject,
    SupportProjectParticipant,
)
from monitoring.models.people import years_before
from tests import factories

SUBJECTS = ("Математика", "Русский язык", "Физика", "История")
FIRST, LAST = dt.date(2023, 6, 1), dt.date(2026, 6, 30)


@dataclass
class World:
    periods: list[MonitoringPeriod]
    tag: str = "R"  # prefixes the codes and names that must be unique, so worlds can share a database
    municipalities: list = field(default_factory=list)
    schools: list = field(default_factory=list)
    teachers: list = field(default_factory=list)


def _date(rng: random.Random, first: dt.date = FIRST, last: dt.date = LAST) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _edge(rng: random.Random, bound: dt.date) -> dt.date:
    """A date on a boundary or one day either side of it."""
    return bound + dt.timedelta(days=rng.choice((-1, 0, 1)))


def _periods(rng: random.Random) -> list[MonitoringPeriod]:
    out = []
    for year in (2024, 2025):
        reference = dt.date(year, rng.choice((1, 5, 9, 12)), rng.choice((1, 15, 28)))
        out.append(factories.PeriodFactory(year=year, reference_date=reference))
    return out


def _birth(rng: random.Random, period: MonitoringPeriod) -> dt.date:
    ref = period.reference_date
    pick = rng.random()
    if pick < 0.15:
        return _edge(rng, years_before(ref, period.young_age_limit))
    if pick < 0.25:
        return _edge(rng, years_before(ref, rng.choice((period.pension_age_women, period.pension_age_men))))
    return _date(rng, dt.date(1955, 1, 1), dt.date(2001, 12, 31))


def _roster(rng: random.Random, world: World) -> None:
    rows = []
    for teacher in world.teachers:
        for period in world.periods:
            if rng.random() > 0.8:
                continue
            category = rng.choice(Category.values)
            ref = period.reference_date
            category_date = (
                None
                if category == Category.NONE and rng.random() < 0.7
                else rng.choice((_edge(rng, years_before(ref, 5)), _edge(rng, ref), _date(rng, dt.date(2017, 1, 1))))
            )
            rows.append(
                RosterEntry(
                    period=period,
                    teacher=teacher,
                    school=rng.choice(world.schools[:-1]),  # the last school has no roster
                    position=rng.choice(("учитель", "педагог-психолог", "учитель-логопед")),
                    education_level=rng.choice(EducationLevel.values),
                    pedagogical_education=rng.random() < 0.7,
                    education_matches_profile=rng.random() < 0.75,
                    category=category,
                    category_date=category_date,
                    experience_years=rng.choice((None, rng.randint(0, 40))),
                    part_time=rng.random() < 0.25,
                    workload=Decimal(rng.choice(("0.25", "0.5", "1.00", "1.25", "1.5"))),
                )
            )
    RosterEntry.objects.bulk_create(rows)


def _diagnostics(rng: random.Random, world: World) -> None:
    for teacher in world.teachers:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            scores = {g: rng.randint(10, 40) for g in factories.GROUP_CODES} if rng.random() < 0.6 else None
            factories.DiagnosticFactory(
                teacher=teacher,
                date=_date(rng),
                scores=scores,
                submit=rng.random() < 0.85,
            )


def _catalog(rng: random.Random, world: World) -> tuple[list[Program], list[CourseRun]]:
    providers = [Provider.objects.create(name=f"Организация ДПО {world.tag}-{i}") for i in range(rng.randint(2, 3))]
    programs = []
    for i in range(rng.randint(4, 7)):
        flags = {name: rng.random() < 0.5 for name in PROGRAM_FLAGS}
        programs.append(
            Program.objects.create(
                code=f"{world.tag}-{i}",
                name=f"Программа {i}",
                provider=rng.choice(providers),
                kind=rng.choice(ProgramKind.values),
                hours=rng.choice((16, 36, 72, 250)),
                **flags,
            )
        )
    runs = []
    for i in range(rng.randint(5, 10)):
        end = _date(rng)
        runs.append(
            CourseRun.objects.create(
                code=f"{world.tag}-К-{i}",
                program=rng.choice(programs),
                start=end - dt.timedelta(days=rng.randint(0, 40)),
                end=end,
                by_school_request=rng.random() < 0.4,
            )
        )
    enrollments = []
    for teacher in world.teachers:
        for run in rng.sample(runs, rng.choice((0, 1, 1, 2, 3))):
            enrollments.append(
                Enrollment(
                    teacher=teacher,
                    course=run,
                    status=rng.choice(EnrollmentStatus.values),
                    final_attestation=rng.random() < 0.6,
                    satisfaction=rng.choice((None, 1, 2, 3, 4, 5)),
                )
            )
    Enrollment.objects.bulk_create(enrollments)
    return programs, runs


def _routes(rng: random.Random, world: World, programs: list[Program]) -> None:
    for teacher in rng.sample(world.teachers, len(world.teachers) // 2):
        for _ in range(rng.choice((1, 1, 2))):
            start = _date(rng, dt.date(2023, 1, 1), dt.date(2026, 3, 1))
            route = Route.objects.create(
                teacher=teacher,
                start=start,
                end=start + dt.timedelta(days=rng.randint(30, 500)),
                based_on_diagnostic=rng.random() < 0.7,
                status=rng.choice(RouteStatus.values),
                corrected=rng.random() < 0.3,
            )
            dues = rng.sample(range(0, 1000, 7), rng.randint(0, 4))
            for due in dues:
                kind = rng.choice(ActivityKind.values)
                program = rng.choice(programs) if kind == ActivityKind.COURSE or rng.random() < 0.3 else None
                RouteActivity.objects.create(
                    route=route,
                    kind=kind,
                    program=program,
                    due=dt.date(2023, 6, 1) + dt.timedelta(days=due),
                    done=rng.random() < 0.5,
                )


def _experts_and_activists(rng: random.Random, world: World) -> None:
    roles = set()
    for _ in range(len(world.teachers)):
        kind = rng.choice(ExpertKind.values)
        subject = rng.choice(SUBJECTS) if kind in (ExpertKind.EGE, ExpertKind.OGE) or rng.random() < 0.3 else ""
        roles.add((rng.choice(world.periods), rng.choice(world.teachers), kind, subject))
    ExpertRole.objects.bulk_create(
        ExpertRole(period=p, teacher=t, kind=kind, subject=subject) for p, t, kind, subject in roles
    )
    activists = set()
    for i in range(rng.randint(4, 12)):
        teacher = rng.choice(world.teachers) if rng.random() < 0.6 else None
        name = teacher.full_name if teacher else f"Сотрудник ЦНППМ {world.tag}-{i}"
        activists.add(
            (
                rng.choice(world.periods),
                name,
                teacher,
                rng.choice(world.municipalities),
                rng.choice(ActivistRole.values),
            )
        )
    MethodicalActivist.objects.bulk_create(
        MethodicalActivist(period=p, full_name=n, teacher=t, municipality=m, role=r) for p, n, t, m, r in activists
    )


def _young_and_mentoring(rng: random.Random, world: World) -> None:
    for i in range(rng.randint(1, 3)):
        project = SupportProject.objects.create(
            period=rng.choice(world.periods), code=f"{world.tag}-ПМ-{i}", name=f"Проект {i}"
        )
        SupportProjectParticipant.objects.bulk_create(
            SupportProjectParticipant(project=project, teacher=t)
            for t in rng.sample(world.teachers, rng.randint(0, len(world.teachers) // 2))
        )
    for i in range(rng.randint(2, 5)):
        owner = {"school": rng.choice(world.schools)} if rng.random() < 0.6 else {}
        owner = owner or {"municipality": rng.choice(world.municipalities)}
        program = MentoringProgram.objects.create(
            period=rng.choice(world.periods), code=f"{world.tag}-Н-{i}", name=f"Наставничество {i}", **owner
        )
        pairs = {tuple(rng.sample(world.teachers, 2)) for _ in range(rng.randint(0, 4))}
        MentoringPair.objects.bulk_create(
            MentoringPair(program=program, mentor=a, mentee=b, form=rng.choice(("", "педагог — педагог")))
            for a, b in pairs
        )
    entries = set()
    for _ in range(len(world.teachers)):
        entries.add(
            (
                rng.choice(world.periods),
                rng.choice(world.teachers),
                rng.choice(("Учитель года", "Педагогический дебют")),
                rng.choice(CompetitionLevel.values),
                _date(rng),
            )
        )
    CompetitionEntry.objects.bulk_create(
        CompetitionEntry(period=p, teacher=t, competition=c, level=lv, date=d) for p, t, c, lv, d in entries
    )


def _associations(rng: random.Random, world: World) -> None:
    for i in range(rng.randint(3, 8)):
        level = rng.choice(AssociationLevel.values)
        owner = {
            AssociationLevel.SCHOOL: {"school": rng.choice(world.schools)},
            AssociationLevel.MUNICIPAL: {"municipality": rng.choice(world.municipalities)},
            AssociationLevel.REGIONAL: {},
        }[level]
        association = MethodicalAssociation.objects.create(
            period=rng.choice(world.periods),
            code=f"{world.tag}-МО-{i}",
            name=f"Объединение {i}",
            level=level,
            subject=rng.choice(("", *SUBJECTS)),
            **{name: rng.random() < 0.5 for name in ASSOCIATION_CRITERIA},
            **owner,
        )
        AssociationMember.objects.bulk_create(
            AssociationMember(association=association, teacher=t) for t in rng.sample(world.teachers, rng.randint(0, 5))
        )
        AssociationEvent.objects.bulk_create(
            AssociationEvent(
                association=association, date=_date(rng), title=f"Семинар {j}", networked=rng.random() < 0.4
            )
            for j in range(rng.randint(0, 4))
        )


def _staffing(rng: random.Random, world: World) -> None:
    rows = []
    for period in world.periods:
        for school in world.schools:
            for position in rng.sample(("учитель", "педагог-психолог", "социальный педагог"), rng.randint(0, 3)):
                schedule = Decimal(rng.randint(0, 40)) / 2
                rows.append(
                    StaffingRow(
                        period=period,
                        school=school,
                        position=position,
                        positions_by_schedule=schedule,
                        actual_need=Decimal(rng.randint(0, 40)) / 2,
                        vacant_positions=min(schedule, Decimal(rng.randint(0, 6)) / 2),
                        vacant_posts=rng.randint(0, 3),
                    )
                )
    StaffingRow.objects.bulk_create(rows)


def _digital(rng: random.Random, world: World) -> None:
    DigitalEnvironmentScore.objects.bulk_create(
        DigitalEnvironmentScore(
            period=period,
            school=school,
            **{name: rng.randint(0, 4) for name in ("infrastructure", "tools", "usage", "professional_development")},
        )
        for period in world.periods
        for school in world.schools
        if rng.random() < 0.7
    )


def build_world(seed: int, *, schools: int | None = None, tag: str = "R") -> World:
    """A random world of ``seed`` (``schools``: how many, else two to four per municipality).

    ``tag`` prefixes unique codes: two worlds of different tags can share a database
    (their periods are the same two).
    """
    rng = random.Random(seed)
    world = World(periods=_periods(rng), tag=tag)
    world.municipalities = [factories.MunicipalityFactory() for _ in range(rng.randint(2, 3))]
    count = schools or len(world.municipalities) * rng.randint(2, 4)
    world.schools = [
        factories.SchoolFactory(municipality=world.municipalities[i % len(world.municipalities)]) for i in range(count)
    ]
    world.teachers = [
        factories.TeacherFactory(sex=rng.choice(Sex.values), birth_date=_birth(rng, rng.choice(world.periods)))
        for _ in range(rng.randint(4, 7) * count)
    ]
    _roster(rng, world)
    _diagnostics(rng, world)
    programs, _runs = _catalog(rng, world)
    _routes(rng, world, programs)
    _experts_and_activists(rng, world)
    _young_and_mentoring(rng, world)
    _associations(rng, world)
    _staffing(rng, world)
    _digital(rng, world)
    assert Diagnostic.objects.exists()
    return world
