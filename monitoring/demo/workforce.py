"""The demo's people: what teachers do, who they are, and how a roster changes in a year.

The tables (positions by kind of school, subjects, ages, workloads, the share of men by
job) and Workforce, which draws a municipality's people for both periods: the earlier
roster, then who left, moved and came, each a year older on the later one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal

from monitoring import models
from monitoring.demo.choice import Choice
from monitoring.demo.geography import Muni, School
from monitoring.demo.names import NamePools

TEACHER = "учитель"
EDUCATOR = "воспитатель"
ADDITIONAL_TEACHER = "педагог дополнительного образования"
LECTURER = "преподаватель"

_POSITIONS: dict[str, tuple[tuple[str, int], ...]] = {
    models.SchoolKind.GENERAL: (
        (TEACHER, 86),
        ("педагог-психолог", 3),
        ("социальный педагог", 3),
        ("учитель-логопед", 2),
        (ADDITIONAL_TEACHER, 3),
        ("педагог-организатор", 2),
        ("советник директора по воспитанию", 1),
    ),
    models.SchoolKind.PRESCHOOL: (
        (EDUCATOR, 76),
        ("музыкальный руководитель", 7),
        ("инструктор по физической культуре", 5),
        ("учитель-логопед", 5),
        ("педагог-психолог", 4),
        ("старший воспитатель", 3),
    ),
    models.SchoolKind.ADDITIONAL: (
        (ADDITIONAL_TEACHER, 78),
        ("тренер-преподаватель", 8),
        ("педагог-организатор", 7),
        ("методист", 7),
    ),
    models.SchoolKind.VOCATIONAL: (
        (LECTURER, 78),
        ("мастер производственного обучения", 14),
        ("педагог-психолог", 3),
        ("социальный педагог", 3),
        ("методист", 2),
    ),
}
# Positions a school may have on its staffing table without anyone on the roster.
OFTEN_VACANT = (
    "педагог-психолог",
    "учитель-логопед",
    "социальный педагог",
    "советник директора по воспитанию",
)

OBZR = "Основы безопасности и защиты Родины"
# main subjects, weight, a second subject often taught with them, its probability
_SUBJECT_OFFERS: tuple[tuple[tuple[str, ...], int, str | None, float], ...] = (
    (("Начальные классы",), 22, None, 0.0),
    (("Русский язык", "Литература"), 14, None, 0.0),
    (("Математика",), 11, "Информатика", 0.12),
    (("Английский язык",), 9, "Немецкий язык", 0.05),
    (("История", "Обществознание"), 7, None, 0.0),
    (("Физическая культура",), 7, OBZR, 0.15),
    (("Биология",), 3, "Химия", 0.3),
    (("Химия",), 2, "Биология", 0.4),
    (("География",), 3, "Биология", 0.15),
    (("Физика",), 3, "Математика", 0.2),
    (("Информатика",), 3, "Математика", 0.2),
    (("Музыка",), 2, None, 0.0),
    (("Изобразительное искусство",), 2, "Труд (технология)", 0.2),
    (("Труд (технология)",), 3, None, 0.0),
    ((OBZR,), 2, "Физическая культура", 0.3),
    (("Немецкий язык",), 1, "Английский язык", 0.4),
    (("Обществознание",), 1, "История", 0.5),
)
_EXAM_SUBJECTS = frozenset(
    {
        "Математика",
        "Русский язык",
        "Литература",
        "История",
        "Обществознание",
        "Физика",
        "Химия",
        "Биология",
        "География",
        "Информатика",
        "Английский язык",
        "Немецкий язык",
    }
)
# Men are a minority of teachers, but not in every subject.
_MALE_SHARE_SUBJECT = {
    "Физическая культура": 0.55,
    OBZR: 0.7,
    "Труд (технология)": 0.45,
    "Информатика": 0.35,
    "Физика": 0.3,
    "История": 0.3,
    "Начальные классы": 0.02,
    "География": 0.15,
    "Математика": 0.12,
}
_MALE_SHARE_POSITION = {
    EDUCATOR: 0.02,
    "старший воспитатель": 0.02,
    "музыкальный руководитель": 0.1,
    "инструктор по физической культуре": 0.3,
    "тренер-преподаватель": 0.6,
    "мастер производственного обучения": 0.55,
    LECTURER: 0.25,
    ADDITIONAL_TEACHER: 0.3,
    "педагог-организатор": 0.2,
    "советник директора по воспитанию": 0.25,
}

# (first age, last age, weight) at the reference date: roughly the Russian teacher
# workforce, a fifth young and a fifth of pension age.
_AGE_BANDS = (
    (22, 29, 12),
    (30, 34, 9),
    (35, 44, 22),
    (45, 54, 25),
    (55, 59, 13),
    (60, 64, 11),
    (65, 71, 8),
)
# Newcomers are mostly graduates.
_ARRIVAL_AGE_BANDS = (
    (22, 27, 55),
    (28, 34, 14),
    (35, 44, 14),
    (45, 54, 10),
    (55, 64, 6),
    (65, 70, 1),
)

_WORKLOADS_MAIN = (
    (Decimal("0.50"), 5),
    (Decimal("0.75"), 10),
    (Decimal("1.00"), 40),
    (Decimal("1.25"), 20),
    (Decimal("1.50"), 25),
)
_WORKLOADS_PART_TIME = ((Decimal("0.50"), 70), (Decimal("0.75"), 20), (Decimal("1.00"), 10))

_POSITION_CHOICES = {kind: Choice(options) for kind, options in _POSITIONS.items()}
_SUBJECT_CHOICE = Choice([((main, extra, p), w) for main, w, extra, p in _SUBJECT_OFFERS])
_AGES = Choice([((lo, hi), w) for lo, hi, w in _AGE_BANDS])
_ARRIVAL_AGES = Choice([((lo, hi), w) for lo, hi, w in _ARRIVAL_AGE_BANDS])
_WORKLOAD_MAIN = Choice(_WORKLOADS_MAIN)
_WORKLOAD_PART = Choice(_WORKLOADS_PART_TIME)


def _snils(number: int) -> str:
    """A СНИЛС with the Pension Fund's control number, formatted as people write it."""
    digits = f"{number:09d}"
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]} {models.snils_control(digits):02d}"


class Post:
    """A person's roster row of one period."""

    __slots__ = (
        "category",
        "category_date",
        "education",
        "experience",
        "experts",
        "part_time",
        "pedagogical",
        "position",
        "profile",
        "school",
        "subjects",
        "workload",
    )

    def copy(self) -> Post:
        other = Post()
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        other.experts = list(self.experts)
        return other


class Person:
    """A teacher: who they are, and their post in each of the two periods (None when not there)."""

    __slots__ = ("birth", "code", "full_name", "pk", "posts", "sex", "snils")

    def __init__(self):
        self.pk: int | None = None
        self.posts: list[Post | None] = [None, None]


class Workforce:
    """Draws people with the run's generator; teacher codes run on across municipalities."""

    def __init__(self, *, rng: random.Random, names: NamePools, seed: int, refs: list[dt.date]):
        self.rng = rng
        self.names = names
        self.seed = seed
        self.refs = refs
        self.teacher_seq = 0

    def _new_post(self, school: School, age: int, ref: dt.date) -> tuple[Post, str]:
        """A roster row for someone new at ``school``, and the sex that suits the job."""
        rng = self.rng
        post = Post()
        post.school = school
        post.position = _POSITION_CHOICES[school.kind].draw(rng)
        subjects: tuple[str, ...] = ()
        if post.position in (TEACHER, LECTURER):
            main, extra, p = _SUBJECT_CHOICE.draw(rng)
            while post.position == LECTURER and main == ("Начальные классы",):
                main, extra, p = _SUBJECT_CHOICE.draw(rng)
            subjects = main + ((extra,) if extra and rng.random() < p else ())
        post.subjects = list(subjects)
        if subjects:
            male_share = _MALE_SHARE_SUBJECT.get(subjects[0], 0.1)
        else:
            male_share = _MALE_SHARE_POSITION.get(post.position, 0.08)
        sex = models.Sex.MALE if rng.random() < male_share else models.Sex.FEMALE

        vocational = 0.35 if post.position in (EDUCATOR, "старший воспитатель") else 0.12
        if subjects and subjects[0] == "Начальные классы":
            vocational = 0.25
        r = rng.random()
        if r < 0.02:
            post.education = models.EducationLevel.NONE
        elif r < 0.02 + vocational:
            post.education = models.EducationLevel.VOCATIONAL
        else:
            post.education = models.EducationLevel.HIGHER
        educated = post.education != models.EducationLevel.NONE
        post.pedagogical = educated and rng.random() < 0.88
        post.profile = educated and rng.random() < (0.92 if post.pedagogical else 0.35)

        start = 20 if post.education == models.EducationLevel.VOCATIONAL else 22
        gap = rng.randint(1, 15) if rng.random() < 0.25 else 0
        post.experience = max(0, age - start - gap)
        post.category, post.category_date = self._category(post.experience, ref)
        post.part_time = rng.random() < 0.10
        post.workload = (_WORKLOAD_PART if post.part_time else _WORKLOAD_MAIN).draw(rng)
        post.experts = self._experts(post)
        return post, sex

    def _category(self, experience: int, ref: dt.date) -> tuple[str, dt.date | None]:
        rng = self.rng
        if experience < 2:
            return models.Category.NONE, None
        highest = min(0.45, 0.03 + 0.017 * experience)
        r = rng.random()
        if r < highest:
            category = models.Category.HIGHEST
        elif r < highest + 0.28:
            category = models.Category.FIRST
        else:
            return models.Category.NONE, None
        if rng.random() < 0.01:
            return category, None  # real rosters have a few undated categories; they do not count
        # Up to seven and a half years back: about a third are older than five, no longer valid.
        years_back = rng.uniform(0, min(experience - 1, 7.5))
        return category, ref - dt.timedelta(days=int(years_back * 365.25))

    def _experts(self, post: Post) -> list[tuple[str, str]]:
        rng = self.rng
        if (post.experience or 0) < 5:
            return []
        if post.position != TEACHER or post.school.kind != models.SchoolKind.GENERAL:
            return [(models.ExpertKind.ATTESTATION, "")] if rng.random() < 0.02 else []
        if rng.random() >= 0.10:
            return []
        roles: list[tuple[str, str]] = []
        exam = [s for s in post.subjects if s in _EXAM_SUBJECTS]
        if exam:
            subject = exam[0]
            if len(exam) > 1 and rng.random() < 0.2:
                subject = exam[1]
            r = rng.random()
            if r < 0.45 or r >= 0.8:
                roles.append((models.ExpertKind.EGE, subject))
            if r >= 0.45:
                roles.append((models.ExpertKind.OGE, subject))
        if not exam or rng.random() < 0.15:
            kind = rng.choice(
                (
                    models.ExpertKind.ATTESTATION,
                    models.ExpertKind.COMPETITIONS,
                    models.ExpertKind.OLYMPIADS,
                )
            )
            olympiad = kind == models.ExpertKind.OLYMPIADS and post.subjects
            roles.append((kind, post.subjects[0] if olympiad else ""))
        return roles

    def _next_post(self, post: Post, school: School, ref: dt.date) -> Post:
        """The same person's row a year later: more experience, maybe re-attested or retrained."""
        rng = self.rng
        new = post.copy()
        new.school = school
        if new.experience is not None:
            new.experience += 1
        if rng.random() < 0.2:
            new.workload = (_WORKLOAD_PART if new.part_time else _WORKLOAD_MAIN).draw(rng)
        if new.education == models.EducationLevel.VOCATIONAL and rng.random() < 0.03:
            new.education = models.EducationLevel.HIGHER
        if new.education != models.EducationLevel.NONE and not new.pedagogical:
            if rng.random() < 0.15:
                new.pedagogical = new.profile = True  # professional retraining
        elif not new.profile and rng.random() < 0.1:
            new.profile = True
        this_year = max(dt.date(ref.year, 1, 1), ref - dt.timedelta(days=rng.randrange(360)))
        date = new.category_date
        expiring = models.years_before(ref, 4) - dt.timedelta(days=180)
        if new.category != models.Category.NONE and date and date < expiring:
            if rng.random() < 0.45:
                if new.category == models.Category.FIRST and rng.random() < 0.3:
                    new.category = models.Category.HIGHEST
                new.category_date = this_year
        elif new.category == models.Category.NONE and (new.experience or 0) >= 2:
            if rng.random() < 0.08:
                new.category, new.category_date = models.Category.FIRST, this_year
        elif new.category == models.Category.FIRST and rng.random() < 0.05:
            new.category, new.category_date = models.Category.HIGHEST, this_year
        new.experts = [e for e in new.experts if rng.random() < 0.88]
        if not new.experts and rng.random() < 0.02:
            new.experts = self._experts(new)
        return new

    def _new_person(self, school: School, pi: int, bands: Choice) -> Person:
        rng = self.rng
        ref = self.refs[pi]
        lo, hi = bands.draw(rng)
        age = rng.randint(lo, hi)
        post, sex = self._new_post(school, age, ref)
        person = Person()
        person.sex = sex
        person.birth = models.years_before(ref, age) - dt.timedelta(days=rng.randrange(365))
        person.full_name = self.names.full_name(rng, sex, person.birth.year)
        person.posts[pi] = post
        self.teacher_seq += 1
        number = self.teacher_seq
        person.code = f"T{number:07d}"
        person.snils = ""
        if rng.random() < 0.5:
            # A bijection of the person's number (7919 is coprime with the modulus), so no
            # two demo teachers share a СНИЛС.
            person.snils = _snils(2_000_000 + (number * 7919 + self.seed * 104_729) % 997_000_000)
        return person

    def people(self, muni: Muni) -> list[Person]:
        """Both years' rosters of a municipality: the earlier one, then who left, moved, came."""
        rng = self.rng
        people = [self._new_person(school, 0, _AGES) for school in muni.schools for _ in range(school.size)]
        by_kind: dict[str, list[School]] = defaultdict(list)
        for school in muni.schools:
            by_kind[school.kind].append(school)
        ref = self.refs[1]
        stayers: Counter[str] = Counter()
        for person in people:
            post = person.posts[0]
            age = models.age_on(person.birth, ref)
            # About 8 % leave in a year, mostly at pension age and in the first years.
            if age >= 63:
                leave = 0.22
            elif age >= 55:
                leave = 0.08
            elif age < 30:
                leave = 0.12
            elif age < 35:
                leave = 0.07
            else:
                leave = 0.04
            if rng.random() < leave:
                continue
            school = post.school
            if rng.random() < 0.03 and len(by_kind[school.kind]) > 1:
                school = rng.choice([s for s in by_kind[school.kind] if s is not post.school])
            person.posts[1] = self._next_post(post, school, ref)
            stayers[school.code] += 1
        for school in muni.schools:
            target = max(3, round(school.size * rng.uniform(0.96, 1.04)))
            for _ in range(max(0, target - stayers[school.code])):
                people.append(self._new_person(school, 1, _ARRIVAL_AGES))
        return people
