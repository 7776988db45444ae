"""The «Регион» sheet names the region the portal already serves (issue 16, item 10)."""

from __future__ import annotations

import pytest

from monitoring.intake.package.context import ImportContext
from monitoring.intake.package.rows import Row
from monitoring.intake.package.sheets.org import RegionSheet
from monitoring.services import period_create
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_package_of_another_region_is_refused_naming_the_served_region():
    factories.RegionFactory(code="34", name="Волгоградская область")
    rows = [Row(2, {"code": "36", "name": "Воронежская область"})]
    sheet = RegionSheet()
    ctx = ImportContext(period=period_create(year=2025), replace=False, package={sheet.name: rows}, sheets=[sheet])
    sheet.check(rows, ctx)
    (problem,) = ctx.problems
    # Reported: «другой регион (34)» — a code the user had to decode.
    assert "Волгоградская область" in problem.message and "34" in problem.message
    assert (problem.row, problem.column, problem.value) == (2, "Код", "36")
