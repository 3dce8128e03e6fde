"""Outcome events and filed-again links for generated proposals, in the proportions of
the real record: most outcomes unknown, a few replies and adoptions, and a few asks
filed again by the same delegate. Events agree with the proposal's drawn status
(proposals.outcomes.derived_status) and with the order rules."""

from __future__ import annotations

import random
from typing import Any

from proposals.models import Status

from . import vocabulary as vocab

EVENT_FIELDS = ["proposal", "kind", "when", "department", "grade", "law", "caveat", "note"]


def outcome_events(rng: random.Random, proposal_id: int, year: int, status: str) -> list[tuple]:
    """The events that give `status`, dated after the March session."""
    if status == Status.SUBMITTED:
        return []
    department = rng.choice(vocab.DEPARTMENTS)
    registered = (proposal_id, "registered", f"{year}-0{rng.randint(3, 4)}", "", "", "", "", "")
    if status == Status.ACCEPTED:
        return [registered]
    if status == Status.WITHDRAWN:
        return [(proposal_id, "withdrawn", f"{year}-03", "", "", "", "", "")]
    grade = rng.choice("ABCD")
    replied = (proposal_id, "replied", f"{year}-{rng.randint(6, 9):02d}", department, grade, "")
    replied += ("", "")
    if status == Status.ANSWERED:
        return [registered, replied]
    kind = "adopted" if status == Status.ADOPTED else "partly_adopted"
    law = rng.choice(vocab.POLICIES)
    return [registered, replied, (proposal_id, kind, str(year + 1), "", "", law, "", "")]


class Chains:
    """Which earlier proposal of the same delegate a new one files again."""

    def __init__(self) -> None:
        self.earlier: dict[int, list[tuple[int, int]]] = {}  # member -> [(year, proposal)]

    def repeats(self, rng: random.Random, member_id: int, proposal_id: int, year: int) -> Any:
        before = [pk for y, pk in self.earlier.get(member_id, []) if y < year]
        self.earlier.setdefault(member_id, []).append((year, proposal_id))
        if before and rng.random() < vocab.REPEAT_SHARE:
            return before[-1 - int(rng.random() * min(len(before), 5))]
        return None
