from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from monitoring.shared import sqlite

        connection_created.connect(sqlite.install, dispatch_uid="monitoring.shared.sqlite.like")
        # The monitoring sheets join the data-package registry; later apps add theirs.
        from monitoring.package import sheets  # noqa: F401
