"""Read-side queries for the record pages (delegates, companies, topics, sessions) that
span several apps. Views call these and get plain values; each function's query count
is fixed, whatever the data size."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, Max, OuterRef, Sum
from django.utils.translation import get_language

from core.cache import cached
from delegates.models import AnnualSession, Company, Delegate
from topics.models import Topic
from topics.tree import TopicNode, topic_tree

from .facets import topic_counts_everywhere
from .models import Proposal, ProposalTopic, TrendCount
from .search import mark_name, query_tokens, snippets


def with_snippets(proposals: Iterable[Proposal], text: str) -> list[Proposal]:
    """The page's proposals, each given `search_title` (its title in the reader's
    language, the matched words marked, escaped), `search_excerpt` (the first other
    field holding a match, around it) and `search_name`, `search_name_zh` (the
    delegate's names, marked where the query named them). Needs for_list()'s fields and prefetched topics:
    no query."""
    terms = query_tokens(text)
    chinese = (get_language() or "").startswith("zh")
    rows = list(proposals)
    for proposal in rows:
        mine, other = ("title_zh", "summary_zh"), ("title", "summary")
        if not chinese:
            mine, other = other, mine
        title = getattr(proposal, mine[0]) or getattr(proposal, other[0])
        topic_names = " · ".join(
            (t.name_zh if chinese and t.name_zh else t.name) for t in proposal.topics.all()
        )
        fields = [
            getattr(proposal, mine[1]),
            getattr(proposal, other[0]),
            getattr(proposal, other[1]),
        ]
        proposal.search_title, proposal.search_excerpt = snippets(
            title, [*fields, topic_names], terms
        )
        delegate = proposal.delegate
        proposal.search_name = mark_name(delegate.name, terms)
        proposal.search_name_zh = mark_name(delegate.name_zh, terms) if delegate.name_zh else ""
    return rows


def headline_counts() -> dict[str, int | None]:
    """Counts shown at the top of the home page: one query per table, none per row."""
    return {
        # Exact, from the maintained counts: COUNT(*) reads a million rows.
        "proposals": TrendCount.objects.visible().total(),
        "delegates": Delegate.objects.visible().count(),
        "companies": Company.objects.visible().count(),
        "sessions": AnnualSession.objects.visible().count(),
        # The latest complete session: one being entered is not "the latest" yet.
        "latest_year": AnnualSession.objects.visible()
        .complete()
        .aggregate(latest=Max("year"))["latest"],
    }


def topic_tree_with_counts() -> list[tuple[TopicNode, int, list[tuple[TopicNode, int]]]]:
    """The whole tree, unused topics included: (root, its count, [(child, count)])."""
    counts = topic_counts_everywhere()
    return [
        (
            root,
            counts.get(("group", root.id), 0),
            [(c, counts.get(("topic", c.id), 0)) for c in root.children],
        )
        for root in topic_tree().roots
    ]


def related_proposals(proposal: Proposal, limit: int = 12) -> dict[str, list[Proposal]]:
    """Same topic that year, and the same delegate's other proposals: one query."""
    topic_ids = [t.pk for t in proposal.topics.all()]
    shares_topic = Exists(
        ProposalTopic.objects.filter(proposal=OuterRef("pk"), topic_id__in=topic_ids)
    )
    others = Proposal.objects.visible().exclude(pk=proposal.pk)
    # The newest of the year sharing a topic (a walk down the (session, id) index that
    # stops at `limit`), and the delegate's own (their index). As a UNION of the two
    # rather than one WHERE with OR, which tested every proposal: three seconds at a
    # million.
    same_topic = (
        others.filter(shares_topic, session_id=proposal.session_id).order_by("-pk").values("pk")
    )
    same_delegate = (
        others.filter(delegate_id=proposal.delegate_id)
        .order_by("-session_id", "title")
        .values("pk")
    )
    if connections[Proposal.objects.db].features.supports_slicing_ordering_in_compound:
        # Twice the limit: some of the delegate's may also share a topic.
        same_topic, same_delegate = same_topic[:limit], same_delegate[: limit * 2]
    else:  # SQLite: no LIMIT inside a UNION; its data is small
        same_topic, same_delegate = same_topic.order_by(), same_delegate.order_by()
    rows = list(
        others.filter(pk__in=same_topic.union(same_delegate))
        .annotate(shares_topic=shares_topic)
        .select_related("delegate")
        .only(
            "pk", "title", "session_id", "body", "delegate__name", "delegate__slug", "delegate_id"
        )
        .order_by("-session_id", "title")
    )
    sharing = [r for r in rows if r.session_id == proposal.session_id and r.shares_topic]
    same_topic = sorted(sorted(sharing, key=lambda r: -r.pk)[:limit], key=lambda r: r.title)
    same_delegate = [
        r for r in rows if r.delegate_id == proposal.delegate_id and r not in same_topic
    ]
    return {"same_topic": same_topic, "same_delegate": same_delegate[:limit]}


def group_by_year(proposals: list[Proposal]) -> list[tuple[int, list[Proposal]]]:
    """Proposals already ordered newest first, grouped by session year."""
    groups: dict[int, list[Proposal]] = {}
    for p in proposals:
        groups.setdefault(p.session_id, []).append(p)
    return list(groups.items())


def top_topics(proposals: list[Proposal], limit: int = 8) -> list[tuple[Topic, int]]:
    """The topics most proposed on, from already-prefetched topics (no query)."""
    counter: Counter[Topic] = Counter(t for p in proposals for t in p.topics.all())
    return sorted(counter.items(), key=lambda item: (-item[1], item[0].name))[:limit]


def main_root(proposal: Proposal) -> int | None:
    """The id of the top-level topic most of a proposal's topics fall under (on a tie,
    that of its first topic by name). Topics must be prefetched."""
    roots = [t.parent_id or t.pk for t in proposal.topics.all()]
    if not roots:
        return None
    tally = Counter(roots)
    return max(dict.fromkeys(roots), key=lambda r: tally[r])


def group_by_parent_topic(proposals: list[Proposal]) -> list[tuple[TopicNode, list[Proposal]]]:
    """A session's proposals grouped by top-level topic, each proposal once, under its
    main one (`main_root`; a row's tags show the others). Topics must be prefetched."""
    roots = {root.id: root for root in topic_tree().roots}
    groups: dict[int, list[Proposal]] = defaultdict(list)
    for p in proposals:
        root_id = main_root(p)
        if root_id in roots:
            groups[root_id].append(p)
    return sorted(
        ((roots[r], items) for r, items in groups.items()),
        key=lambda g: (-len(g[1]), g[0].name),
    )


def proposal_counts_by_session() -> dict[int, dict[str, int]]:
    rows = (
        TrendCount.objects.visible()
        .on_topic(None)
        .order_by()
        .values("year", "body")
        .annotate(n=Sum("proposals"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"npc": 0, "cppcc": 0, "total": 0})
    for r in rows:
        counts[r["year"]][r["body"]] += r["n"]
        counts[r["year"]]["total"] += r["n"]
    return counts


def with_proposal_counts(delegates: list[Delegate]) -> list[Delegate]:
    """Set `proposal_count` on each of a page of delegates, in one grouped query over
    their proposals only (annotating the whole table would count every proposal)."""
    counts = dict(
        Proposal.objects.visible()
        .filter(delegate__in=delegates)
        .order_by()
        .values("delegate_id")
        .annotate(n=Count("*"))
        .values_list("delegate_id", "n")
    )
    for delegate in delegates:
        delegate.proposal_count = counts.get(delegate.pk, 0)
    return delegates


def delegate_record(delegate: Delegate, limit: int) -> dict[str, Any]:
    """A delegate's proposals for their page, whatever their number: counts per year
    and the topics they propose on most over all of them, the newest `limit` listed.
    Four queries (the counts, the topics, the rows and their topics)."""
    mine = Proposal.objects.visible().by_delegate(delegate)
    per_year = dict(
        mine.order_by().values("session_id").annotate(n=Count("*")).values_list("session_id", "n")
    )
    topics = (
        Topic.objects.filter(proposals__in=mine.values("pk"))
        .annotate(n=Count("*"))
        .order_by("-n", "name")[:8]
    )
    proposals = list(mine.for_list().newest_first()[:limit])
    return {
        "proposal_count": sum(per_year.values()),
        # (year, its listed proposals, how many it has in all)
        "proposals_by_year": [
            (year, items, per_year[year]) for year, items in group_by_year(proposals)
        ],
        "listed": len(proposals),
        "top_topics": [(topic, topic.n) for topic in topics],
    }


# A picker lists at most this many records; past it, a slug goes into the address.
PICKER_LIMIT = 500


def people_choices() -> dict[str, list[dict[str, str]]]:
    """people_choices_now(), cached under the data version: no query on a repeat."""
    return cached("people-choices", (), people_choices_now)


def people_choices_now() -> dict[str, list[dict[str, str]]]:
    """The delegates with a visible proposal and the companies with a visible
    delegate, by name, as {"delegate": [{slug, name, name_zh}], "company": [...]}:
    what the compare page's and the trend explorer's pickers offer. Two queries."""
    delegates = (
        Delegate.objects.visible()
        .filter(Exists(Proposal.objects.visible().filter(delegate=OuterRef("pk"))))
        .order_by("name")
        .values("slug", "name", "name_zh")[:PICKER_LIMIT]
    )
    companies = (
        Company.objects.visible()
        .filter(affiliations__delegate__in=Delegate.objects.visible())
        .distinct()
        .order_by("name")
        .values("slug", "name", "name_zh")[:PICKER_LIMIT]
    )
    return {"delegate": list(delegates), "company": list(companies)}
