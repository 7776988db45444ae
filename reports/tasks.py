"""Celery doors of the reports app: thin, taking ids.

``build_annual_report`` renders one annual report (minutes at most on a region);
``send_daily_notices`` is the beat job (CELERY_BEAT_SCHEDULE in monitoring.config.settings).
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def build_annual_report(report_id: int) -> str:
    from reports.annual import annual_generate

    return annual_generate(report_id=report_id).status


@shared_task
def send_daily_notices() -> dict:
    from reports.notices import notices_daily

    return notices_daily()
