from django.apps import AppConfig


class DeficitsConfig(AppConfig):
    name = "deficits"
    verbose_name = "Профессиональные дефициты"

    def ready(self) -> None:
        # The `Диагностика` sheet joins the data-package registry.
        from deficits import sheets  # noqa: F401
