"""Every receiver that keeps counts exact and caches fresh, connected in one place
(StatsConfig.ready imports this module), on every write path: admin, shell, scripts.

- Proposal saved (`remember_counted_state`, `recount_proposal`): a move to another
  year, body, status or visibility recounts both TrendCount slices; any other edit
  only retires cached pages (`core.cache.invalidate`).
- Proposal deleted (`recount_deleted_proposal`): recounts its slice.
- Topic tag saved, deleted or changed through `proposal.topics`
  (`recount_tagged_proposal`, `recount_retagged_proposals`): recounts the slices.
- Topic saved (`remember_parent`, `recount_moved_topic`): a sub-topic moved to another
  parent recounts everything; a new name or colour retires cached pages and the
  cached topic tree.
- Topic, session, delegate, company or affiliation saved or deleted (`_invalidate`):
  names, years and roles change what cached pages show, not counts.
- Outcome event saved or deleted (`rederive_status`): the proposal's status is
  derived from its events again; a new status recounts its slice.
- A bulk write announced by proposals.bulk (`_bulk_change`): imports, bulk actions
  and reverts, which write past the model signals.

Bulk operations that skip model signals and announce nothing (QuerySet.update,
bulk_create, loaddata's raw saves) must be followed by `manage.py refresh_trends`.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from core.cache import invalidate
from delegates.models import Affiliation, AnnualSession, Company, Delegate
from government.models import GovernmentPriority
from proposals.bulk import proposals_changed_in_bulk
from proposals.models import OutcomeEvent, Proposal, ProposalTopic
from proposals.timeline import derive_statuses
from topics.models import Topic

from .counting import refresh


def _slices_of(proposal_ids: Any) -> set[tuple[int, str]]:
    return set(Proposal.objects.filter(pk__in=proposal_ids).values_list("session_id", "body"))


@receiver(pre_save, sender=Proposal, dispatch_uid="trends_proposal_before")
def remember_counted_state(sender: type, instance: Proposal, raw: bool, **kwargs: Any) -> None:
    # What the table counted this proposal under, to tell a move from a plain edit.
    instance._trend_counted_as = (
        None
        if raw or instance._state.adding
        else Proposal.objects.filter(pk=instance.pk)
        .values_list("session_id", "body", "is_generated", "status")
        .first()
    )


@receiver(post_save, sender=Proposal, dispatch_uid="trends_proposal_saved")
def recount_proposal(sender: type, instance: Proposal, raw: bool, **kwargs: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_trend_counted_as", None)
    now = (instance.session_id, instance.body, instance.is_generated, instance.status)
    if before == now:
        # A new title or summary changes no count: recounting a slice of a large
        # table on every such edit would make the admin slow for nothing.
        invalidate()
        return
    slices = {now[:2]} | ({before[:2]} if before else set())
    refresh(slices)


@receiver(post_delete, sender=Proposal, dispatch_uid="trends_proposal_deleted")
def recount_deleted_proposal(sender: type, instance: Proposal, **kwargs: Any) -> None:
    refresh({(instance.session_id, instance.body)})


@receiver(post_save, sender=ProposalTopic, dispatch_uid="trends_tag_saved")
@receiver(post_delete, sender=ProposalTopic, dispatch_uid="trends_tag_deleted")
def recount_tagged_proposal(
    sender: type, instance: ProposalTopic, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    if ProposalTopic.proposal.is_cached(instance):
        slices = {(instance.proposal.session_id, instance.proposal.body)}
    else:
        # Not cached when the tag goes with its deleted proposal; the proposal's own
        # post_delete recounts again once it is gone.
        slices = _slices_of([instance.proposal_id])
    refresh(slices)


@receiver(m2m_changed, sender=ProposalTopic, dispatch_uid="trends_tags_changed")
def recount_retagged_proposals(
    sender: type, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh({(instance.session_id, instance.body)})
    elif pk_set:
        refresh(_slices_of(pk_set))
    else:
        # topic.proposals.clear() does not say which proposals lost the topic.
        refresh()


@receiver(pre_save, sender=Topic, dispatch_uid="trends_topic_before")
def remember_parent(sender: type, instance: Topic, raw: bool, **kwargs: Any) -> None:
    instance._trend_parent_before = (
        Topic.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
        if instance.pk and not raw
        else instance.parent_id
    )


@receiver(post_save, sender=Topic, dispatch_uid="trends_topic_saved")
def recount_moved_topic(sender: type, instance: Topic, raw: bool, **kwargs: Any) -> None:
    if raw:
        return
    if getattr(instance, "_trend_parent_before", instance.parent_id) != instance.parent_id:
        # Moving a sub-topic changes both parents' counts in every year.
        refresh()
    else:
        invalidate()  # a new name or colour


@receiver(post_save, sender=OutcomeEvent, dispatch_uid="trends_outcome_saved")
@receiver(post_delete, sender=OutcomeEvent, dispatch_uid="trends_outcome_deleted")
def rederive_status(sender: type, instance: OutcomeEvent, raw: bool = False, **kwargs: Any) -> None:
    """The status is the timeline's, never set on its own: every event written
    through the model derives it again, and a changed status moves the counts."""
    if raw:
        return
    slices = derive_statuses([instance.proposal_id])
    if slices:
        refresh(slices)
    else:
        invalidate()  # a new note or source shows on the page, no count moves


def _invalidate(sender: type, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        invalidate()


# Names, colours, session years and affiliations (the company filter) change what
# cached trends show without changing any count.
for model in (Topic, AnnualSession, Delegate, Company, Affiliation):
    post_delete.connect(_invalidate, sender=model, dispatch_uid=f"trends_{model.__name__}_del")
for model in (AnnualSession, Delegate, Company, Affiliation):
    post_save.connect(_invalidate, sender=model, dispatch_uid=f"trends_{model.__name__}_save")
# The government's priorities change the echo figures (stats/echo.py) and nothing counted.
post_save.connect(_invalidate, sender=GovernmentPriority, dispatch_uid="trends_priority_save")
post_delete.connect(_invalidate, sender=GovernmentPriority, dispatch_uid="trends_priority_del")
m2m_changed.connect(
    _invalidate, sender=GovernmentPriority.topics.through, dispatch_uid="trends_priority_topics"
)


@receiver(proposals_changed_in_bulk, dispatch_uid="trends_bulk_change")
def _bulk_change(
    sender: Any, proposal_ids: list[int], slices: set[tuple[int, str]], **kwargs: Any
) -> None:
    """Imports, bulk actions and reverts write past the model signals; they announce
    the (year, body) slices they touched once committed. refresh() also bumps the
    data version, which retires cached trends, facets and pages."""
    refresh(slices)
