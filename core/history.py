"""Edit history shared by every curated model (django-simple-history).

Every curated model records a version on each save and delete. The real data is loaded
as raw fixtures, which records nothing, so a record's first edit would have no earlier
version to go back to: `record_baseline` writes the state before that first change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone

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
