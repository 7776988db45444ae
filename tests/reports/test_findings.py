"""Findings: exactly the units missing the threshold, recomputed after every run, scoped."""

from __future__ import annotations

import pytest

from indicators.engine import compute_period
from indicators.models import ComputationRun
from indicators.services import run_begin, run_finish
from reports.findings import findings_refresh, grouped_findings
from reports.models import Finding
from tests import factories
from tests.indicators.helpers import DECLARED

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(world):
    # 9.1 (threshold 95, higher is better): A 60 %, B 100 %, C 90 %; M1 = 15/20 = 75 %, M2 100 %.
    factories.StaffingRowFactory(period=world.period, school=world.school_a, vacant_positions=4)
    factories.StaffingRowFactory(period=world.period, school=world.school_b, vacant_positions=0)
    factories.StaffingRowFactory(period=world.period, school=world.school_c, vacant_positions=1)
    compute_period(period=world.period, directions=[9])
    run = ComputationRun.objects.create(period=world.period)
    run_begin(run_id=run.pk, steps=0)
    run_finish(run_id=run.pk)  # the hook recomputes the findings
    return world


def test_findings_are_the_units_below_the_threshold(staffed):
    rows = set(Finding.objects.filter(indicator__code="9.1").values_list("level", "org_code"))
    assert rows == {("school", "000001"), ("school", "000003"), ("municipality", "01")}
    # 9.11 (lower is better, threshold 5): A 40 %, C 10 %; M1 25 %.
    rows = set(Finding.objects.filter(indicator__code="9.11").values_list("level", "org_code"))
    assert rows == {("school", "000001"), ("school", "000003"), ("municipality", "01")}


def test_grouped_with_counts_and_lists_in_scope(staffed):
    groups = {(g.indicator_code, g.level): g for g in grouped_findings(period=staffed.period, user=staffed.analyst)}
    schools = groups[("9.1", "school")]
    assert schools.count == 2 and schools.names == "МКОУ «Алексеевская СШ», МКОУ «Аржановская СШ»"
    head_b = grouped_findings(period=staffed.period, user=staffed.head_b)
    assert not [g for g in head_b if g.indicator_code == "9.1"]
    head_a = {(g.indicator_code, g.level): g for g in grouped_findings(period=staffed.period, user=staffed.head_a)}
    assert head_a[("9.1", "school")].names == "МКОУ «Алексеевская СШ»"


def test_a_unit_that_recovers_leaves_the_findings(staffed):
    from monitoring.models import StaffingRow

    StaffingRow.objects.filter(school=staffed.school_c).update(vacant_positions=0)
    compute_period(period=staffed.period, directions=[9])
    run = ComputationRun.objects.create(period=staffed.period)
    run_begin(run_id=run.pk, steps=0)
    run_finish(run_id=run.pk)
    rows = set(Finding.objects.filter(indicator__code="9.1").values_list("level", "org_code"))
    assert rows == {("school", "000001"), ("municipality", "01")}


def test_a_letter_names_the_schools_in_natural_order(world):
    # The letters' lists of schools ({units}) come from here: «№ 2» before «№ 10», case aside.
    names = ["МБОУ СШ № 10", "мбоу СШ № 11", "МБОУ СШ № 2", "МБОУ СШ № 1"]
    for i, name in enumerate(names):
        school = factories.SchoolFactory(municipality=world.m1, code=f"1000{i}", name=name)
        factories.FindingFactory(period=world.period, school=school)
    (group,) = grouped_findings(period=world.period, user=world.analyst)
    assert group.names == "МБОУ СШ № 1, МБОУ СШ № 2, МБОУ СШ № 10, мбоу СШ № 11"


def test_a_declarative_indicator_has_its_findings_in_its_direction(declared):
    findings_refresh(period=declared.period)
    rows = set(Finding.objects.filter(indicator__code=DECLARED).values_list("level", "org_code"))
    # Ж.5 (threshold 50 %): schools B and C and M2 at 0 %; A at 100 %, M1 at 50 % pass.
    assert rows == {("school", "000002"), ("school", "000003"), ("municipality", "02")}
    groups = grouped_findings(period=declared.period, user=declared.analyst)
    mine = [(g.level, g.direction, g.count) for g in groups if g.indicator_code == DECLARED]
    assert mine == [("school", 1, 2), ("municipality", 1, 1)]
    # In the indicators' order (their places, not their codes): Ж.5 after direction 1's coded ones (1001…1099).
    assert [g.order for g in groups] == sorted(g.order for g in groups)
    assert {g.order for g in groups if g.indicator_code == DECLARED} == {1101}
    head_b = grouped_findings(period=declared.period, user=declared.head_b)
    assert [(g.indicator_code, g.names) for g in head_b if g.indicator_code == DECLARED] == [
        (DECLARED, "МКОУ «Быковская СШ № 1»")
    ]
