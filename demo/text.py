"""The words of a generated proposal: a title unique for its delegate that session,
and a summary of who asked for what, why and how. English data, not interface text."""

from __future__ import annotations

import random

from . import vocabulary as vocab
from .plan import Member


def compose(
    rng: random.Random,
    member: Member,
    body: str,
    root: vocab.RootTopic,
    sub: vocab.SubTopic,
    year: int,
    seen: set[str],
) -> tuple[str, str]:
    """(title, summary) of one proposal; the title is added to `seen`, the member's
    titles that session."""
    phrase = rng.choice(sub.phrases)
    # Titles are unique per delegate and session: draw again on a repeat, and
    # number the title in the unlikely case that the draws keep repeating.
    for _ in range(10):
        verb = rng.choice(vocab.VERBS)
        qualifier = rng.choice(vocab.QUALIFIERS).format(target=year + rng.randint(3, 10))
        title = f"{verb} {phrase}{qualifier}"
        if title not in seen:
            break
    number = 2
    while title in seen:
        title = f"{verb} {phrase}{qualifier} (no. {number})"
        number += 1
    seen.add(title)

    delegation = member.delegations[body]
    where = (
        f"a deputy from the {delegation} delegation"
        if body == "npc"
        else f"a CPPCC member ({delegation})"
    )
    summary = " ".join(
        (
            f"{member.name} ({member.name_zh}), {where}, asked the government to "
            f"{verb[0].lower()}{verb[1:]} {phrase}{qualifier}.",
            rng.choice(vocab.RATIONALES).format(
                member=vocab.MEMBER_NOUNS[body],
                phrase=phrase,
                root=in_sentence(root.name),
                filing=vocab.FILING_NOUNS[body],
            ),
            rng.choice(vocab.MEASURES),
        )
    )
    return title, summary


def in_sentence(name: str) -> str:
    """A name as it reads mid-sentence: "Mobility" -> "mobility", "AI and computing" stays."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]
