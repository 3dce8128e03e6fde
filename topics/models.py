"""The topic vocabulary: a two-level tree (e.g. Mobility > Battery swapping)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import PublicQuerySet

color_validator = RegexValidator(r"^#[0-9a-f]{6}$", "Use a lower-case hex colour such as #1f77b4.")


class TopicQuerySet(PublicQuerySet):
    def roots(self) -> TopicQuerySet:
        return self.filter(parent__isnull=True)

    def too_deep(self) -> TopicQuerySet:
        """Topics breaking the two-level rule (a parent that has a parent)."""
        return self.filter(parent__parent__isnull=False)


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True, db_default="")
    # The slug is part of every shared URL and of the import format: it never changes.
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
        help_text=_("Leave empty for a top-level topic. The tree has two levels."),
    )
    color = models.CharField(
        max_length=7,
        default="#4e79a7",
        validators=[color_validator],
        help_text=_("Colour used for this topic on every chart."),
        verbose_name=_("color"),
    )
    is_generated = models.BooleanField(
        default=False, editable=False, help_text=_("Generated demo data, not a real record.")
    )

    objects = TopicQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="topic_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        if self.parent_id and "parent" in self._state.fields_cache:
            return f"{self.parent.name} › {self.name}"
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The two-level rule holds for the shell and scripts too, not only for forms.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "A topic cannot be its own parent."})
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": f"“{self.parent}” is itself a sub-topic; the tree has two levels."}
            )
        if self.pk and Topic.objects.filter(parent_id=self.pk).exists():
            raise ValidationError(
                {"parent": "This topic has sub-topics, so it must stay at the top level."}
            )
