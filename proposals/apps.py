from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ProposalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "proposals"
    verbose_name = gettext_lazy("Proposals")

    def ready(self) -> None:
        from . import search_index

        search_index.connect()  # keeps the search rows true on every write path
