from django.apps import AppConfig


class DelegatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "delegates"
    verbose_name = "Delegates, companies and sessions"
