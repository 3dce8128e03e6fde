"""How much demo data to generate, and the deterministic pieces every step shares:
seeded random streams, the term calendar and proposals per year."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .vocabulary import (
    BATCH_SIZE,
    CPPCC_SIZE,
    DEFAULT_FIRST_YEAR,
    DEFAULT_LAST_YEAR,
    FIRST_TERM_NUMBER,
    MODERN_TERMS_START,
    NPC_SIZE,
    TERM_YEARS,
)


@dataclass(frozen=True)
class GenerationPlan:
    """How much to generate, and from which seed."""

    proposals: int
    seed: int = 0
    first_year: int = DEFAULT_FIRST_YEAR
    last_year: int = DEFAULT_LAST_YEAR
    npc_size: int = NPC_SIZE
    cppcc_size: int = CPPCC_SIZE
    batch_size: int = BATCH_SIZE

    def __post_init__(self) -> None:
        if self.proposals < 1:
            raise ValueError("Generate at least one proposal.")
        if not MODERN_TERMS_START <= self.first_year <= self.last_year <= 2100:
            raise ValueError(
                f"Years must satisfy {MODERN_TERMS_START} <= first year <= last year <= 2100."
            )
        if self.npc_size < 1 or self.cppcc_size < 1:
            raise ValueError("Each body needs at least one seat.")
        if self.batch_size < 1:
            raise ValueError("The batch size must be positive.")

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


@dataclass
class Member:
    """A generated delegate, kept for as long as they may hold seats."""

    id: int
    name: str
    name_zh: str
    activity: float  # relative filing rate: most file a few, a few file dozens
    focus: int  # index of the root topic they file on most
    delegations: dict[str, str] = field(default_factory=dict)


def rng_for(seed: int, *labels: object) -> random.Random:
    # A string seed is hashed with SHA-512 by `random`, so streams are stable across runs
    # and Python processes (unlike hash()). Demo data, not secrets: S311 does not apply.
    return random.Random(":".join(str(part) for part in (seed, *labels)))  # noqa: S311


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def term_of(year: int) -> tuple[int, int]:
    """(term number, session number within the term) of a year's two sessions."""
    offset = year - MODERN_TERMS_START
    return FIRST_TERM_NUMBER + offset // TERM_YEARS, offset % TERM_YEARS + 1


def yearly_counts(plan: GenerationPlan) -> dict[int, int]:
    """Proposals per year: about N / years each, within 10%, summing to exactly N."""
    rng = rng_for(plan.seed, "years")
    weights = [1 + rng.uniform(-0.1, 0.1) for _ in plan.years]
    total = sum(weights)
    shares = [plan.proposals * w / total for w in weights]
    counts = [math.floor(s) for s in shares]
    # Largest remainders take the leftover units, so the total is exact.
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: plan.proposals - sum(counts)]:
        counts[i] += 1
    return dict(zip(plan.years, counts, strict=True))
