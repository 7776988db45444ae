"""The schools' own rows of a period: roster, staffing table, expert roles, digital environment."""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal

from monitoring import models
from monitoring.demo.geography import Muni
from monitoring.demo.run import DemoRun
from monitoring.demo.workforce import EDUCATOR, OFTEN_VACANT, TEACHER


def write_roster(run: DemoRun, *, period: models.MonitoringPeriod, roster) -> None:
    """The period's roster: one row per person and post."""
    for person, post in roster:
        run.writer.add(
            models.RosterEntry(
                period_id=period.pk,
                teacher_id=person.pk,
                school_id=post.school.pk,
                position=post.position,
                subjects=post.subjects,
                education_level=post.education,
                pedagogical_education=post.pedagogical,
                education_matches_profile=post.profile,
                category=post.category,
                category_date=post.category_date,
                experience_years=post.experience,
                part_time=post.part_time,
                workload=post.workload,
            )
        )


def write_staffing(run: DemoRun, *, period: models.MonitoringPeriod, pi: int, muni: Muni, roster) -> None:
    """The staffing table follows the roster: filled positions plus vacancies."""
    rng = run.rng
    filled: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for _, post in roster:
        filled[post.school.pk][post.position] += post.workload
    quarter = Decimal("0.25")
    for school in muni.schools:
        positions = filled.get(school.pk, {})
        # Shortages grow a little from one year to the next, and are worse in villages.
        vacancy_p = (0.35 if school.rural else 0.25) + 0.05 * pi
        rows = []
        for position, workload in sorted(positions.items()):
            vacant = Decimal(0)
            if rng.random() < vacancy_p:
                vacant = quarter * rng.randint(1, 12 if position in (TEACHER, EDUCATOR) else 4)
            rows.append((position, workload + vacant, vacant))
        if school.kind == models.SchoolKind.GENERAL and rng.random() < 0.25:
            missing = [p for p in OFTEN_VACANT if p not in positions]
            if missing:
                schedule = rng.choice((Decimal("0.50"), Decimal("1.00")))
                rows.append((rng.choice(missing), schedule, schedule))
        for position, schedule, vacant in rows:
            run.writer.add(
                models.StaffingRow(
                    period_id=period.pk,
                    school_id=school.pk,
                    position=position,
                    positions_by_schedule=schedule,
                    actual_need=max(Decimal(0), schedule + quarter * rng.randint(-2, 4)),
                    vacant_positions=vacant,
                    vacant_posts=math.ceil(vacant),
                )
            )


def write_expert_roles(run: DemoRun, *, period: models.MonitoringPeriod, roster) -> None:
    for person, post in roster:
        for kind, subject in dict.fromkeys(post.experts):
            run.writer.add(models.ExpertRole(period_id=period.pk, teacher_id=person.pk, kind=kind, subject=subject))


def write_digital(run: DemoRun, *, period, pi: int, muni: Muni) -> None:
    """Each school's digital environment: a year later the same or a step better."""
    rng = run.rng
    for school in muni.schools:
        if pi == 0:
            base = 2 if school.rural else 3
            scores = tuple(max(0, min(4, base + rng.choice((-2, -1, -1, 0, 0, 0, 1)))) for _ in range(4))
        else:
            scores = tuple(min(4, s + (rng.random() < 0.25)) for s in school.digital[0])
        school.digital.append(scores)
        infrastructure, tools, usage, development = scores
        run.writer.add(
            models.DigitalEnvironmentScore(
                period_id=period.pk,
                school_id=school.pk,
                infrastructure=infrastructure,
                tools=tools,
                usage=usage,
                professional_development=development,
            )
        )
