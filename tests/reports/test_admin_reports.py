"""The admin of measures, meetings, notices and annual reports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import AnnualReport, Measure
from tests import factories
from tests.reports.annual.helpers import year  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_admin_lists_measures_notices_and_reports(year, client):  # noqa: F811
    from reports.models import Notice

    Notice.objects.create(user=year.head_a, key="k", text="Уведомление руководителю")
    AnnualReport.objects.create(period=year.period)
    client.force_login(year.analyst)
    for model in ("measure", "notice", "annualreport"):
        assert client.get(reverse(f"admin:reports_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:reports_measure_add")).status_code == 200
    assert client.get(reverse("admin:reports_notice_add")).status_code == 403
    assert client.get(reverse("admin:reports_annualreport_add")).status_code == 403
    # Ministry officials read measures in the admin but do not change them.
    client.force_login(year.ministry)
    measure = Measure.objects.first()
    page = client.get(reverse("admin:reports_measure_change", args=[measure.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_a_meeting_cited_by_an_issued_letter_is_read_only_in_the_admin(client, world):
    meeting = factories.MeetingFactory()
    letter = factories.LetterFactory(period=world.period, municipality=world.m1, meeting=meeting)
    client.force_login(world.analyst)
    url = reverse("admin:reports_meeting_change", args=[meeting.pk])
    assert client.get(url).context["has_change_permission"] is True
    factories.letter_issue_as_stored(letter, number="1/26")
    assert client.get(url).context["has_change_permission"] is False
