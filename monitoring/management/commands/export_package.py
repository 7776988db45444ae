"""python manage.py export_package --period Y PATH"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from monitoring.intake.package.exporter import package_export
from monitoring.models import MonitoringPeriod


class Command(BaseCommand):
    help = "Выгрузить пакет данных периода: .xlsx, .zip с CSV или папка CSV."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--period", type=int, required=True)

    def handle(self, *args, path, period, **options):
        try:
            monitoring_period = MonitoringPeriod.objects.get(year=period)
        except MonitoringPeriod.DoesNotExist as exc:
            raise CommandError(f"Периода {period} года в портале нет.") from exc
        names = package_export(period=monitoring_period, path=path)
        self.stdout.write(self.style.SUCCESS(f"Выгружено листов: {len(names)} → {path}"))
