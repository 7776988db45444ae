"""A Celery broker that cannot be reached, for the tests of what happens while Redis is down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from celery.app.task import Task
from kombu.exceptions import OperationalError


@contextmanager
def broker_down(monkeypatch) -> Iterator[list[str]]:
    """Every send raises what kombu raises when Redis refuses the connection; yields the names tried."""
    tried: list[str] = []

    def refuse(self, args=None, kwargs=None, **options):
        tried.append(self.name)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(Task, "apply_async", refuse)
        yield tried
