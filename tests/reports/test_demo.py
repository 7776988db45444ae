"""The demo's blanks are the demo's data; no other code or document template carries a region's requisites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from reports.demo import seed_institute
from reports.issuers import require_institute_issuer
from reports.models import Issuer, IssuerKind

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
# What a region's blank is made of: its city, its institute's name, its codes.
REGIONAL = re.compile(
    r"Волгоград|ВГАПО|академия последипломного|3446006416|ИНСТИТУТ РАЗВИТИЯ|Институт развития образования»"
)


def test_the_demo_sets_up_its_institute_and_authorities(world):
    from tests import factories

    factories.MunicipalityFactory(code="13", name="Жирновский муниципальный район")
    counts = seed_institute(periods=[world.period], seed=1, log=lambda line: None)
    institute = require_institute_issuer()
    assert "Волгоградская государственная академия" in institute.name and institute.city == "Волгоград"
    zhirnovsk = Issuer.objects.get(municipality__name="Жирновский муниципальный район")
    assert zhirnovsk.kind == IssuerKind.MUNICIPAL and zhirnovsk.okpo == "80200184" and zhirnovsk.is_complete
    assert counts == {"Issuer": 2}
    seed_institute(periods=[world.period], seed=1, log=lambda line: None)  # a re-seed renews, never doubles
    assert Issuer.objects.count() == 2


def test_documents_and_their_code_carry_no_regions_blank():
    # The letters' own package (reports/letters/) is checked once its default blank goes (see the lead's note).
    files = [
        *(ROOT / "templates" / "reports").glob("*.html"),
        *(ROOT / "reports" / "annual").glob("*.py"),
        *[p for p in (ROOT / "reports").glob("*.py") if p.name != "demo.py"],
    ]
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in files for m in REGIONAL.finditer(p.read_text())]
    assert not found, found
