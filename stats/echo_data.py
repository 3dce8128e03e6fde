"""The echo figures (stats/echo.py) as /trends/echo.json and the API's /api/v1/echo/
give them: topic ids as slugs, the priorities they name looked up in one query. Moved
here from public/echo.py so the API serves the same numbers without importing a page
module."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from government.models import GovernmentPriority
from proposals.params import unknown_record
from topics.tree import topic_tree

from . import echo


def _slugs(ids: list[int]) -> list[str]:
    tree = topic_tree()
    return [tree.by_id[i].slug for i in ids if i in tree.by_id]


def _priority_info(ids: list[int]) -> dict[int, dict[str, Any]]:
    found = GovernmentPriority.objects.filter(pk__in=ids).prefetch_related("topics")
    return {
        p.pk: {
            "id": p.pk,
            "year": p.session_id,
            "text_en": p.text_en,
            "text_zh": p.text_zh,
            "first_named": p.first_named,
            "topics": sorted(t.slug for t in p.topics.all()),
        }
        for p in found
    }


def payload(scope: str, value: Any) -> dict[str, Any]:
    """The JSON of /trends/echo.json for one scope (raises UnknownFilter)."""
    if scope == "topic":
        data = dict(echo.topic_echo(value))
        data["priorities"] = list(_priority_info(data["priorities"]).values())
        return data
    if scope == "session":
        data = dict(echo.session_echo(value))
        info = _priority_info([p["priority"] for p in data["priorities"]])
        data["priorities"] = [
            {**info[p["priority"]], "echoes": p["echoes"]} for p in data["priorities"]
        ]
        return data
    if scope in ("delegate", "company"):
        data = dict((echo.delegate_echo if scope == "delegate" else echo.company_echo)(value))
        data["ahead_of"] = [{**a, "topics": _slugs(a["topics"])} for a in data["ahead_of"]]
        return data
    return {"sessions": echo.overview(), "latest_complete": echo.latest_complete_year()}


def unknown_message(name: str, slug: str) -> str:
    """What the echo endpoints (/trends/echo.json and the API's) say of a record that
    does not exist."""
    if name in ("delegate", "company"):
        return unknown_record(name, slug)
    if name == "topic":
        return gettext("No topic is called “%(slug)s”; they are listed at /topics/.") % {
            "slug": slug[:40]
        }
    return gettext("No session in %(year)s; they are listed at /sessions/.") % {"year": slug}
