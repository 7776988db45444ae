"""The admin of measures, notices and annual reports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import AnnualReport, Measure
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
