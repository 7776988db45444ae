"""The annual report asked for while the queue is down: kept queued, the user told, sent again later."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.app.task import Task
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from monitoring.shared import dispatch
from reports.models import AnnualReport, ReportStatus
from tests.broker import broker_down
from tests.reports.annual.helpers import make_institute

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


def test_an_annual_report_asked_for_while_the_queue_is_down(client, world, monkeypatch):
    from monitoring.config.celery import app

    # A queue that can be down is a broker's: Celery is not eager there (the embedded default builds beside).
    # tests/conftest.py's _celery_eager puts the setting back after the test.
    app.conf.task_always_eager = False
    make_institute()
    cache.clear()
    client.force_login(world.ministry)
    with broker_down(monkeypatch) as tried:
        page = client.post(reverse("report-start"), {"period": 2025}, follow=True).content.decode()
    report = AnnualReport.objects.get()
    assert tried == ["reports.tasks.build_annual_report"] and report.status == ReportStatus.QUEUED
    assert f"Годовой отчет за 2025 год (№{report.pk}): {dispatch.QUEUE_DOWN_MESSAGE}" in page
    assert "поставлен на формирование" not in page

    sent = []
    monkeypatch.setattr(Task, "apply_async", lambda self, args=None, kwargs=None, **o: sent.append((self.name, args)))
    assert dispatch.redispatch_waiting(now=timezone.now() + dt.timedelta(minutes=2)) == 1
    assert sent == [("reports.tasks.build_annual_report", (report.pk,))]
    cache.clear()
