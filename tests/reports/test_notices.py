"""Notices: each kind reaches the right people once, in the portal and by e-mail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from indicators.engine import compute_period
from monitoring.models import MonitoringPlanItem
from reports.findings import findings_refresh
from reports.models import Issuer, Letter, LetterItem, LetterStatus, Measure, Notice
from reports.notices import notices_daily, notify_letter_issued
from reports.tasks import send_daily_notices_task
from tests import factories
from tests.reports.plan.helpers import DEADLINE as PLAN_DEADLINE
from tests.reports.plan.helpers import plan_item

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def people(world):
    for name, person in world.people.items():
        person.email = f"{name}@example.org"
        person.save(update_fields=["email"])
    # A second municipal official, of M2: hears about M2 only.
    world.municipal_b = factories.UserFactory(
        username="municipal_b", role="municipal", municipality=world.m2, email="mb@example.org"
    )
    return world


def recipients(key_prefix: str) -> set[str]:
    return set(Notice.objects.filter(key__startswith=key_prefix).values_list("user__username", flat=True))


def test_a_plan_deadline_within_a_week_reaches_its_responsible_person_once(people):
    soon = MonitoringPlanItem.objects.create(
        period=people.period, direction=9, deadline=TODAY + dt.timedelta(days=5), responsible=people.analyst
    )
    MonitoringPlanItem.objects.create(
        period=people.period, direction=1, deadline=TODAY + dt.timedelta(days=20), responsible=people.ministry
    )
    notices_daily(today=TODAY)
    assert recipients("plan:") == {"analyst"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["analyst@example.org"]
    assert "через 5 дн." in mail.outbox[0].body and "Выявление кадровых потребностей" in mail.outbox[0].body
    notices_daily(today=TODAY + dt.timedelta(days=1))
    assert Notice.objects.filter(key__startswith="plan:").count() == 1 and len(mail.outbox) == 1
    # A moved deadline is news again.
    soon.deadline = TODAY + dt.timedelta(days=6)
    soon.save()
    notices_daily(today=TODAY + dt.timedelta(days=1))
    assert Notice.objects.filter(key__startswith="plan:").count() == 2


def test_findings_reach_the_officials_of_their_municipality_and_school(people):
    # 9.1 (threshold 95): A 60 %, C 90 % in M1 miss it; B (M2) 100 % does not.
    for school, vacant in ((people.school_a, 4), (people.school_b, 0), (people.school_c, 1)):
        factories.StaffingRowFactory(period=people.period, school=school, vacant_positions=vacant)
    compute_period(period=people.period, directions=[9])
    findings_refresh(period=people.period)
    notices_daily(today=TODAY)
    assert recipients("finding:2025:9.1:") == {"municipal", "head_a"}
    municipal = Notice.objects.filter(user=people.municipal, key__startswith="finding:2025:9.1:school").get()
    assert "МКОУ «Алексеевская СШ» (60)" in municipal.text and "МКОУ «Аржановская СШ» (90)" in municipal.text
    head = Notice.objects.filter(user=people.head_a, key__startswith="finding:2025:9.1:").get()
    assert "Аржановская" not in head.text  # a head hears about their own school only
    assert not Notice.objects.filter(user__username__in=["head_b", "municipal_b", "teacher", "ministry"]).exists()
    sent = len(mail.outbox)
    # The daily digest: one mail per person with an address, holding all their new notices.
    assert sent == Notice.objects.values("user").distinct().count()
    assert all(m.subject == "Мониторинг ПРП: напоминания на 20.11.2025" for m in mail.outbox)
    assert not Notice.objects.filter(emailed=False).exists()
    # The same findings after a recomputation say nothing new.
    compute_period(period=people.period, directions=[9])
    findings_refresh(period=people.period)
    notices_daily(today=TODAY)
    assert len(mail.outbox) == sent


def _letter(world, *, addressee, municipality=None, number="12"):
    issuer = Issuer.objects.create(
        kind="institute",
        name="ГАУ ДПО «Институт развития образования»",
        signatory_position="Ректор",
        signatory_name="А. Б. Ректоров",
    )
    return Letter.objects.create(
        period=world.period, issuer=issuer, addressee=addressee, municipality=municipality,
        addressee_line="Руководителям ОО", title="Адресные рекомендации по итогам мониторинга",
        signatory_position="Ректор", signatory_name="А. Б. Ректоров", status=LetterStatus.ISSUED,
        number=number, issued_on=TODAY, pdf_sha256="0" * 64,
    )  # fmt: skip


def test_an_issued_letter_reaches_its_addressees_once(people):
    letter = _letter(people, addressee="school_heads", municipality=people.m1)
    assert notify_letter_issued(letter) == 1
    assert recipients(f"letter:{letter.pk}") == {"head_a"}
    assert "№ 12" in mail.outbox[0].body
    assert notify_letter_issued(letter) == 0


def test_a_mail_links_to_the_portal_by_its_full_address(people, settings):
    # A relative "/letters/2/" in a mail leads nowhere: the reader is outside the portal.
    settings.PORTAL_URL = "https://portal.example.ru"
    letter = _letter(people, addressee="school_heads", municipality=people.m1)
    notify_letter_issued(letter)
    assert f"Подробнее на портале: https://portal.example.ru/letters/{letter.pk}/" in mail.outbox[0].body
    notices_daily(today=TODAY)  # the daily sweep finds it already told
    assert len(mail.outbox) == 1


def test_a_region_wide_letter_reaches_every_municipal_official(people):
    letter = _letter(people, addressee="municipal")
    notify_letter_issued(letter)
    assert recipients(f"letter:{letter.pk}") == {"municipal", "municipal_b"}


def test_a_letter_to_several_kinds_of_addressees_reaches_each_of_them(people):
    # The attack on the restructured portal: a letter to the municipal offices with a group of
    # recommendations to school heads told the officials and none of the heads.
    letter = _letter(people, addressee="municipal", municipality=people.m1)
    # bulk_create: the letter is issued and frozen; its items are set up as if written before.
    LetterItem.objects.bulk_create(
        [LetterItem(letter=letter, kind="recommendation", addressee="school_heads", order=1, text="Обеспечить …")]
    )
    notify_letter_issued(letter)
    assert recipients(f"letter:{letter.pk}") == {"municipal", "head_a"}


def test_a_draft_letter_reaches_nobody(people):
    letter = _letter(people, addressee="school_heads")
    Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.DRAFT, number="", pdf_sha256="")
    letter.refresh_from_db()
    assert notify_letter_issued(letter) == 0


def test_an_overdue_measure_reaches_its_responsible_user(people):
    from indicators.engine import ensure_indicators

    indicator = ensure_indicators()["9.1"]
    common = {"period": people.period, "indicator": indicator, "level": "school", "org_code": "000001",
              "target": Decimal("95"), "responsible": "Петрова А. И."}  # fmt: skip
    Measure.objects.create(
        text="Просроченная", due=TODAY - dt.timedelta(days=1), responsible_user=people.head_a, **common
    )
    Measure.objects.create(text="В срок", due=TODAY + dt.timedelta(days=9), responsible_user=people.head_b, **common)
    Measure.objects.create(
        text="Выполненная", due=TODAY - dt.timedelta(days=9), responsible_user=people.municipal, status="done", **common
    )
    notices_daily(today=TODAY)
    notices_daily(today=TODAY)
    assert recipients("measure-overdue:") == {"head_a"}
    assert [m.to for m in mail.outbox] == [["head_a@example.org"]]
    assert "Просроченная" in mail.outbox[0].body


def test_a_person_without_an_address_reads_the_notice_in_the_portal(people, client):
    people.head_a.email = ""
    people.head_a.save()
    letter = _letter(people, addressee="school_heads", municipality=people.m1)
    notify_letter_issued(letter)
    assert not mail.outbox
    notice = Notice.objects.get(user=people.head_a)
    assert not notice.emailed
    client.force_login(people.head_a)
    page = client.get(reverse("notice-list")).content.decode()
    assert "Адресные рекомендации по итогам мониторинга" in page
    assert '>1<span class="visually-hidden"> непрочитанных</span>' in page  # the navbar count
    client.get(reverse("notice-open", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "непрочитанных" not in client.get(reverse("notice-list")).content.decode()
    # Another person's notice is not theirs to open.
    client.force_login(people.head_b)
    assert client.get(reverse("notice-open", args=[notice.pk])).status_code == 404


def test_the_beat_task_runs_the_daily_job(people):
    MonitoringPlanItem.objects.create(
        period=people.period, direction=9, deadline=dt.date.today() + dt.timedelta(days=2), responsible=people.analyst
    )
    counts = send_daily_notices_task.delay().get()
    assert counts["plan"] == 1


def test_the_beat_schedule_names_the_task(settings):
    from celery import current_app

    entry = settings.CELERY_BEAT_SCHEDULE["reports-daily-notices"]
    assert entry["task"] == send_daily_notices_task.name
    assert send_daily_notices_task.name in current_app.tasks


def test_a_long_list_of_units_is_cut_with_a_count(people):
    from reports.notices import _listed

    names = [f"МБОУ «Средняя общеобразовательная школа № {n}»" for n in range(60)]
    text = _listed(names, room=500)
    assert len(text) <= 500 and text.endswith(f"и еще {60 - text.count('МБОУ')}")
    assert _listed(names[:2], room=500) == ", ".join(names[:2])


def test_a_long_digest_counts_the_rest_and_does_not_mail_them_again(people, monkeypatch):
    monkeypatch.setattr("reports.notices.DIGEST_LIMIT", 1)
    for direction in (4, 9):
        plan_item(people, direction=direction, areas=[people.m1])
    notices_daily(today=PLAN_DEADLINE)
    [digest] = [m for m in mail.outbox if m.to == ["head_a@example.org"]]
    assert "Остальные уведомления (1) — на портале." in digest.body
    mail.outbox.clear()
    notices_daily(today=PLAN_DEADLINE)
    assert not mail.outbox
