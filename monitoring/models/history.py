"""Audit history: who changed what, kept by django-simple-history.

Models that people edit one row at a time — through the pages, the admin or a form — declare
``history = HistoricalRecords()`` (or :class:`UserHistory`); every save and delete of such a
row writes a historical row with the user of the request (``HistoryRequestMiddleware``).

Bulk paths bypass it by design: the data-package import writes with COPY, bulk_create,
bulk_update and (:func:`bulk_delete`) plain DELETEs, none of which sends a signal, and the
indicator computation writes its values the same way. The audit record of a bulk load is its
``ImportJob`` (who, when, which file, what it changed per sheet); a historical row per
imported cell would multiply the import's time and the database's size. Tables written only
by imports or computation (indicator values, findings, diagnostics' answers and results,
notices) have no history at all.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class UserHistory(HistoricalRecords):
    """A user's history without a row per login: ``last_login`` alone is not a change worth auditing."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= {"last_login"}:
            return
        super().post_save(instance, created, using=using, **kwargs)


def has_history(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def bulk_delete(queryset: models.QuerySet) -> int:
    """Delete the rows as a bulk path: one DELETE, no per-row history, when nothing depends on them.

    A history-tracked model listens to deletes, which turns Django's single DELETE into a
    fetch of every row plus a historical row each. For rows nothing else refers to (every
    reverse relation is DO_NOTHING — history tables' own references are) the statement is
    sent as before history existed; otherwise the ORM's cascade runs as usual.
    """
    model = queryset.model
    if (
        has_history(model)
        and not model._meta.many_to_many
        and all(getattr(rel, "on_delete", None) is models.DO_NOTHING for rel in _reverse_relations(model))
    ):
        return queryset._raw_delete(queryset.db)
    return queryset.delete()[0]


def _reverse_relations(model: type[models.Model]):
    # Hidden ones too: an M2M's auto-created table and related_name="+" keys still cascade.
    return [f for f in model._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
