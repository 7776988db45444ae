"""The builder: the region's places, its periods, then each municipality's people and rows.

Schools are planned and written first; teachers are generated and written one
municipality at a time, both periods at once, so even the `national` size (a million
teachers) never holds more than one municipality's people in memory. Every step draws
from the run's one generator in a fixed order: the same seed gives the same region.
"""

from __future__ import annotations

from typing import Any

from django.db import reset_queries
from django.utils import timezone

from monitoring import models
from monitoring.demo.accounts import pick_demo_teacher
from monitoring.demo.associations import create_regional_rows, write_associations
from monitoring.demo.attestation import write_attestations
from monitoring.demo.choice import Choice
from monitoring.demo.development import write_activists, write_competitions, write_mentoring, write_support
from monitoring.demo.geography import REGION_CODE, REGION_NAME, Muni, School, allocate, inn, plan_municipalities
from monitoring.demo.run import DemoRun
from monitoring.demo.school_names import SchoolNamer
from monitoring.demo.staffing import write_digital, write_expert_roles, write_roster, write_staffing
from monitoring.demo.submissions import flush_submission_events, write_submissions
from monitoring.demo.workforce import Workforce
from monitoring.demo.writer import BATCH_SIZE
from monitoring.services import period_create


def demo_years() -> tuple[int, int]:
    """The closed and the collecting period: the year before last and last year."""
    year = timezone.localdate().year
    return year - 2, year - 1


def build(run: DemoRun) -> None:
    """The whole region: municipalities, schools, periods, then each municipality's people and rows."""
    region = models.Region.objects.create(code=REGION_CODE, name=REGION_NAME)
    run.writer.counts["Region"] += 1
    run.munis = plan_municipalities(spec=run.spec, rng=run.rng)
    _create_municipalities(run, region)
    _create_schools(run)
    _create_periods(run)
    create_regional_rows(run)
    workforce = Workforce(rng=run.rng, names=run.names, seed=run.seed, refs=run.refs)
    # Regional associations draw members from the whole region as municipalities pass,
    # so the chance is set for a few dozen members each whatever the size.
    run.regional_p = min(1.0, max(0.012, 6 / (0.1 * run.spec.teachers)))
    total = len(run.munis)
    step = max(1, total // 20)
    for number, muni in enumerate(run.munis, start=1):
        people = _fill_municipality(run, workforce, muni)
        # With DEBUG on Django keeps the last 9000 queries, each bulk insert's SQL
        # included: hundreds of megabytes on `national` unless dropped as we go.
        reset_queries()
        if total <= 60 or number % step == 0 or number == total:
            run.log(f"  [{number}/{total}] {muni.code} {muni.name}: ОО {len(muni.schools)}, педагогов {people}")
    run.writer.flush_all()
    flush_submission_events(run)


def _create_municipalities(run: DemoRun, region: models.Region) -> None:
    objs = run.writer.create([models.Municipality(region=region, code=m.code, name=m.name) for m in run.munis])
    for muni, obj in zip(run.munis, objs, strict=True):
        muni.pk = obj.pk


def _create_schools(run: DemoRun) -> None:
    # Cities have fewer, bigger schools per inhabitant than the countryside.
    counts = allocate(run.spec.schools, [m.population**0.7 for m in run.munis], run.spec.min_schools)
    for muni, count in zip(run.munis, counts, strict=True):
        _plan_schools(run, muni, count)
    schools = [s for m in run.munis for s in m.schools]
    scale = run.spec.teachers / sum(s.size for s in schools)
    for school in schools:
        school.size = max(3, round(school.size * scale))
    for start in range(0, len(schools), BATCH_SIZE):
        chunk = schools[start : start + BATCH_SIZE]
        objs = run.writer.create(
            [
                models.School(
                    municipality_id=s.muni.pk,
                    code=s.code,
                    name=s.name,
                    kind=s.kind,
                    low_results=s.low,
                    adverse_conditions=s.adverse,
                    inn=s.inn,
                    head_name=s.head_name,
                )
                for s in chunk
            ]
        )
        for school, obj in zip(chunk, objs, strict=True):
            school.pk = obj.pk
    run.head_school = run.munis[0].schools[0]
    run.head2_school = run.munis[1].schools[0]
    run.log(f"Муниципалитетов: {len(run.munis)}, образовательных организаций: {len(schools)}")


def _plan_schools(run: DemoRun, muni: Muni, count: int) -> None:
    rng = run.rng
    namer = SchoolNamer(rng, muni)
    kind = models.SchoolKind
    if muni.urban:
        kinds = Choice(
            [
                (kind.GENERAL, 55),
                (kind.PRESCHOOL, 33),
                (kind.ADDITIONAL, 8),
                (kind.VOCATIONAL, 4),
            ]
        )
    else:
        kinds = Choice([(kind.GENERAL, 62), (kind.PRESCHOOL, 28), (kind.ADDITIONAL, 10)])
    for n in range(count):
        # Every municipality's first school is a general one: the demo heads run one.
        wanted = kind.GENERAL if n == 0 else kinds.draw(rng)
        name, size, rural, actual = namer.name(wanted)
        run.school_seq += 1
        low = adverse = False
        if actual == kind.GENERAL:
            low = rng.random() < (0.2 if rural else 0.1)
            adverse = rng.random() < (0.33 if rural else 0.1)
        head_sex = models.Sex.FEMALE if rng.random() < 0.7 else models.Sex.MALE
        muni.schools.append(
            School(
                code=f"{run.school_seq:06d}",
                name=name,
                kind=actual,
                rural=rural,
                size=size,
                low=low,
                adverse=adverse,
                muni=muni,
                inn=inn(muni.inn_prefix, run.school_seq),
                head_name=run.names.full_name(rng, head_sex, rng.randint(1960, 1985)),
            )
        )


def _create_periods(run: DemoRun) -> None:
    earlier, later = demo_years()
    plan_items = models.MonitoringPlanItem.objects.count()
    existing = models.MonitoringPeriod.objects.filter(year__in=(earlier, later)).count()
    # period_create keeps a period that already exists as it is, status included.
    run.periods = [
        period_create(year=earlier, status=models.PeriodStatus.CLOSED),
        period_create(year=later, status=models.PeriodStatus.COLLECTING),
    ]
    run.refs = [p.reference_date for p in run.periods]
    run.writer.counts["MonitoringPeriod"] += 2 - existing
    run.writer.counts["MonitoringPlanItem"] += models.MonitoringPlanItem.objects.count() - plan_items
    run.log(f"Периоды: {earlier} (закрыт), {later} (сбор данных)")


def _fill_municipality(run: DemoRun, workforce: Workforce, muni: Muni) -> int:
    """A municipality's people and both periods' rows; returns how many are on the later roster."""
    people = workforce.people(muni)
    teachers = run.writer.create(
        [
            models.Teacher(code=p.code, full_name=p.full_name, sex=p.sex, birth_date=p.birth, snils=p.snils)
            for p in people
        ]
    )
    for person, obj in zip(people, teachers, strict=True):
        person.pk = obj.pk
    del teachers
    state: dict[str, Any] = {"activists": {}, "criteria": {}, "municipal_groups": None}
    for pi, period in enumerate(run.periods):
        roster = [(p, p.posts[pi]) for p in people if p.posts[pi] is not None]
        ref = period.reference_date
        young = {p.pk for p, _ in roster if models.age_on(p.birth, ref) < period.young_age_limit}
        write_roster(run, period=period, roster=roster)
        write_staffing(run, period=period, pi=pi, muni=muni, roster=roster)
        write_expert_roles(run, period=period, roster=roster)
        write_competitions(run, period=period, roster=roster, young=young)
        write_attestations(run, period=period, muni=muni, roster=roster)
        write_activists(run, period=period, muni=muni, roster=roster, young=young, state=state)
        write_support(run, pi=pi, roster=roster, young=young)
        mentors, mentees = write_mentoring(run, period=period, pi=pi, muni=muni, roster=roster, young=young)
        write_associations(
            run, period=period, pi=pi, muni=muni, roster=roster, young=young, mentors=mentors, state=state
        )
        write_digital(run, period=period, pi=pi, muni=muni)
        write_submissions(run, period=period, muni=muni)
        if pi == 1 and muni is run.munis[0]:
            pick_demo_teacher(run, roster=roster, young=young, mentees=mentees)
    return sum(1 for p in people if p.posts[1] is not None)
