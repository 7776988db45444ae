"""python manage.py import_package PATH --period Y [--replace] [--dry-run]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from monitoring.intake.package.importer import package_import
from monitoring.services import period_create


class Command(BaseCommand):
    help = "Загрузить пакет данных мониторинга (.xlsx, .xls, .ods, .zip или папка CSV) за период."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--period", type=int, required=True, help="год периода мониторинга")
        parser.add_argument("--replace", action="store_true", help="удалить записи периода, которых нет в пакете")
        parser.add_argument("--dry-run", action="store_true", help="только проверить и показать, что изменится")

    def handle(self, *args, path, period, replace, dry_run, **options):
        monitoring_period = period_create(year=period)
        bar = tqdm(total=0, desc="Загрузка", unit="лист", disable=options["verbosity"] == 0, file=self.stderr)

        def progress(sheet: str, done: int, total: int) -> None:
            bar.total = total
            bar.set_postfix_str(sheet)
            bar.update(1)

        result = package_import(
            source=path, period=monitoring_period, replace=replace, dry_run=dry_run, progress=progress
        )
        bar.close()
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Предупреждение. {warning}"))
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Пакет не загружен: найдено ошибок — {len(result.problems)}. Данные не изменены.")
        self.stdout.write(f"{'Лист':<32} {'добавлено':>10} {'изменено':>10} {'удалено':>10} {'без изменений':>14}")
        for name, counts in result.sheets.items():
            self.stdout.write(
                f"{name:<32} {counts.added:>10} {counts.changed:>10} {counts.removed:>10} {counts.unchanged:>14}"
            )
        verb = "Проверено (изменения не сохранены)" if dry_run else "Загружено"
        self.stdout.write(self.style.SUCCESS(f"{verb}: строк {result.rows_read} за {result.seconds:.1f} с."))
