from django.apps import AppConfig


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stats"
    verbose_name = "Counts and trends"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects every receiver, see its docstring)
