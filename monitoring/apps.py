from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self) -> None:
        # The monitoring sheets join the data-package registry; later apps add theirs.
        from monitoring.package import sheets  # noqa: F401
