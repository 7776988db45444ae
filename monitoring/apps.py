from django.apps import AppConfig
from django.db.backends.signals import connection_created

# extensions registers its system check (every declared entry imports) on import.
from monitoring.shared import extensions, sqlite  # noqa: F401


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self) -> None:
        # SQLite (the embedded default) gets a case-insensitive LIKE for Cyrillic on each connection.
        connection_created.connect(sqlite.install, dispatch_uid="monitoring.shared.sqlite.like")
        # Imported here, not at the top: it reads the collation's name from monitoring.models, which
        # cannot load before the app registry is ready.
        from monitoring.shared import collation

        # ... and the natural Russian collation the name columns use (PostgreSQL has it from a migration).
        connection_created.connect(collation.install, dispatch_uid="monitoring.shared.collation.ru_natural")
