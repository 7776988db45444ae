"""Admin of the instrument and the diagnostics: scoped lists, editions in use read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.models import HistoricalChanges

from deficits import models
from deficits.scoring import active_instrument
from tests import factories

pytestmark = pytest.mark.django_db


def _url(model, view="changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_deficits_model_has_an_admin_or_is_an_inline_of_one():
    # Results show inside their diagnostic, bands inside their edition, items inside their group.
    # Audit history shows as each model's «История», not as a model of its own.
    # Campaigns and their invitations are run on their own pages (/surveys/campaigns/), which
    # hold the rules of opening, closing and reminding; responses and their tallies are read
    # only through the results pages and exports, which never show a group of fewer than five
    # respondents of an anonymous campaign: a raw admin list would bypass that rule.
    missing = {
        m.__name__
        for m in apps.get_app_config("deficits").get_models()
        if m not in admin.site._registry and not issubclass(m, HistoricalChanges)
    }
    assert missing == {"GroupResult", "Item", "LevelBand", "Campaign", "Invitation", "Response", "ResponseTally"}


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("analyst", {"T0000001", "T0000002", "T0000003"}),
        ("ministry", {"T0000001", "T0000002", "T0000003"}),
        ("municipal", {"T0000001", "T0000003"}),
        ("head_a", {"T0000001"}),
        ("head_b", {"T0000002"}),
    ],
)
def test_diagnostic_changelist_is_scoped(client, world, person, expected):
    for teacher in (world.teacher_a, world.teacher_b, world.teacher_c):
        factories.DiagnosticFactory(teacher=teacher, submit=True)
    client.force_login(world.people[person])
    response = client.get(_url(models.Diagnostic))
    assert response.status_code == 200
    assert {d.teacher.code for d in response.context["cl"].result_list} == expected


def test_teacher_has_no_admin(client, world):
    client.force_login(world.teacher)
    assert client.get(_url(models.Instrument)).status_code == 302


def test_an_edition_in_use_is_read_only_even_for_the_institute(client, world):
    instrument = active_instrument()
    client.force_login(world.analyst)
    page = client.get(_url(models.Instrument, "change", instrument.pk))
    assert page.status_code == 200 and page.context["has_change_permission"] is True
    factories.DiagnosticFactory(teacher=world.teacher_a, submit=True)
    page = client.get(_url(models.Instrument, "change", instrument.pk))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    response = client.post(_url(models.Instrument, "change", instrument.pk), {"name": "Другая анкета"})
    assert response.status_code == 403
    instrument.refresh_from_db()
    assert instrument.name.startswith("Диагностика профессиональных дефицитов")
    group = instrument.groups.first()
    assert client.get(_url(models.CompetenceGroup, "change", group.pk)).context["has_change_permission"] is False


def test_only_the_institute_edits_an_unused_edition(client, world):
    instrument = active_instrument()
    client.force_login(world.ministry)
    page = client.get(_url(models.Instrument, "change", instrument.pk))
    assert page.status_code == 200 and page.context["has_change_permission"] is False


def test_results_are_never_typed_in(client, world):
    diagnostic = factories.DiagnosticFactory(teacher=world.teacher_a, submit=True)
    client.force_login(world.analyst)
    assert client.get(_url(models.Diagnostic, "add")).status_code == 403
    page = client.get(_url(models.Diagnostic, "change", diagnostic.pk)).content.decode()
    assert 'name="answers"' not in page and "оптимальный" in page


def _used_link(world):
    link = models.PersonalLink.objects.create(
        digest="a" * 64,
        teacher=world.teacher_a,
        issued_by=world.head_a,
        issued_at=dt.datetime(2025, 11, 1, 9, tzinfo=dt.UTC),
    )
    models.PersonalLinkUse.objects.create(
        link=link, event=models.LinkEvent.REFUSED_DEVICE, address="10.9.9.9", user_agent="Mozilla/5.0 (другой браузер)"
    )
    return link


def test_the_institute_reads_the_personal_links_journal_and_nobody_edits_it(client, world):
    link = _used_link(world)
    use = link.uses.get()
    client.force_login(world.analyst)
    uses = client.get(_url(models.PersonalLinkUse)).content.decode()
    assert "10.9.9.9" in uses and "Mozilla/5.0 (другой браузер)" in uses and "Отказ: другой браузер" in uses
    assert "Петрова Анна Ивановна" in uses
    page = client.get(_url(models.PersonalLink, "change", link.pk))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    html = page.content.decode()
    assert "10.9.9.9" in html and "head_a" in html
    for model, obj in ((models.PersonalLink, link), (models.PersonalLinkUse, use)):
        assert client.get(_url(model, "add")).status_code == 403
        assert client.get(_url(model, "delete", obj.pk)).status_code == 403
        assert client.post(_url(model, "change", obj.pk), {"address": "1.1.1.1"}).status_code == 403
    use.refresh_from_db()
    assert use.address == "10.9.9.9"


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a", "head_b"])
def test_only_the_institute_sees_the_personal_links_journal(client, world, person):
    link = _used_link(world)
    client.force_login(world.people[person])
    assert client.get(_url(models.PersonalLinkUse)).status_code == 403
    assert client.get(_url(models.PersonalLink, "change", link.pk)).status_code == 403
    assert "personallink" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("person", ["analyst", "ministry", "municipal", "head_a"])
def test_drafts_are_not_in_the_admin(client, world, person):
    """A draft's answers are the teacher's until finished: no page shows them, nor the admin (issue 14, item 10)."""
    draft = factories.DiagnosticFactory(teacher=world.teacher_a)
    done = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 4, 1), submit=True)
    client.force_login(world.people[person])
    listed = client.get(reverse("admin:deficits_diagnostic_changelist"))
    assert list(listed.context["cl"].result_list) == [done]
    assert client.get(reverse("admin:deficits_diagnostic_change", args=[draft.pk])).status_code == 302  # not found
