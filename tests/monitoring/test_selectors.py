import pytest

from monitoring import models, selectors
from tests import factories

pytestmark = pytest.mark.django_db


def test_municipality_completeness_counts(world):
    factories.SubmissionFactory(period=world.period, school=world.school_a, status=models.SubmissionStatus.ACCEPTED)
    factories.SubmissionFactory(period=world.period, school=world.school_c, status=models.SubmissionStatus.RETURNED)
    factories.SubmissionFactory(period=world.period, school=world.school_b)
    other = factories.PeriodFactory(year=2024)
    factories.SubmissionFactory(period=other, school=world.school_c)  # another period does not count
    rows = {c.code: c for c in selectors.municipality_completeness(period=world.period, user=world.analyst)}
    assert (rows["01"].schools, rows["01"].submitted, rows["01"].accepted, rows["01"].percent) == (2, 1, 1, 50.0)
    assert (rows["02"].schools, rows["02"].submitted, rows["02"].accepted, rows["02"].percent) == (1, 1, 0, 100.0)
    municipal = selectors.municipality_completeness(period=world.period, user=world.municipal)
    assert [c.code for c in municipal] == ["01"]


def test_completeness_of_an_empty_municipality_is_empty_not_zero(world):
    factories.MunicipalityFactory(code="09", name="Пустой район")
    rows = {c.code: c for c in selectors.municipality_completeness(period=world.period, user=world.analyst)}
    assert rows["09"].schools == 0 and rows["09"].percent is None


def test_completeness_query_count_does_not_grow_with_schools(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.municipality_completeness(period=world.period, user=world.analyst)
    for _ in range(30):
        school = factories.SchoolFactory(municipality=world.m2)
        factories.SubmissionFactory(period=world.period, school=school)
    with django_assert_num_queries(1):
        rows = selectors.municipality_completeness(period=world.period, user=world.analyst)
    assert {c.code: c.submitted for c in rows}["02"] == 30


def test_school_statuses_one_query_for_any_number_of_schools(world, django_assert_num_queries):
    factories.SubmissionFactory(period=world.period, school=world.school_a)
    schools = list(models.School.objects.visible_to(world.analyst).order_by("code"))
    with django_assert_num_queries(1):
        rows = selectors.school_statuses(period=world.period, schools=schools)
    assert [(s.code, status, label) for s, status, label in rows] == [
        ("000001", "submitted", "Представлено"),
        ("000002", None, "Не представлено"),
        ("000003", None, "Не представлено"),
    ]


def test_region_summary_in_scope(world):
    summary = selectors.region_summary(period=world.period, user=world.head_a)
    assert summary["teachers"] == 1 and summary["schools"] == 1 and summary["municipalities"] == 0
    assert selectors.region_summary(period=world.period, user=world.analyst)["teachers"] == 3
