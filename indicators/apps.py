from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Показатели"

    def ready(self) -> None:
        # An applied import schedules a recomputation of its period (debounced).
        from indicators.services import computation_schedule_after_import
        from monitoring.imports import APPLIED_HOOKS

        if computation_schedule_after_import not in APPLIED_HOOKS:
            APPLIED_HOOKS.append(computation_schedule_after_import)
