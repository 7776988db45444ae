"""The register pages' filters: «Все / Да / Нет», «ШНОР» spelled out, schools by their data (issue 16, items 8, 11)."""

from __future__ import annotations

import pytest

from monitoring import models
from monitoring.filters import SchoolFilter, SchoolPageFilter
from tests import factories

pytestmark = pytest.mark.django_db


def test_yes_no_filters_read_all_yes_no_instead_of_unknown(world):
    form = SchoolFilter({}, queryset=models.School.objects.all(), user=world.analyst).form
    html = str(form["low_results"]) + str(form["adverse_conditions"])
    assert "Неизвестно" not in html and "Unknown" not in html
    assert [label for _, label in form.fields["low_results"].widget.choices] == ["Все", "Да", "Нет"]


def test_the_yes_no_filter_still_filters(world):
    models.School.objects.filter(pk=world.school_a.pk).update(low_results=True)
    shown = SchoolFilter({"low_results": "true"}, queryset=models.School.objects.all(), user=world.analyst).qs
    assert list(shown) == [world.school_a]
    anyone = SchoolFilter({"low_results": ""}, queryset=models.School.objects.all(), user=world.analyst).qs
    assert anyone.count() == 3


def test_the_low_results_filter_spells_out_the_abbreviation(world):
    form = SchoolFilter({}, queryset=models.School.objects.all(), user=world.analyst).form
    assert form.fields["low_results"].label == "ШНОР (школы с низкими образовательными результатами)"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("none", {"000002", "000003"}),
        ("submitted", {"000001"}),
        ("returned", {"000003"}),
        ("", {"000001", "000002", "000003"}),
    ],
)
def test_schools_by_their_data_for_the_period(world, status, expected):
    factories.SubmissionFactory(period=world.period, school=world.school_a)
    factories.SubmissionFactory(period=world.period, school=world.school_c, status=models.SubmissionStatus.RETURNED)
    other = factories.PeriodFactory(year=2024)
    factories.SubmissionFactory(period=other, school=world.school_b)  # another year's does not count
    shown = SchoolPageFilter(
        {"status": status}, queryset=models.School.objects.all(), user=world.analyst, period=world.period
    ).qs
    assert {s.code for s in shown} == expected


def test_the_filter_forms_wear_bootstraps_classes(world):
    # The register pages' filters were browser-default controls, the labels run into them.
    form = SchoolFilter({}, queryset=models.School.objects.all(), user=world.analyst).form
    assert 'class="form-select"' in str(form["municipality"]) and 'class="form-select"' in str(form["low_results"])
    assert 'class="form-control"' in str(form["q"])
