"""Edit history shared by the three apps' admins (django-simple-history).

Every curated model records a version on each save and delete. The real data is loaded
as raw fixtures, which records nothing, so a record's first edit would have no earlier
version to go back to: `record_baseline` writes the state before that first change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.admin import helpers
from django.db import connection, models
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

BASELINE_REASON = "State before the first recorded change"


def is_tracked(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


BATCH = 900  # ids per statement: SQLite takes at most 999 parameters


def _batched(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def copy_versions(
    model: type[models.Model],
    pks: Iterable[Any],
    *,
    history_type: str = "~",
    user: Any = None,
    reason: str | None = None,
    when: datetime | None = None,
) -> dict[Any, int]:
    """Record a version of each row in `pks` as it is now, copied by the database itself
    (INSERT ... SELECT) into the columns django-simple-history writes. Returns
    {pk: history_id}.

    bulk_create_with_history builds a Python object per version; on a 100,000-row import
    that alone took minutes, so bulk writes record their versions this way instead."""
    pks = list(dict.fromkeys(pk for pk in pks if pk is not None))
    if not pks or not is_tracked(model):
        return {}
    hist = model.history.model
    qn = connection.ops.quote_name
    columns = [qn(f.column) for f in hist.tracked_fields]
    extra = ["history_date", "history_user_id", "history_change_reason", "history_type"]
    pk = qn(model._meta.pk.column)
    # Identifiers come from model metadata; every value is a parameter.
    head = (
        f"INSERT INTO {qn(hist._meta.db_table)} ({', '.join(columns + [qn(c) for c in extra])}) "  # noqa: S608
        f"SELECT {', '.join(columns)}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} "
    )
    values = [
        connection.ops.adapt_datetimefield_value(when or timezone.now()),
        getattr(user, "pk", None),
        reason,
        history_type,
    ]
    versions: dict[Any, int] = {}
    with connection.cursor() as cursor:
        for batch in _batched(pks):
            where = f"WHERE {pk} IN ({', '.join(['%s'] * len(batch))}) RETURNING {pk}, history_id"
            cursor.execute(head + where, [*values, *batch])
            versions.update(cursor.fetchall())
    return versions


def record_baseline(
    model: type[models.Model], pks: Iterable[Any], *, when: datetime | None = None
) -> dict[Any, int]:
    """Record the current state of the rows among `pks` that have no version yet.
    Returns {pk: history_id} of the versions written."""
    pks = list(dict.fromkeys(pk for pk in pks if pk is not None))
    if not pks or not is_tracked(model):
        return {}
    pk_name = model._meta.pk.attname
    recorded: set[Any] = set()
    for batch in _batched(pks):
        recorded.update(
            model.history.filter(**{f"{pk_name}__in": batch}).values_list(pk_name, flat=True)
        )
    missing = [pk for pk in pks if pk not in recorded]
    return copy_versions(model, missing, reason=BASELINE_REASON, when=when)


class TrackedAdmin(SimpleHistoryAdmin):
    """An admin whose records show their history and can be reverted (the History
    button), with a baseline version before a record's first recorded change."""

    object_history_form_template = "admin/revert_form.html"

    def action_checkbox(self, obj: Any) -> str:
        """Django's row checkbox, written directly: rendering a widget template per
        row took a fifth of a 50-row changelist's time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

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
