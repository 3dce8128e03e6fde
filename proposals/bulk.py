"""Announcing writes that bypass model signals.

The importer and the admin's bulk actions write with bulk queries, which send no
post_save or post_delete. Whatever is derived from proposals (trend counts, cached
facets) listens here instead of to the model signals.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from .models import Proposal

#: Sent once a bulk write has committed, with `proposal_ids` (sorted list of ints) and
#: `slices`: the (year, body) pairs those proposals were in before or after the change.
proposals_changed_in_bulk = Signal()


def announce(proposal_ids: Iterable[int], slices: Iterable[tuple[int, str]]) -> None:
    """Send proposals_changed_in_bulk after the current transaction commits (at once
    outside one); nothing is sent if it rolls back."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return
    touched = set(slices)
    transaction.on_commit(
        lambda: proposals_changed_in_bulk.send(sender=Proposal, proposal_ids=ids, slices=touched)
    )
