"""The topic tree as plain data: the one shape every page, filter and chart reads.

Built in one query and cached under the data version (core.cache), which every topic
edit bumps, so it follows the admin at once. Generated demo topics are in it only when
they may be shown (TRACKER_SHOW_GENERATED).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.cache import cache_key, cached

from .models import Topic


@dataclass(frozen=True)
class TopicNode:
    id: int
    slug: str
    name: str
    color: str
    description: str
    parent_id: int | None
    parent_name: str = ""
    name_zh: str = ""
    parent_name_zh: str = ""
    children: tuple[TopicNode, ...] = ()

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def ids(self) -> tuple[int, ...]:
        """Itself and its sub-topics: a top-level topic matches its sub-topics."""
        return (self.id, *(child.id for child in self.children))


@dataclass
class TopicTree:
    """Top-level topics by name, each with its sub-topics by name."""

    roots: list[TopicNode]
    topics: list[TopicNode] = field(init=False)  # tree order: each root, then its children
    by_slug: dict[str, TopicNode] = field(init=False)
    by_id: dict[int, TopicNode] = field(init=False)

    def __post_init__(self) -> None:
        self.topics = [node for root in self.roots for node in (root, *root.children)]
        self.by_slug = {t.slug: t for t in self.topics}
        self.by_id = {t.id: t for t in self.topics}

    def leaves(self) -> list[TopicNode]:
        """Topics without sub-topics: counting these counts no proposal twice per topic."""
        return [t for t in self.topics if not t.children]

    def ids_of(self, topics: Iterable[TopicNode]) -> list[int]:
        """The ids the topics match, their sub-topics included, sorted."""
        return sorted({i for topic in topics for i in topic.ids})


# The tree as this process last read it, under its cache key (which holds the data
# version): a request asks for the tree several times, and unpickling it from the
# cache each time cost more than the list's SQL.
_memo: tuple[str, TopicTree] | None = None


def topic_tree() -> TopicTree:
    """The visible tree (one query, then cached under the data version, and held by
    the process while that version lasts)."""
    global _memo
    key = cache_key("topic-tree", ())
    memo = _memo
    if memo is not None and memo[0] == key:
        return memo[1]
    tree = cached("topic-tree", (), _build)
    _memo = (key, tree)
    return tree


def _build() -> TopicTree:
    rows = list(
        Topic.objects.visible()
        .order_by()
        .values_list("id", "slug", "name", "name_zh", "color", "description", "parent_id")
    )
    names = {row[0]: (row[2], row[3]) for row in rows if row[6] is None}
    children: dict[int, list[TopicNode]] = {}
    for tid, slug, name, name_zh, color, description, parent in rows:
        # A sub-topic of a hidden parent is hidden with it.
        if parent is not None and parent in names:
            parent_name, parent_name_zh = names[parent]
            node = TopicNode(
                tid, slug, name, color, description, parent, parent_name, name_zh, parent_name_zh
            )
            children.setdefault(parent, []).append(node)
    roots = [
        TopicNode(
            tid,
            slug,
            name,
            color,
            description,
            None,
            name_zh=name_zh,
            children=tuple(sorted(children.get(tid, []), key=lambda c: c.name.lower())),
        )
        for tid, slug, name, name_zh, color, description, parent in rows
        if parent is None
    ]
    return TopicTree(sorted(roots, key=lambda r: r.name.lower()))
