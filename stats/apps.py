from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stats"
    verbose_name = gettext_lazy("Counts and trends")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects every receiver, see its docstring)
