from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ProposalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "proposals"

    def ready(self) -> None:
        from topics.models import Topic
        from topics.selectors import forget_topic_tree

        # The cached topic tree must follow every topic edit, from any write path.
        for signal in (post_save, post_delete):
            signal.connect(forget_topic_tree, sender=Topic, dispatch_uid=f"topic-tree-{signal}")

        from . import checks, signals  # noqa: F401  (registers checks, connects receivers)
