import datetime as dt

import pytest

from monitoring import models
from monitoring.services import period_create, plan_template
from tests import factories

pytestmark = pytest.mark.django_db


def test_period_create_builds_the_plan_of_the_regional_order():
    period = period_create(year=2026)
    assert period.reference_date == dt.date(2026, 12, 31)
    items = list(period.plan_items.order_by("direction"))
    assert [i.direction for i in items] == list(range(1, 10))
    staffing = items[8]
    assert staffing.get_direction_display() == "Выявление кадровых потребностей"
    # The order: staffing in September; the deadline is the month's last day of the period's year.
    assert staffing.deadline == dt.date(2026, 9, 30)
    assert staffing.responsible_name == "Проректор по учебно-методической работе"
    assert staffing.obligation == models.PlanObligation.SCHOOL_DATA
    by_direction = {i.direction: i for i in items}
    assert by_direction[1].deadline == dt.date(2026, 3, 31)
    assert by_direction[1].periodicity == "в течение года"
    assert by_direction[1].obligation == models.PlanObligation.DIAGNOSTIC
    assert by_direction[2].deadline == dt.date(2026, 12, 31)
    assert by_direction[2].obligation == models.PlanObligation.ROUTES
    assert by_direction[3].obligation == models.PlanObligation.INSTITUTE
    assert by_direction[4].deadline == dt.date(2026, 5, 31)
    assert by_direction[5].deadline == dt.date(2026, 8, 31)
    assert by_direction[6].deadline == dt.date(2026, 3, 31)
    assert by_direction[7].deadline == dt.date(2026, 6, 30)
    assert by_direction[8].deadline == dt.date(2026, 6, 30)


def test_period_create_is_idempotent_and_keeps_edits():
    period = period_create(year=2026)
    item = period.plan_items.get(direction=2)
    item.responsible_name = "Исполняющий обязанности руководителя ЦНППМ"
    item.save()
    again = period_create(year=2026)
    assert again.pk == period.pk
    assert models.MonitoringPlanItem.objects.filter(period=period).count() == 9
    assert again.plan_items.get(direction=2).responsible_name == "Исполняющий обязанности руководителя ЦНППМ"


def test_plan_template_covers_the_nine_directions():
    assert sorted(item["direction"] for item in plan_template()) == [d.value for d in models.Direction]


# --- moving a teacher between schools -------------------------------------------------


def _school_of(teacher, period):
    return models.RosterEntry.objects.get(teacher=teacher, period=period).school


def test_municipal_moves_a_teacher_between_schools_of_their_municipality(world):
    from monitoring.services import roster_transfer

    before = models.RosterEntry.objects.get(teacher=world.teacher_c, period=world.period)
    entry = roster_transfer(teacher=world.teacher_c, period=world.period, school=world.school_a, user=world.municipal)
    assert entry.pk == before.pk and _school_of(world.teacher_c, world.period) == world.school_a
    assert entry.position == before.position and entry.subjects == before.subjects
    last = entry.history.order_by("-history_id").first()
    assert last.history_change_reason == "перевод в организацию 000001"
    assert entry.history.order_by("history_id").first().school_id == world.school_c.pk


def test_transfer_creates_the_periods_row_from_the_latest_one(world):
    from monitoring.services import roster_transfer

    nxt = factories.PeriodFactory(year=2026)
    entry = roster_transfer(teacher=world.teacher_c, period=nxt, school=world.school_a, user=world.analyst)
    assert entry.period == nxt and entry.school == world.school_a
    assert _school_of(world.teacher_c, world.period) == world.school_c  # last year's row stays as it was


@pytest.mark.parametrize(
    ("who", "teacher", "school", "error"),
    [
        ("head_a", "teacher_c", "school_a", "PermissionDenied"),  # a head never moves teachers
        ("ministry", "teacher_c", "school_a", "PermissionDenied"),
        ("municipal", "teacher_b", "school_a", "PermissionDenied"),  # teacher B is in M2
        ("municipal", "teacher_c", "school_b", "PermissionDenied"),  # school B is in M2
        ("analyst", "teacher_a", "school_a", "ValidationError"),  # already there
    ],
)
def test_transfer_refusals_change_nothing(world, who, teacher, school, error):
    from django.core import exceptions

    from monitoring.services import roster_transfer

    before = sorted(models.RosterEntry.objects.values_list("teacher_id", "school_id", "period_id"))
    with pytest.raises(getattr(exceptions, error)):
        roster_transfer(
            teacher=getattr(world, teacher),
            period=world.period,
            school=getattr(world, school),
            user=getattr(world, who),
        )
    assert sorted(models.RosterEntry.objects.values_list("teacher_id", "school_id", "period_id")) == before


@pytest.mark.parametrize("locked", ["source", "destination"])
def test_transfer_respects_accepted_data_and_closed_periods(world, locked):
    from django.core.exceptions import ValidationError

    from monitoring.services import roster_transfer

    school = world.school_c if locked == "source" else world.school_a
    models.SchoolSubmission.objects.create(
        period=world.period, school=school, status="accepted", submitted_at="2025-10-01T10:00:00Z"
    )
    with pytest.raises(ValidationError, match="приняты и закрыты для изменений"):
        roster_transfer(teacher=world.teacher_c, period=world.period, school=world.school_a, user=world.analyst)
    models.SchoolSubmission.objects.all().delete()
    models.MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=models.PeriodStatus.CLOSED)
    with pytest.raises(ValidationError, match="закрыт"):
        roster_transfer(teacher=world.teacher_c, period=world.period, school=world.school_a, user=world.analyst)
    assert _school_of(world.teacher_c, world.period) == world.school_c


def test_after_a_transfer_the_new_school_may_list_the_teacher(world):
    """The path the refusal message names: moved by the municipality, then in the head's upload."""
    import io

    from openpyxl import load_workbook

    from monitoring.intake.submissions import school_staffing_import, staffing_template
    from monitoring.services import roster_transfer

    roster_transfer(teacher=world.teacher_c, period=world.period, school=world.school_a, user=world.municipal)
    wb = load_workbook(io.BytesIO(staffing_template(school=world.school_a, period=world.period).content))
    assert sorted(r[0].value for r in wb["Педагоги"].iter_rows(min_row=2)) == ["T0000001", "T0000003"]
    ws = wb["Штатное расписание"]
    ws.delete_rows(2, ws.max_row)
    ws.append(["000001", "учитель", 20, 21, 1, 1])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    result = school_staffing_import(
        school=world.school_a, period=world.period, file=out, filename="шр.xlsx", user=world.head_a
    )
    assert result.applied, [str(p) for p in result.problems]
