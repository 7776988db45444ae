"""People's names: Russian surnames, first names and patronymics, drawn from Faker once per seed.

Common names are weighted by generation, as on a real roster; Faker supplies the long tail.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from monitoring import models
from monitoring.demo.choice import Choice

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


class NamePools:
    """Russian surnames, first names and patronymics, drawn from Faker once per seed."""

    def __init__(self, seed: int):
        from faker import Faker  # only the generator needs it; keep it off the import path

        fake = Faker("ru_RU")
        fake.seed_instance(seed)

        def pool(method: Callable[[], str], common: Sequence[str] = ()) -> Choice:
            names = sorted({method() for _ in range(1500)} | set(common))
            weights: dict[str, float] = dict.fromkeys(names, 1.0)
            if common:
                # Nine names in ten are common ones, the most frequent first, as on a real
                # roster; the rest spreads evenly over Faker's long tail.
                ranks = [len(common) + 10 - rank for rank in range(len(common))]
                scale = 9 * (len(names) - len(common)) / sum(ranks)
                for name, rank in zip(common, ranks, strict=True):
                    weights[name] = rank * scale
            return Choice([(name, weights[name]) for name in names])

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
