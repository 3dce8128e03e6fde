"""Shared QuerySet base for models that may hold generated demo data."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models


class PublicQuerySet(models.QuerySet):
    def visible(self) -> Self:
        """What the public site may show: generated demo records stay hidden unless
        TRACKER_SHOW_GENERATED is set. The setting is read per call, not at import."""
        if settings.TRACKER_SHOW_GENERATED:
            return self
        return self.filter(is_generated=False)
