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


# --- The home page's own lines (issue 16, item 8) ---------------------------------------------

TODAY = __import__("datetime").date(2025, 11, 1)


def _plan(period, *deadlines):
    for direction, deadline in enumerate(deadlines, start=1):
        models.MonitoringPlanItem.objects.create(period=period, direction=direction, deadline=deadline)


def test_a_heads_line_is_their_schools_data_status_and_the_next_deadline(world):
    import datetime as dt

    _plan(world.period, dt.date(2025, 10, 1), dt.date(2025, 11, 15), dt.date(2025, 12, 20))
    factories.SubmissionFactory(period=world.period, school=world.school_a, status=models.SubmissionStatus.RETURNED)
    [line] = selectors.home_todos(user=world.head_a, period=world.period, today=TODAY)
    assert line.text == "Данные организации за 2025 год: возвращено на доработку"
    assert line.url == "/schools/000001/" and line.tone == "warning"
    assert "до 15.11.2025" in line.detail


def test_an_accepted_schools_line_has_no_deadline_to_chase(world):
    factories.SubmissionFactory(period=world.period, school=world.school_a, status=models.SubmissionStatus.ACCEPTED)
    [line] = selectors.home_todos(user=world.head_a, period=world.period, today=TODAY)
    assert line.text.endswith(": принято") and line.detail == "" and line.tone == ""


def test_a_municipal_officials_line_names_their_schools_that_have_not_submitted(world):
    factories.SubmissionFactory(period=world.period, school=world.school_a)  # submitted
    factories.SubmissionFactory(period=world.period, school=world.school_b, status=models.SubmissionStatus.DRAFT)
    [line] = selectors.home_todos(user=world.municipal, period=world.period, today=TODAY)
    # School C (theirs) has not submitted; B is another municipality's; A has submitted.
    assert line.items == (("МКОУ «Аржановская СШ»", "/schools/000003/"),)
    assert line.count == 1 and line.more == 0
    assert line.url == "/schools/?period=2025&status=none"


def test_the_institutes_line_counts_the_submissions_to_review(world):
    factories.SubmissionFactory(period=world.period, school=world.school_a)
    factories.SubmissionFactory(period=world.period, school=world.school_b)
    factories.SubmissionFactory(period=world.period, school=world.school_c, status=models.SubmissionStatus.ACCEPTED)
    [line] = selectors.home_todos(user=world.analyst, period=world.period, today=TODAY)
    assert line.count == 2 and line.url == "/schools/?period=2025&status=submitted"


@pytest.mark.parametrize("person", ["head_a", "municipal", "analyst"])
def test_home_lines_cost_the_same_queries_whatever_the_data(world, person, django_assert_num_queries):
    import datetime as dt

    user = models.User.objects.get(pk=world.people[person].pk)  # nothing cached on the user

    def lines():
        fresh = models.User.objects.get(pk=user.pk)
        with django_assert_num_queries(queries) as captured:
            selectors.home_todos(user=fresh, period=world.period, today=TODAY)
        return len(captured.captured_queries)

    queries = {"head_a": 3, "municipal": 3, "analyst": 1}[person]
    lines()
    _plan(world.period, dt.date(2025, 10, 1), dt.date(2025, 12, 1))
    for i in range(15):
        school = factories.SchoolFactory(municipality=world.m1, code=f"1{i:05d}", name=f"Школа {i}")
        factories.SubmissionFactory(period=world.period, school=school, status=models.SubmissionStatus.DRAFT)
    lines()
