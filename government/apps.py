from django.apps import AppConfig


class GovernmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "government"
    verbose_name = "Government"
