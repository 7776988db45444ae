"""`manage.py seed_demo`: load the demo region (see monitoring.demo)."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand

from monitoring.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, SIZES, seed_demo


class Command(BaseCommand):
    help = (
        "Создает демонстрационные данные: Волгоградская область, два периода мониторинга "
        "и учетные записи для каждой роли. Если демо-регион уже есть, ничего не делает."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=list(SIZES),
            default="small",
            help="small — несколько секунд; region — вся область (~30 тыс. педагогов); "
            "largest — крупнейший регион страны (~100 тыс. педагогов); national — ~1 млн педагогов для "
            "нагрузочных проверок",
        )
        parser.add_argument("--seed", type=int, default=1, help="одинаковый seed — одинаковые данные")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="сначала удалить все данные мониторинга (и пользователей, привязанных к ним)",
        )

    def handle(self, *args, size: str, seed: int, reset: bool, verbosity: int, **options):
        progress = self.stdout if verbosity >= 1 else None
        result = seed_demo(size=size, seed=seed, reset=reset, stdout=progress)
        if result.skipped:
            self.stdout.write(self.style.WARNING(result.message))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Демо-данные «{size}» созданы за {result.elapsed_seconds:.1f} с, "
                    f"строк: {_number(result.total_rows)}"
                )
            )
            # Counts are keyed by model name; the later apps' demo steps add their models.
            labels = {m.__name__: m._meta.verbose_name_plural for m in apps.get_models()}
            for name, count in result.counts.items():
                label = labels.get(name, name)
                self.stdout.write(f"  {label}: {_number(count)}")
        self._print_accounts()

    def _print_accounts(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Демо-входы (пароль у всех: {DEMO_PASSWORD}):")
        width = max(len(username) for username, _, _ in DEMO_ACCOUNTS)
        for username, _, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username.ljust(width)}  {DEMO_PASSWORD}  {description}")


def _number(count: int) -> str:
    return f"{count:,}".replace(",", " ")  # thousands grouped the Russian way
