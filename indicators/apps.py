from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Показатели"

    def ready(self) -> None:
        # The demo computes its periods last, after the apps that feed the indicators.
        from indicators.demo import seed_indicators, wipe_indicators
        from monitoring.demo import DEMO_STEPS, DEMO_WIPES

        if seed_indicators not in DEMO_STEPS:
            DEMO_STEPS.append(seed_indicators)
        if wipe_indicators not in DEMO_WIPES:
            DEMO_WIPES.insert(0, wipe_indicators)
