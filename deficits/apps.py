from django.apps import AppConfig


class DeficitsConfig(AppConfig):
    # This app's sheets, demo steps and hooks are declared in monitoring/config/extensions.py.
    name = "deficits"
    verbose_name = "Профессиональные дефициты"

    def ready(self) -> None:
        # Imported here, not at the top: the shipped questionnaires' submission hooks register
        # themselves at import (deficits.questionnaire.hooks.register) and need the models loaded.
        from deficits.questionnaire import shipped  # noqa: F401
