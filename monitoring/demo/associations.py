"""Methodical associations: regional, municipal and school ones, their members, events and criteria."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from monitoring import models
from monitoring.demo.choice import Choice
from monitoring.demo.development import SUPPORT_PROJECTS
from monitoring.demo.geography import Muni
from monitoring.demo.run import DemoRun
from monitoring.demo.workforce import OBZR, TEACHER, Person

# Subject groups: methodical associations at every level are organised by them.
_SUBJECT_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("primary", "начальных классов", ("Начальные классы",)),
    ("russian", "русского языка и литературы", ("Русский язык", "Литература")),
    ("math", "математики, физики и информатики", ("Математика", "Физика", "Информатика")),
    ("science", "естественно-научных дисциплин", ("Биология", "Химия", "География")),
    ("history", "истории и обществознания", ("История", "Обществознание")),
    ("languages", "иностранных языков", ("Английский язык", "Немецкий язык")),
    ("pe", "физической культуры и ОБЗР", ("Физическая культура", OBZR)),
    (
        "arts",
        "музыки, изобразительного искусства и труда",
        ("Музыка", "Изобразительное искусство", "Труд (технология)"),
    ),
)
_GROUP_OF_SUBJECT = {subject: key for key, _, subjects in _SUBJECT_GROUPS for subject in subjects}
_REGIONAL_COMMUNITIES = (
    ("young", "Региональное профессиональное сообщество молодых педагогов"),
    ("mentors", "Региональное сообщество педагогов-наставников"),
)

_EVENT_TITLES = (
    "Семинар «Функциональная грамотность: от теории к практике»",
    "Мастер-класс «Современный урок в логике обновлённых ФГОС»",
    "Круглый стол «Анализ результатов ГИА и задачи на новый учебный год»",
    "Методический день «Формирующее оценивание на уроке»",
    "Педагогическая мастерская «Наставничество в действии»",
    "Вебинар «Цифровые сервисы ФГИС «Моя школа» в работе педагога»",
    "Практикум «Работа с обучающимися с ОВЗ»",
    "Неделя открытых уроков",
    "Научно-практическая конференция «Современная школа: опыт и перспективы»",
    "Семинар «Подготовка обучающихся к олимпиадам»",
    "Заседание «Единые подходы к оцениванию»",
    "Педагогические чтения",
)
# Methodical work follows the school year: little happens in July.
_EVENT_MONTH_WEIGHTS = (8, 10, 12, 12, 6, 3, 1, 6, 8, 12, 12, 8)
_EVENT_MONTH = Choice([(m, w) for m, w in enumerate(_EVENT_MONTH_WEIGHTS, start=1)])


def create_regional_rows(run: DemoRun) -> None:
    """Each period's support projects and regional associations with their events."""
    criteria: dict[str, list[bool]] = {}
    specs = [
        (key, f"Региональное методическое объединение учителей {title}", subjects[0])
        for key, title, subjects in _SUBJECT_GROUPS
    ]
    specs += [(key, title, "") for key, title in _REGIONAL_COMMUNITIES]
    for pi, period in enumerate(run.periods):
        # One project more in the later year, so indicator 7.1 moves.
        projects = run.writer.create(
            [
                models.SupportProject(period=period, code=f"ПР-{k:02d}", name=name)
                for k, name in enumerate(SUPPORT_PROJECTS[: 4 + pi], start=1)
            ]
        )
        run.projects.append([p.pk for p in projects])
        objs = []
        for k, (key, name, subject) in enumerate(specs, start=1):
            criteria[key] = draw_criteria(run, criteria.get(key), 0.85)
            objs.append(
                models.MethodicalAssociation(
                    period=period,
                    code=f"РМО-{k:02d}",
                    name=name,
                    level=models.AssociationLevel.REGIONAL,
                    subject=subject,
                    **dict(zip(models.ASSOCIATION_CRITERIA, criteria[key], strict=True)),
                )
            )
        created = run.writer.create(objs)
        run.regional.append({spec[0]: obj.pk for spec, obj in zip(specs, created, strict=True)})
        for obj in created:
            write_events(run, obj.pk, period, 3, 8, 0.5)


def draw_criteria(run: DemoRun, previous: list[bool] | None, share: float) -> list[bool]:
    """The six 8.5 criteria; a year later an association mostly keeps and adds to them."""
    rng = run.rng
    if previous is None:
        return [rng.random() < share for _ in models.ASSOCIATION_CRITERIA]
    return [(rng.random() < 0.95) if met else (rng.random() < 0.25) for met in previous]


def write_events(
    run: DemoRun,
    association_pk: int,
    period: models.MonitoringPeriod,
    lo: int,
    hi: int,
    networked: float,
) -> None:
    rng = run.rng
    seen = set()
    for _ in range(rng.randint(lo, hi)):
        month = _EVENT_MONTH.draw(rng)
        day = min(dt.date(period.year, month, rng.randint(1, 28)), period.reference_date)
        title = rng.choice(_EVENT_TITLES)
        if (day, title) in seen:
            continue
        seen.add((day, title))
        run.writer.add(
            models.AssociationEvent(
                association_id=association_pk,
                date=day,
                title=title,
                networked=rng.random() < networked,
            )
        )


def add_member(run: DemoRun, association_id: int, teacher_id: int) -> None:
    """A member of an association; its first member written heads it (no draw: the seed's other rows stay)."""
    head = association_id not in run.headed
    run.headed.add(association_id)
    run.writer.add(models.AssociationMember(association_id=association_id, teacher_id=teacher_id, is_head=head))


def write_associations(
    run: DemoRun, *, period, pi: int, muni: Muni, roster, young: set[int], mentors: set[int], state: dict
) -> None:
    """School and municipal associations, their members and events; members of the regional ones."""
    rng = run.rng
    level = models.AssociationLevel
    criteria: dict[str, list[bool]] = state["criteria"]
    by_group: dict[str, list[Person]] = defaultdict(list)
    by_school_group: dict[tuple[int, str], list[Person]] = defaultdict(list)
    educators: dict[int, list[Person]] = defaultdict(list)
    for person, post in roster:
        # dict, not set: string hashing differs between processes, the seed must not.
        for group in dict.fromkeys(_GROUP_OF_SUBJECT[s] for s in post.subjects):
            by_group[group].append(person)
            if post.position == TEACHER:
                by_school_group[(post.school.pk, group)].append(person)
        if post.school.kind == models.SchoolKind.PRESCHOOL:
            educators[post.school.pk].append(person)

    # (association, member pks, events low, events high, networked share)
    planned: list[tuple[models.MethodicalAssociation, list[int], int, int, float]] = []

    def plan(
        code: str,
        name: str,
        lvl: str,
        subject: str,
        members: list[int],
        events: tuple[int, int, float],
        share: float,
        **owner,
    ) -> None:
        criteria[code] = draw_criteria(run, criteria.get(code), share)
        obj = models.MethodicalAssociation(
            period_id=period.pk,
            code=code,
            name=name,
            level=lvl,
            subject=subject,
            **owner,
            **dict(zip(models.ASSOCIATION_CRITERIA, criteria[code], strict=True)),
        )
        planned.append((obj, members, *events))

    for school in muni.schools:
        if school.kind == models.SchoolKind.GENERAL:
            for k, (key, title, subjects) in enumerate(_SUBJECT_GROUPS, start=1):
                people = by_school_group.get((school.pk, key), [])
                if len(people) >= 2:
                    plan(
                        f"МО-{school.code}-{k}",
                        f"ШМО учителей {title}",
                        level.SCHOOL,
                        subjects[0],
                        [p.pk for p in people if rng.random() < 0.9],
                        (1, 4, 0.25),
                        0.55,
                        school_id=school.pk,
                    )
        elif school.kind == models.SchoolKind.PRESCHOOL and len(educators[school.pk]) >= 8:
            plan(
                f"МО-{school.code}-1",
                "Методическое объединение воспитателей",
                level.SCHOOL,
                "",
                [p.pk for p in educators[school.pk] if rng.random() < 0.8],
                (1, 3, 0.2),
                0.5,
                school_id=school.pk,
            )

    # Municipal associations keep their subjects; a year later some municipalities add one.
    groups = state["municipal_groups"]
    if groups is None:
        count = rng.randint(5, 8) if muni.urban else rng.randint(3, 5)
        groups = sorted(rng.sample(range(len(_SUBJECT_GROUPS)), count))
    elif rng.random() < 0.3:
        spare = [k for k in range(len(_SUBJECT_GROUPS)) if k not in groups]
        if spare:
            groups = sorted([*groups, rng.choice(spare)])
    state["municipal_groups"] = groups
    prefix = "ГМО" if muni.urban else "РМО"
    for k in groups:
        key, title, subjects = _SUBJECT_GROUPS[k]
        plan(
            f"ММО-{muni.code}-{k + 1}",
            f"{prefix} учителей {title} {muni.genitive}",
            level.MUNICIPAL,
            subjects[0],
            [p.pk for p in by_group.get(key, []) if rng.random() < 0.35],
            (2, 6, 0.35),
            0.7,
            municipality_id=muni.pk,
        )

    run.writer.create([obj for obj, *_ in planned])
    for obj, members, lo, hi, networked in planned:
        for member in members:
            add_member(run, obj.pk, member)
        write_events(run, obj.pk, period, lo, hi, networked)

    regional = run.regional[pi]
    p = run.regional_p
    for key, people in by_group.items():
        for person in people:
            if rng.random() < p:
                add_member(run, regional[key], person.pk)
    for person, _ in roster:
        # One of the two communities at most, so nobody is added to one twice.
        if person.pk in young:
            if rng.random() < 3 * p:
                community = regional["young"]
            else:
                continue
        elif person.pk in mentors and rng.random() < 6 * p:
            community = regional["mentors"]
        else:
            continue
        add_member(run, community, person.pk)
