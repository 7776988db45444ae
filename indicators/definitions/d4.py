"""Direction 4 — Развитие цифровой образовательной среды ДПО.

Choices where the spec leaves room:

- 4.1: over the programs of 3.x (a course run ending in the period, each program
  once), the «ЭО и ДОТ» flag (from: region).
- 4.2: status «завершил» on a run ending in the period of an e-learning program;
  a teacher of the period's roster counts once, at their roster school.
- 4.3–4.6: a school contributes (its score, 1) when it has a «Цифровая среда» row
  for the period, so a municipality's value is the mean over its reporting schools
  (not the mean of means); a school without a row has an empty value.
"""

from __future__ import annotations

from indicators.context import Contribution, roster_count
from indicators.definitions.d2 import completed_teachers
from indicators.definitions.d3 import flag_share
from indicators.models import Level, Unit
from indicators.registry import Definition, indicator
from monitoring.models import DigitalEnvironmentScore

indicator(
    Definition(
        "4.1",
        "Доля программ, реализованных с использованием электронного обучения и дистанционных технологий, "
        "от общего числа программ",
        Unit.PERCENT,
        start=Level.REGION,
        compute_region=flag_share("e_learning"),
        note="Среди программ, у которых хотя бы один курс окончился в году периода (каждая программа — один "
        "раз); признак «ЭО и ДОТ».",
    )
)

indicator(
    Definition(
        "4.2",
        "Число педагогических работников, прошедших обучение по ДПП с применением ЭО и ДОТ",
        Unit.COUNT,
        compute=lambda ctx: roster_count(ctx, completed_teachers(ctx, e_learning=True)),
        note="Педагоги из списка периода со статусом «завершил» на курсе, окончившемся в году периода, "
        "программы с признаком «ЭО и ДОТ»; педагог учитывается один раз.",
    )
)

SCORES = ("infrastructure", "tools", "usage", "professional_development")


def digital_scores(ctx) -> list[dict]:
    """The period's score rows of the chunk's schools (one per school, a database constraint)."""

    def build():
        return list(
            DigitalEnvironmentScore.objects.filter(period=ctx.period)
            .filter(ctx.within_schools("school_id"))
            .values("school_id", *SCORES)
        )

    return ctx.cached("digital_scores", build)


def mean_score(field: str):
    def compute(ctx):
        return [Contribution(Level.SCHOOL, r["school_id"], "", r[field], 1) for r in digital_scores(ctx)]

    return compute


_NOTE = (
    "Числитель — сумма оценок (0–4) школ, представивших лист «Цифровая среда» за период, знаменатель — "
    "число таких школ; значение муниципалитета и региона — среднее по их школам."
)

for _code, _title, _field in (
    ("4.3", "Цифровая инфраструктура организаций", "infrastructure"),
    ("4.4", "Цифровые инструменты, сервисы, ресурсы в организации", "tools"),
    ("4.5", "Использование цифровых технологий в учебном процессе", "usage"),
    ("4.6", "Профессиональное развитие педагогов в области цифровых технологий", "professional_development"),
):
    indicator(
        Definition(
            _code,
            _title,
            Unit.AVERAGE,
            compute=mean_score(_field),
            note=_NOTE,
        )
    )
