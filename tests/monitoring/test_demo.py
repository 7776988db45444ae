"""The demo generator builds a complete, consistent region, the same one for the same seed."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from simple_history.models import HistoricalChanges

from monitoring import models
from monitoring.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from monitoring.services import plan_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return seed_demo(size="small", seed=1)


def _row_counts() -> dict[str, int]:
    # Not the audit history: the demo is bulk-loaded like an import, which writes none.
    return {
        model.__name__: model._base_manager.count()
        for model in apps.get_app_config("monitoring").get_models()
        if not issubclass(model, HistoricalChanges)
    }


def _people() -> list[tuple[str, str, str, str]]:
    rows = models.Teacher.objects.order_by("code")
    return list(rows.values_list("code", "full_name", "sex", "birth_date"))


# Upload history: demo data is generated, not uploaded, and a job needs its stored file.
NOT_GENERATED = {"ImportJob", "ExportJob", "ApiToken"}  # made by users: imports, exports, tokens for systems


def test_every_monitoring_model_has_rows(demo):
    assert not demo.skipped
    empty = [name for name, count in _row_counts().items() if count == 0 and name not in NOT_GENERATED]
    assert empty == []


def test_small_size_is_small(demo):
    assert models.Region.objects.get().code == "34"
    assert models.Municipality.objects.count() == 5
    assert models.School.objects.count() == 20
    latest = models.MonitoringPeriod.objects.order_by("-year").first()
    assert 250 <= models.RosterEntry.objects.filter(period=latest).count() <= 350
    assert demo.counts["Teacher"] == models.Teacher.objects.count()
    assert demo.elapsed_seconds > 0


def test_two_consecutive_periods_with_their_plans(demo):
    earlier, later = models.MonitoringPeriod.objects.order_by("year")
    assert later.year == earlier.year + 1
    assert earlier.status == models.PeriodStatus.CLOSED
    assert later.status == models.PeriodStatus.COLLECTING
    for period in (earlier, later):
        assert period.plan_items.count() == len(plan_template())


def test_each_role_has_an_account_with_its_anchor(demo):
    usernames = {username for username, _, _ in DEMO_ACCOUNTS}
    users = {u.username: u for u in models.User.objects.filter(username__in=usernames)}
    assert set(users) == usernames
    for username, role, description in DEMO_ACCOUNTS:
        user = users[username]
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
        assert user.first_name and user.last_name
        assert description

    first_municipality = models.Municipality.objects.order_by("code").first()
    assert users["municipal"].municipality == first_municipality
    head_school = users["head"].school
    assert head_school == first_municipality.schools.order_by("code").first()
    assert users["head2"].school.municipality != head_school.municipality

    latest = models.MonitoringPeriod.objects.order_by("-year").first()
    teacher = users["teacher"]
    assert teacher.teacher is not None
    assert models.RosterEntry.objects.filter(period=latest, teacher=teacher.teacher, school=head_school).exists()
    assert not teacher.is_staff
    staff = ("analyst", "ministry", "municipal", "head", "head2")
    assert all(users[name].is_staff for name in staff)
    assert users["admin"].is_superuser


def test_roster_ages_are_plausible(demo):
    for period in models.MonitoringPeriod.objects.all():
        roster = models.RosterEntry.objects.filter(period=period).select_related("teacher")
        ages = [entry.teacher.age_at(period.reference_date) for entry in roster]
        assert ages and min(ages) >= 18 and max(ages) <= 80
        # Indicators 9.2 and 9.3 need both ends of the age range.
        assert roster.young(period=period).exists()
        assert roster.pension_age(period=period).exists()


def test_rosters_change_from_one_year_to_the_next(demo):
    earlier, later = models.MonitoringPeriod.objects.order_by("year")
    rosters = models.RosterEntry.objects
    before = set(rosters.filter(period=earlier).values_list("teacher", flat=True))
    after = set(rosters.filter(period=later).values_list("teacher", flat=True))
    assert len(before & after) >= 0.8 * len(before)  # most people stay
    assert before - after  # some leave
    assert after - before  # and some arrive


def test_submissions_closed_period_accepted_open_period_mixed(demo):
    earlier, later = models.MonitoringPeriod.objects.order_by("year")
    submissions = models.SchoolSubmission.objects
    closed = set(submissions.filter(period=earlier).values_list("status", flat=True))
    assert closed == {models.SubmissionStatus.ACCEPTED}
    open_statuses = set(submissions.filter(period=later).values_list("status", flat=True))
    assert {models.SubmissionStatus.DRAFT, models.SubmissionStatus.RETURNED} <= open_statuses


def test_submission_history_matches_the_status(demo):
    status = models.SubmissionStatus
    for submission in models.SchoolSubmission.objects.prefetch_related("events"):
        steps = [event.status for event in submission.events.order_by("at", "pk")]
        if submission.status == status.DRAFT:
            assert steps == []
            continue
        assert steps[0] == status.SUBMITTED
        assert steps[-1] == submission.status
        assert submission.submitted_at.year == submission.period.year
        assert all(event.at.year >= submission.period.year for event in submission.events.all())


def test_given_snils_are_valid(demo):
    snils = list(models.Teacher.objects.exclude(snils="").values_list("snils", flat=True))
    assert snils
    assert all(models.snils_is_valid(value) for value in snils)


def test_same_seed_gives_the_same_data(demo):
    people = _people()
    schools = list(models.School.objects.order_by("code").values_list("code", "name"))
    again = seed_demo(size="small", seed=1, reset=True)
    assert not again.skipped
    assert _people() == people
    assert list(models.School.objects.order_by("code").values_list("code", "name")) == schools
    assert models.Region.objects.count() == 1


def test_another_seed_gives_other_people(demo):
    people = _people()
    seed_demo(size="small", seed=2, reset=True)
    assert _people() != people


def test_second_call_without_reset_changes_nothing(demo):
    counts = _row_counts()
    again = seed_demo(size="small", seed=1)
    assert again.skipped
    assert again.message
    assert _row_counts() == counts


def test_command_prints_summary_and_logins():
    out = io.StringIO()
    call_command("seed_demo", "--size", "small", stdout=out)
    text = out.getvalue()
    assert "Демо-данные «small» созданы" in text
    for username, _, description in DEMO_ACCOUNTS:
        assert username in text
        assert description in text
    assert DEMO_PASSWORD in text

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "уже есть" in out.getvalue()
