"""Checking one row: every value of a record parsed and validated, every problem kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from delegates.models import Body, Company, Delegate

from ..interchange import (
    COLUMNS,
    TOPIC_SEPARATOR,
    TRANSLATION_COLUMNS,
    PersonName,
    parse_outcomes_cell,
    parse_repeats_cell,
    split_person_name,
    unneutralise,
)
from ..models import Status
from ..outcomes import Grade, Kind, Step, parse_partial_date, timeline_problems
from .read import Record
from .report import Problem

FIRST_YEAR = 1949  # the first CPPCC plenary; the NPC's followed in 1954


# --- Checking one row ------------------------------------------------------------------


def _is_web_address(url: str) -> bool:
    """http(s) with a host and no spaces; cheaper than URLValidator on 100,000 rows."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


LIMITS = {
    "delegate_name": 200,
    "delegate_name_zh": 100,
    "company": 200,
    "role": 200,
    "title": 300,
    "title_zh": 300,
    "source_url": 500,
    "source_title": 300,
    "source_publisher": 200,
}
BODIES = {"npc": Body.NPC, "cppcc": Body.CPPCC}
SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")  # Django's validate_slug, without its lazy wrappers
STATUSES = {s.value: s for s in Status} | {s.label.casefold(): s for s in Status}


@dataclass
class Row:
    line: int
    year: int
    body: str
    person: PersonName
    name_zh: str
    company: str
    role: str
    title: str
    summary: str
    topics: list[str]
    status: str
    source_url: str
    source_title: str
    source_publisher: str
    source_date: date | None
    # None: the cell was empty (or the column absent), so what is held is kept.
    outcomes: list[dict[str, str]] | None = None
    repeats: tuple[int, str] | None = None
    delegate: Delegate | None = None
    company_obj: Company | None = None
    source_id: int | None = None
    title_zh: str = ""
    summary_zh: str = ""
    # The title as the file writes it: a proposal saved with other spacing (a leading
    # space, a double space) is still the one the row means.
    title_as_written: str = ""


def _clean(value: str) -> str:
    return " ".join(value.split())


def parse_row(
    record: Record, last_year: int, known_topic: Callable[[str], bool] | None = None
) -> tuple[Row | None, list[Problem]]:
    """The row's values checked one by one; every problem is returned, not just the first.
    `known_topic` says whether a slug may be used (None: any slug may)."""
    # The export's apostrophe before formula-like cells is its own, not the data's.
    v = {key: unneutralise(record.values.get(key, "")) for key in COLUMNS + TRANSLATION_COLUMNS}
    line = record.line
    problems = list(record.problems)
    if problems:
        return None, problems

    def bad(column: str, reason: str, value: str | None = None) -> None:
        problems.append(Problem(line, column, v[column] if value is None else value, reason))

    for column, value in v.items():
        if "\x00" in value:
            # PostgreSQL refuses NUL characters in text; they only come from binary files.
            bad(column, "contains a NUL character: is this a text file?", value.replace("\x00", ""))
    for column, limit in LIMITS.items():
        if len(v[column].strip()) > limit:
            bad(column, f"longer than {limit} characters")
    year = 0
    try:
        year = int(v["year"].strip())
    except ValueError:
        bad("year", "not a year" if v["year"].strip() else "empty year")
    else:
        if not FIRST_YEAR <= year <= last_year:
            bad("year", f"year out of range: must be {FIRST_YEAR} to {last_year}")
    body = BODIES.get(v["body"].strip().casefold())
    if body is None:
        bad("body", "body must be NPC or CPPCC")
    name = _clean(v["delegate_name"])
    if not name:
        bad("delegate_name", "empty delegate name")
    title = _clean(v["title"])
    if not title:
        bad("title", "empty title")
    slugs = [s.strip() for s in v["topics"].split(TOPIC_SEPARATOR) if s.strip()]
    if not slugs:
        bad("topics", "no topic: every proposal needs at least one topic slug")
    for slug in slugs:
        if not SLUG.match(slug):
            bad("topics", "not a topic slug (letters, digits, hyphens)", slug)
        elif known_topic is not None and not known_topic(slug):
            bad("topics", "unknown topic (see the topics in the admin)", slug)
    status = ""
    if v["status"].strip():
        status = STATUSES.get(v["status"].strip().casefold(), "")
        if not status:
            bad("status", f"unknown status: use one of {', '.join(Status.values)}")
    url = v["source_url"].strip()
    if url:
        if not _is_web_address(url):
            bad("source_url", "not a web address (http:// or https://)")
    elif not v["source_title"].strip():
        bad("source_url", "no source: give source_url (or the source_title of a known source)")
    when = None
    if v["source_date"].strip():
        try:
            when = date.fromisoformat(v["source_date"].strip())
        except ValueError:
            bad("source_date", "not a date: use YYYY-MM-DD")
    events, reason = parse_outcomes_cell(v["outcomes"])
    if reason:
        bad("outcomes", reason, v["outcomes"][:100])
    for event in events or []:
        if event["kind"] not in Kind.values:
            bad(
                "outcomes",
                f"unknown event kind: use one of {', '.join(Kind.values)}",
                event["kind"],
            )
        if event["grade"] and event["grade"] not in Grade.values:
            bad("outcomes", "a reply's grade is A, B, C or D", event["grade"])
        if event["date"] and not parse_partial_date(event["date"]):
            bad("outcomes", "not a date: use 2022, 2022-10 or 2022-10-18", event["date"])
        if event["source_url"] and not _is_web_address(event["source_url"]):
            bad("outcomes", "an event's source_url is not a web address", event["source_url"])
    if events and not problems:
        for reason in timeline_problems([Step(e["kind"], e["date"]) for e in events], year):
            bad("outcomes", reason, v["outcomes"][:100])
    repeats, reason = parse_repeats_cell(v["repeats"])
    if reason:
        bad("repeats", reason)
    elif repeats and year and repeats[0] >= year:
        bad("repeats", "a proposal can only repeat one from an earlier year")
    company = _clean(v["company"])
    role = _clean(v["role"])
    if role and not company:
        bad("role", "a role needs a company")
    if problems:
        return None, problems
    return (
        Row(
            line=line,
            year=year,
            body=body,
            person=split_person_name(name),
            name_zh=_clean(v["delegate_name_zh"]),
            company=company,
            role=role,
            title=title,
            summary=v["summary"].strip(),
            topics=list(dict.fromkeys(slugs)),
            status=status,
            source_url=url,
            source_title=_clean(v["source_title"]),
            source_publisher=_clean(v["source_publisher"]),
            source_date=when,
            outcomes=events,
            repeats=repeats,
            title_zh=_clean(v["title_zh"]),
            title_as_written=v["title"],
            summary_zh=v["summary_zh"].strip(),
        ),
        [],
    )
