from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from monitoring.shared import sqlite

        connection_created.connect(sqlite.install, dispatch_uid="monitoring.shared.sqlite.like")

        # The monitoring sheets join the data-package registry; later apps add theirs.
        # Uploads and exports left waiting by a broker outage are sent again when it is back;
        # importing intake's tasks here also registers them in every worker (Celery's
        # autodiscovery reads only monitoring.tasks).
        from monitoring.intake.package import sheets  # noqa: F401
        from monitoring.intake.tasks import waiting_imports_and_exports
        from monitoring.shared.dispatch import WAITING_FINDERS

        if waiting_imports_and_exports not in WAITING_FINDERS:
            WAITING_FINDERS.append(waiting_imports_and_exports)
