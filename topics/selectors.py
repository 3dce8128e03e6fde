"""The topic tree as plain data, cached until a topic changes (signals in proposals)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.cache import cache

from .models import Topic

TOPIC_TREE_CACHE_KEY = "topic-tree:v1"


def topic_tree() -> list[dict[str, Any]]:
    """The visible two-level tree: roots with their `children`, as dicts."""
    tree = cache.get(TOPIC_TREE_CACHE_KEY)
    if tree is None:
        rows = list(
            Topic.objects.visible()
            .order_by("name")
            .values("id", "name", "slug", "parent_id", "color", "description")
        )
        children: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            if row["parent_id"]:
                children[row["parent_id"]].append(row)
        tree = [{**row, "children": children[row["id"]]} for row in rows if not row["parent_id"]]
        cache.set(TOPIC_TREE_CACHE_KEY, tree, timeout=None)
    return tree


def topics_by_slug() -> dict[str, dict[str, Any]]:
    """Every visible topic by slug, each with `ids`: itself and, for a parent, its
    children (a parent matches its sub-topics). Built from the cached tree: no query."""
    index = {}
    for root in topic_tree():
        index[root["slug"]] = {**root, "ids": [root["id"], *(c["id"] for c in root["children"])]}
        for child in root["children"]:
            index[child["slug"]] = {**child, "ids": [child["id"]]}
    return index


def forget_topic_tree(**kwargs: Any) -> None:
    cache.delete(TOPIC_TREE_CACHE_KEY)
