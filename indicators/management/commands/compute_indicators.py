"""Compute a period's indicators: the same run the period page starts, with a progress bar."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from indicators.models import ComputationRun, RunStatus, RunTrigger
from indicators.services import ClosedPeriod, computation_start
from monitoring.models import MonitoringPeriod
from monitoring.shared import dispatch


class Command(BaseCommand):
    help = "Рассчитать показатели периода (через Celery; во встроенном режиме — здесь же)."

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, required=True, help="год периода")
        parser.add_argument("--timeout", type=int, default=3600, help="сколько ждать завершения, с")

    def handle(self, *args, period: int, timeout: int, **options):
        found = MonitoringPeriod.objects.filter(year=period).first()
        if found is None:
            raise CommandError(f"Периода {period} нет.")
        try:
            with dispatch.watch() as queue:
                run = computation_start(period=found, trigger=RunTrigger.COMMAND)
        except ClosedPeriod as exc:
            raise CommandError(str(exc)) from exc
        if queue.down:
            # Nothing to wait for: the run is saved and starts when the queue is back.
            raise CommandError(f"Расчет №{run.pk}: {dispatch.QUEUE_DOWN_MESSAGE}")
        deadline = time.monotonic() + timeout
        with tqdm(total=1, desc="Расчет показателей", unit="шаг", disable=options["verbosity"] == 0) as bar:
            while True:
                run = ComputationRun.objects.get(pk=run.pk)
                if run.steps_total:
                    bar.total = run.steps_total
                    bar.n = run.steps_done
                    bar.refresh()
                if run.status in (RunStatus.DONE, RunStatus.FAILED):
                    break
                if time.monotonic() > deadline:
                    raise CommandError(f"Расчет №{run.pk} не завершился за {timeout} с; он продолжается в фоне.")
                time.sleep(0.5)
        if run.status == RunStatus.FAILED:
            raise CommandError(f"Расчет №{run.pk} завершился с ошибкой: {run.error}")
        timings = ", ".join(f"{k}: {v:.2f} с" for k, v in sorted(run.timings.items()))
        self.stdout.write(f"Расчет №{run.pk}: {run.values_written} значений за {run.seconds:.2f} с ({timings}).")
