from django.apps import AppConfig


class IomConfig(AppConfig):
    # This app's sheets, demo steps and hooks are declared in monitoring/config/extensions.py.
    name = "iom"
    verbose_name = "ИОМ и программы ДПО"
