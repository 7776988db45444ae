"""Direction 6 on a hand-counted region: rows of `Методический актив` by role, from the municipality.

The world (period 2025): municipalities m1 (code 01) and m2 (02) of region 34.
Activists of 2025:
    m1: 2 × тьютор ЦНППМ (one not a teacher of the roster), 1 × член РУМО,
        1 × руководитель ММС and 2 × представитель ММС (one of them is the same
        person as the head: two rows, two counts)
    m2: 1 × тьютор ЦНППМ, 1 × руководитель ММС
Activists of 2024 (must not count): m1 тьютор, m2 член РУМО.
"""

from __future__ import annotations

import pytest

from indicators.catalog import definition
from indicators.context import Context
from indicators.engine import compute_period, contributions
from indicators.models import IndicatorValue, Level
from monitoring.models import ActivistRole, MethodicalActivist
from tests import factories
from tests.indicators.helpers import stored as value

pytestmark = pytest.mark.django_db


def activist(period, municipality, role, name, teacher=None):
    return MethodicalActivist.objects.create(
        period=period, municipality=municipality, role=role, full_name=name, teacher=teacher
    )


@pytest.fixture
def region(world):
    w = world
    p = w.period
    activist(p, w.m1, ActivistRole.TUTOR, "Петрова Анна Ивановна", teacher=w.teacher_a)
    activist(p, w.m1, ActivistRole.TUTOR, "Орлова Вера Николаевна")  # not on the roster: still a row
    activist(p, w.m1, ActivistRole.RUMO, "Кузнецова Ольга Сергеевна", teacher=w.teacher_c)
    activist(p, w.m1, ActivistRole.MMS_HEAD, "Смирнова Елена Петровна")
    activist(p, w.m1, ActivistRole.MMS_REPRESENTATIVE, "Смирнова Елена Петровна")  # same person, second role
    activist(p, w.m1, ActivistRole.MMS_REPRESENTATIVE, "Лебедев Игорь Андреевич")
    activist(p, w.m2, ActivistRole.TUTOR, "Сидоров Павел Олегович", teacher=w.teacher_b)
    activist(p, w.m2, ActivistRole.MMS_HEAD, "Волков Андрей Викторович")
    old = factories.PeriodFactory(year=2024)
    activist(old, w.m1, ActivistRole.TUTOR, "Петрова Анна Ивановна", teacher=w.teacher_a)
    activist(old, w.m2, ActivistRole.RUMO, "Сидоров Павел Олегович", teacher=w.teacher_b)
    compute_period(period=p, directions=[6])
    return w


def test_6_1_tutors_per_municipality_summed_to_region(region):
    assert value("6.1", "municipality", "01") == (2, None, 2)  # both m1 tutors, on the roster or not
    assert value("6.1", "municipality", "02") == (1, None, 1)
    assert value("6.1", "region", "34") == (3, None, 3)  # 2 + 1; the 2024 tutor of m1 is not counted


def test_6_2_rumo_members_and_a_municipality_without_any_is_zero(region):
    assert value("6.2", "municipality", "01") == (1, None, 1)
    # m2's only РУМО row is of 2024: the municipality still has a row, with 0.
    assert value("6.2", "municipality", "02") == (0, None, 0)
    assert value("6.2", "region", "34") == (1, None, 1)


def test_6_3_counts_heads_and_representatives_by_rows(region):
    # m1: 1 head + 2 representatives (one the head again) = 3 rows; the tutor and РУМО rows do not count.
    assert value("6.3", "municipality", "01") == (3, None, 3)
    assert value("6.3", "municipality", "02") == (1, None, 1)
    assert value("6.3", "region", "34") == (4, None, 4)


def test_direction_6_starts_at_the_municipality(region):
    # Activists have no school: no school rows, one row per municipality and one for the region.
    rows = IndicatorValue.objects.filter(period=region.period, indicator__code__startswith="6.")
    assert not rows.filter(level=Level.SCHOOL).exists()
    assert rows.filter(level=Level.MUNICIPALITY).count() == 3 * 2
    assert rows.filter(level=Level.REGION).count() == 3
    assert definition("6.1").title == "Количество тьюторов ЦНППМ"
    assert definition("6.3").title == "Количество руководителей и представителей методических муниципальных служб"


def test_direction_6_on_a_chunk_counts_only_its_municipalities(region):
    ctx = Context(period=region.period, municipality_ids=[region.m2.pk])
    got = contributions(definition("6.3"), ctx)
    assert [(c.level, c.org_id, c.numerator) for c in got] == [(Level.MUNICIPALITY, region.m2.pk, 1)]


def test_direction_6_is_one_grouped_query_per_indicator(region, django_assert_max_num_queries):
    # More municipalities and activists do not add queries.
    for n in range(5):
        m = factories.MunicipalityFactory(code=f"9{n}")
        activist(region.period, m, ActivistRole.TUTOR, f"Тьютор {n}")
    ctx = Context(period=region.period)
    with django_assert_max_num_queries(1):
        got = contributions(definition("6.1"), ctx)
    assert sum(c.numerator for c in got) == 3 + 5
