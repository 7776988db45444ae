from django.apps import AppConfig


class DeficitsConfig(AppConfig):
    name = "deficits"
    verbose_name = "Профессиональные дефициты"
