"""Demo data: a realistic Volgograd region with two monitoring periods.

`seed_demo` builds the region the portal is shown and load-tested with: the real
municipalities of Volgograd oblast, their schools and teachers, and every per-period
record of monitoring.models for the year before last (closed) and last year (still
collecting). The same seed gives the same data. Rows are written with bulk_create in
one transaction, never one query per row, and teachers are generated and written one
municipality at a time, so even the `national` size (a million teachers) never holds
more than one municipality's people in memory.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import reset_queries, router, transaction
from django.db.models import Q
from django.db.models.deletion import Collector
from django.utils import timezone

from monitoring import models
from monitoring.services import period_create

REGION_CODE = "34"
REGION_NAME = "Волгоградская область"
BATCH_SIZE = 5000

DEMO_PASSWORD = "demo12345"

# Demo steps of the apps to the right of monitoring, registered from their AppConfig.ready
# (monitoring imports nothing from them): step(*, periods, seed, log) -> {model name: rows}.
DEMO_STEPS: list[Callable[..., dict[str, int]]] = []
# Their reset counterparts: wipe() -> {model name: rows deleted}, run before the
# monitored world is deleted (rows not tied to a teacher, such as a program catalog,
# would otherwise outlive the reset and clash with the new demo).
DEMO_WIPES: list[Callable[[], dict[str, int]]] = []
# (username, role, what the account shows) — printed by the command, the Makefile and the README.
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("analyst", models.Role.ANALYST, "Специалист института: весь регион"),
    ("ministry", models.Role.MINISTRY, "Представитель министерства: весь регион"),
    ("municipal", models.Role.MUNICIPAL, "Специалист муниципалитета: город-герой Волгоград"),
    ("head", models.Role.SCHOOL_HEAD, "Руководитель школы в Волгограде"),
    ("head2", models.Role.SCHOOL_HEAD, "Руководитель школы в городе Волжском"),
    ("teacher", models.Role.TEACHER, "Педагог школы руководителя head"),
    ("admin", models.Role.ANALYST, "Суперпользователь: администрирование портала"),
]


@dataclass(frozen=True)
class _SizeSpec:
    schools: int
    teachers: int
    # Codes of the real municipalities to use; None means all 38.
    municipalities: tuple[str, ...] | None = None
    extra_municipalities: int = 0
    min_schools: int = 2


SIZES: dict[str, _SizeSpec] = {
    "small": _SizeSpec(schools=20, teachers=300, municipalities=("01", "02", "08", "09", "13")),
    "region": _SizeSpec(schools=1000, teachers=30_000, min_schools=8),
    "national": _SizeSpec(schools=40_000, teachers=1_000_000, extra_municipalities=2150, min_schools=5),
}


@dataclass
class DemoResult:
    """What seed_demo did: rows created per model (by class name) and how long it took."""

    size: str
    seed: int
    skipped: bool = False
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


# ---------------------------------------------------------------------------
# The region's geography
# ---------------------------------------------------------------------------

# name, population (thousands), suffix in school names, genitive, adjective for colleges
_CITIES: tuple[tuple[str, int, str, str, str], ...] = (
    ("город-герой Волгоград", 1025, "Волгограда", "Волгограда", "Волгоградский"),
    ("город Волжский", 323, "г. Волжского", "города Волжского", "Волжский"),
    ("город Камышин", 106, "г. Камышина", "города Камышина", "Камышинский"),
    ("город Михайловка", 85, "г. Михайловки", "городского округа город Михайловка", "Михайловский"),
    ("город Урюпинск", 36, "г. Урюпинска", "города Урюпинска", "Урюпинский"),
    ("город Фролово", 37, "г. Фролово", "города Фролово", "Фроловский"),
)
# adjective of the district's name, population (thousands)
_DISTRICTS: tuple[tuple[str, int], ...] = (
    ("Алексеевский", 15),
    ("Быковский", 21),
    ("Городищенский", 60),
    ("Даниловский", 14),
    ("Дубовский", 26),
    ("Еланский", 27),
    ("Жирновский", 38),
    ("Иловлинский", 30),
    ("Калачёвский", 50),
    ("Камышинский", 32),
    ("Киквидзенский", 15),
    ("Клетский", 17),
    ("Котельниковский", 34),
    ("Котовский", 30),
    ("Кумылженский", 20),
    ("Ленинский", 30),
    ("Нехаевский", 13),
    ("Николаевский", 28),
    ("Новоаннинский", 33),
    ("Новониколаевский", 17),
    ("Октябрьский", 20),
    ("Ольховский", 16),
    ("Палласовский", 40),
    ("Руднянский", 15),
    ("Светлоярский", 36),
    ("Серафимовичский", 25),
    ("Среднеахтубинский", 55),
    ("Старополтавский", 15),
    ("Суровикинский", 32),
    ("Урюпинский", 15),
    ("Фроловский", 14),
    ("Чернышковский", 16),
)
_VOLGOGRAD_DISTRICTS = (
    "Ворошиловского",
    "Дзержинского",
    "Кировского",
    "Красноармейского",
    "Краснооктябрьского",
    "Советского",
    "Тракторозаводского",
    "Центрального",
)
# Tax inspection digits of a school INN (34XX…) for the cities; districts use their number.
_CITY_INN = ("43", "35", "36", "56", "38", "39")

_VILLAGE_PREFIXES = ("", "Верхне", "Нижне", "Ново", "Старо", "Больше", "Мало")
_VILLAGE_ROOTS = (
    "покровская",
    "ольховская",
    "березовская",
    "каменская",
    "ивановская",
    "михайловская",
    "александровская",
    "песковатская",
    "грачевская",
    "садовская",
    "лозновская",
    "дмитриевская",
    "соленовская",
    "медведевская",
    "липовская",
    "терновская",
    "степновская",
    "ерзовская",
    "бузиновская",
    "чирская",
    "добринская",
    "осиновская",
    "орловская",
    "сосновская",
    "гусевская",
    "перелазовская",
    "ягодновская",
    "кругловская",
    "поповская",
    "тишанская",
)
_KINDERGARTEN_NICKNAMES = (
    "Солнышко",
    "Ромашка",
    "Теремок",
    "Колокольчик",
    "Радуга",
    "Сказка",
    "Берёзка",
    "Золотой ключик",
    "Алёнушка",
    "Журавушка",
    "Ласточка",
    "Улыбка",
    "Звёздочка",
    "Родничок",
)
_ADDITIONAL_CITY = (
    "Центр детского творчества",
    "Дом детского творчества",
    "Детско-юношеский центр",
    "Станция юных техников",
    "Станция юных натуралистов",
    "Центр дополнительного образования детей",
)
_ADDITIONAL_DISTRICT = (
    "Центр детского творчества",
    "Дом детского творчества",
    "Детско-юношеская спортивная школа",
    "Детская школа искусств",
    "Центр дополнительного образования",
)
_COLLEGES = (
    "социально-педагогический колледж",
    "политехнический колледж",
    "технический колледж",
    "колледж искусств",
    "строительный техникум",
    "медицинский колледж",
    "агропромышленный техникум",
    "колледж управления и новых технологий",
)

# ---------------------------------------------------------------------------
# What teachers do
# ---------------------------------------------------------------------------

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
_OFTEN_VACANT = (
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

_SUPPORT_PROJECTS = (
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

# The open period's submissions: "missing" means the school has not started at all.
_SUBMISSION_MIX = (
    ("accepted", 42),
    ("submitted", 18),
    ("returned", 10),
    ("draft", 18),
    ("missing", 12),
)
_RETURN_COMMENTS = (
    "Не заполнен лист «Штатное расписание».",
    "Число педагогов расходится со списочной численностью, уточните данные.",
    "Не указаны даты присвоения квалификационных категорий.",
    "У нескольких педагогов стаж больше возраста, проверьте данные.",
    "Нет оценки цифровой образовательной среды.",
)

# Name frequencies differ by generation; Faker's lists are uniform and full of rare names.
_COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "first_male_old": (
        "Александр",
        "Сергей",
        "Владимир",
        "Андрей",
        "Алексей",
        "Николай",
        "Юрий",
        "Игорь",
        "Виктор",
        "Михаил",
        "Евгений",
        "Олег",
        "Дмитрий",
        "Анатолий",
        "Валерий",
        "Геннадий",
    ),
    "first_male_young": (
        "Александр",
        "Дмитрий",
        "Максим",
        "Артём",
        "Иван",
        "Никита",
        "Алексей",
        "Андрей",
        "Сергей",
        "Кирилл",
        "Илья",
        "Денис",
        "Роман",
        "Евгений",
        "Павел",
        "Владислав",
    ),
    "first_female_old": (
        "Елена",
        "Ольга",
        "Татьяна",
        "Наталья",
        "Ирина",
        "Светлана",
        "Галина",
        "Людмила",
        "Надежда",
        "Марина",
        "Валентина",
        "Любовь",
        "Лариса",
        "Нина",
        "Оксана",
        "Тамара",
    ),
    "first_female_young": (
        "Анастасия",
        "Екатерина",
        "Анна",
        "Мария",
        "Дарья",
        "Юлия",
        "Виктория",
        "Алина",
        "Ксения",
        "Кристина",
        "Полина",
        "Елена",
        "Ольга",
        "Татьяна",
        "Валерия",
        "Наталья",
    ),
    "middle_male": (
        "Александрович",
        "Сергеевич",
        "Владимирович",
        "Николаевич",
        "Викторович",
        "Иванович",
        "Анатольевич",
        "Юрьевич",
        "Михайлович",
        "Васильевич",
        "Петрович",
        "Алексеевич",
        "Андреевич",
        "Евгеньевич",
        "Дмитриевич",
        "Геннадьевич",
    ),
    "middle_female": (
        "Александровна",
        "Сергеевна",
        "Владимировна",
        "Николаевна",
        "Викторовна",
        "Ивановна",
        "Анатольевна",
        "Юрьевна",
        "Михайловна",
        "Васильевна",
        "Петровна",
        "Алексеевна",
        "Андреевна",
        "Евгеньевна",
        "Дмитриевна",
        "Геннадьевна",
    ),
}


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


class _Choice:
    """A weighted choice prepared once and drawn many times (one bisect per draw)."""

    __slots__ = ("cumulative", "values")

    def __init__(self, options: Sequence[tuple[Any, float]]):
        self.values: list[Any] = []
        self.cumulative: list[float] = []
        total = 0.0
        for value, weight in options:
            total += weight
            self.values.append(value)
            self.cumulative.append(total)

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


def _demo_years() -> tuple[int, int]:
    """The closed and the collecting period: the year before last and last year."""
    year = timezone.localdate().year
    return year - 2, year - 1


def _inn(prefix: str, serial: int) -> str:
    """A legal entity's 10-digit INN with its control digit (prefix: region and inspection)."""
    body = f"{prefix}{serial % 100_000:05d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    control = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return f"{body}{control}"


def _snils(number: int) -> str:
    """A СНИЛС with the Pension Fund's control number, formatted as people write it."""
    digits = f"{number:09d}"
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]} {models.snils_control(digits):02d}"


def _allocate(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), each part at least ``minimum``."""
    minimum = min(minimum, total // len(weights))
    rest = total - minimum * len(weights)
    scale = sum(weights)
    shares = [rest * w / scale for w in weights]
    parts = [minimum + int(s) for s in shares]
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


class _NamePools:
    """Russian surnames, first names and patronymics, drawn from Faker once per seed."""

    def __init__(self, seed: int):
        from faker import Faker  # only the generator needs it; keep it off the import path

        fake = Faker("ru_RU")
        fake.seed_instance(seed)

        def pool(method: Callable[[], str], common: Sequence[str] = ()) -> _Choice:
            names = sorted({method() for _ in range(1500)} | set(common))
            weights: dict[str, float] = dict.fromkeys(names, 1.0)
            if common:
                # Nine names in ten are common ones, the most frequent first, as on a real
                # roster; the rest spreads evenly over Faker's long tail.
                ranks = [len(common) + 10 - rank for rank in range(len(common))]
                scale = 9 * (len(names) - len(common)) / sum(ranks)
                for name, rank in zip(common, ranks, strict=True):
                    weights[name] = rank * scale
            return _Choice([(name, weights[name]) for name in names])

        c = _COMMON_NAMES
        male, female = models.Sex.MALE, models.Sex.FEMALE
        self.last = {male: pool(fake.last_name_male), female: pool(fake.last_name_female)}
        self.first_old = {
            male: pool(fake.first_name_male, c["first_male_old"]),
            female: pool(fake.first_name_female, c["first_female_old"]),
        }
        self.first_young = {
            male: pool(fake.first_name_male, c["first_male_young"]),
            female: pool(fake.first_name_female, c["first_female_young"]),
        }
        self.middle = {
            male: pool(fake.middle_name_male, c["middle_male"]),
            female: pool(fake.middle_name_female, c["middle_female"]),
        }

    def full_name(self, rng: random.Random, sex: str, birth_year: int) -> str:
        first = (self.first_young if birth_year >= 1988 else self.first_old)[sex]
        return f"{self.last[sex].draw(rng)} {first.draw(rng)} {self.middle[sex].draw(rng)}"


class _Writer:
    """Buffers rows per model and writes them with bulk_create in batches."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.buffers: dict[type, list] = defaultdict(list)
        self.counts: Counter[str] = Counter()

    def add(self, obj) -> None:
        buffer = self.buffers[type(obj)]
        buffer.append(obj)
        if len(buffer) >= self.batch_size:
            self._flush(type(obj))

    def create(self, objs: list) -> list:
        """Write now and return the objects with their primary keys."""
        if objs:
            type(objs[0]).objects.bulk_create(objs, batch_size=self.batch_size)
            self.counts[type(objs[0]).__name__] += len(objs)
        return objs

    def _flush(self, model: type) -> None:
        buffer = self.buffers[model]
        if buffer:
            model.objects.bulk_create(buffer, batch_size=self.batch_size)
            self.counts[model.__name__] += len(buffer)
            buffer.clear()

    def flush_all(self) -> None:
        for model in list(self.buffers):
            self._flush(model)


# ---------------------------------------------------------------------------
# The world in memory, before and while it is written
# ---------------------------------------------------------------------------


class _Muni:
    __slots__ = (
        "adjective",
        "center",
        "code",
        "genitive",
        "index",
        "inn_prefix",
        "lagging",
        "name",
        "pk",
        "population",
        "school_suffix",
        "schools",
        "style",
    )

    def __init__(self, **fields):
        self.pk: int | None = None
        self.schools: list[_School] = []
        self.lagging = False
        for key, value in fields.items():
            setattr(self, key, value)

    @property
    def urban(self) -> bool:
        return self.style in ("volgograd", "city")


class _School:
    __slots__ = (
        "adverse",
        "code",
        "digital",
        "head_name",
        "inn",
        "kind",
        "low",
        "muni",
        "name",
        "pk",
        "rural",
        "size",
    )

    def __init__(self, **fields):
        self.pk: int | None = None
        self.digital: list[tuple[int, ...]] = []
        for key, value in fields.items():
            setattr(self, key, value)


class _Post:
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

    def copy(self) -> _Post:
        other = _Post()
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        other.experts = list(self.experts)
        return other


class _Person:
    __slots__ = ("birth", "code", "full_name", "pk", "posts", "sex", "snils")

    def __init__(self):
        self.pk: int | None = None
        self.posts: list[_Post | None] = [None, None]


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


class _Builder:
    def __init__(self, *, spec: _SizeSpec, seed: int, log: Callable[[str], None]):
        self.spec = spec
        self.seed = seed
        self.rng = random.Random(seed)
        self.log = log
        self.names = _NamePools(seed)
        self.writer = _Writer(BATCH_SIZE)
        self.teacher_seq = 0
        self.school_seq = 0
        self.positions = {kind: _Choice(options) for kind, options in _POSITIONS.items()}
        self.subjects = _Choice([((main, extra, p), w) for main, w, extra, p in _SUBJECT_OFFERS])
        self.ages = _Choice([((lo, hi), w) for lo, hi, w in _AGE_BANDS])
        self.arrival_ages = _Choice([((lo, hi), w) for lo, hi, w in _ARRIVAL_AGE_BANDS])
        self.workload_main = _Choice(_WORKLOADS_MAIN)
        self.workload_part = _Choice(_WORKLOADS_PART_TIME)
        self.event_months = _Choice([(m, w) for m, w in enumerate(_EVENT_MONTH_WEIGHTS, start=1)])
        self.competition_start = _Choice([(0, 20), (1, 65), (2, 15)])
        self.competition_results = _Choice(_COMPETITION_RESULTS)
        self.mentoring_forms = _Choice(_MENTORING_FORMS)
        self.submission_mix = _Choice(_SUBMISSION_MIX)
        self.tz = timezone.get_default_timezone()
        self.periods: list[models.MonitoringPeriod] = []
        self.refs: list[dt.date] = []
        self.munis: list[_Muni] = []
        self.projects: list[list[int]] = []
        self.regional: list[dict[str, int]] = []
        self.regional_p = 0.0
        self.events: list[models.SubmissionEvent] = []
        # Anchors of the demo accounts, found while building.
        self.head_school: _School | None = None
        self.head2_school: _School | None = None
        self.demo_teacher: _Person | None = None

    # -- the whole run ------------------------------------------------------------

    def run(self) -> None:
        region = models.Region.objects.create(code=REGION_CODE, name=REGION_NAME)
        self.writer.counts["Region"] += 1
        self._plan_municipalities()
        self._create_municipalities(region)
        self._create_schools()
        self._create_periods()
        self._create_regional_rows()
        # Regional associations draw members from the whole region as municipalities pass,
        # so the chance is set for a few dozen members each whatever the size.
        self.regional_p = min(1.0, max(0.012, 6 / (0.1 * self.spec.teachers)))
        total = len(self.munis)
        step = max(1, total // 20)
        for number, muni in enumerate(self.munis, start=1):
            people = self._fill_municipality(muni)
            # With DEBUG on Django keeps the last 9000 queries, each bulk insert's SQL
            # included: hundreds of megabytes on `national` unless dropped as we go.
            reset_queries()
            if total <= 60 or number % step == 0 or number == total:
                self.log(f"  [{number}/{total}] {muni.code} {muni.name}: ОО {len(muni.schools)}, педагогов {people}")
        self.writer.flush_all()
        self._flush_submission_events()

    # -- municipalities and schools -----------------------------------------------

    def _plan_municipalities(self) -> None:
        rng = self.rng
        munis: list[_Muni] = []
        for i, (name, population, suffix, genitive, adjective) in enumerate(_CITIES):
            munis.append(
                _Muni(
                    index=i,
                    code=f"{i + 1:02d}",
                    name=name,
                    population=population,
                    school_suffix=suffix,
                    genitive=genitive,
                    adjective=adjective,
                    center=None,
                    inn_prefix=f"34{_CITY_INN[i]}",
                    style="volgograd" if i == 0 else "city",
                )
            )
        for j, (adjective, population) in enumerate(_DISTRICTS):
            i = len(_CITIES) + j
            stem = adjective[:-2]
            munis.append(
                _Muni(
                    index=i,
                    code=f"{i + 1:02d}",
                    name=f"{adjective} муниципальный район",
                    population=population,
                    school_suffix="",
                    genitive=f"{stem}ого муниципального района",
                    adjective=adjective,
                    center=f"{stem}ая",
                    inn_prefix=f"34{j + 1:02d}",
                    style="district",
                )
            )
        if self.spec.municipalities is not None:
            munis = [m for m in munis if m.code in self.spec.municipalities]
        for k in range(self.spec.extra_municipalities):
            number = len(_CITIES) + len(_DISTRICTS) + k + 1
            munis.append(
                _Muni(
                    index=number - 1,
                    code=f"{number:04d}",
                    name=f"Муниципальный округ № {number}",
                    population=max(3, int(rng.lognormvariate(math.log(25), 0.8))),
                    school_suffix="",
                    genitive=f"муниципального округа № {number}",
                    adjective="",
                    center=None,
                    inn_prefix=f"34{rng.randint(1, 99):02d}",
                    style="extra",
                )
            )
        # Lagging municipalities have sent nothing yet in the open period (indicator 8.6);
        # never the first two, which the demo accounts look at.
        for muni in munis[2:]:
            muni.lagging = rng.random() < 0.08
        self.munis = munis

    def _create_municipalities(self, region: models.Region) -> None:
        objs = self.writer.create([models.Municipality(region=region, code=m.code, name=m.name) for m in self.munis])
        for muni, obj in zip(self.munis, objs, strict=True):
            muni.pk = obj.pk

    def _create_schools(self) -> None:
        # Cities have fewer, bigger schools per inhabitant than the countryside.
        counts = _allocate(self.spec.schools, [m.population**0.7 for m in self.munis], self.spec.min_schools)
        for muni, count in zip(self.munis, counts, strict=True):
            self._plan_schools(muni, count)
        schools = [s for m in self.munis for s in m.schools]
        scale = self.spec.teachers / sum(s.size for s in schools)
        for school in schools:
            school.size = max(3, round(school.size * scale))
        for start in range(0, len(schools), BATCH_SIZE):
            chunk = schools[start : start + BATCH_SIZE]
            objs = self.writer.create(
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
        self.head_school = self.munis[0].schools[0]
        self.head2_school = self.munis[1].schools[0]
        self.log(f"Муниципалитетов: {len(self.munis)}, образовательных организаций: {len(schools)}")

    def _plan_schools(self, muni: _Muni, count: int) -> None:
        rng = self.rng
        namer = _SchoolNamer(rng, muni)
        kind = models.SchoolKind
        if muni.urban:
            kinds = _Choice(
                [
                    (kind.GENERAL, 55),
                    (kind.PRESCHOOL, 33),
                    (kind.ADDITIONAL, 8),
                    (kind.VOCATIONAL, 4),
                ]
            )
        else:
            kinds = _Choice([(kind.GENERAL, 62), (kind.PRESCHOOL, 28), (kind.ADDITIONAL, 10)])
        for n in range(count):
            # Every municipality's first school is a general one: the demo heads run one.
            wanted = kind.GENERAL if n == 0 else kinds.draw(rng)
            name, size, rural, actual = namer.name(wanted)
            self.school_seq += 1
            low = adverse = False
            if actual == kind.GENERAL:
                low = rng.random() < (0.2 if rural else 0.1)
                adverse = rng.random() < (0.33 if rural else 0.1)
            head_sex = models.Sex.FEMALE if rng.random() < 0.7 else models.Sex.MALE
            muni.schools.append(
                _School(
                    code=f"{self.school_seq:06d}",
                    name=name,
                    kind=actual,
                    rural=rural,
                    size=size,
                    low=low,
                    adverse=adverse,
                    muni=muni,
                    inn=_inn(muni.inn_prefix, self.school_seq),
                    head_name=self.names.full_name(rng, head_sex, rng.randint(1960, 1985)),
                )
            )

    # -- periods and region-wide rows -----------------------------------------------

    def _create_periods(self) -> None:
        earlier, later = _demo_years()
        plan_items = models.MonitoringPlanItem.objects.count()
        existing = models.MonitoringPeriod.objects.filter(year__in=(earlier, later)).count()
        # period_create keeps a period that already exists as it is, status included.
        self.periods = [
            period_create(year=earlier, status=models.PeriodStatus.CLOSED),
            period_create(year=later, status=models.PeriodStatus.COLLECTING),
        ]
        self.refs = [p.reference_date for p in self.periods]
        self.writer.counts["MonitoringPeriod"] += 2 - existing
        self.writer.counts["MonitoringPlanItem"] += models.MonitoringPlanItem.objects.count() - plan_items
        self.log(f"Периоды: {earlier} (закрыт), {later} (сбор данных)")

    def _create_regional_rows(self) -> None:
        criteria: dict[str, list[bool]] = {}
        specs = [
            (key, f"Региональное методическое объединение учителей {title}", subjects[0])
            for key, title, subjects in _SUBJECT_GROUPS
        ]
        specs += [(key, title, "") for key, title in _REGIONAL_COMMUNITIES]
        for pi, period in enumerate(self.periods):
            # One project more in the later year, so indicator 7.1 moves.
            projects = self.writer.create(
                [
                    models.SupportProject(period=period, code=f"ПР-{k:02d}", name=name)
                    for k, name in enumerate(_SUPPORT_PROJECTS[: 4 + pi], start=1)
                ]
            )
            self.projects.append([p.pk for p in projects])
            objs = []
            for k, (key, name, subject) in enumerate(specs, start=1):
                criteria[key] = self._criteria(criteria.get(key), 0.85)
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
            created = self.writer.create(objs)
            self.regional.append({spec[0]: obj.pk for spec, obj in zip(specs, created, strict=True)})
            for obj in created:
                self._events(obj.pk, period, 3, 8, 0.5)

    def _criteria(self, previous: list[bool] | None, share: float) -> list[bool]:
        """The six 8.5 criteria; a year later an association mostly keeps and adds to them."""
        rng = self.rng
        if previous is None:
            return [rng.random() < share for _ in models.ASSOCIATION_CRITERIA]
        return [(rng.random() < 0.95) if met else (rng.random() < 0.25) for met in previous]

    def _events(
        self,
        association_pk: int,
        period: models.MonitoringPeriod,
        lo: int,
        hi: int,
        networked: float,
    ) -> None:
        rng = self.rng
        seen = set()
        for _ in range(rng.randint(lo, hi)):
            month = self.event_months.draw(rng)
            day = min(dt.date(period.year, month, rng.randint(1, 28)), period.reference_date)
            title = rng.choice(_EVENT_TITLES)
            if (day, title) in seen:
                continue
            seen.add((day, title))
            self.writer.add(
                models.AssociationEvent(
                    association_id=association_pk,
                    date=day,
                    title=title,
                    networked=rng.random() < networked,
                )
            )

    # -- people -----------------------------------------------------------------------

    def _new_post(self, school: _School, age: int, ref: dt.date) -> tuple[_Post, str]:
        """A roster row for someone new at ``school``, and the sex that suits the job."""
        rng = self.rng
        post = _Post()
        post.school = school
        post.position = self.positions[school.kind].draw(rng)
        subjects: tuple[str, ...] = ()
        if post.position in (TEACHER, LECTURER):
            main, extra, p = self.subjects.draw(rng)
            while post.position == LECTURER and main == ("Начальные классы",):
                main, extra, p = self.subjects.draw(rng)
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
        post.workload = (self.workload_part if post.part_time else self.workload_main).draw(rng)
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

    def _experts(self, post: _Post) -> list[tuple[str, str]]:
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

    def _next_post(self, post: _Post, school: _School, ref: dt.date) -> _Post:
        """The same person's row a year later: more experience, maybe re-attested or retrained."""
        rng = self.rng
        new = post.copy()
        new.school = school
        if new.experience is not None:
            new.experience += 1
        if rng.random() < 0.2:
            new.workload = (self.workload_part if new.part_time else self.workload_main).draw(rng)
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

    def _new_person(self, school: _School, pi: int, bands: _Choice) -> _Person:
        rng = self.rng
        ref = self.refs[pi]
        lo, hi = bands.draw(rng)
        age = rng.randint(lo, hi)
        post, sex = self._new_post(school, age, ref)
        person = _Person()
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

    def _people(self, muni: _Muni) -> list[_Person]:
        """Both years' rosters of a municipality: the earlier one, then who left, moved, came."""
        rng = self.rng
        people = [self._new_person(school, 0, self.ages) for school in muni.schools for _ in range(school.size)]
        by_kind: dict[str, list[_School]] = defaultdict(list)
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
                people.append(self._new_person(school, 1, self.arrival_ages))
        return people

    # -- one municipality, both periods ---------------------------------------------

    def _fill_municipality(self, muni: _Muni) -> int:
        people = self._people(muni)
        teachers = self.writer.create(
            [
                models.Teacher(code=p.code, full_name=p.full_name, sex=p.sex, birth_date=p.birth, snils=p.snils)
                for p in people
            ]
        )
        for person, obj in zip(people, teachers, strict=True):
            person.pk = obj.pk
        del teachers
        state: dict[str, Any] = {"activists": {}, "criteria": {}, "municipal_groups": None}
        for pi, period in enumerate(self.periods):
            roster = [(p, p.posts[pi]) for p in people if p.posts[pi] is not None]
            ref = period.reference_date
            young = {p.pk for p, _ in roster if models.age_on(p.birth, ref) < period.young_age_limit}
            self._roster(period, roster)
            self._staffing(period, pi, muni, roster)
            self._expert_roles(period, roster)
            self._competitions(period, roster, young)
            self._activists(period, muni, roster, young, state)
            self._support(pi, roster, young)
            mentors, mentees = self._mentoring(period, pi, muni, roster, young)
            self._associations(period, pi, muni, roster, young, mentors, state)
            self._digital(period, pi, muni)
            self._submissions(period, muni)
            if pi == 1 and muni is self.munis[0]:
                self._pick_demo_teacher(roster, young, mentees)
        return sum(1 for p in people if p.posts[1] is not None)

    def _roster(self, period: models.MonitoringPeriod, roster) -> None:
        for person, post in roster:
            self.writer.add(
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

    def _staffing(self, period: models.MonitoringPeriod, pi: int, muni: _Muni, roster) -> None:
        """The staffing table follows the roster: filled positions plus vacancies."""
        rng = self.rng
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
                missing = [p for p in _OFTEN_VACANT if p not in positions]
                if missing:
                    schedule = rng.choice((Decimal("0.50"), Decimal("1.00")))
                    rows.append((rng.choice(missing), schedule, schedule))
            for position, schedule, vacant in rows:
                self.writer.add(
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

    def _expert_roles(self, period: models.MonitoringPeriod, roster) -> None:
        for person, post in roster:
            for kind, subject in dict.fromkeys(post.experts):
                self.writer.add(
                    models.ExpertRole(period_id=period.pk, teacher_id=person.pk, kind=kind, subject=subject)
                )

    def _competition_name(self, post: _Post, is_young: bool) -> str:
        rng = self.rng
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

    def _competitions(self, period: models.MonitoringPeriod, roster, young: set[int]) -> None:
        rng = self.rng
        for person, post in roster:
            is_young = person.pk in young
            if rng.random() >= (0.10 if is_young else 0.04):
                continue
            name = self._competition_name(post, is_young)
            level = self.competition_start.draw(rng)
            while level < len(_COMPETITION_LEVELS):
                code, first_month, last_month = _COMPETITION_LEVELS[level]
                month = rng.randint(first_month, last_month)
                day = min(dt.date(period.year, month, rng.randint(1, 28)), period.reference_date)
                result = self.competition_results.draw(rng)
                self.writer.add(
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

    def _activists(self, period, muni: _Muni, roster, young: set[int], state: dict) -> None:
        """Methodical activists: mostly the same people a year later, plus a few new ones."""
        rng = self.rng
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
        previous: dict[str, list[tuple[str, _Person | None]]] = state["activists"]
        current: dict[str, list[tuple[str, _Person | None]]] = {}
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
                    name = self.names.full_name(rng, sex, rng.randint(1965, 1985))
                else:
                    person = rng.choice(experienced)
                    name = person.full_name
                if name not in names:
                    names.add(name)
                    kept.append((name, person))
            current[activist_role] = kept
            for name, person in kept:
                self.writer.add(
                    models.MethodicalActivist(
                        period_id=period.pk,
                        full_name=name,
                        municipality_id=muni.pk,
                        teacher_id=person.pk if person else None,
                        role=activist_role,
                    )
                )
        state["activists"] = current

    def _support(self, pi: int, roster, young: set[int]) -> None:
        rng = self.rng
        projects = self.projects[pi]
        share = 0.35 + 0.1 * pi  # coverage of young teachers grows
        for person, _ in roster:
            if rng.random() >= (share if person.pk in young else 0.01):
                continue
            for project in rng.sample(projects, 2 if rng.random() < 0.2 else 1):
                self.writer.add(models.SupportProjectParticipant(project_id=project, teacher_id=person.pk))

    def _mentoring(self, period, pi: int, muni: _Muni, roster, young: set[int]) -> tuple[set[int], set[int]]:
        """School programs pair young teachers with experienced colleagues of their school;
        the municipal program takes some of those whose school has none."""
        rng = self.rng
        by_school: dict[int, list[tuple[_Person, _Post]]] = defaultdict(list)
        for person, post in roster:
            by_school[post.school.pk].append((person, post))

        def wants_mentor(person: _Person, post: _Post) -> bool:
            if person.pk in young:
                return rng.random() < (0.75 if (post.experience or 0) <= 5 else 0.3)
            # Newcomers of any age get a mentor in their first year.
            return pi == 1 and person.posts[0] is None and rng.random() < 0.4

        def pairs_for(mentees: list[_Person], candidates: list[_Person]) -> list[tuple]:
            load: Counter[int] = Counter()
            pairs = []
            for mentee in mentees:
                free = [c for c in candidates if c.pk != mentee.pk and load[c.pk] < 2]
                if not free:
                    break
                mentor = rng.choice(free)
                load[mentor.pk] += 1
                pairs.append((mentor.pk, mentee.pk, self.mentoring_forms.draw(rng)))
            return pairs

        programs: list[tuple[models.MentoringProgram, list[tuple]]] = []
        uncovered: list[_Person] = []
        all_experienced: list[_Person] = []
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
        self.writer.create([program for program, _ in programs])
        mentors: set[int] = set()
        mentees_seen: set[int] = set()
        for program, pairs in programs:
            for mentor, mentee, form in pairs:
                mentors.add(mentor)
                mentees_seen.add(mentee)
                self.writer.add(
                    models.MentoringPair(program_id=program.pk, mentor_id=mentor, mentee_id=mentee, form=form)
                )
        return mentors, mentees_seen

    def _associations(
        self, period, pi: int, muni: _Muni, roster, young: set[int], mentors: set[int], state: dict
    ) -> None:
        rng = self.rng
        level = models.AssociationLevel
        criteria: dict[str, list[bool]] = state["criteria"]
        by_group: dict[str, list[_Person]] = defaultdict(list)
        by_school_group: dict[tuple[int, str], list[_Person]] = defaultdict(list)
        educators: dict[int, list[_Person]] = defaultdict(list)
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
            criteria[code] = self._criteria(criteria.get(code), share)
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

        self.writer.create([obj for obj, *_ in planned])
        for obj, members, lo, hi, networked in planned:
            for member in members:
                self.writer.add(models.AssociationMember(association_id=obj.pk, teacher_id=member))
            self._events(obj.pk, period, lo, hi, networked)

        regional = self.regional[pi]
        p = self.regional_p
        for key, people in by_group.items():
            for person in people:
                if rng.random() < p:
                    self.writer.add(models.AssociationMember(association_id=regional[key], teacher_id=person.pk))
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
            self.writer.add(models.AssociationMember(association_id=community, teacher_id=person.pk))

    def _digital(self, period, pi: int, muni: _Muni) -> None:
        rng = self.rng
        for school in muni.schools:
            if pi == 0:
                base = 2 if school.rural else 3
                scores = tuple(max(0, min(4, base + rng.choice((-2, -1, -1, 0, 0, 0, 1)))) for _ in range(4))
            else:
                scores = tuple(min(4, s + (rng.random() < 0.25)) for s in school.digital[0])
            school.digital.append(scores)
            infrastructure, tools, usage, development = scores
            self.writer.add(
                models.DigitalEnvironmentScore(
                    period_id=period.pk,
                    school_id=school.pk,
                    infrastructure=infrastructure,
                    tools=tools,
                    usage=usage,
                    professional_development=development,
                )
            )

    def _submissions(self, period, muni: _Muni) -> None:
        """Each school's submission and its history: submitted, maybe returned and sent
        again, then accepted — the steps monitoring.submissions records."""
        rng = self.rng
        submitted, returned, accepted = (
            models.SubmissionStatus.SUBMITTED,
            models.SubmissionStatus.RETURNED,
            models.SubmissionStatus.ACCEPTED,
        )
        planned: list[tuple[models.SchoolSubmission, list[tuple[str, dt.datetime, str]]]] = []
        for school in muni.schools:
            if period.status == models.PeriodStatus.CLOSED:
                status = accepted
            elif school is self.head_school:
                status = models.SubmissionStatus.DRAFT  # the demo head has something to submit
            elif school is self.head2_school:
                status = returned  # and the other one something to fix
            elif muni.lagging:
                status = rng.choice(("draft", "missing", "missing"))
            else:
                status = self.submission_mix.draw(rng)
            if status == "missing":
                continue
            at = dt.datetime(
                period.year,
                rng.randint(10, 11),
                rng.randint(1, 28),
                rng.randint(9, 17),
                rng.randint(0, 59),
                tzinfo=self.tz,
            )
            history: list[tuple[str, dt.datetime, str]] = []
            comment = ""
            if status != models.SubmissionStatus.DRAFT:
                history.append((submitted, at, ""))
                sent_back = status == returned or (status == accepted and rng.random() < 0.2)
                if sent_back:
                    comment = rng.choice(_RETURN_COMMENTS)
                    at += dt.timedelta(days=rng.randint(2, 10), hours=rng.randint(0, 6))
                    history.append((returned, at, comment))
                if status == accepted:
                    if sent_back:
                        at += dt.timedelta(days=rng.randint(3, 14), hours=rng.randint(0, 6))
                        history.append((submitted, at, ""))
                        comment = ""
                    reviewed = at + dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
                    history.append((accepted, reviewed, ""))
            last_sent = max((t for s, t, _ in history if s == submitted), default=None)
            planned.append(
                (
                    models.SchoolSubmission(
                        period_id=period.pk,
                        school_id=school.pk,
                        status=status,
                        submitted_at=last_sent,
                        comment=comment,
                    ),
                    history,
                )
            )
        self.writer.create([submission for submission, _ in planned])
        now = timezone.now()
        for submission, history in planned:
            for status, at, comment in history:
                self.events.append(
                    models.SubmissionEvent(
                        submission_id=submission.pk,
                        status=status,
                        comment=comment,
                        at=min(at, now),
                    )
                )
        if len(self.events) >= BATCH_SIZE:
            self._flush_submission_events()

    def _flush_submission_events(self) -> None:
        # `at` is auto_now_add, which bulk_create overwrites with the present moment;
        # the history needs its own dates, so they are written back once the rows exist.
        events, self.events = self.events, []
        dates = [event.at for event in events]
        self.writer.create(events)
        for event, at in zip(events, dates, strict=True):
            event.at = at
        models.SubmissionEvent.objects.bulk_update(events, ["at"], batch_size=1000)

    def _pick_demo_teacher(self, roster, young: set[int], mentees: set[int]) -> None:
        """The `teacher` account: at the head's school in both years, ideally a young mentee."""
        school = self.head_school
        here = [p for p, post in roster if post.school is school]
        both_years = [p for p in here if p.posts[0] is not None and p.posts[0].school is school]

        def rank(person: _Person) -> tuple:
            post = person.posts[1]
            return (person.pk not in mentees, person.pk not in young, post.position != TEACHER, person.code)

        self.demo_teacher = min(both_years or here, key=rank)


class _SchoolNamer:
    """Realistic names of a municipality's schools, never twice the same."""

    def __init__(self, rng: random.Random, muni: _Muni):
        self.rng = rng
        self.muni = muni
        self.numbers: Counter[str] = Counter()
        self.used: set[str] = set()
        self.center_general = 0
        self.center_preschool = 0
        self.center_slots = 1 if muni.population < 20 else 2 if muni.population < 40 else 3
        self.villages = [
            f"{prefix}{root}" if prefix else root.capitalize()
            for prefix in _VILLAGE_PREFIXES
            for root in _VILLAGE_ROOTS
        ]
        rng.shuffle(self.villages)
        self.additional = list(_ADDITIONAL_CITY if muni.urban else _ADDITIONAL_DISTRICT)
        rng.shuffle(self.additional)
        self.colleges = list(_COLLEGES)
        rng.shuffle(self.colleges)

    def _number(self, series: str) -> int:
        # Real numbering has gaps: schools were closed or merged over the years.
        self.numbers[series] += self.rng.choice((1, 1, 1, 2, 3))
        return self.numbers[series]

    def _village(self, school: str, numbered: str) -> str:
        """«Каменская СШ»; a huge municipality of `national` runs out of villages and
        numbers its schools instead."""
        if self.villages:
            return f"{self.villages.pop()} {school}"
        return f"{numbered} № {self._number(numbered)} {self.muni.genitive}"

    def _where(self) -> str:
        if self.muni.style == "volgograd":
            return f"{self.rng.choice(_VOLGOGRAD_DISTRICTS)} района Волгограда"
        return self.muni.school_suffix

    def name(self, kind: str) -> tuple[str, int, bool, str]:
        """(name, raw teacher count, rural, kind): the kind falls back to general when a
        municipality runs out of colleges."""
        rng = self.rng
        urban = self.muni.urban
        if kind == models.SchoolKind.VOCATIONAL:
            if self.colleges:
                name = f"ГБПОУ «{self.muni.adjective} {self.colleges.pop()}»"
                return name, rng.randint(40, 85), False, kind
            kind = models.SchoolKind.GENERAL
        if kind == models.SchoolKind.ADDITIONAL:
            return self._additional(urban)
        if kind == models.SchoolKind.PRESCHOOL:
            return self._preschool(urban)
        return self._general(urban)

    def _additional(self, urban: bool) -> tuple[str, int, bool, str]:
        rng = self.rng
        kind = models.SchoolKind.ADDITIONAL
        form = "МБУ ДО" if rng.random() < 0.7 else "МАУ ДО"
        size = rng.randint(12, 35) if urban else rng.randint(6, 16)
        if self.additional:
            title = self.additional.pop()
        else:
            title = f"Детская школа искусств № {self._number('art')}"
        if urban:
            return f"{form} «{title} {self._where()}»", size, False, kind
        return f"{form} «{title}» {self.muni.genitive}", size, False, kind

    def _general(self, urban: bool) -> tuple[str, int, bool, str]:
        rng = self.rng
        kind = models.SchoolKind.GENERAL
        if urban:
            if self.muni.style == "volgograd":
                form = rng.choice(("МОУ", "МОУ", "МБОУ"))
            else:
                form = rng.choice(("МБОУ", "МБОУ", "МАОУ"))
            r = rng.random() if self.numbers["Средняя школа"] else 1.0
            if r < 0.10:
                title, size = "Лицей", rng.randint(55, 95)
            elif r < 0.20:
                title, size = "Гимназия", rng.randint(55, 95)
            elif r < 0.24:
                title, size = "Основная школа", rng.randint(15, 30)
            else:
                title, size = "Средняя школа", rng.randint(40, 95)
            return f"{form} «{title} № {self._number(title)} {self._where()}»", size, False, kind
        form = "МКОУ" if rng.random() < 0.6 else "МБОУ"
        if self.center_general < self.center_slots:
            self.center_general += 1
            size = rng.randint(30, 60)
            if self.muni.style == "extra":
                name = f"{form} «Средняя школа № {self.center_general} {self.muni.genitive}»"
                return name, size, False, kind
            number = f" № {self.center_general}" if self.center_slots > 1 else ""
            return f"{form} «{self.muni.center} СШ{number}»", size, False, kind
        if rng.random() < 0.65:
            name, size = self._village("СШ", "Средняя школа"), rng.randint(10, 26)
        else:
            name, size = self._village("ОШ", "Основная школа"), rng.randint(6, 14)
        return f"{form} «{name}»", size, True, kind

    def _preschool(self, urban: bool) -> tuple[str, int, bool, str]:
        rng = self.rng
        kind = models.SchoolKind.PRESCHOOL
        if urban:
            if self.muni.style == "volgograd":
                form = "МОУ"
            else:
                form = rng.choice(("МБДОУ", "МБДОУ", "МАДОУ"))
            number = self._number("Детский сад")
            nickname = f" «{rng.choice(_KINDERGARTEN_NICKNAMES)}»" if rng.random() < 0.3 else ""
            name = f"{form} «Детский сад № {number}{nickname} {self._where()}»"
            return name, rng.randint(14, 32), False, kind
        form = "МКДОУ" if rng.random() < 0.6 else "МБДОУ"
        if self.center_preschool < 2 and self.muni.center:
            self.center_preschool += 1
            name = f"{form} «{self.muni.adjective} детский сад № {self.center_preschool}»"
            return name, rng.randint(8, 18), False, kind
        name = f"{form} «Детский сад «{rng.choice(_KINDERGARTEN_NICKNAMES)}»» {self.muni.genitive}"
        if name in self.used:
            village = self._village("детский сад", "Детский сад")
            # «детский сад» is masculine: Каменская → Каменский.
            name = f"{form} «{village.replace('ая детский', 'ий детский')}»"
        self.used.add(name)
        return name, rng.randint(4, 9), True, kind


# ---------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------


def _create_accounts(builder: _Builder) -> list[str]:
    """The demo logins, one per role; a username that already exists is left as it is."""
    user_model = models.User
    head_school = models.School.objects.get(pk=builder.head_school.pk)
    head2_school = models.School.objects.get(pk=builder.head2_school.pk)
    teacher = builder.demo_teacher

    def first_last(full_name: str) -> dict[str, str]:
        last, first, *_ = full_name.split()
        return {"first_name": first, "last_name": last}

    fields: dict[str, dict[str, Any]] = {
        "analyst": {
            "first_name": "Ирина",
            "last_name": "Савельева",
            "is_staff": True,
            "position": "Ведущий аналитик центра мониторинга",
        },
        "ministry": {
            "first_name": "Андрей",
            "last_name": "Кравцов",
            "is_staff": True,
            "position": "Консультант отдела общего образования",
        },
        "municipal": {
            "first_name": "Елена",
            "last_name": "Гончарова",
            "is_staff": True,
            "municipality_id": builder.munis[0].pk,
            "position": "Главный специалист",
        },
        "head": {
            **first_last(head_school.head_name),
            "is_staff": True,
            "school": head_school,
            "position": "Директор",
        },
        "head2": {
            **first_last(head2_school.head_name),
            "is_staff": True,
            "school": head2_school,
            "position": "Директор",
        },
        "teacher": {
            **first_last(teacher.full_name),
            "is_staff": False,
            "teacher_id": teacher.pk,
            "position": teacher.posts[1].position,
        },
        "admin": {
            "first_name": "Сергей",
            "last_name": "Орлов",
            "is_staff": True,
            "is_superuser": True,
        },
    }
    # Hashing is slow on purpose (~0.2 s each): the demo accounts share one hash.
    password = make_password(DEMO_PASSWORD)
    existing = set(user_model.objects.filter(username__in=fields).values_list("username", flat=True))
    created = []
    for username, role, _ in DEMO_ACCOUNTS:
        if username in existing:
            continue
        user_model(
            username=username,
            email=f"{username}@demo.example",
            role=role,
            password=password,
            **fields[username],
        ).save()
        created.append(username)

    analyst = user_model.objects.filter(username="analyst").first()
    if analyst is not None:
        models.MonitoringPlanItem.objects.filter(period__in=builder.periods, responsible__isnull=True).update(
            responsible=analyst
        )
    # Who made each step: the demo heads sent their schools' data, the municipal
    # specialist reviewed Volgograd's and the institute everyone else's.
    status = models.SubmissionStatus
    events = models.SubmissionEvent.objects.filter(submission__period__in=builder.periods)
    heads = user_model.objects.filter(username__in=("head", "head2"), role=models.Role.SCHOOL_HEAD)
    for head in heads:
        models.SchoolSubmission.objects.filter(period__in=builder.periods, school_id=head.school_id).exclude(
            status=status.DRAFT
        ).update(submitted_by=head)
        events.filter(submission__school_id=head.school_id, status=status.SUBMITTED).update(user=head)
    reviews = events.filter(status__in=(status.RETURNED, status.ACCEPTED))
    municipal = user_model.objects.filter(username="municipal", role=models.Role.MUNICIPAL).first()
    if municipal is not None:
        reviews.filter(submission__school__municipality_id=municipal.municipality_id).update(user=municipal)
    if analyst is not None:
        reviews.filter(user__isnull=True).update(user=analyst)
    return created


# ---------------------------------------------------------------------------
# Reset and conflicts
# ---------------------------------------------------------------------------

# Leaves first, so that almost every delete is one statement with nothing pointing at it.
_WIPE_ORDER = (
    models.AssociationEvent,
    models.AssociationMember,
    models.MethodicalAssociation,
    models.MentoringPair,
    models.MentoringProgram,
    models.SupportProjectParticipant,
    models.SupportProject,
    models.CompetitionEntry,
    models.ExpertRole,
    models.MethodicalActivist,
    models.StaffingRow,
    models.DigitalEnvironmentScore,
    models.SubmissionEvent,
    models.SchoolSubmission,
    models.RosterEntry,
    models.MonitoringPlanItem,
    models.MonitoringPeriod,
    models.Teacher,
    models.School,
    models.Municipality,
    models.Region,
)


def wipe(queryset) -> int:
    """Delete without loading a million rows: one statement, or chunks of primary keys."""
    model = queryset.model
    if Collector(using=router.db_for_write(model), origin=None).can_fast_delete(queryset):
        return queryset.delete()[0]
    deleted = 0
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:BATCH_SIZE])
        if not pks:
            return deleted
        deleted += model._base_manager.filter(pk__in=pks).delete()[0]


def _wipe_all(log: Callable[[str], None]) -> dict[str, int]:
    """Delete the monitored world, and the users anchored in it (they would block the delete)."""
    anchored = (
        Q(username__in=[username for username, _, _ in DEMO_ACCOUNTS])
        | Q(teacher__isnull=False)
        | Q(school__isnull=False)
        | Q(municipality__isnull=False)
    )
    deleted = {}
    for step in DEMO_WIPES:
        deleted.update(step())
    deleted["User"] = wipe(models.User.objects.filter(anchored))
    for model in _WIPE_ORDER:
        deleted[model.__name__] = wipe(model._base_manager.all())
    log("Удалено строк: " + ", ".join(f"{k} {v}" for k, v in deleted.items() if v))
    return deleted


def _conflict(spec: _SizeSpec) -> str:
    """Why demo data cannot be added to what the database holds ('' when it can)."""
    codes = [f"{i + 1:02d}" for i in range(len(_CITIES) + len(_DISTRICTS))]
    if models.Municipality.objects.filter(code__in=codes).exists():
        return "в базе уже есть муниципалитеты с кодами 01–38"
    if models.School.objects.filter(code__regex=r"^[0-9]{6}$", code__lte=f"{spec.schools:06d}").exists():
        return "в базе уже есть образовательные организации с кодами демо-данных"
    if models.Teacher.objects.filter(code__regex=r"^T[0-9]{7}$").exists():
        return "в базе уже есть педагоги с кодами вида T0000001"
    earlier, later = _demo_years()
    periods = models.MonitoringPeriod.objects.filter(year__in=(earlier, later))
    if models.RosterEntry.objects.filter(period__in=periods).exists():
        return f"периоды {earlier} и {later} уже содержат данные"
    return ""


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------


def seed_demo(*, size: str = "small", seed: int = 1, reset: bool = False, stdout=None) -> DemoResult:
    """Fill the database with the demo region; a no-op when the region is already there.

    With ``reset`` everything the monitoring holds (and the users anchored in it) is
    deleted first, in one transaction with the new data. ``stdout`` (anything with
    ``write``) receives progress lines.
    """
    if size not in SIZES:
        raise ValueError(f"Неизвестный размер демо-данных {size!r}; допустимо: {', '.join(SIZES)}")
    spec = SIZES[size]
    started = time.perf_counter()

    def log(message: str) -> None:
        if stdout is not None:
            stdout.write(message if message.endswith("\n") else message + "\n")

    result = DemoResult(size=size, seed=seed)
    with transaction.atomic():
        if reset:
            result.deleted = _wipe_all(log)
        elif models.Region.objects.filter(code=REGION_CODE).exists():
            result.skipped = True
            result.message = (
                f"Регион {REGION_CODE} «{REGION_NAME}» уже есть в базе, демо-данные не создавались "
                "(чтобы создать их заново, запустите с --reset)."
            )
        else:
            reason = _conflict(spec)
            if reason:
                result.skipped = True
                result.message = f"Демо-данные не создавались: {reason} (чтобы заменить всё, запустите с --reset)."
        if not result.skipped:
            log(f"Создаю демо-данные «{size}» (seed {seed})…")
            builder = _Builder(spec=spec, seed=seed, log=log)
            builder.run()
            result.accounts = _create_accounts(builder)
            counts = builder.writer.counts
            counts["User"] = len(result.accounts)
            # Parents before children, the order a reader of the summary expects.
            order = [m.__name__ for m in reversed(_WIPE_ORDER)] + ["User"]
            result.counts = {name: counts[name] for name in order if counts[name]}
            # The apps to the right add their part of the demo (diagnostics, routes, …).
            for step in DEMO_STEPS:
                result.counts.update(step(periods=builder.periods, seed=seed, log=log))
    result.elapsed_seconds = time.perf_counter() - started
    return result
