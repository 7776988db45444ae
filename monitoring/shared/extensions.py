"""The portal's extension points: one closed registry of named stores.

A lower room must sometimes start work that belongs to a higher app — an applied import
schedules the indicators' computation, a finished computation produces the findings of
``reports`` — without importing it (that would point the layers the wrong way). So the
lower room asks this registry for the entries of a *store*, and the entries are declared in
one file, ``monitoring/config/extensions.py`` (the setting ``PORTAL_EXTENSIONS``), each
under its own name, in the order they run. "What runs after X" is answered by reading that
file; nothing is filled in from ``AppConfig.ready()``.

The stores are closed (NetBox's ``netbox/registry.py`` has the same rule): a store this
module does not know is a configuration error, found at start by the system check below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

# Each store, and what its entries are and receive.
STORES: Mapping[str, str] = {
    "import_applied": "called with the ImportJob once its rows are written (ImportJob, after commit)",
    "run_done": "called with the ComputationRun when an indicator computation finishes",
    "letter_issued": "called with the Letter once it is registered and sent",
    "route_commented": "called with the RouteComment once it is stored (after commit)",
    "route_reviewed": "called with the RouteEvent of a head's decision on a route (after commit)",
    "waiting_work": "finders of work left queued by a broker outage: (since, until) -> (task, args) pairs",
    "sheets": "the data package's sheet classes; the registry instantiates each once",
    "code_namespaces": "functions period -> (code, id) pairs a sheet's code columns are looked up in",
    "demo_steps": "steps of the demo builder after the core's own, in order: (rng, region, ...) -> counts",
    "demo_wipes": "wipes run before the core's demo data are deleted, in order: () -> counts",
    "home_todos": "lines of a role's home page: (user=, period=, today=) -> list of monitoring.shared.todo.Todo",
    "catalog_loaded": "called in the transaction that stores an indicator catalog file: (catalog=, texts=[...])",
    "catalog_dumped": "texts an exported indicator catalog file carries: (catalog=) -> list of text dicts",
    "period_sections": "sections of a period's page from the apps above: (period=, user=) -> safe HTML ('' for none)",
    "survey_targets": "targets of survey campaigns whose data live above deficits: TargetKind value -> target object",
}


def declared(store: str) -> Mapping[str, str]:
    """The entries of ``store`` as declared: name -> dotted path, in order."""
    if store not in STORES:
        raise ImproperlyConfigured(f"Unknown extension store {store!r}; known: {', '.join(STORES)}")
    return settings.PORTAL_EXTENSIONS.get(store, {})


@functools.cache
def _resolve(items: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {name: import_string(path) for name, path in items}


def entries(store: str) -> dict[str, Any]:
    """The entries of ``store``, imported: name -> object, in the declared order.

    Cached by the declaration itself, so a test that overrides ``PORTAL_EXTENSIONS`` sees its
    own entries and the next test the project's again.
    """
    return _resolve(tuple(declared(store).items()))


def run(store: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Call every entry of ``store`` in order with the same arguments; their results, in order."""
    results = []
    for hook in entries(store).values():
        results.append(hook(*args, **kwargs))
    return results


def callables(store: str) -> list[Callable[..., Any]]:
    return list(entries(store).values())


@checks.register()
def check_extensions(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every declared store is known and every entry imports (a typo fails at start, not at 2 a.m.)."""
    problems: list[checks.CheckMessage] = []
    for store, items in getattr(settings, "PORTAL_EXTENSIONS", {}).items():
        if store not in STORES:
            problems.append(checks.Error(f"Unknown extension store {store!r}", id="monitoring.E101"))
            continue
        for name, path in items.items():
            try:
                import_string(path)
            except ImportError as error:
                problems.append(
                    checks.Error(f"Extension {store}.{name} = {path!r} does not import: {error}", id="monitoring.E102")
                )
    return problems
