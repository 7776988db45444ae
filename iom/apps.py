from django.apps import AppConfig


class IomConfig(AppConfig):
    name = "iom"
    verbose_name = "ИОМ и программы ДПО"

    def ready(self) -> None:
        # The catalog and route sheets join the data-package registry; the demo gains
        # its catalog, enrollments and routes after the diagnostics step.
        from iom.demo import seed_iom, wipe_iom
        from monitoring.demo import DEMO_STEPS, DEMO_WIPES

        if seed_iom not in DEMO_STEPS:
            DEMO_STEPS.append(seed_iom)
        if wipe_iom not in DEMO_WIPES:
            DEMO_WIPES.append(wipe_iom)
