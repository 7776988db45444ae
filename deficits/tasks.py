"""Celery doors of the deficits app: thin.

``campaign_reminders_task`` is the beat job (CELERY_BEAT_SCHEDULE in monitoring.config.settings):
each morning, the people of every open campaign who have not answered get their link again
(at most once in 24 hours: deficits.questionnaire.campaigns).
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="deficits.tasks.campaign_reminders")
def campaign_reminders_task() -> dict:
    # Services import task modules at the top, never the reverse; importing it here keeps one direction.
    from deficits.questionnaire.campaigns import campaigns_remind_due

    return {str(pk): vars(counts) for pk, counts in campaigns_remind_due().items()}
