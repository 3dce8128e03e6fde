"""The echo figures (stats/echo.py) made ready for pages and the data endpoints: topic
ids as slugs, priorities and proposals fetched for display in one query each. The
figures themselves are computed and cached in stats/echo.py; this module only looks
up what they name."""

from __future__ import annotations

import csv
import io
from typing import Any

from delegates.models import AnnualSession, Company, Delegate
from government.models import GovernmentPriority
from proposals.models import Proposal
from stats import echo
from stats.echo_data import _priority_info, _slugs, payload  # noqa: F401 (moved there; public.views.echo calls payload here)
from topics.tree import topic_tree


def csv_text(scope: str, data: dict[str, Any]) -> str:
    """The same figures as rows: one per year (topic), per echo (session), per proposal
    (delegate, company), per session (no scope)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if scope == "topic":
        named = set(data["named_years"])
        writer.writerow(["topic", "year", "proposals", "named", "first_year"])
        years = sorted({r["year"] for r in data["by_year"]} | named)
        counts = {r["year"]: r["proposals"] for r in data["by_year"]}
        for year in years:
            writer.writerow(
                [data["topic"], year, counts.get(year, 0), int(year in named), data["first_year"]]
            )
    elif scope == "session":
        writer.writerow(["session", "priority", "priority_en", "echo", "proposal"])
        for p in data["priorities"]:
            for kind, ids in p["echoes"].items():
                for pk in ids:
                    writer.writerow([data["session"], p["id"], p["text_en"], kind, pk])
    elif scope in ("delegate", "company"):
        echoing = {e["proposal"]: e for e in data["echoing"]}
        ahead = {a["proposal"]: a for a in data["ahead_of"]}
        writer.writerow([scope, "proposal", "year", "echo", "priorities", "ahead", "ahead_topics"])
        for pk in sorted(echoing.keys() | ahead.keys()):
            e, a = echoing.get(pk), ahead.get(pk)
            writer.writerow(
                [
                    data[scope],
                    pk,
                    (e or a)["year"],  # type: ignore[index]
                    int(e is not None),
                    ";".join(str(i) for i in e["priorities"]) if e else "",
                    int(a is not None),
                    ";".join(a["topics"]) if a else "",
                ]
            )
    else:
        writer.writerow(["session", "in_progress", "priorities", "proposals", "echoing"])
        for s in data["sessions"]:
            writer.writerow(
                [s["session"], int(s["in_progress"]), s["priorities"], s["proposals"], s["echoing"]]
            )
    return out.getvalue()


def _proposals(ids: set[int]) -> dict[int, Proposal]:
    return Proposal.objects.filter(pk__in=ids).for_list().in_bulk() if ids else {}


def session_context(session: AnnualSession) -> dict[str, Any]:
    """A session page's priorities, each with its echoing proposals: five queries (the
    figures when not cached, the priorities with their topics and sources, the
    proposals with theirs)."""
    year = session.year
    data = echo.session_echo(year, session)
    if not data["priorities"]:
        return {**data, "priorities": []}
    priorities = GovernmentPriority.objects.in_year(year).for_display().in_bulk()
    wanted = {pk for p in data["priorities"] for ids in p["echoes"].values() for pk in ids}
    found = _proposals(wanted)
    return {
        "in_progress": data["in_progress"],
        "echoing": data["echoing"],
        "proposals": data["proposals"],
        "priorities": [
            {
                "priority": priorities[p["priority"]],
                "same_year": [found[i] for i in p["echoes"]["same_year"] if i in found],
                "year_before": [found[i] for i in p["echoes"]["year_before"] if i in found],
            }
            for p in data["priorities"]
            if p["priority"] in priorities
        ],
    }


def topic_context(slug: str) -> dict[str, Any]:
    """A topic page's named years and its "ahead of the government" table."""
    data = echo.topic_echo(slug)
    found = _proposals({a["proposal"] for a in data["ahead"]})
    return {
        **data,
        "ahead": [found[a["proposal"]] for a in data["ahead"] if a["proposal"] in found],
        "chart": {
            "years": [r["year"] for r in data["by_year"]],
            "counts": [r["proposals"] for r in data["by_year"]],
            "named": data["named_years"],
        },
    }


def record_context(scope: str, record: Delegate | Company) -> dict[str, Any]:
    """A delegate's or company's echo and ahead figures with their proposals."""
    if isinstance(record, Delegate):
        data = echo.delegate_echo(record.slug, record)
    else:
        data = echo.company_echo(record.slug, record)
    found = _proposals(
        {e["proposal"] for e in data["echoing"]} | {a["proposal"] for a in data["ahead_of"]}
    )
    tree = topic_tree()
    return {
        "proposals": data["proposals"],
        "by_year": data["by_year"],
        "echo": data["echo"],
        "ahead": data["ahead"],
        "echoing": [found[e["proposal"]] for e in data["echoing"] if e["proposal"] in found],
        "ahead_of": [
            {
                "proposal": found[a["proposal"]],
                "topics": [
                    (tree.by_id[t], year)
                    for t, year in zip(a["topics"], a["first_named"], strict=True)
                    if t in tree.by_id
                ],
            }
            for a in data["ahead_of"]
            if a["proposal"] in found
        ],
    }


def dashboard_context() -> dict[str, Any]:
    """The dashboard's "Echoes of the government's goals": the latest complete
    session's priorities with how many proposals echo each. Two queries when cached
    figures exist (the priorities' texts are not cached: they are display text)."""
    year = echo.latest_complete_year()
    if year is None:
        return {"echo": None}
    data = echo.session_echo(year)
    if not data["priorities"]:
        return {"echo": None}
    priorities = GovernmentPriority.objects.in_year(year).in_bulk()
    return {
        "echo_year": year,
        "echo": {
            "proposals": data["proposals"],
            "echoing": data["echoing"],
            "priorities": [
                {
                    "priority": priorities[p["priority"]],
                    "same_year": p["echoes"]["same_year"],
                    "year_before": p["echoes"]["year_before"],
                }
                for p in data["priorities"]
                if p["priority"] in priorities
            ],
        },
    }
