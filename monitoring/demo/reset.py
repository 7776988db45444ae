"""Emptying the monitored world before a new demo: cheap deletes, leaves first."""

from __future__ import annotations

from collections.abc import Callable

from django.db import router
from django.db.models import Q
from django.db.models.deletion import Collector

from monitoring import models
from monitoring.demo.accounts import DEMO_ACCOUNTS
from monitoring.demo.writer import BATCH_SIZE
from monitoring.shared import extensions

# Leaves first, so that almost every delete is one statement with nothing pointing at it.
WIPE_ORDER = (
    models.AssociationEvent,
    models.AssociationMember,
    models.MethodicalAssociation,
    models.MentoringPair,
    models.MentoringProgram,
    models.SupportProjectParticipant,
    models.SupportProject,
    models.CompetitionEntry,
    models.Attestation,
    models.ExpertRole,
    models.MethodicalActivist,
    models.StaffingRow,
    models.DigitalEnvironmentScore,
    models.SubmissionEvent,
    models.SchoolSubmission,
    models.RosterEntry,
    models.MonitoringPlanItem,
    models.MonitoringPeriod,
    models.Teacher,
    models.School,
    models.Municipality,
    models.Region,
)


def wipe(queryset) -> int:
    """Delete without loading a million rows: one statement, or chunks of primary keys."""
    model = queryset.model
    if Collector(using=router.db_for_write(model), origin=None).can_fast_delete(queryset):
        return queryset.delete()[0]
    deleted = 0
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:BATCH_SIZE])
        if not pks:
            return deleted
        deleted += model._base_manager.filter(pk__in=pks).delete()[0]


def wipe_all(log: Callable[[str], None]) -> dict[str, int]:
    """Delete the monitored world, and the users anchored in it (they would block the delete)."""
    anchored = (
        Q(username__in=[username for username, _, _ in DEMO_ACCOUNTS])
        | Q(teacher__isnull=False)
        | Q(school__isnull=False)
        | Q(municipality__isnull=False)
    )
    deleted = {}
    for step in extensions.callables("demo_wipes"):
        deleted.update(step())
    deleted["User"] = wipe(models.User.objects.filter(anchored))
    for model in WIPE_ORDER:
        deleted[model.__name__] = wipe(model._base_manager.all())
    log("Удалено строк: " + ", ".join(f"{k} {v}" for k, v in deleted.items() if v))
    return deleted
