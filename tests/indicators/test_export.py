"""export_indicators writes the spec's CSV; the API serves the very same rows, scoped."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import Indicator
from tests import factories
from tests.indicators.helpers import DECLARED, declare, declared_spec

pytestmark = pytest.mark.django_db


def _csv(year: int) -> list[list[str]]:
    out = io.StringIO()
    call_command("export_indicators", period=year, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def _api(client, user, **params) -> list[list[str]]:
    client.force_login(user)
    rows, page = [], 1
    while True:
        response = client.get(reverse("api-indicator-values"), {**params, "page": page, "page_size": 500})
        assert response.status_code == 200, response.content[:300]
        data = response.json()
        rows += [list(r.values()) for r in data["results"]]
        if not data["next"]:
            return rows
        page += 1


def test_csv_header_order_and_number_formats(computed):
    rows = _csv(2025)
    assert rows[0] == ["indicator", "level", "org", "breakdown", "numerator", "denominator", "value"]
    body = rows[1:]
    codes = [r[0] for r in body]
    # Catalog order: 1.9 before 1.10 would not exist, but 9.9 before 9.10 does.
    assert codes.index("9.9") < codes.index("9.10") < codes.index("9.11")
    levels = [r[1] for r in body if r[0] == "1.2"]
    assert levels == sorted(levels, key=["school", "municipality", "region"].index)
    by_key = {(r[0], r[1], r[2], r[3]): r[4:] for r in body}
    assert by_key[("1.2", "region", "34", "")] == ["2", "3", "66.67"]
    assert by_key[("9.6", "school", "000001", "")] == ["12.50", "", "12.50"]
    assert by_key[("9.2", "school", "000002", "")][2] in {"0.00", "100.00"}
    assert by_key[("9.1", "school", "000003", "")] == ["0", "0", ""]  # den = 0: empty value
    assert by_key[("3.11", "region", "34", "")] == ["1", "", "1"]


def test_api_serves_the_export_rows_identically(client, computed):
    assert _api(client, computed.analyst, period=2025) == _csv(2025)[1:]


def test_api_filters_and_scope(client, computed):
    one = _api(client, computed.analyst, period=2025, indicator="1.2", level="municipality")
    assert [r[2] for r in one] == ["01", "02"]
    mine = _api(client, computed.municipal, period=2025)
    assert {r[2] for r in mine} == {"000001", "000003", "01"}  # M1, its schools; no region, no M2
    head = _api(client, computed.head_b, period=2025, indicator="1.2")
    assert [(r[1], r[2]) for r in head] == [("school", "000002")]
    assert _api(client, computed.teacher, period=2025) == []
    client.logout()
    assert client.get(reverse("api-indicator-values")).status_code == 401  # no session, no token


def test_csv_breakdowns_typed_as_formulas_are_text(computed):
    """A position typed as a formula reaches 1.x's breakdown by position: the CSV quotes it as text."""
    from indicators.models import IndicatorValue

    value = IndicatorValue.objects.filter(period=computed.period).first()
    IndicatorValue.objects.filter(pk=value.pk).update(breakdown="=cmd|' /C calc'!A0", org_code="@SUM(1)")
    rows = _csv(2025)
    hostile = [r for r in rows if r[3].endswith("calc'!A0")]
    assert [(r[2], r[3]) for r in hostile] == [("'@SUM(1)", "'=cmd|' /C calc'!A0")]
    assert not [r for r in rows[1:] if any(cell.startswith(("=", "+", "@")) for cell in r)]


def test_a_declarative_indicator_is_exported_like_a_coded_one(client, declared):
    body = _csv(2025)[1:]
    mine = [r for r in body if r[0] == DECLARED]
    assert mine == [
        [DECLARED, "school", "000001", "", "1", "1", "100.00"],
        [DECLARED, "school", "000002", "", "0", "1", "0.00"],
        [DECLARED, "school", "000003", "", "0", "1", "0.00"],
        [DECLARED, "municipality", "01", "", "1", "2", "50.00"],
        [DECLARED, "municipality", "02", "", "0", "1", "0.00"],
        [DECLARED, "region", "34", "", "1", "3", "33.33"],
    ]
    codes = [r[0] for r in body]
    # In its direction's place: after the coded 1.x, before 2.1.
    assert codes.index("1.9") < codes.index(DECLARED) < codes.index("2.1")
    assert _api(client, declared.analyst, period=2025, indicator=DECLARED) == mine
    assert _api(client, declared.analyst, period=2025, direction=1, level="region")[-1] == mine[-1]
    assert not [r for r in _api(client, declared.analyst, period=2025, direction=2) if r[0] == DECLARED]
    assert _api(client, declared.municipal, period=2025, indicator=DECLARED) == [mine[0], mine[2], mine[3]]


def test_a_declarative_count_of_a_measure_keeps_its_periods_decimals(client, world):
    # A count summing a measure prints two decimals by the definition its period keeps, whatever it is now.
    factories.StaffingRowFactory(period=world.period, school=world.school_a, positions_by_schedule="12.5")
    spec = {"unit": "count", "population": "staffing_rows", "numerator": [], "measure": "positions_by_schedule"}
    declare(world, target="", threshold="", **spec)
    region = [r for r in _csv(2025) if r[0] == DECLARED and r[1] == "region"]
    assert region == [[DECLARED, "region", "34", "", "12.50", "", "12.50"]]
    Indicator.objects.filter(code=DECLARED).update(unit="percent", spec={**declared_spec(), "measure": ""})
    assert [r for r in _csv(2025) if r[0] == DECLARED and r[1] == "region"] == region
    assert [r for r in _api(client, world.analyst, period=2025, indicator=DECLARED) if r[1] == "region"] == region


def test_the_api_finds_a_declarative_indicator_in_its_periods_direction(client, declared):
    declared.period.status = "closed"
    declared.period.save()
    later = factories.PeriodFactory(year=2026)
    factories.RosterEntryFactory(period=later, teacher=declared.teacher_b, school=declared.school_b)
    declare(declared, period=later, direction=2)  # moved in 2026; 2025 keeps it in direction 1

    def codes(**params) -> set[str]:
        return {r[0] for r in _api(client, declared.analyst, level="region", **params)}

    assert DECLARED in codes(period=2025, direction=1) and DECLARED not in codes(period=2025, direction=2)
    assert DECLARED in codes(period=2026, direction=2) and DECLARED not in codes(period=2026, direction=1)
    assert "1.2" in codes(period=2025, direction=1) and "1.2" not in codes(period=2025, direction=2)
