"""The period's targets and thresholds: edited by the institute only, never for a closed period; declarative
indicators and their catalogs shown with their definitions, read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.declarative.services import definition_save
from indicators.engine import period_edition
from indicators.models import Indicator, IndicatorCatalog, PeriodIndicator
from monitoring.models import PeriodStatus
from tests.indicators.helpers import DECLARED, DECLARED_TITLE, declared_spec

pytestmark = pytest.mark.django_db


def _change(client, setting, **data):
    url = reverse("admin:indicators_periodindicator_change", args=[setting.pk])
    return client.post(url, {"target": "", "threshold": "", "higher_is_better": "on", **data})


def test_analyst_sets_a_periods_target_and_threshold(client, world):
    setting = period_edition(world.period)["9.1"]
    client.force_login(world.analyst)
    assert _change(client, setting, target="100", threshold="97").status_code == 302
    setting.refresh_from_db()
    assert (setting.target, setting.threshold) == (Decimal(100), Decimal(97))


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a"])
def test_others_only_read(client, world, person):
    setting = period_edition(world.period)["9.1"]
    client.force_login(world.people[person])
    assert _change(client, setting, target="1").status_code == 403
    setting.refresh_from_db()
    assert setting.target == Decimal(100)


def test_a_closed_periods_targets_stay(client, world):
    setting = period_edition(world.period)["9.1"]
    world.period.status = PeriodStatus.CLOSED
    world.period.save()
    client.force_login(world.analyst)
    assert _change(client, setting, target="1").status_code == 403
    assert PeriodIndicator.objects.get(pk=setting.pk).target == Decimal(100)


# -- declarative indicators: shown with their definitions, edited only through the builder's services ---------


def test_the_institute_reads_a_catalog_and_its_indicators_definitions(client, world):
    catalog = IndicatorCatalog.objects.create(slug="zhirnovsk", title="Письмо Жирновского района")
    definition_save(period=world.period, data=declared_spec(), user=world.analyst, catalog=catalog, compute=False)
    indicator = Indicator.objects.get(code=DECLARED)
    client.force_login(world.analyst)
    page = client.get(reverse("admin:indicators_indicatorcatalog_change", args=[catalog.pk])).content.decode()
    assert f"<li>{DECLARED} {DECLARED_TITLE}</li>" in page
    page = client.get(reverse("admin:indicators_indicator_change", args=[indicator.pk])).content.decode()
    block = page[page.index('<pre class="indicator-definition"') : page.index("</pre>")]
    assert "&quot;population&quot;: &quot;teachers&quot;" in block and "\n  &quot;direction&quot;: 1," in block
    assert 'name="_save"' not in page  # read-only: the builder edits a definition
    assert client.post(reverse("admin:indicators_indicator_change", args=[indicator.pk]), {}).status_code == 403
    assert client.post(reverse("admin:indicators_indicatorcatalog_change", args=[catalog.pk]), {}).status_code == 403
    listing = client.get(reverse("admin:indicators_indicator_changelist"), {"kind": "declarative"}).content.decode()
    assert DECLARED_TITLE in listing and "задан институтом" in listing


@pytest.mark.parametrize("person", ["ministry", "municipal"])
def test_catalogs_are_the_institutes(client, world, person):
    catalog = IndicatorCatalog.objects.create(slug="smolensk", title="Справка Смоленской области")
    client.force_login(world.people[person])
    assert client.get(reverse("admin:indicators_indicatorcatalog_changelist")).status_code == 403
    assert client.get(reverse("admin:indicators_indicatorcatalog_change", args=[catalog.pk])).status_code == 403


def test_a_periods_definition_is_shown_and_never_typed_in_the_admin(client, world):
    setting = definition_save(period=world.period, data=declared_spec(), user=world.analyst, compute=False)
    client.force_login(world.analyst)
    url = reverse("admin:indicators_periodindicator_change", args=[setting.pk])
    assert "&quot;population&quot;: &quot;teachers&quot;" in client.get(url).content.decode()
    hostile = '{"code": "Ж.5", "population": "enrollments"}'
    assert _change(client, setting, target="85", threshold="55", spec=hostile).status_code == 302
    setting.refresh_from_db()
    assert (setting.target, setting.threshold) == (Decimal(85), Decimal(55))
    assert setting.spec["population"] == "teachers"
