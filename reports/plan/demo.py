"""The demo's closing of the cycle: the council that adopts the institute's recommendations and its
meeting, the closed period's results presented to the municipalities, and the plan's reminders of the
day, so the demo logins find notices with their reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from monitoring.models import MonitoringPeriod, PeriodStatus
from reports.letters.permissions import institute_issuer
from reports.models import Meeting, Notice, Presentation, PresentationKind
from reports.plan.reminders import plan_reminders

# seeds/000: «… на заседаниях программно-методического совета … (Протокол № 4 от 14.07.2020)».
COUNCIL = "программно-методического совета"


def seed_cycle(*, periods, seed: int, log: Callable[[str], None]) -> dict[str, int]:
    issuer = institute_issuer()
    if issuer.adoption_body != COUNCIL:
        issuer.adoption_body = COUNCIL
        issuer.save(update_fields=["adoption_body"])
    closed = MonitoringPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-year").first()
    meetings = presentations = 0
    if closed is not None:
        _, made = Meeting.objects.get_or_create(
            issuer=issuer,
            number="4",
            date=dt.date(closed.year + 1, 3, 14),
            defaults={"agenda": f"Об адресных рекомендациях по итогам мониторинга {closed.year} года."},
        )
        meetings += made
        _, made = Presentation.objects.get_or_create(
            period=closed,
            title=f"Итоги мониторинга {closed.year} года",
            defaults={
                "date": dt.date(closed.year + 1, 3, 20),
                "kind": PresentationKind.WEBINAR,
                "audience": "муниципальные органы управления образованием, руководители ОО",
            },
        )
        presentations += made
    reminded = plan_reminders(today=timezone.localdate())
    log(f"  совет: {COUNCIL}; заседаний {meetings}, представлений итогов {presentations}; напоминаний {reminded}")
    return {"Meeting": meetings, "Presentation": presentations, "Notice": reminded}


def wipe_cycle() -> dict[str, int]:
    """Before a re-seed: the notices speak of the plan items and periods about to be deleted."""
    return {"Notice": Notice.objects.all().delete()[0]}
