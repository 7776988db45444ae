"""Professional growth of a period: competitions, methodical activists, support projects, mentoring."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from monitoring import models
from monitoring.demo.choice import Choice
from monitoring.demo.geography import Muni
from monitoring.demo.run import DemoRun
from monitoring.demo.workforce import EDUCATOR, LECTURER, OBZR, TEACHER, Person, Post

SUPPORT_PROJECTS = (
    "Школа молодого педагога «Педагогический старт»",
    "Региональный клуб молодых педагогов «Новая волна»",
    "Форум молодых педагогов Волгоградской области",
    "Проект «Первые шаги в профессии»: сопровождение педагогов первых трёх лет работы",
    "Конкурсное движение молодых педагогов «Педагогический дебют»",
)
_MENTORING_NICKNAMES = (
    "Вместе к успеху",
    "Ступени мастерства",
    "Профессиональный старт",
    "Шаг навстречу",
    "Молодой учитель",
)
_MENTORING_FORMS = (
    ("учитель – учитель", 80),
    ("руководитель – учитель", 12),
    ("педагог – педагог", 8),
)

# (level, first month, last month): a winner goes on to the next level later in the year.
_COMPETITION_LEVELS = (
    (models.CompetitionLevel.SCHOOL, 1, 2),
    (models.CompetitionLevel.MUNICIPAL, 2, 4),
    (models.CompetitionLevel.REGIONAL, 5, 6),
    (models.CompetitionLevel.FEDERAL, 9, 10),
    (models.CompetitionLevel.INTERNATIONAL, 11, 12),
)
_COMPETITION_RESULTS = (
    (models.CompetitionResult.PARTICIPANT, 70),
    (models.CompetitionResult.PRIZE, 20),
    (models.CompetitionResult.WINNER, 10),
)

_COMPETITION_START = Choice([(0, 20), (1, 65), (2, 15)])
_COMPETITION_RESULT = Choice(_COMPETITION_RESULTS)
_MENTORING_FORM = Choice(_MENTORING_FORMS)


def competition_name(run: DemoRun, post: Post, is_young: bool) -> str:
    rng = run.rng
    experience = post.experience or 0
    if is_young and experience <= 5 and rng.random() < 0.5:
        return "Педагогический дебют"
    if experience >= 15 and rng.random() < 0.1:
        return "Лучший педагог-наставник"
    position = post.position
    if position == TEACHER:
        if post.subjects and post.subjects[0] in ("Физическая культура", OBZR):
            if rng.random() < 0.5:
                return "Учитель здоровья России"
        return rng.choice(("Учитель года России", "Учитель года России", "Мой лучший урок"))
    if position in (
        EDUCATOR,
        "старший воспитатель",
        "музыкальный руководитель",
        "инструктор по физической культуре",
    ):
        return "Воспитатель года России"
    if position == "педагог-психолог":
        return "Педагог-психолог России"
    if position == "учитель-логопед":
        return "Учитель-дефектолог России"
    if position in (LECTURER, "мастер производственного обучения"):
        return "Мастер года"
    return "Сердце отдаю детям"


def write_competitions(run: DemoRun, *, period: models.MonitoringPeriod, roster, young: set[int]) -> None:
    """Professional competitions: a winner may go on to the next level later in the year."""
    rng = run.rng
    for person, post in roster:
        is_young = person.pk in young
        if rng.random() >= (0.10 if is_young else 0.04):
            continue
        name = competition_name(run, post, is_young)
        level = _COMPETITION_START.draw(rng)
        while level < len(_COMPETITION_LEVELS):
            code, first_month, last_month = _COMPETITION_LEVELS[level]
            month = rng.randint(first_month, last_month)
            day = min(dt.date(period.year, month, rng.randint(1, 28)), period.reference_date)
            result = _COMPETITION_RESULT.draw(rng)
            run.writer.add(
                models.CompetitionEntry(
                    period_id=period.pk,
                    teacher_id=person.pk,
                    competition=name,
                    level=code,
                    result=result,
                    date=day,
                )
            )
            if result != models.CompetitionResult.WINNER or rng.random() >= 0.8:
                break
            level += 1


def write_activists(run: DemoRun, *, period, muni: Muni, roster, young: set[int], state: dict) -> None:
    """Methodical activists: mostly the same people a year later, plus a few new ones."""
    rng = run.rng
    on_roster = {p.pk for p, _ in roster}
    experienced = [p for p, post in roster if p.pk not in young and (post.experience or 0) >= 10] or [
        p for p, _ in roster
    ]
    role = models.ActivistRole
    targets = {
        role.MMS_HEAD: 1,
        role.MMS_REPRESENTATIVE: min(8, max(2, len(muni.schools) // 8)),
        role.TUTOR: max(1, round(len(roster) * 0.004)),
        role.RUMO: max(1, round(len(roster) * 0.003)),
    }
    # Municipal methodical services are partly staffed by people who do not teach.
    outsiders = {role.MMS_HEAD: 0.5, role.MMS_REPRESENTATIVE: 0.25}
    previous: dict[str, list[tuple[str, Person | None]]] = state["activists"]
    current: dict[str, list[tuple[str, Person | None]]] = {}
    for activist_role, target in targets.items():
        kept = [
            (name, person)
            for name, person in previous.get(activist_role, [])
            if (person is None or person.pk in on_roster) and rng.random() < 0.85
        ]
        if previous and rng.random() < 0.3:
            target += 1
        names = {name for name, _ in kept}
        for _ in range(5 * target + 10):
            if len(kept) >= target:
                break
            if rng.random() < outsiders.get(activist_role, 0.0) or not experienced:
                sex = models.Sex.FEMALE if rng.random() < 0.7 else models.Sex.MALE
                person = None
                name = run.names.full_name(rng, sex, rng.randint(1965, 1985))
            else:
                person = rng.choice(experienced)
                name = person.full_name
            if name not in names:
                names.add(name)
                kept.append((name, person))
        current[activist_role] = kept
        for name, person in kept:
            run.writer.add(
                models.MethodicalActivist(
                    period_id=period.pk,
                    full_name=name,
                    municipality_id=muni.pk,
                    teacher_id=person.pk if person else None,
                    role=activist_role,
                )
            )
    state["activists"] = current


def write_support(run: DemoRun, *, pi: int, roster, young: set[int]) -> None:
    """Participants of the region's support projects, mostly young teachers."""
    rng = run.rng
    projects = run.projects[pi]
    share = 0.35 + 0.1 * pi  # coverage of young teachers grows
    for person, _ in roster:
        if rng.random() >= (share if person.pk in young else 0.01):
            continue
        for project in rng.sample(projects, 2 if rng.random() < 0.2 else 1):
            run.writer.add(models.SupportProjectParticipant(project_id=project, teacher_id=person.pk))


def write_mentoring(run: DemoRun, *, period, pi: int, muni: Muni, roster, young: set[int]) -> tuple[set[int], set[int]]:
    """School programs pair young teachers with experienced colleagues of their school;
    the municipal program takes some of those whose school has none."""
    rng = run.rng
    by_school: dict[int, list[tuple[Person, Post]]] = defaultdict(list)
    for person, post in roster:
        by_school[post.school.pk].append((person, post))

    def wants_mentor(person: Person, post: Post) -> bool:
        if person.pk in young:
            return rng.random() < (0.75 if (post.experience or 0) <= 5 else 0.3)
        # Newcomers of any age get a mentor in their first year.
        return pi == 1 and person.posts[0] is None and rng.random() < 0.4

    def pairs_for(mentees: list[Person], candidates: list[Person]) -> list[tuple]:
        load: Counter[int] = Counter()
        pairs = []
        for mentee in mentees:
            free = [c for c in candidates if c.pk != mentee.pk and load[c.pk] < 2]
            if not free:
                break
            mentor = rng.choice(free)
            load[mentor.pk] += 1
            pairs.append((mentor.pk, mentee.pk, _MENTORING_FORM.draw(rng)))
        return pairs

    programs: list[tuple[models.MentoringProgram, list[tuple]]] = []
    uncovered: list[Person] = []
    all_experienced: list[Person] = []
    school_share = 0.55 + 0.1 * pi
    for school in muni.schools:
        rows = by_school.get(school.pk, [])
        experienced = [p for p, post in rows if p.pk not in young and (post.experience or 0) >= 10]
        all_experienced.extend(experienced)
        mentees = [p for p, post in rows if wants_mentor(p, post)]
        if not mentees:
            continue
        general = school.kind == models.SchoolKind.GENERAL
        if general and experienced and rng.random() < school_share:
            pairs = pairs_for(mentees, experienced)
            if pairs:
                programs.append(
                    (
                        models.MentoringProgram(
                            period_id=period.pk,
                            code=f"Н-{school.code}",
                            school_id=school.pk,
                            name=f"Программа наставничества педагогических работников {school.name}",
                        ),
                        pairs,
                    )
                )
                continue
        uncovered.extend(p for p in mentees if rng.random() < 0.4)
    if uncovered and all_experienced and rng.random() < 0.6 + 0.25 * pi:
        pairs = pairs_for(uncovered, all_experienced)
        if pairs:
            nickname = _MENTORING_NICKNAMES[muni.index % len(_MENTORING_NICKNAMES)]
            programs.append(
                (
                    models.MentoringProgram(
                        period_id=period.pk,
                        code=f"Н-М{muni.code}",
                        municipality_id=muni.pk,
                        name=f"Муниципальная программа наставничества «{nickname}»",
                    ),
                    pairs,
                )
            )
    run.writer.create([program for program, _ in programs])
    mentors: set[int] = set()
    mentees_seen: set[int] = set()
    for program, pairs in programs:
        for mentor, mentee, form in pairs:
            mentors.add(mentor)
            mentees_seen.add(mentee)
            run.writer.add(models.MentoringPair(program_id=program.pk, mentor_id=mentor, mentee_id=mentee, form=form))
    return mentors, mentees_seen
