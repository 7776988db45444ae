"""The indicators' line of the institute's home page: the period's last run (issue 16, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators import home
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 10, 1)


def test_no_run_yet_says_so(world):
    [line] = home.run_todos(user=world.analyst, period=world.period, today=TODAY)
    assert line.text == "Показатели за 2025 год еще не рассчитаны" and line.url == "/indicators/?period=2025"


def test_the_last_run_is_named_with_its_status(world, django_assert_num_queries):
    factories.ComputationRunFactory(period=world.period, status="done")
    factories.ComputationRunFactory(period=world.period, status="failed")
    with django_assert_num_queries(1):
        [line] = home.run_todos(user=world.analyst, period=world.period, today=TODAY)
    assert line.text.startswith("Последний расчет показателей: ошибка") and line.tone == "warning"


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a", "teacher"])
def test_only_the_institute_gets_the_run_line(world, person):
    assert home.run_todos(user=world.people[person], period=world.period, today=TODAY) == []
