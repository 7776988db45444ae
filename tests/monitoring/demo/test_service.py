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
