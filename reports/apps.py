from django.apps import AppConfig


class ReportsConfig(AppConfig):
    # What reports does after a computation and after an issued letter, and its waiting
    # annual reports, are declared in monitoring/config/extensions.py.
    name = "reports"
    verbose_name = "Адресные рекомендации и отчеты"
