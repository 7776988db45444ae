from django.apps import AppConfig


class DeficitsConfig(AppConfig):
    name = "deficits"
    verbose_name = "Профессиональные дефициты"

    def ready(self) -> None:
        from deficits.demo import seed_diagnostics
        from monitoring.demo import DEMO_STEPS

        if seed_diagnostics not in DEMO_STEPS:
            DEMO_STEPS.append(seed_diagnostics)
