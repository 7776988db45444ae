from django.apps import AppConfig


class DeficitsConfig(AppConfig):
    # This app's sheets, demo steps and hooks are declared in monitoring/config/extensions.py.
    name = "deficits"
    verbose_name = "Профессиональные дефициты"
