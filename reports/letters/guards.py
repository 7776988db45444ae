"""The guard every ORM door passes: an issued letter and its items are never saved or deleted again.

The services refuse and the admin shows an issued letter read-only; these pre_save and
pre_delete receivers stop any other door that saves through the ORM. They register
when ``reports.letters`` is imported (its ``__init__`` imports this module).
"""

from __future__ import annotations

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from reports.letters.errors import LetterFrozen
from reports.models import Letter, LetterItem, LetterStatus


def _frozen(letter_id) -> bool:
    # Frozen is what letter_issue produced: issued with its PDF stored. A row marked
    # issued without a file can only come from a fixture or a data load, which may still
    # be assembling it (the annual report's tests build such letters item by item).
    if letter_id is None:
        return False
    return Letter._base_manager.filter(pk=letter_id, status=LetterStatus.ISSUED).exclude(pdf="").exists()


@receiver(pre_save, sender=Letter, dispatch_uid="letter_frozen_save")
def _letter_frozen_save(sender, instance: Letter, **kwargs) -> None:
    if _frozen(instance.pk):
        raise LetterFrozen()


@receiver(pre_delete, sender=Letter, dispatch_uid="letter_frozen_delete")
def _letter_frozen_delete(sender, instance: Letter, **kwargs) -> None:
    if _frozen(instance.pk):
        raise LetterFrozen()


@receiver(pre_save, sender=LetterItem, dispatch_uid="letter_item_frozen_save")
@receiver(pre_delete, sender=LetterItem, dispatch_uid="letter_item_frozen_delete")
def _letter_item_frozen(sender, instance: LetterItem, **kwargs) -> None:
    if _frozen(instance.letter_id):
        raise LetterFrozen()
