"""The one registry of extension points: declared in config/extensions.py, run in order, checked at start."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from monitoring.config.extensions import EXTENSIONS
from monitoring.shared import extensions

CALLS: list[tuple[str, object]] = []


def first(value):
    CALLS.append(("first", value))
    return 1


def second(value):
    CALLS.append(("second", value))
    return 2


def with_store(store: str, entries: dict[str, str]):
    return override_settings(PORTAL_EXTENSIONS={**settings.PORTAL_EXTENSIONS, store: entries})


def test_the_project_declares_every_store_and_every_entry_imports():
    assert set(EXTENSIONS) == set(extensions.STORES)
    assert extensions.check_extensions() == []
    # What runs after an applied import is one entry away, and it is the indicators' schedule.
    from indicators.services import computation_schedule_after_import

    assert extensions.callables("import_applied") == [computation_schedule_after_import]


def test_entries_run_in_the_declared_order_with_the_same_arguments():
    CALLS.clear()
    here = __name__
    with with_store("run_done", {"b": f"{here}.second", "a": f"{here}.first"}):
        assert extensions.run("run_done", "x") == [2, 1]
    assert CALLS == [("second", "x"), ("first", "x")]
    # The project's own entries are back once the override ends (the cache is keyed by the declaration).
    assert [f.__name__ for f in extensions.callables("run_done")] == ["findings_after_run"]


def test_an_unknown_store_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="Unknown extension store 'after_lunch'"):
        extensions.entries("after_lunch")
    with override_settings(PORTAL_EXTENSIONS={**settings.PORTAL_EXTENSIONS, "after_lunch": {}}):
        assert [e.id for e in extensions.check_extensions()] == ["monitoring.E101"]


def test_a_path_that_does_not_import_stops_the_start():
    with with_store("letter_issued", {"typo": "reports.notices.notify_leter_issued"}):
        problems = extensions.check_extensions()
    assert [p.id for p in problems] == ["monitoring.E102"]
    assert "letter_issued.typo" in problems[0].msg


def test_the_package_sheets_come_from_the_store_in_its_order():
    from monitoring.intake.package import registry

    declared = [cls.__name__ for cls in extensions.callables("sheets")]
    assert declared[0] == "RegionSheet" and declared[-1] == "ActivitySheet"
    assert [type(s).__name__ for s in registry._registered().values()][: len(declared)] == declared
