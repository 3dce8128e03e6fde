"""Edit history helpers shared by the importer, the admin's bulk actions and its revert.

django-simple-history records a version on every save() and delete(). Bulk writes skip
save(), so they record their versions here, set-based. A proposal's versions also keep a
copy of its topic and source links (the library's m2m history), which bulk writes and
the admin's inline forms do not trigger on their own: `snapshot_links` writes that copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, models

from core.history import BATCH, copy_versions, record_baseline

from .models import Proposal, ProposalTopic

CHANGE_REASON_LENGTH = 100  # django-simple-history's history_change_reason column


def history_model(model: type[models.Model]) -> type[models.Model]:
    return model.history.model


def reason_text(reason: str) -> str:
    return (
        reason if len(reason) <= CHANGE_REASON_LENGTH else reason[: CHANGE_REASON_LENGTH - 1] + "…"
    )


def ensure_baseline(
    model: type[models.Model], pks: Iterable[Any], *, when: datetime | None = None
) -> int:
    """Record the current state of rows that have no version yet, so that the first
    recorded change can be undone; a proposal's baseline keeps its links too."""
    versions = record_baseline(model, pks, when=when)
    if model is Proposal:
        snapshot_links(versions)
    return len(versions)


def record_versions(
    model: type[models.Model],
    pks: Iterable[Any],
    *,
    user: Any = None,
    reason: str = "",
    update: bool = True,
    when: datetime | None = None,
) -> dict[Any, int]:
    """One version per row, as the rows are now; proposals get their links copied.
    Returns {pk: history_id}."""
    versions = copy_versions(
        model,
        pks,
        history_type="~" if update else "+",
        user=user,
        reason=reason_text(reason) or None,
        when=when,
    )
    if model is Proposal:
        snapshot_links(versions)
    return versions


def snapshot_links(versions: dict[int, int], *, replace: bool = False) -> None:
    """Copy each proposal's current topic and source links onto its version
    ({proposal id: history_id}), in the database (INSERT ... SELECT). With `replace`,
    a copy those versions already hold is dropped first."""
    if not versions:
        return
    qn = connection.ops.quote_name
    hist = history_model(Proposal)
    history_ids = list(versions.values())
    items = list(versions.items())
    for link_model, link_hist, target in (
        (ProposalTopic, hist.topics.model, "topic_id"),
        (Proposal.sources.through, hist.sources.model, "source_id"),
    ):
        if replace:
            link_hist.objects.filter(history_id__in=history_ids).delete()
        # Identifiers come from model metadata; every value is a parameter.
        head = (
            f"INSERT INTO {qn(link_hist._meta.db_table)} (id, proposal_id, {target}, history_id) "  # noqa: S608
            f"SELECT l.id, l.proposal_id, l.{target}, h.history_id "
            f"FROM {qn(link_model._meta.db_table)} l "
            f"JOIN {qn(hist._meta.db_table)} h ON h.id = l.proposal_id "
        )
        with connection.cursor() as cursor:
            # Both sides filtered by their own key, so the database looks rows up by
            # index instead of scanning the link table once per batch.
            for start in range(0, len(items), BATCH // 2):
                batch = items[start : start + BATCH // 2]
                marks = ", ".join(["%s"] * len(batch))
                where = f"WHERE l.proposal_id IN ({marks}) AND h.history_id IN ({marks})"
                cursor.execute(head + where, [pk for pk, _ in batch] + [h for _, h in batch])


def latest_version(proposal: Proposal) -> dict[int, int]:
    """{proposal id: history_id} of its newest version, or {} if it has none."""
    version = proposal.history.order_by("-history_date", "-history_id").first()
    return {proposal.pk: version.history_id} if version else {}


def restore_links(proposal: Proposal, version: models.Model) -> list[str]:
    """Make the proposal's topics and sources those of `version`. Returns a note for each
    link that cannot come back because its topic or source no longer exists."""
    notes: list[str] = []
    for name, link_model, target in (
        ("topic", ProposalTopic, "topic_id"),
        ("source", Proposal.sources.through, "source_id"),
    ):
        wanted = set(getattr(version, f"{name}s").values_list(target, flat=True))
        target_model = link_model._meta.get_field(name).related_model
        existing_targets = set(
            target_model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True)
        )
        for gone in sorted(wanted - existing_targets):
            notes.append(f"{name} #{gone} was deleted since and cannot be restored")
        wanted &= existing_targets
        current = set(
            link_model.objects.filter(proposal_id=proposal.pk).values_list(target, flat=True)
        )
        link_model.objects.filter(
            proposal_id=proposal.pk, **{f"{target}__in": current - wanted}
        ).delete()
        link_model.objects.bulk_create(
            link_model(proposal_id=proposal.pk, **{target: pk}) for pk in sorted(wanted - current)
        )
    return notes
