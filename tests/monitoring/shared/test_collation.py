"""Names sort in the natural Russian order on every backend: case and ё do not matter, numbers by value."""

from __future__ import annotations

import pytest
from django.db import connection

from monitoring.models import Municipality, School, Teacher
from monitoring.shared.collation import compare, natural_key, natural_sorted
from tests import factories

# The order a reader expects: «город Волжский» among the «Г»s, «Ёлкино» with «Е», «№ 2» before «№ 10».
MUNICIPALITIES = [
    "Алексеевский",
    "Быковский",
    "город Волжский",
    "Городищенский",
    "Еланский",
    "Ёлкинский",
    "Жирновский",
]
SCHOOLS = [
    "МБОУ «Средняя школа № 1»",
    "МБОУ «Средняя школа № 2»",
    "МБОУ «Средняя школа № 10»",
    "МБОУ «Средняя школа № 11»",
    "мбоу «Средняя школа № 12»",
    "МБОУ «Средняя школа № 101»",
]


def _shuffled(names: list[str]) -> list[str]:
    return names[3:] + names[:3][::-1]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("№ 2", "№ 10"),
        ("школа 9", "Школа 10"),
        ("город Волжский", "Жирновский"),
        ("Городищенский", "Жирновский"),
        ("еж", "ёж"),  # ties of е and ё: е first, as ICU
        ("ёж", "ежи"),  # but ё is not a letter after я
        ("Ёлкино", "Жирновский"),
        ("ель", "Ель"),  # lower case first on a tie, as ICU
        ("Яблоново", "Abbey"),  # Cyrillic before Latin, as ICU's Russian rules
        ("Школа", "Школа № 1"),
    ],
)
def test_natural_key_orders_as_a_russian_reader_does(before, after):
    assert natural_key(before) < natural_key(after)
    assert compare(before, after) < 0 < compare(after, before)


def test_only_identical_names_compare_equal():
    # The collation decides equality too (filters, unique constraints on SQLite): it must stay exact.
    assert compare("Школа", "Школа") == 0
    assert compare("школа", "Школа") != 0
    assert compare("еж", "ёж") != 0
    assert compare("007", "7") != 0


def test_natural_sorted_takes_a_key():
    rows = [(name, i) for i, name in enumerate(_shuffled(SCHOOLS))]
    assert [name for name, _ in natural_sorted(rows, key=lambda r: r[0])] == SCHOOLS
    assert natural_sorted(_shuffled(MUNICIPALITIES), reverse=True) == MUNICIPALITIES[::-1]


@pytest.mark.django_db
def test_order_by_name_is_natural_in_the_database():
    region = factories.RegionFactory()
    for name in _shuffled(MUNICIPALITIES):
        factories.MunicipalityFactory(region=region, name=name)
    municipality = Municipality.objects.first()
    for name in _shuffled(SCHOOLS):
        factories.SchoolFactory(municipality=municipality, name=name)

    assert list(Municipality.objects.order_by("name").values_list("name", flat=True)) == MUNICIPALITIES
    assert list(School.objects.order_by("name").values_list("name", flat=True)) == SCHOOLS
    # The models' own ordering is the name's, so every list that does not ask for another gets it.
    assert [m.name for m in Municipality.objects.all()] == MUNICIPALITIES
    assert [s.name for s in School.objects.all()] == SCHOOLS
    # Ordering through a relation uses the related column's collation too.
    assert list(School.objects.order_by("-name").values_list("name", flat=True)) == SCHOOLS[::-1]


@pytest.mark.django_db
def test_teacher_names_order_naturally_and_equality_stays_exact():
    for name in ["Юдина Анна", "ёлкина Вера", "Егорова Ирина", "алексеева Ольга"]:
        factories.TeacherFactory(full_name=name)
    names = list(Teacher.objects.order_by("full_name").values_list("full_name", flat=True))
    assert names == ["алексеева Ольга", "Егорова Ирина", "ёлкина Вера", "Юдина Анна"]
    assert not Teacher.objects.filter(full_name="Алексеева Ольга").exists()
    assert Teacher.objects.filter(full_name="алексеева Ольга").count() == 1


@pytest.mark.django_db
def test_the_collation_is_the_database_s_own():
    # On PostgreSQL it is an ICU collation a migration created; on SQLite the connection's Python one.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT x FROM (SELECT '№ 10' AS x UNION ALL SELECT '№ 2' UNION ALL SELECT 'Жирновский' "
            "UNION ALL SELECT 'город Волжский') AS t ORDER BY x COLLATE ru_natural"
        )
        assert [row[0] for row in cursor.fetchall()] == ["город Волжский", "Жирновский", "№ 2", "№ 10"]
