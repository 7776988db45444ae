"""Write a period's computed indicator values as the spec's CSV to stdout."""

from django.core.management.base import BaseCommand, CommandError

from indicators.export import export_rows, period_values, write_csv
from monitoring.models import MonitoringPeriod


class Command(BaseCommand):
    help = "Выгрузить значения показателей периода в CSV (stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, required=True, help="год периода")
        parser.add_argument("--format", choices=["csv"], default="csv")

    def handle(self, *args, period: int, **options):
        found = MonitoringPeriod.objects.filter(year=period).first()
        if found is None:
            raise CommandError(f"Периода {period} нет.")
        write_csv(export_rows(period_values(found)), self.stdout)
