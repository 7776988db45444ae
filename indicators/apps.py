from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Показатели"

    def ready(self) -> None:
        # An applied import schedules a recomputation of its period (debounced).
        from indicators.services import computation_schedule_after_import
        from monitoring.intake.jobs import APPLIED_HOOKS

        if computation_schedule_after_import not in APPLIED_HOOKS:
            APPLIED_HOOKS.append(computation_schedule_after_import)

        # Runs left queued by a broker outage are sent again when it is back.
        from indicators.services import waiting_runs
        from monitoring.shared.dispatch import WAITING_FINDERS

        if waiting_runs not in WAITING_FINDERS:
            WAITING_FINDERS.append(waiting_runs)

        # The demo computes its periods last, after the apps that feed the indicators.
        from indicators.demo import seed_indicators, wipe_indicators
        from monitoring.demo import DEMO_STEPS, DEMO_WIPES

        if seed_indicators not in DEMO_STEPS:
            DEMO_STEPS.append(seed_indicators)
        if wipe_indicators not in DEMO_WIPES:
            DEMO_WIPES.insert(0, wipe_indicators)
