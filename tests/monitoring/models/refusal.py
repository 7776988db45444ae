"""Every invariant of the monitored world is refused with a clear Russian message.

Each case builds an object that breaks one rule and checks two doors: model
validation (what forms and the admin run) names the rule in Russian, and the database
itself refuses the row when validation is bypassed.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def refused(obj, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    assert message in str(excinfo.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
