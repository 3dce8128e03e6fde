"""Edit history shared by the three apps' admins (django-simple-history).

Every curated model records a version on each save and delete. The real data is loaded
as raw fixtures, which records nothing, so a record's first edit would have no earlier
version to go back to: `record_baseline` writes the state before that first change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

BASELINE_REASON = "State before the first recorded change"


def is_tracked(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def record_baseline(
    model: type[models.Model], pks: Iterable[Any], *, when: datetime | None = None
) -> list[models.Model]:
    """Record the current state of the rows among `pks` that have no version yet.
    Returns the versions written (historical records)."""
    pks = list(dict.fromkeys(pk for pk in pks if pk is not None))
    if not pks or not is_tracked(model):
        return []
    pk_name = model._meta.pk.attname
    recorded = set(model.history.filter(**{f"{pk_name}__in": pks}).values_list(pk_name, flat=True))
    missing = [pk for pk in pks if pk not in recorded]
    if not missing:
        return []
    objs = list(model._default_manager.filter(pk__in=missing))
    return model.history.bulk_history_create(
        objs,
        update=True,
        default_change_reason=BASELINE_REASON,
        default_date=when or timezone.now(),
    )


class TrackedAdmin(SimpleHistoryAdmin):
    """An admin whose records show their history and can be reverted (the History
    button), with a baseline version before a record's first recorded change."""

    def record_baseline(self, model: type[models.Model], pks: Iterable[Any]) -> None:
        record_baseline(model, pks)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if change:
            self.record_baseline(type(obj), [obj.pk])
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.record_baseline(type(obj), [obj.pk])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        self.record_baseline(queryset.model, queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseModelFormSet, change: bool
    ) -> None:
        # Inline rows (seats, affiliations) have histories of their own.
        touched = [
            f.instance.pk
            for f in formset.initial_forms
            if f.has_changed() or formset._should_delete_form(f)
        ]
        self.record_baseline(formset.model, touched)
        super().save_formset(request, form, formset, change)
