"""Optimistic concurrency for the admin's change forms (issue 17, defect 5).

Two editors open a record; A saves, then B saves the form B opened before A's save, and
A's change was silently gone. Every change form of a `TrackedAdmin` now carries the id of
the record's latest history version (django-simple-history) as it was when the form was
drawn. On save, a different latest version means someone saved in between: the save is
refused, naming who and when, and each field they changed that this form would
overwrite shows their saved value beside the editor's own (kept in the form). The form's
version is moved on, so saving again, after reading, keeps the editor's values on
purpose.

Writes that record no version (raw SQL, `QuerySet.update`) are not seen here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.formats import localize
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy

VERSION_FIELD = "tracked_version"
NO_VERSION = "0"  # a record loaded from the fixtures, never edited: no history yet
SHOWN_CHARS = 300


def _history(model: type[models.Model], pk: Any) -> models.QuerySet:
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    return manager.filter(**{model._meta.pk.attname: pk})


def latest_version(model: type[models.Model], pk: Any) -> Any:
    """The record's newest history row (with its user), or None."""
    return _history(model, pk).select_related("history_user").order_by("-history_id").first()


def version_token(model: type[models.Model], pk: Any) -> str:
    latest = _history(model, pk).order_by("-history_id").values_list("history_id", flat=True)
    return str(latest.first() or NO_VERSION)


def _shown(record: models.Model, name: str) -> str:
    field = record._meta.get_field(name)
    if field.many_to_many:
        value = ", ".join(str(o) for o in getattr(record, name).all())
    elif field.choices:
        value = str(getattr(record, f"get_{name}_display")())
    else:
        raw = getattr(record, name)
        value = "" if raw is None else str(localize(raw))
    value = value or gettext("(empty)")
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


class VersionedForm(forms.ModelForm):
    """Mixed into every TrackedAdmin change form (TrackedAdmin.get_form)."""

    tracked_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = version_token(
                type(self.instance), self.instance.pk
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is not None:
            self._refuse_a_stale_save()
        return cleaned

    def _refuse_a_stale_save(self) -> None:
        model = type(self.instance)
        # Locked until the admin's transaction ends, so a concurrent save waits and then
        # sees this one's version (PostgreSQL; SQLite serialises writes anyway).
        current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            return  # deleted meanwhile: the admin says so itself
        opened = str(self.data.get(VERSION_FIELD) or NO_VERSION)
        latest = latest_version(model, self.instance.pk)
        if latest is None or str(latest.history_id) == opened:
            return
        # The version this form was drawn from. A record never edited before has none,
        # but the first save records its state before (core.history.record_baseline):
        # the oldest version is then what this form showed.
        versions = _history(model, self.instance.pk)
        if opened == NO_VERSION:
            base = versions.order_by("history_id").first()
        else:
            base = versions.filter(history_id=opened).first()
        theirs = []
        for name, field in self.fields.items():
            if name == VERSION_FIELD or name not in {f.name for f in model._meta.get_fields()}:
                continue
            model_field = model._meta.get_field(name)
            if not getattr(model_field, "editable", False):
                continue
            saved = model_field.value_from_object(current)
            if not field.has_changed(saved, self[name].data):
                continue  # this form would write what is saved
            if (
                base is not None
                and not model_field.many_to_many
                and model_field.value_from_object(base) == saved
            ):
                continue  # only this editor changed it
            theirs.append(name)
            self.add_error(
                name,
                gettext("Saved meanwhile as: %(value)s") % {"value": _shown(current, name)},
            )
        who = latest.history_user.get_username() if latest.history_user else gettext("someone")
        self.add_error(
            None,
            forms.ValidationError(
                STALE_MESSAGE,
                code="stale",
                params={
                    "who": who,
                    "when": localize(localtime(latest.history_date)),
                    "fields": ", ".join(str(self.fields[n].label or n) for n in theirs)
                    or gettext("no field of this form"),
                },
            ),
        )
        # Saving again after reading keeps this editor's values, on purpose.
        self.data = self.data.copy()
        self.data[VERSION_FIELD] = str(latest.history_id)


STALE_MESSAGE = gettext_lazy(
    "Not saved: %(who)s changed this record at %(when)s, after you opened it. Their "
    "saved values are shown beside yours in: %(fields)s. Your values are still in the "
    "form; save again to keep them, or reload the page to start from theirs."
)
