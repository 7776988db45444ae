"""The demo parts of the apps to the right of monitoring, registered from their AppConfig.ready.

monitoring imports nothing from those apps: they append their seeding step and their
reset counterpart here, and seed_demo runs whatever is registered.
"""

from __future__ import annotations

from collections.abc import Callable

# Demo steps of the apps to the right of monitoring, registered from their AppConfig.ready
# (monitoring imports nothing from them): step(*, periods, seed, log) -> {model name: rows}.
DEMO_STEPS: list[Callable[..., dict[str, int]]] = []
# Their reset counterparts: wipe() -> {model name: rows deleted}, run before the
# monitored world is deleted (rows not tied to a teacher, such as a program catalog,
# would otherwise outlive the reset and clash with the new demo).
DEMO_WIPES: list[Callable[[], dict[str, int]]] = []
