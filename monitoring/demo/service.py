"""seed_demo: the demo region in one transaction, or the reason it was not created."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import transaction

from monitoring import models
from monitoring.demo.accounts import create_accounts
from monitoring.demo.builder import build, demo_years
from monitoring.demo.geography import CITIES, DISTRICTS, REGION_CODE, REGION_NAME, SIZES, SizeSpec
from monitoring.demo.reset import WIPE_ORDER, wipe_all
from monitoring.demo.run import DemoRun
from monitoring.shared import extensions


@dataclass
class DemoResult:
    """What seed_demo did: rows created per model (by class name) and how long it took."""

    size: str
    seed: int
    skipped: bool = False
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def _conflict(spec: SizeSpec) -> str:
    """Why demo data cannot be added to what the database holds ('' when it can)."""
    codes = [f"{i + 1:02d}" for i in range(len(CITIES) + len(DISTRICTS))]
    if models.Municipality.objects.filter(code__in=codes).exists():
        return "в базе уже есть муниципалитеты с кодами 01–38"
    if models.School.objects.filter(code__regex=r"^[0-9]{6}$", code__lte=f"{spec.schools:06d}").exists():
        return "в базе уже есть образовательные организации с кодами демо-данных"
    if models.Teacher.objects.filter(code__regex=r"^T[0-9]{7}$").exists():
        return "в базе уже есть педагоги с кодами вида T0000001"
    earlier, later = demo_years()
    periods = models.MonitoringPeriod.objects.filter(year__in=(earlier, later))
    if models.RosterEntry.objects.filter(period__in=periods).exists():
        return f"периоды {earlier} и {later} уже содержат данные"
    return ""


def seed_demo(*, size: str = "small", seed: int = 1, reset: bool = False, stdout=None) -> DemoResult:
    """Fill the database with the demo region; a no-op when the region is already there.

    With ``reset`` everything the monitoring holds (and the users anchored in it) is
    deleted first, in one transaction with the new data. ``stdout`` (anything with
    ``write``) receives progress lines.
    """
    if size not in SIZES:
        raise ValueError(f"Неизвестный размер демо-данных {size!r}; допустимо: {', '.join(SIZES)}")
    spec = SIZES[size]
    started = time.perf_counter()

    def log(message: str) -> None:
        if stdout is not None:
            stdout.write(message if message.endswith("\n") else message + "\n")

    result = DemoResult(size=size, seed=seed)
    with transaction.atomic():
        if reset:
            result.deleted = wipe_all(log)
        elif models.Region.objects.filter(code=REGION_CODE).exists():
            result.skipped = True
            result.message = (
                f"Регион {REGION_CODE} «{REGION_NAME}» уже есть в базе, демо-данные не создавались "
                "(чтобы создать их заново, запустите с --reset)."
            )
        else:
            reason = _conflict(spec)
            if reason:
                result.skipped = True
                result.message = f"Демо-данные не создавались: {reason} (чтобы заменить всё, запустите с --reset)."
        if not result.skipped:
            log(f"Создаю демо-данные «{size}» (seed {seed})…")
            run = DemoRun(spec=spec, seed=seed, log=log)
            build(run)
            result.accounts = create_accounts(run)
            counts = run.writer.counts
            counts["User"] = len(result.accounts)
            # Parents before children, the order a reader of the summary expects.
            order = [m.__name__ for m in reversed(WIPE_ORDER)] + ["User"]
            result.counts = {name: counts[name] for name in order if counts[name]}
            # The apps to the right add their part of the demo (diagnostics, routes, …).
            for step in extensions.callables("demo_steps"):
                result.counts.update(step(periods=run.periods, seed=seed, log=log))
    result.elapsed_seconds = time.perf_counter() - started
    return result
