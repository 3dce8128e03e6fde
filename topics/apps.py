from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class TopicsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "topics"
    verbose_name = gettext_lazy("Topics")
