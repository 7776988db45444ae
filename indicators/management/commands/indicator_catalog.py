"""Indicator catalogs from the command line: load a file, export one, adopt one into a period, list them.

    manage.py indicator_catalog load fixtures/indicator_catalogs/zhirnovsk-2022.json
    manage.py indicator_catalog load --shipped
    manage.py indicator_catalog export zhirnovsk-2022 -o zhirnovsk.json
    manage.py indicator_catalog adopt zhirnovsk-2022 --year 2025
    manage.py indicator_catalog list

A door: every subcommand calls the service the builder's pages call
(indicators.declarative.files / services / shipped), as the operator (no user).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.declarative.files import catalog_dumps, catalog_load
from indicators.declarative.services import DefinitionRefused, catalog_adopt
from indicators.declarative.shipped import shipped_catalogs_load
from indicators.declarative.spec import DefinitionInvalid
from indicators.models import IndicatorCatalog
from monitoring.models import MonitoringPeriod


class Command(BaseCommand):
    help = "Наборы показателей, заданных институтом: загрузить файл, выгрузить, принять в период, перечислить."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="загрузить набор из файла (или все поставляемые: --shipped)")
        load.add_argument("file", nargs="?", help="файл набора (JSON)")
        load.add_argument("--shipped", action="store_true", help="все наборы из fixtures/indicator_catalogs")
        load.add_argument("--replace", action="store_true", help="заменить набор с тем же обозначением")
        export = sub.add_parser("export", help="выгрузить набор в файл (или в stdout)")
        export.add_argument("slug")
        export.add_argument("-o", "--output", help="файл; без него — stdout")
        adopt = sub.add_parser("adopt", help="принять набор в открытый период")
        adopt.add_argument("slug")
        adopt.add_argument("--year", type=int, required=True, help="год периода")
        adopt.add_argument("--no-compute", action="store_true", help="не запускать расчет")
        sub.add_parser("list", help="перечислить наборы")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except DefinitionInvalid as exc:
            raise CommandError("Набор не принят:\n" + "\n".join(f"  {e}" for e in exc.errors)) from exc
        except DefinitionRefused as exc:
            raise CommandError(str(exc)) from exc

    def _catalog(self, slug: str) -> IndicatorCatalog:
        catalog = IndicatorCatalog.objects.filter(slug=slug).first()
        if catalog is None:
            raise CommandError(f"Набора «{slug}» нет; загрузите его: indicator_catalog load <файл>.")
        return catalog

    def _load(self, *, file: str | None, shipped: bool, **options):
        if shipped:
            for item in shipped_catalogs_load(user=None):
                state = "загружен" if item.loaded else "без изменений"
                self.stdout.write(f"{item.slug}: {state}")
            return
        if not file:
            raise CommandError("Укажите файл набора или --shipped.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Файла {file} нет.")
        catalog = catalog_load(data=path.read_bytes(), user=None, replace=options.get("replace", False))
        self.stdout.write(f"{catalog.slug}: загружен, показателей {catalog.indicators.count()}")

    def _export(self, *, slug: str, output: str | None, **options):
        data = catalog_dumps(self._catalog(slug))
        if output:
            Path(output).write_bytes(data)
            self.stdout.write(f"{slug}: выгружен в {output}")
        else:
            self.stdout.write(data.decode())

    def _adopt(self, *, slug: str, year: int, no_compute: bool, **options):
        catalog = self._catalog(slug)
        period = MonitoringPeriod.objects.filter(year=year).first()
        if period is None:
            raise CommandError(f"Периода {year} нет.")
        added = catalog_adopt(period=period, catalog=catalog, user=None, compute=not no_compute)
        tail = "" if no_compute else "; расчет запущен"
        self.stdout.write(f"{slug}: в период {year} принято показателей {added}{tail}")

    def _list(self, **options):
        for catalog in IndicatorCatalog.objects.order_by("slug"):
            self.stdout.write(f"{catalog.slug}\t{catalog.indicators.count()}\t{catalog.title}")
