"""The annual report asked for while the queue is down: kept queued, the user told, sent again later."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.app.task import Task
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from monitoring import dispatch
from reports.models import AnnualReport, ReportStatus
from tests.broker import broker_down

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_commit_at_once(monkeypatch):
    # As in autocommit, where the doors run: the send happens inside the request.
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


def test_an_annual_report_asked_for_while_the_queue_is_down(client, world, monkeypatch):
    cache.clear()
    client.force_login(world.ministry)
    with broker_down(monkeypatch) as tried:
        page = client.post(reverse("report-start"), {"period": 2025}, follow=True).content.decode()
    report = AnnualReport.objects.get()
    assert tried == ["reports.tasks.build_annual_report"] and report.status == ReportStatus.QUEUED
    assert f"Годовой отчет за 2025 год (№{report.pk}): {dispatch.QUEUE_DOWN_MESSAGE}" in page
    assert "формируется" not in page

    sent = []
    monkeypatch.setattr(Task, "apply_async", lambda self, args=None, kwargs=None, **o: sent.append((self.name, args)))
    assert dispatch.redispatch_waiting(now=timezone.now() + dt.timedelta(minutes=2)) == 1
    assert sent == [("reports.tasks.build_annual_report", (report.pk,))]
    cache.clear()
