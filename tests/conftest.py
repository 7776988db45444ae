"""Fixtures shared by the whole suite: fixed people per role, and Celery's mode.

The people (Healthchecks style): an institute analyst, a ministry official, a
municipal official of municipality M1, the head of school A (in M1), the head of
school B (in M2) and a teacher of school A. School C is a second school of M1, so a
municipal official sees two schools and a school head one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.core.cache.backends.locmem import LocMemCache

from monitoring import models
from tests import factories


def pytest_collection_modifyitems(config, items):
    # Tests marked celery_worker need a real broker, tests marked postgresql the real
    # database; on the embedded default they are deselected, not skipped, and .ci/run
    # runs them against Redis and PostgreSQL.
    need = set()
    if not os.environ.get("REDIS_URL"):
        need.add("celery_worker")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        need.add("postgresql")
    if not os.environ.get("E2E"):
        need.add("e2e")  # browser journeys against a served portal: `make e2e`
    if not need:
        return
    kept, dropped = [], []
    for item in items:
        (dropped if any(item.get_closest_marker(m) for m in need) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2's deliberate slowness costs seconds per fixed person; tests need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# API throttling counts requests in the cache; each test starts with fresh counts of its own
# (a shared Redis cache under CI must not be flushed: it carries the broker's work too).
_THROTTLE_CACHE = LocMemCache("tests-api-throttle", {})


@pytest.fixture(autouse=True)
def _fresh_api_throttles(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    _THROTTLE_CACHE.clear()
    monkeypatch.setattr(SimpleRateThrottle, "cache", _THROTTLE_CACHE)


@pytest.fixture(autouse=True)
def _celery_eager(request, settings):
    """Run tasks in-process (in the caller, not a background thread) unless the test drives a real worker."""
    from monitoring.config.celery import app

    settings.EAGER_TASKS_IN_BACKGROUND = False
    eager = request.node.get_closest_marker("celery_worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


class Beside:
    """Work the embedded default would run in a thread beside the request, kept until the test runs it."""

    def __init__(self):
        self.pending: list[tuple[str, object]] = []

    def __call__(self, work, *, name: str) -> None:
        self.pending.append((name, work))

    def run(self) -> int:
        done = 0
        while self.pending:
            self.pending.pop(0)[1]()
            done += 1
        return done


@pytest.fixture
def beside(settings, monkeypatch) -> Beside:
    """The embedded default's background threads (monitoring.shared.dispatch.send_beside_on_commit), held.

    A real thread would open its own connection outside the test's transaction: the test runs
    the held work when it chooses, and sees that the request did not.
    """
    from monitoring.shared import dispatch

    settings.EAGER_TASKS_IN_BACKGROUND = True
    held = Beside()
    monkeypatch.setattr(dispatch, "run_beside", held)
    return held


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def on_commit_now(monkeypatch):
    """Run on-commit callbacks where they are scheduled.

    The test's transaction never commits, so jobs sent on commit (an import's check and
    apply, a computation) would never start; the doors run in autocommit, where they
    start inside the request, as they do here.
    """
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


@dataclass
class World:
    period: models.MonitoringPeriod
    m1: models.Municipality
    m2: models.Municipality
    school_a: models.School
    school_b: models.School
    school_c: models.School
    teacher_a: models.Teacher
    teacher_b: models.Teacher
    teacher_c: models.Teacher
    analyst: models.User
    ministry: models.User
    municipal: models.User
    head_a: models.User
    head_b: models.User
    teacher: models.User
    # A ЦНППМ curator assigned to teacher A (not in ``people``: suites written for the six
    # roles keep their shape; the access matrix and the scoping tests add the curator).
    curator: models.User

    @property
    def people(self) -> dict[str, models.User]:
        return {
            "analyst": self.analyst,
            "ministry": self.ministry,
            "municipal": self.municipal,
            "head_a": self.head_a,
            "head_b": self.head_b,
            "teacher": self.teacher,
        }


@pytest.fixture
def world(db) -> World:
    period = factories.PeriodFactory(year=2025)
    m1 = factories.MunicipalityFactory(code="01", name="Алексеевский муниципальный район")
    m2 = factories.MunicipalityFactory(code="02", name="Быковский муниципальный район")
    school_a = factories.SchoolFactory(municipality=m1, code="000001", name="МКОУ «Алексеевская СШ»")
    school_c = factories.SchoolFactory(municipality=m1, code="000003", name="МКОУ «Аржановская СШ»")
    school_b = factories.SchoolFactory(municipality=m2, code="000002", name="МКОУ «Быковская СШ № 1»")
    teacher_a = factories.TeacherFactory(code="T0000001", full_name="Петрова Анна Ивановна")
    teacher_b = factories.TeacherFactory(code="T0000002", full_name="Сидоров Павел Олегович", sex="М")
    teacher_c = factories.TeacherFactory(code="T0000003", full_name="Кузнецова Ольга Сергеевна")
    for teacher, school in ((teacher_a, school_a), (teacher_b, school_b), (teacher_c, school_c)):
        factories.RosterEntryFactory(period=period, teacher=teacher, school=school)
    make = factories.UserFactory
    curator = make(username="curator", role=models.Role.CURATOR, is_staff=False)
    models.CuratorAssignment.objects.create(curator=curator, teacher=teacher_a)
    return World(
        period=period,
        m1=m1,
        m2=m2,
        school_a=school_a,
        school_b=school_b,
        school_c=school_c,
        teacher_a=teacher_a,
        teacher_b=teacher_b,
        teacher_c=teacher_c,
        analyst=make(username="analyst", role=models.Role.ANALYST),
        ministry=make(username="ministry", role=models.Role.MINISTRY),
        municipal=make(username="municipal", role=models.Role.MUNICIPAL, municipality=m1),
        head_a=make(username="head_a", role=models.Role.SCHOOL_HEAD, school=school_a),
        head_b=make(username="head_b", role=models.Role.SCHOOL_HEAD, school=school_b),
        teacher=make(username="teacher", role=models.Role.TEACHER, teacher=teacher_a, is_staff=False),
        curator=curator,
    )
