"""python manage.py annual_report --period Y --out FILE.pdf [--xlsx FILE.xlsx]: the annual report from the shell."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.models import MonitoringPeriod
from reports.annual import annual_build


class Command(BaseCommand):
    help = "Формирует годовой отчет за период: PDF и (по желанию) таблицы .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, required=True, help="год периода мониторинга")
        parser.add_argument("--out", required=True, help="куда записать PDF")
        parser.add_argument("--xlsx", help="куда записать таблицы .xlsx")

    def handle(self, *args, period, out, xlsx=None, **options):
        found = MonitoringPeriod.objects.filter(year=period).first()
        if found is None:
            raise CommandError(f"Периода {period} нет.")
        started = time.perf_counter()
        built = annual_build(period=found)
        Path(out).write_bytes(built.pdf)
        if xlsx:
            Path(xlsx).write_bytes(built.xlsx)
        self.stdout.write(
            f"Отчет за {period} год: {out} ({built.pages} стр.)"
            + (f", {xlsx}" if xlsx else "")
            + f" — {time.perf_counter() - started:.1f} с"
        )
