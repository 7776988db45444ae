"""Writes of the monitored world that span rows: periods and their plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from monitoring.models import (
    MonitoringPeriod,
    MonitoringPlanItem,
    PeriodStatus,
    PlanObligation,
    Role,
    RosterEntry,
    School,
    SchoolSubmission,
    SubmissionStatus,
    Teacher,
)
from monitoring.shared.periods import period_lock_open

PLAN_TEMPLATE = Path(settings.BASE_DIR) / "fixtures" / "monitoring_plan.json"


def plan_template() -> list[dict]:
    """The plan rows of the regional order, as shipped in fixtures/monitoring_plan.json."""
    return json.loads(PLAN_TEMPLATE.read_text(encoding="utf-8"))["items"]


@transaction.atomic
def period_create(
    *,
    year: int,
    reference_date: dt.date | None = None,
    status: str = PeriodStatus.COLLECTING,
) -> MonitoringPeriod:
    """Create the monitoring period of ``year`` with its plan taken from the template.

    Idempotent: an existing period is returned as it is, and plan rows it already has
    are kept (staff may have edited them).
    """
    period, _ = MonitoringPeriod.objects.get_or_create(
        year=year,
        defaults={"reference_date": reference_date or dt.date(year, 12, 31), "status": status},
    )
    existing = set(period.plan_items.values_list("direction", flat=True))
    MonitoringPlanItem.objects.bulk_create(
        [
            MonitoringPlanItem(
                period=period,
                direction=item["direction"],
                indicators_scope=item["indicators_scope"],
                periodicity=item["periodicity"],
                responsible_name=item["responsible_name"],
                obligation=item.get("obligation", PlanObligation.INSTITUTE),
                deadline=dt.date.fromisoformat(f"{year}-{item['deadline']}"),
            )
            for item in plan_template()
            if item["direction"] not in existing
        ]
    )
    return period


# --- moving a teacher between schools ----------------------------------------------


def can_transfer_teachers(user) -> bool:
    """Who moves a teacher between schools: the institute anywhere, a municipal official inside their municipality.

    A school head never does (their upload may not name another school's teacher): a move
    changes two schools' rosters, and only someone who sees both may make it.
    """
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in (Role.ANALYST, Role.MUNICIPAL))
    )


@transaction.atomic
def roster_transfer(*, teacher: Teacher, period: MonitoringPeriod, school: School, user) -> RosterEntry:
    """Put ``teacher`` on ``school``'s roster for ``period``, off the roster of the school they were on.

    The row keeps its position, subjects, category and the rest (taken from the teacher's
    latest row when the period has none yet); the move is recorded in the row's history.
    Refused when the period is closed, when either school's data are accepted (locked), or
    when the user does not see both schools with the right to move.
    """
    if not can_transfer_teachers(user):
        raise PermissionDenied(
            "Переводить педагогов между организациями может муниципальный координатор или специалист института."
        )
    period_lock_open(period=period)
    visible_schools = School.objects.visible_to(user)
    if not visible_schools.filter(pk=school.pk).exists():
        raise PermissionDenied("Переводить педагогов можно только в организации, доступные вам.")
    entry = RosterEntry.objects.select_for_update().filter(period=period, teacher=teacher).first()
    source = entry or RosterEntry.objects.filter(teacher=teacher).order_by("-period__year").first()
    if source is None:
        raise ValidationError("Педагог не числится ни в одной организации: добавьте его в список организации.")
    if not visible_schools.filter(pk=source.school_id).exists():
        raise PermissionDenied("Педагог числится в организации, которая вам недоступна: обратитесь в институт.")
    if source.school_id == school.pk and entry is not None:
        raise ValidationError("Педагог уже числится в этой организации.")
    schools = {school.pk} | ({entry.school_id} if entry else set())
    locked = SchoolSubmission.objects.filter(period=period, school__in=schools, status=SubmissionStatus.ACCEPTED)
    if names := list(locked.values_list("school__name", flat=True)):
        raise ValidationError(
            "Данные организации приняты и закрыты для изменений: "
            + ", ".join(sorted(names))
            + ". Сначала снимите отметку о принятии."
        )
    if entry is None:
        entry = RosterEntry(
            period=period,
            teacher=teacher,
            **{
                f.attname: getattr(source, f.attname)
                for f in RosterEntry._meta.concrete_fields
                if f.attname not in ("id", "period_id", "teacher_id", "school_id")
            },
        )
    entry.school = school
    entry._change_reason = f"перевод в организацию {school.code}"
    entry.save()
    return entry
