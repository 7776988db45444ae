"""Direction 8 on a hand-counted region: associations placed by their owner, members, events, criteria.

The world: period 2025, region 34; m1 (01) with schools A (000001) and C (000003),
m2 (02) with school B (000002); teacher_a, teacher_c, teacher_b on the roster at A, C, B.

Associations of 2025 (criteria met in brackets):
    AS1 school-level at A  [state policy, regulations]
    AS2 school-level at A  [state policy]
    AS3 school-level at B  []
    AM1 municipal, m1      [state policy, mentoring]
    AR1 regional           [all six]
    OLD school-level at A, of 2024 (counts nowhere in 2025)

Events: AS1 e1 2025-01-01, e2 2024-12-31 (out), e3 2025-06-01 networked;
AS3 e4 2025-12-31 networked; AM1 e5 2025-03-01; AR1 e6 2025-05-05 networked,
e7 2026-01-01 (out); OLD e8 2025-02-02 (its association is of 2024: out).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.catalog import definition
from indicators.context import Context
from indicators.engine import compute_period, contributions
from indicators.models import IndicatorValue, Level
from monitoring.models import (
    ASSOCIATION_CRITERIA,
    AssociationEvent,
    AssociationLevel,
    AssociationMember,
    MethodicalAssociation,
    SubmissionStatus,
)
from tests import factories
from tests.indicators.helpers import stored as value

pytestmark = pytest.mark.django_db

D = Decimal
ALL = tuple(ASSOCIATION_CRITERIA)


def association(period, code, *, school=None, municipality=None, criteria=(), members=()):
    level = (
        AssociationLevel.SCHOOL if school else AssociationLevel.MUNICIPAL if municipality else AssociationLevel.REGIONAL
    )
    a = MethodicalAssociation.objects.create(
        period=period,
        code=code,
        name=f"МО {code}",
        level=level,
        school=school,
        municipality=municipality,
        **{field: True for field in criteria},
    )
    for t in members:
        AssociationMember.objects.create(association=a, teacher=t)
    return a


def event(assoc, date, networked=False):
    return AssociationEvent.objects.create(association=assoc, date=date, title=f"Семинар {date}", networked=networked)


def criterion(field: str) -> str:
    return "criterion=" + ASSOCIATION_CRITERIA[field]


@pytest.fixture
def region(world):
    w = world
    p = w.period
    old_period = factories.PeriodFactory(year=2024)
    x = factories.TeacherFactory()
    factories.RosterEntryFactory(period=p, teacher=x, school=w.school_c)
    y = factories.TeacherFactory()  # on the roster at A, member only of a 2024 association
    factories.RosterEntryFactory(period=p, teacher=y, school=w.school_a)
    outsider = factories.TeacherFactory()  # not on the roster
    as1 = association(
        p,
        "AS1",
        school=w.school_a,
        criteria=("criterion_state_policy", "criterion_regulations"),
        members=(w.teacher_a, outsider),
    )
    association(p, "AS2", school=w.school_a, criteria=("criterion_state_policy",), members=(w.teacher_a,))
    as3 = association(p, "AS3", school=w.school_b)
    # teacher_b (school B, m2) in a municipal association of m1 counts at B.
    am1 = association(
        p, "AM1", municipality=w.m1, criteria=("criterion_state_policy", "criterion_mentoring"), members=(w.teacher_b,)
    )
    ar1 = association(p, "AR1", criteria=ALL, members=(w.teacher_c, x))
    old = association(old_period, "OLD", school=w.school_a, criteria=ALL, members=(y,))
    event(as1, dt.date(2025, 1, 1))
    event(as1, dt.date(2024, 12, 31))
    event(as1, dt.date(2025, 6, 1), networked=True)
    event(as3, dt.date(2025, 12, 31), networked=True)
    event(am1, dt.date(2025, 3, 1))
    event(ar1, dt.date(2025, 5, 5), networked=True)
    event(ar1, dt.date(2026, 1, 1), networked=True)
    event(old, dt.date(2025, 2, 2), networked=True)
    compute_period(period=p, directions=[8])
    return w


def test_8_1_associations_placed_by_owner(region):
    assert value("8.1", "school", "000001") == (2, None, 2)  # AS1, AS2 (OLD is of 2024)
    assert value("8.1", "school", "000003") == (0, None, 0)
    assert value("8.1", "school", "000002") == (1, None, 1)  # AS3
    assert value("8.1", "municipality", "01") == (3, None, 3)  # A's 2 + C's 0 + AM1
    assert value("8.1", "municipality", "02") == (1, None, 1)
    assert value("8.1", "region", "34") == (5, None, 5)  # 3 + 1 + AR1 (regional: at the region only)


def test_8_2_members_counted_once_at_their_roster_school(region):
    assert value("8.2", "school", "000001") == (1, None, 1)  # teacher_a (two associations); y only in 2024's
    assert value("8.2", "school", "000003") == (2, None, 2)  # teacher_c and x, members of AR1
    assert value("8.2", "school", "000002") == (1, None, 1)  # teacher_b, member of m1's AM1
    assert value("8.2", "municipality", "01") == (3, None, 3)
    assert value("8.2", "municipality", "02") == (1, None, 1)
    assert value("8.2", "region", "34") == (4, None, 4)  # the outsider counts nowhere


def test_8_3_events_dated_in_the_period_placed_as_their_association(region):
    assert value("8.3", "school", "000001") == (2, None, 2)  # e1 (1 January), e3; not e2 (2024)
    assert value("8.3", "school", "000003") == (0, None, 0)
    assert value("8.3", "school", "000002") == (1, None, 1)  # e4 (31 December)
    assert value("8.3", "municipality", "01") == (3, None, 3)  # 2 + 0 + e5
    assert value("8.3", "municipality", "02") == (1, None, 1)
    assert value("8.3", "region", "34") == (5, None, 5)  # 3 + 1 + e6 (e7 is of 2026, e8 of a 2024 MO)


def test_8_4_networked_events(region):
    assert value("8.4", "school", "000001") == (1, None, 1)  # e3
    assert value("8.4", "school", "000002") == (1, None, 1)  # e4
    assert value("8.4", "municipality", "01") == (1, None, 1)  # e5 is not networked
    assert value("8.4", "municipality", "02") == (1, None, 1)
    assert value("8.4", "region", "34") == (3, None, 3)  # e3, e4, e6


def test_8_5_share_of_associations_meeting_each_criterion(region):
    state, regulations, mentoring = (
        criterion("criterion_state_policy"),
        criterion("criterion_regulations"),
        criterion("criterion_mentoring"),
    )
    interaction = criterion("criterion_interaction")
    assert state == "criterion=Соответствие государственной политике"
    # A: AS1, AS2.
    assert value("8.5", "school", "000001", state) == (2, 2, D("100.00"))
    assert value("8.5", "school", "000001", regulations) == (1, 2, D("50.00"))
    assert value("8.5", "school", "000001", mentoring) == (0, 2, D("0.00"))
    assert value("8.5", "school", "000002", state) == (0, 1, D("0.00"))  # AS3 meets none
    # C has no association: den = 0, every criterion empty.
    for field in ALL:
        assert value("8.5", "school", "000003", criterion(field)) == (0, 0, None)
    # m1: AS1, AS2, AM1.
    assert value("8.5", "municipality", "01", state) == (3, 3, D("100.00"))
    assert value("8.5", "municipality", "01", regulations) == (1, 3, D("33.33"))
    assert value("8.5", "municipality", "01", mentoring) == (1, 3, D("33.33"))
    assert value("8.5", "municipality", "01", interaction) == (0, 3, D("0.00"))
    assert value("8.5", "municipality", "02", state) == (0, 1, D("0.00"))
    # Region: AS1, AS2, AS3, AM1, AR1 — the municipalities' 3 + 1 and the regional AR1.
    assert value("8.5", "region", "34", state) == (4, 5, D("80.00"))  # not the mean of m1's 100 and m2's 0
    assert value("8.5", "region", "34", regulations) == (2, 5, D("40.00"))
    assert value("8.5", "region", "34", mentoring) == (2, 5, D("40.00"))
    assert value("8.5", "region", "34", interaction) == (1, 5, D("20.00"))
    assert value("8.5", "region", "34", criterion("criterion_analytics")) == (1, 5, D("20.00"))
    assert value("8.5", "region", "34", criterion("criterion_decisions")) == (1, 5, D("20.00"))
    # Six rows per org unit, no total row.
    rows = IndicatorValue.objects.filter(period=region.period, indicator__code="8.5")
    assert set(rows.values_list("breakdown", flat=True)) == {criterion(f) for f in ALL}
    assert rows.filter(level=Level.SCHOOL).count() == 3 * 6


def test_direction_8_on_a_chunk(region):
    w = region
    ctx = Context(period=w.period, municipality_ids=[w.m2.pk])
    got = contributions(definition("8.1"), ctx)
    # m2's school B (AS3) and, from compute_region, the regional AR1; nothing of m1.
    assert sorted((c.level, c.org_id, c.numerator) for c in got) == [
        (Level.REGION, None, 1),
        (Level.SCHOOL, w.school_b.pk, 1),
    ]


def test_direction_8_queries_do_not_grow_with_schools(region, django_assert_max_num_queries):
    for n in range(5):
        school = factories.SchoolFactory(municipality=region.m2, code=f"00010{n}")
        association(region.period, f"N{n}", school=school)
    ctx = Context(period=region.period)
    for code in ("8.1", "8.3", "8.4", "8.5"):
        defn = definition(code)
        with django_assert_max_num_queries(2):
            list(defn.compute(ctx))
        with django_assert_max_num_queries(1):
            list(defn.compute_region(ctx))
    with django_assert_max_num_queries(1):
        contributions(definition("8.2"), ctx)


# --- 8.6 -------------------------------------------------------------------


def test_8_6_municipalities_with_a_submitting_school(world):
    w = world
    old = factories.PeriodFactory(year=2024)
    m3 = factories.MunicipalityFactory(code="03")
    factories.MunicipalityFactory(code="04")  # no schools: in the denominator, never in the numerator
    school_d = factories.SchoolFactory(municipality=m3, code="000004")
    factories.SubmissionFactory(period=w.period, school=w.school_a, status=SubmissionStatus.SUBMITTED)  # m1
    factories.SubmissionFactory(period=w.period, school=w.school_c, status=SubmissionStatus.DRAFT)  # m1 again
    factories.SubmissionFactory(period=w.period, school=w.school_b, status=SubmissionStatus.RETURNED)  # m2: no
    factories.SubmissionFactory(period=old, school=w.school_b, status=SubmissionStatus.ACCEPTED)  # 2024: no
    factories.SubmissionFactory(period=w.period, school=school_d, status=SubmissionStatus.ACCEPTED)  # m3
    compute_period(period=w.period, directions=[8])
    # m1 and m3 of m1..m4: 2/4 = 50 %.
    assert value("8.6", "region", "34") == (2, 4, D("50.00"))
    rows = IndicatorValue.objects.filter(period=w.period, indicator__code="8.6")
    assert list(rows.values_list("level", flat=True)) == [Level.REGION]  # from: region
    assert definition("8.6").target == 100


def test_8_6_counts_a_municipality_once_and_draft_only_is_zero(world):
    w = world
    factories.SubmissionFactory(period=w.period, school=w.school_a, status=SubmissionStatus.ACCEPTED)
    factories.SubmissionFactory(period=w.period, school=w.school_c, status=SubmissionStatus.SUBMITTED)
    factories.SubmissionFactory(period=w.period, school=w.school_b, status=SubmissionStatus.DRAFT)
    compute_period(period=w.period, directions=[8])
    assert value("8.6", "region", "34") == (1, 2, D("50.00"))  # m1 (two schools, once) of m1, m2


def test_8_6_without_municipalities_is_empty(db):
    period = factories.PeriodFactory(year=2025)
    factories.RegionFactory()
    compute_period(period=period, directions=[8])
    assert value("8.6", "region", "34") == (0, 0, None)
    assert value("8.1", "region", "34") == (0, None, 0)
