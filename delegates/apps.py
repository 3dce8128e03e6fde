from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DelegatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "delegates"
    verbose_name = gettext_lazy("Delegates, companies and sessions")
