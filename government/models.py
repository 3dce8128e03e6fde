"""The government's side: the priorities each year's Government Work Report names.

The State Council's report, read by the Premier at the NPC's opening, sets the year's
priorities. A priority is tagged with the proposals' own topics, so that proposals on
them can be shown as echoing it (stats/echo.py); an echo is a shared topic, never a
cause.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Prefetch
from django.db.models.signals import post_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from delegates.models import AnnualSession
from proposals.models import Source
from topics.models import Topic


class GovernmentPriorityQuerySet(models.QuerySet["GovernmentPriority"]):
    def visible(self) -> GovernmentPriorityQuerySet:
        """Priorities of sessions the public site shows (generated sessions stay hidden)."""
        return self.filter(session__in=AnnualSession.objects.visible())

    def in_year(self, year: int) -> GovernmentPriorityQuerySet:
        return self.filter(session_id=year)

    def for_display(self) -> GovernmentPriorityQuerySet:
        """Everything a page shows of a priority: its topics and sources, in one query each."""
        return self.prefetch_related(
            Prefetch("topics", queryset=Topic.objects.select_related("parent").order_by("name")),
            Prefetch("sources", queryset=Source.objects.order_by("pk")),
        ).order_by("session_id", "pk")


class GovernmentPriority(models.Model):
    session = models.ForeignKey(AnnualSession, on_delete=models.PROTECT, related_name="priorities")
    text_en = models.CharField(
        "priority (English)", max_length=500, help_text="As the report words it, in English."
    )
    text_zh = models.CharField(
        "priority (Chinese)", max_length=500, blank=True, help_text="The report's own words."
    )
    topics = models.ManyToManyField(
        Topic,
        related_name="priorities",
        help_text="The proposals' topics it matches. A top-level topic covers its sub-topics.",
    )
    first_named = models.BooleanField(
        "named for the first time",
        default=False,
        help_text="Only when a source says the report named it for the first time that year.",
    )
    sources = models.ManyToManyField(Source, related_name="priorities")

    objects = GovernmentPriorityQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=["topics", "sources"])

    class Meta:
        ordering = ["session_id", "id"]
        verbose_name = "government priority"
        verbose_name_plural = "government priorities"
        permissions = [("import_priorities", "Can import government priorities from a file")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "text_en"],
                name="priority_unique_text_per_session",
                violation_error_message="This session already has this priority.",
            ),
            models.CheckConstraint(condition=~models.Q(text_en=""), name="priority_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.text_en}"

    @property
    def text(self) -> str:
        """The English text under the name `{% localized priority "text" %}` reads
        (beside `text_zh`)."""
        return self.text_en


@receiver(post_save, sender=GovernmentPriority)
def _no_version_for_fixture_links(
    sender: type[GovernmentPriority], instance: GovernmentPriority, raw: bool, **kwargs: Any
) -> None:
    """As for proposals: loaddata sets a raw-saved priority's topics and sources one after
    the other, and a version holding half of them would be recorded. Loaded data gets its
    first version on its first change."""
    if raw:
        instance.skip_history_when_saving = True
