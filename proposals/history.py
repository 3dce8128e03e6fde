"""Edit history helpers shared by the importer, the admin's bulk actions and its revert.

django-simple-history records a version on every save() and delete(). Bulk writes skip
save(), so they record their versions here, set-based. A proposal's versions also keep a
copy of its topic and source links (the library's m2m history), which bulk writes and
the admin's inline forms do not trigger on their own: `snapshot_links` writes that copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from config.history import record_baseline

from .models import Proposal, ProposalTopic

CHANGE_REASON_LENGTH = 100  # django-simple-history's history_change_reason column


def history_model(model: type[models.Model]) -> type[models.Model]:
    return model.history.model


def link_history_models() -> tuple[type[models.Model], type[models.Model]]:
    """The historical copies of ProposalTopic and of Proposal.sources' link table."""
    hist = history_model(Proposal)
    return hist.topics.model, hist.sources.model


def reason_text(reason: str) -> str:
    return (
        reason if len(reason) <= CHANGE_REASON_LENGTH else reason[: CHANGE_REASON_LENGTH - 1] + "…"
    )


def ensure_baseline(
    model: type[models.Model], pks: Iterable[Any], *, when: datetime | None = None
) -> int:
    """Record the current state of rows that have no version yet, so that the first
    recorded change can be undone; a proposal's baseline keeps its links too."""
    records = record_baseline(model, pks, when=when)
    if model is Proposal:
        snapshot_links(records)
    return len(records)


def record_versions(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    user: Any = None,
    reason: str = "",
    update: bool = True,
    when: datetime | None = None,
) -> list[models.Model]:
    """One version per object, as the rows are now; proposals get their links copied."""
    if not objs:
        return []
    records = model.history.bulk_history_create(
        objs,
        update=update,
        default_user=user,
        default_change_reason=reason_text(reason),
        default_date=when or timezone.now(),
    )
    if model is Proposal:
        snapshot_links(records)
    return records


def snapshot_links(records: Sequence[models.Model]) -> None:
    """Copy each proposal's current topic and source links onto its version `records`
    (historical proposals), replacing any copy those versions already hold."""
    if not records:
        return
    version_of = {record.id: record.history_id for record in records}
    topic_hist, source_hist = link_history_models()
    history_ids = list(version_of.values())
    topic_hist.objects.filter(history_id__in=history_ids).delete()
    source_hist.objects.filter(history_id__in=history_ids).delete()
    proposal_ids = list(version_of)
    topic_hist.objects.bulk_create(
        topic_hist(
            id=pk, proposal_id=proposal_id, topic_id=topic_id, history_id=version_of[proposal_id]
        )
        for pk, proposal_id, topic_id in ProposalTopic.objects.filter(
            proposal_id__in=proposal_ids
        ).values_list("id", "proposal_id", "topic_id")
    )
    source_hist.objects.bulk_create(
        source_hist(
            id=pk, proposal_id=proposal_id, source_id=source_id, history_id=version_of[proposal_id]
        )
        for pk, proposal_id, source_id in Proposal.sources.through.objects.filter(
            proposal_id__in=proposal_ids
        ).values_list("id", "proposal_id", "source_id")
    )


def latest_version(proposal: Proposal) -> models.Model | None:
    return proposal.history.order_by("-history_date", "-history_id").first()


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
