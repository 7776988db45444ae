"""The annual report's data: values, changes against the previous period, measures judged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.annual import annual_data
from reports.findings import findings_refresh
from tests import factories
from tests.indicators.helpers import DECLARED, DECLARED_TITLE, declare
from tests.reports.annual.helpers import make_institute

pytestmark = pytest.mark.django_db


def test_the_data_has_the_values_and_changes(year):
    data = annual_data(period=year.period)
    section = data.sections[8]
    table = next(t for t in section.tables if any(c.code == "9.1" for c in t.columns))
    index = [c.code for c in table.columns].index("9.1")
    rows = {name: cells[index] for name, cells in table.rows}
    m1 = rows["Алексеевский муниципальный район"]
    assert (m1.value, m1.previous, m1.change) == (Decimal("75"), Decimal("60"), Decimal("15"))
    assert m1.better is True and m1.finding is True  # better than last year, still below 95
    assert [(j.measure.text, j.effect_label) for j in data.earlier_measures] == [
        ("Целевое обучение в педагогическом вузе", "достигнут")
    ]
    assert data.measures[0].effect is None  # 2026 has no values yet


def test_municipalities_and_findings_follow_the_natural_russian_order(world):
    # «город Волжский» among the «Г»s (not after «Жирновский»), «№ 2» before «№ 10».
    from monitoring.models import Municipality
    from tests import factories

    Municipality.objects.filter(pk=world.m1.pk).update(name="Жирновский район")
    Municipality.objects.filter(pk=world.m2.pk).update(name="город Волжский")
    third = factories.MunicipalityFactory(code="03", name="Городищенский район")
    for municipality, name in ((third, "Школа № 10"), (third, "Школа № 2"), (world.m2, "Школа № 1")):
        school = factories.SchoolFactory(municipality=municipality, name=name)
        factories.FindingFactory(period=world.period, school=school)
    factories.FindingFactory(period=world.period, school=world.school_a)
    for municipality in (world.m1, world.m2, third):
        factories.FindingFactory(
            period=world.period,
            level="municipality",
            school=None,
            municipality=municipality,
            org_code=municipality.code,
            org_name=Municipality.objects.get(pk=municipality.pk).name,
        )
    make_institute()
    data = annual_data(period=world.period)
    expected = ["город Волжский", "Городищенский район", "Жирновский район"]
    table = next(t for s in data.sections for t in s.tables)
    assert [name for name, _ in table.rows] == expected
    (summary,) = [f for s in data.sections for f in s.findings]
    assert summary.municipalities == expected
    # Schools below the threshold per municipality: most first, ties by name.
    assert summary.by_municipality == [("Городищенский район", 2), ("город Волжский", 1), ("Жирновский район", 1)]


def test_without_the_institutes_setup_there_is_no_report(world):
    from reports.issuers import RequisitesMissing

    with pytest.raises(RequisitesMissing, match="Заполните реквизиты института"):
        annual_data(period=world.period)


def test_recommendations_to_the_institute_are_headed_by_its_own_name(year):
    from reports.models import LetterItem

    LetterItem.objects.update(addressee="institute")
    data = annual_data(period=year.period)
    assert [addressee for addressee, _ in data.letters[0].groups] == ["ГБОУ ДПО СОРИПКРО"]
    assert data.issuer.city == "Владикавказ"


def test_a_report_is_preliminary_until_its_period_is_closed(year):
    assert annual_data(period=year.period).preliminary is True
    year.period.status = "review"
    year.period.save()
    assert annual_data(period=year.period).preliminary is True
    year.period.status = "closed"
    year.period.save()
    assert annual_data(period=year.period).preliminary is False


def test_a_declarative_indicator_is_reported_in_its_direction(declared):
    findings_refresh(period=declared.period)
    make_institute()
    data = annual_data(period=declared.period)
    first = data.sections[0]
    table = next(t for t in first.tables if any(c.code == DECLARED for c in t.columns))
    index = [c.code for c in table.columns].index(DECLARED)
    column = table.columns[index]
    assert (column.title, column.unit, column.setting.threshold) == (DECLARED_TITLE, "%", Decimal(50))
    rows = {name: cells[index] for name, cells in table.rows}
    m1, m2 = rows["Алексеевский муниципальный район"], rows["Быковский муниципальный район"]
    assert (m1.value, m1.finding, m2.value, m2.finding) == (Decimal(50), False, Decimal(0), True)
    assert (table.region[index].value, table.region[index].text) == (Decimal("33.33"), "33,3")
    assert not [c for s in data.sections[1:] for t in s.tables for c in t.columns if c.code == DECLARED]
    (summary,) = [f for f in first.findings if f.code == DECLARED]
    assert summary.municipalities == ["Быковский муниципальный район"]
    assert summary.by_municipality == [("Алексеевский муниципальный район", 1), ("Быковский муниципальный район", 1)]


def test_a_closed_periods_report_keeps_its_declarative_indicator_as_it_was(declared):
    findings_refresh(period=declared.period)
    make_institute()
    declared.period.status = "closed"
    declared.period.save()
    # In 2026 the institute renames Ж.5 and moves it to direction 2: the 2025 report is unchanged.
    declare(declared, period=factories.PeriodFactory(year=2026), title="Другое название", direction=2)
    data = annual_data(period=declared.period)
    (column,) = [c for s in data.sections for t in s.tables for c in t.columns if c.code == DECLARED]
    assert column.title == DECLARED_TITLE and column in data.sections[0].tables[-1].columns
    (summary,) = [f for f in data.sections[0].findings if f.code == DECLARED]
    assert summary.title == DECLARED_TITLE
    assert not [f for f in data.sections[1].findings if f.code == DECLARED]


# -- a municipality's справка -----------------------------------------------------------


def _spravka_table(data, code="9.1"):
    section = data.sections[8]
    table = next(t for t in section.tables if any(c.code == code for c in t.columns))
    return table, [c.code for c in table.columns].index(code)


def test_a_spravka_tabulates_the_municipalitys_schools_against_the_municipality_and_the_region(year):
    import datetime as dt

    from reports.models import Letter, Measure

    # M2's own letter and measure must stay out of M1's справка.
    Letter.objects.create(
        period=year.period, issuer=Letter.objects.get().issuer, addressee="municipal", municipality=year.m2,
        addressee_line="Быковскому району", title="Письмо Быковскому району", signatory_position="Ректор",
        signatory_name="А. Б. Ректоров", status="issued", number="565/2", issued_on=dt.date(2025, 7, 24),
        pdf_sha256="1" * 64,
    )  # fmt: skip
    Measure.objects.create(
        period=year.period, text="Мера Быковского района", responsible="Петров", due=dt.date(2026, 6, 1),
        indicator=Measure.objects.first().indicator, level="school", org_code="000002", school=year.school_b,
        municipality=year.m2, baseline=Decimal("100"), target=Decimal("100"),
    )  # fmt: skip
    data = annual_data(period=year.period, municipality=year.m1)
    assert data.municipality == year.m1 and data.municipalities == 2
    assert (data.unit_label, data.total_label) == ("Образовательная организация", "Алексеевский муниципальный район")
    table, index = _spravka_table(data)
    rows = {name: cells[index] for name, cells in table.rows}
    assert list(rows) == ["МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»"]
    # 9.1: A 2024 = 4/10, 2025 = 6/10; C 2024 = 8/10, 2025 = 9/10; M1 60 → 75; the region (with B: 10/10) 83,3.
    a = rows["МКОУ «Алексеевская СШ»"]
    assert (a.value, a.previous, a.finding) == (Decimal("60"), Decimal("40"), True)
    assert (table.region[index].value, table.region[index].previous) == (Decimal("75"), Decimal("60"))
    assert round(table.comparison[index].value, 1) == Decimal("83.3")
    findings = {f.code: f for f in data.sections[8].findings}
    assert findings["9.1"].by_municipality == [("МКОУ «Алексеевская СШ»", 1), ("МКОУ «Аржановская СШ»", 1)]
    assert findings["9.1"].municipalities == ["Алексеевский муниципальный район"]
    assert [i.letter.number for i in data.letters] == ["565/1"]
    assert {j.measure.text for j in data.measures + data.earlier_measures} == {
        "Конкурс на вакантные должности",
        "Целевое обучение в педагогическом вузе",
    }
    assert data.title == "Аналитическая справка по результатам мониторинга"
    assert data.preliminary_header == "Предварительные данные: сбор данных за 2025 год не завершен"

    # The region's report keeps its rows per municipality, the region as the total, no comparison.
    region, index = _spravka_table(annual_data(period=year.period))
    assert [name for name, _ in region.rows] == ["Алексеевский муниципальный район", "Быковский муниципальный район"]
    assert region.comparison == []


def test_the_spravkas_queries_do_not_grow_with_the_schools(year, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.engine import compute_period

    annual_data(period=year.period, municipality=year.m1)  # warm-up: the period's edition is frozen once
    with CaptureQueriesContext(connection) as small:
        annual_data(period=year.period, municipality=year.m1)
    # Twenty more schools of M1 with staffing, values and findings: the справка has 22 rows.
    for n in range(20):
        school = factories.SchoolFactory(municipality=year.m1, code=f"{800000 + n}", name=f"МКОУ СШ № {n + 2}")
        factories.StaffingRowFactory(period=year.period, school=school, vacant_positions=n % 5)
    compute_period(period=year.period, directions=[9])
    findings_refresh(period=year.period)
    print("queries of the справка's data:", len(small))
    with django_assert_max_num_queries(len(small)):
        data = annual_data(period=year.period, municipality=year.m1)
    table, _ = _spravka_table(data)
    assert len(table.rows) == 22 and data.municipalities == 22
    assert sum(f.schools for f in data.sections[8].findings) > 4  # the new schools' findings were read
