"""The state of one demo run: its generator, its writer and what the steps share.

One random generator drives the whole run, so the same seed gives the same region; the
steps draw from it in a fixed order. The state also keeps what later steps need from
earlier ones (periods, region-wide projects and associations) and the anchors of the
demo accounts, found while building.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from monitoring import models
from monitoring.demo.geography import Muni, School, SizeSpec
from monitoring.demo.names import NamePools
from monitoring.demo.workforce import Person
from monitoring.demo.writer import BATCH_SIZE, Writer


class DemoRun:
    """Everything one run of the builder shares: seeded once, handed to every step."""

    def __init__(self, *, spec: SizeSpec, seed: int, log: Callable[[str], None]):
        self.spec = spec
        self.seed = seed
        self.rng = random.Random(seed)
        self.log = log
        self.names = NamePools(seed)
        self.writer = Writer(BATCH_SIZE)
        self.school_seq = 0
        self.tz = timezone.get_default_timezone()
        self.periods: list[models.MonitoringPeriod] = []
        self.refs: list[dt.date] = []
        self.munis: list[Muni] = []
        self.projects: list[list[int]] = []
        self.regional: list[dict[str, int]] = []
        self.regional_p = 0.0
        # Associations whose head is written (their first member written: associations.add_member).
        self.headed: set[int] = set()
        self.events: list[models.SubmissionEvent] = []
        # Anchors of the demo accounts, found while building.
        self.head_school: School | None = None
        self.head2_school: School | None = None
        self.demo_teacher: Person | None = None
