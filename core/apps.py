from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = gettext_lazy("Site core")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
