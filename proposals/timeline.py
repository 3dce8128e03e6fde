"""Outcomes and filed-again chains as the pages and the upkeep read them: the status
each timeline derives, a proposal's chain across years, a delegate's known outcomes
and repeated asks. Each function's query count is fixed, whatever the data size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from delegates.models import Delegate

from .models import OutcomeEvent, Proposal
from .outcomes import derived_status, timeline_order


def derive_statuses(proposal_ids: Iterable[int]) -> set[tuple[int, str]]:
    """Set each proposal's status from its events (two queries, and one UPDATE per
    status that changes); return the (year, body) slices whose counts moved, before
    and after being the same slice."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return set()
    kinds: dict[int, list[str]] = defaultdict(list)
    for pk, kind in OutcomeEvent.objects.filter(proposal_id__in=ids).values_list(
        "proposal_id", "kind"
    ):
        kinds[pk].append(kind)
    changed: dict[str, list[int]] = defaultdict(list)
    slices = set()
    for pk, year, body, status in Proposal.objects.filter(pk__in=ids).values_list(
        "pk", "session_id", "body", "status"
    ):
        wanted = derived_status(kinds[pk])
        if wanted != status:
            changed[wanted].append(pk)
            slices.add((year, body))
    for status, pks in changed.items():
        # An UPDATE, not save(): the status is derived data, not an edit of the
        # proposal, so it records no proposal version (the events have their own).
        Proposal.objects.filter(pk__in=pks).update(status=status)
    return slices


def ordered_events(events: Iterable[OutcomeEvent]) -> list[OutcomeEvent]:
    """A timeline in the order it happened (dated first, undated in handling order)."""
    return sorted(events, key=lambda e: (*timeline_order(e.when, e.kind), e.pk or 0))


@dataclass
class Filing:
    pk: int
    year: int
    title: str
    title_zh: str = ""


@dataclass
class Chain:
    """One ask filed again: its filings, oldest first."""

    filings: list[Filing] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return [f.year for f in self.filings]


def _linked(delegate_id: int) -> list[tuple[int, int | None, int, str, str]]:
    later = Proposal.objects.filter(repeats=OuterRef("pk"))
    return list(
        Proposal.objects.filter(delegate_id=delegate_id)
        .filter(Q(repeats__isnull=False) | Q(Exists(later)))
        .order_by("session_id", "pk")
        .values_list("pk", "repeats_id", "session_id", "title", "title_zh")
    )


def _chains(rows: list[tuple[int, int | None, int, str, str]]) -> list[Chain]:
    """Group linked proposals into chains by following each one's repeats link to
    the first filing (links always point to an earlier year, so there is no loop)."""
    parent = {pk: repeats for pk, repeats, *_ in rows}

    def root(pk: int) -> int:
        seen = set()
        while parent.get(pk) is not None and pk not in seen:
            seen.add(pk)
            pk = parent[pk]
        return pk

    groups: dict[int, Chain] = {}
    for pk, _repeats, year, title, title_zh in rows:
        groups.setdefault(root(pk), Chain()).filings.append(Filing(pk, year, title, title_zh))
    return sorted(groups.values(), key=lambda c: (c.years[0], c.filings[0].pk))


def chain_of(proposal: Proposal) -> Chain | None:
    """The chain of filings this proposal belongs to, or None (one query)."""
    for chain in _chains(_linked(proposal.delegate_id)):
        if any(f.pk == proposal.pk for f in chain.filings):
            return chain
    return None


def repeated_asks(delegate: Delegate) -> list[Chain]:
    """The delegate's asks filed in more than one year, oldest first (one query)."""
    return _chains(_linked(delegate.pk))


def known_outcomes(delegate: Delegate) -> list[OutcomeEvent]:
    """Every outcome event of the delegate's visible proposals, with the proposal and
    source, newest proposal first (one query)."""
    events = (
        OutcomeEvent.objects.filter(proposal__in=Proposal.objects.visible().by_delegate(delegate))
        .select_related("proposal", "source")
        .order_by("-proposal__session_id", "proposal_id", "pk")
    )
    by_proposal: dict[int, list[OutcomeEvent]] = defaultdict(list)
    order = []
    for event in events:
        if event.proposal_id not in by_proposal:
            order.append(event.proposal_id)
        by_proposal[event.proposal_id].append(event)
    return [e for pk in order for e in ordered_events(by_proposal[pk])]
