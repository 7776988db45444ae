"""Celery doors of the reports app: thin, taking ids.

``build_annual_report_task`` renders one annual report (minutes at most on a region);
``send_daily_notices_task`` is the beat job (CELERY_BEAT_SCHEDULE in monitoring.config.settings):
it creates the day's notices (the plan's reminders among them) without e-mail and then mails
each person one digest of everything not yet mailed (reports.notices.notices_daily).

One direction: the services import this module at the top and send its tasks on commit;
a task imports its service inside its body. The registered names stay those of the
functions before they were given their ``_task`` suffix (``name=``), so messages already
queued under them, the beat schedule and the broker-outage re-sends keep working.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reports.tasks.build_annual_report", acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def build_annual_report_task(report_id: int) -> str:
    # The service imports this module at the top; importing it here keeps one direction.
    from reports.annual.jobs import annual_generate

    return annual_generate(report_id=report_id).status


@shared_task(name="reports.tasks.send_daily_notices")
def send_daily_notices_task() -> dict:
    # Services import task modules at the top, never the reverse; importing it here keeps one direction.
    from reports.notices import notices_daily

    return notices_daily()
