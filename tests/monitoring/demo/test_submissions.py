"""The demo's submissions: the closed period accepted, the open one mixed, histories that fit."""

from __future__ import annotations

import pytest

from monitoring import models

pytestmark = pytest.mark.django_db


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
