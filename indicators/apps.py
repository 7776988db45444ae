from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    # This app's sheets, demo steps and hooks are declared in monitoring/config/extensions.py.
    name = "indicators"
    verbose_name = "Показатели"
