"""Closed periods are read-only at every door: the one check every write of a period's data makes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connections, router

from monitoring.models import MonitoringPeriod, PeriodStatus


def period_closed_message(period: MonitoringPeriod) -> str:
    return f"Период мониторинга {period.year} года закрыт: его данные доступны только для чтения."


def period_lock_open(*, period: MonitoringPeriod) -> MonitoringPeriod:
    """The period as the database holds it now, refused (ValidationError) when it is closed.

    Every write of a period's data calls this inside its own transaction, when the write
    happens: a job checked while the period was open and confirmed after it was closed is
    refused then. On PostgreSQL the row is share-locked until the write commits, so the
    period cannot be closed halfway through it (closing updates the row and waits), while
    writers of the same period do not wait for each other. SQLite serialises writes anyway.
    """
    connection = connections[router.db_for_write(MonitoringPeriod)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(MonitoringPeriod._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT status FROM {table} WHERE id = %s FOR SHARE", [period.pk])
            row = cursor.fetchone()
        status = row[0] if row else None
    else:
        status = MonitoringPeriod.objects.filter(pk=period.pk).values_list("status", flat=True).first()
    if status is None or status == PeriodStatus.CLOSED:
        raise ValidationError(period_closed_message(period))
    period.status = status
    return period


def period_for_date(date: dt.date) -> MonitoringPeriod | None:
    """The period a dated record belongs to: the calendar year's."""
    return MonitoringPeriod.objects.filter(year=date.year).first()


def date_lock_open(*, date: dt.date) -> None:
    """For a dated write (a diagnostic, a route): refused when the year's period exists and is closed."""
    period = period_for_date(date)
    if period is not None:
        period_lock_open(period=period)
