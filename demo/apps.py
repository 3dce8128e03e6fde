from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DemoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = gettext_lazy("Real and generated data")
