"""export_indicators writes the spec's CSV; the API serves the very same rows, scoped."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

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
