"""Shared QuerySet base for models that may hold generated demo data."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models


class PublicQuerySet(models.QuerySet):
    def visible(self) -> Self:
        """What the public site may show: generated demo records stay hidden unless
        TRACKER_SHOW_GENERATED is set. The setting is read per call, not at import."""
        if settings.TRACKER_SHOW_GENERATED:
            return self
        return self.filter(is_generated=False)


class InArray(models.Lookup):
    """`column = ANY(array)`. With the array from an ArraySubquery, PostgreSQL computes
    it once and can then use an index on the column, even inside an OR, where
    `column IN (SELECT ...)` becomes a per-row test."""

    lookup_name = "in_array"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
