"""Handing background work to the Celery queue so that a broker outage loses nothing.

Every door that starts background work (a computation, an import's check or apply, an
export, the annual report) first saves a row in its waiting state, then sends the
task through :func:`send_on_commit`. When the broker (Redis) is down the send fails
fast (bounded retries, no wait on the result store), is logged, and the row simply
stays waiting; the door learns of it through :func:`watch` and tells the user that the
task is saved. :func:`redispatch_waiting` (every minute on celery beat, and when a
worker starts) sends again whatever is still waiting, so the work runs once the broker
is back. The tasks are idempotent, so a second send of work already queued is harmless.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from monitoring.shared import extensions

log = logging.getLogger(__name__)

QUEUE_DOWN_MESSAGE = (
    "Очередь задач временно недоступна: задача сохранена и будет запущена автоматически, когда очередь восстановится."
)

# A few quick attempts (about half a second in all) before the door answers; the
# defaults would keep a page waiting, and the result store's pub/sub many seconds more.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.25, "interval_max": 0.25}

# Work younger than this may still be on its way to a worker: it is not sent again.
WAITING_AFTER = dt.timedelta(minutes=1)
# Work older than this that still waits is not a queue outage but a job that fails
# every time (it would be sent again forever): it is left for an administrator.
GIVE_UP_AFTER = dt.timedelta(days=1)
# One re-send per item in this window, so work waiting behind a long queue is not
# multiplied every minute (each copy would be a no-op, but would still take a turn).
RESEND_EVERY = 10 * 60

# Where waiting work is found: the store ``waiting_work`` of config/extensions.py (this
# module imports no app's models or tasks): finder(window) yields (task, args) for rows
# still in their waiting state and created within ``window`` (oldest, newest):
# ``created_at__range=window``.


@dataclass
class Watch:
    """What the sends of one door's request came to."""

    failed: list[str] = field(default_factory=list)

    @property
    def down(self) -> bool:
        return bool(self.failed)


_current: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("dispatch_watch", default=None)


@contextmanager
def watch() -> Iterator[Watch]:
    """Collect the failed sends of the block (the door's service call, its on-commit sends included).

    The doors run in autocommit, so the on-commit sends happen before the block ends.
    """
    collected = Watch()
    token = _current.set(collected)
    try:
        yield collected
    finally:
        _current.reset(token)


def send(task, args: tuple = (), *, countdown: int | None = None) -> bool:
    """Send ``task`` now; False (logged, and noted for the door) when the broker cannot be reached."""
    try:
        # ignore_result: nobody waits on these results, and subscribing to them would
        # make a send hang on the result store's own reconnection loop.
        task.apply_async(args, countdown=countdown, ignore_result=True, retry=True, retry_policy=RETRY_POLICY)
    except BrokerError as exc:  # kombu's wrapper of every connection failure to the broker
        log.warning("queue unavailable: %s%r stays waiting and will be sent again (%s)", task.name, args, exc)
        collected = _current.get()
        if collected is not None:
            collected.failed.append(task.name)
        return False
    return True


def send_on_commit(task, args: tuple = (), *, countdown: int | None = None) -> None:
    """Send once the caller's transaction commits, so the worker finds the row it is given."""
    transaction.on_commit(lambda: send(task, args, countdown=countdown))


# The thread waits this long before it works: the request that started it answers first instead of
# sharing the interpreter with the work (the pages poll every 2 s, so nobody sees the wait).
BESIDE_DELAY = 0.5


def _in_thread(work: Callable[[], object], *, name: str) -> None:
    """Run ``work`` in a daemon thread of this process, with its own database connections, closed after."""

    def run() -> None:
        try:
            time.sleep(BESIDE_DELAY)
            work()
        except Exception:
            log.exception("%s, run beside the request, failed", name)
        finally:
            connections.close_all()  # this thread's connections only: Django keeps them per thread

    threading.Thread(target=run, name=name, daemon=True).start()


# How the embedded default runs work beside a request (the tests' ``beside`` fixture holds it back).
run_beside: Callable[..., None] = _in_thread


def send_beside_on_commit(task, args: tuple = (), *, name: str) -> None:
    """Start ``task`` once the caller's transaction commits, without the request waiting for it.

    With a broker this is :func:`send_on_commit`: a worker takes it. On the embedded default
    (Celery eager, no worker) a send would run the task inside the request: a head's confirm
    waited 1.1 s for the whole import, the annual report's start 1.9 s for the build (issue 16,
    item 12). There a daemon thread of the web process runs it instead (``name`` names the
    thread), and the page follows the row's progress as it would a worker's. Only for work whose
    row records its own state: a thread cut short by a restart leaves the row waiting or running.
    """
    if task.app.conf.task_always_eager and settings.EAGER_TASKS_IN_BACKGROUND:
        transaction.on_commit(lambda: run_beside(lambda: task.apply(args=args), name=name))
    else:
        send_on_commit(task, args)


def redispatch_waiting(*, now: dt.datetime | None = None) -> int:
    """Send again the work still waiting a minute after it was saved; returns how many were sent."""
    now = now or timezone.now()
    window = (now - GIVE_UP_AFTER, now - WAITING_AFTER)
    sent = 0
    for finder in extensions.callables("waiting_work"):
        for task, args in finder(window):
            key = f"redispatch:{task.name}:{':'.join(map(str, args))}"
            if not cache.add(key, 1, timeout=RESEND_EVERY):
                continue
            if not send(task, args):
                cache.delete(key)
                return sent  # the broker is down again: the next round retries
            log.info("sent again waiting %s%r", task.name, args)
            sent += 1
    return sent
