"""Importing the government's priorities: the one path behind `manage.py import_priorities`
and the admin's upload, preview and confirm.

The file is `fixtures/gov_priorities_2013_2025.csv`'s format (HEADER), UTF-8 with or
without a byte-order mark. Every row is checked and every problem kept with its line,
column, value and reason; any problem (or a dry run) rolls everything back, so a file
is imported whole or not at all. A row is identified by (year, priority_en): importing
the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from delegates.models import AnnualSession
from proposals.importing.report import Problem
from proposals.models import Source
from topics.models import Topic

from .models import GovernmentPriority

HEADER = (
    "year",
    "priority_en",
    "priority_zh",
    "topics",
    "source_url",
    "source_title",
    "source_publisher",
    "source_date",
)
# An optional last column; without it the flag is read from the English text, where the
# sources' "(first time)" notes live (fixtures/README.md).
OPTIONAL = ("first_named",)
FIRST_NAMED = re.compile(r"\bfirst (time|named|proposed|written)\b", re.IGNORECASE)
TRUE_VALUES = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
MAX_TEXT = GovernmentPriority._meta.get_field("text_en").max_length

RULES = """\
Rules:
- Header: year,priority_en,priority_zh,topics,source_url,source_title,source_publisher,
  source_date, and optionally first_named (1 or 0; without it, a priority whose English
  text says "first time", "first named", "first proposed" or "first written" is marked
  as named for the first time).
- A row is one priority, identified by (year, priority_en): a row matching a priority
  updates its Chinese text, topics, sources and flag; any other row creates one.
  Importing a file twice changes nothing the second time.
- year must be a session the tracker holds; topics are existing topic slugs joined by
  ';'; source_url is required, source_date is YYYY-MM-DD or empty. A known URL reuses
  its source.
- Any bad row stops the import: nothing is written, and every problem is listed with
  its line and column."""


def is_priorities_header(first_line: str) -> bool:
    """Whether a file's first line is the priorities header (the admin's import page
    tells the two kinds of file apart by it)."""
    names = [n.strip() for n in next(csv.reader([first_line.lstrip("\ufeff")]), [])]
    return tuple(names[: len(HEADER)]) == HEADER


@dataclass(frozen=True)
class PriorityRow:
    """One checked row of a priorities file."""

    line: int
    year: int
    text_en: str
    text_zh: str
    topics: tuple[str, ...]
    first_named: bool
    source_url: str
    source_title: str
    source_publisher: str
    source_date: datetime.date | None


def parse_rows(
    lines: Iterable[str], *, topics: set[str], years: set[int]
) -> tuple[list[PriorityRow], list[Problem]]:
    """Every row of the file checked against the known topic slugs and session years."""
    reader = csv.reader(lines)
    header = [name.strip() for name in next(reader, [])]
    if header:
        header[0] = header[0].lstrip("\ufeff")
    if tuple(header) not in (HEADER, HEADER + OPTIONAL):
        return [], [Problem(1, "", ",".join(header), f"the header must be {','.join(HEADER)}")]
    rows: list[PriorityRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, str], int] = {}
    validate_url = URLValidator()
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                Problem(line, "", "", f"{len(values)} values; the header has {len(header)}")
            )
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=True)}
        found: list[Problem] = []

        def bad(column: str, reason: str, row: dict[str, str] = row) -> None:
            found.append(Problem(line, column, row[column], reason))  # noqa: B023

        year = None
        try:
            year = int(row["year"])
        except ValueError:
            bad("year", "not a year")
        else:
            if year not in years:
                bad("year", "no session that year: add the session first")
        if not row["priority_en"]:
            bad("priority_en", "empty")
        for name in ("priority_en", "priority_zh"):
            if len(row[name]) > MAX_TEXT:
                bad(name, f"longer than {MAX_TEXT} characters")
        slugs = tuple(dict.fromkeys(s.strip() for s in row["topics"].split(";") if s.strip()))
        if not slugs:
            bad("topics", "at least one topic slug")
        for slug in slugs:
            if slug not in topics:
                found.append(Problem(line, "topics", slug, "no topic with this slug"))
        try:
            validate_url(row["source_url"])
        except ValidationError:
            bad("source_url", "a source URL (http:// or https://) is required")
        date = None
        if row["source_date"]:
            try:
                date = datetime.date.fromisoformat(row["source_date"])
            except ValueError:
                bad("source_date", "use YYYY-MM-DD")
        first_named = bool(FIRST_NAMED.search(row["priority_en"]))
        if "first_named" in row and row["first_named"]:
            if row["first_named"].lower() not in TRUE_VALUES:
                bad("first_named", "use 1 or 0")
            else:
                first_named = TRUE_VALUES[row["first_named"].lower()]
        key = (year or 0, row["priority_en"])
        if year and row["priority_en"] and key in seen:
            bad("priority_en", f"the same priority as line {seen[key]}")
        seen.setdefault(key, line)
        if found or year is None:
            problems.extend(found)
            continue
        rows.append(
            PriorityRow(
                line=line,
                year=year,
                text_en=row["priority_en"],
                text_zh=row["priority_zh"],
                topics=slugs,
                first_named=first_named,
                source_url=row["source_url"],
                source_title=row["source_title"],
                source_publisher=row["source_publisher"],
                source_date=date,
            )
        )
    return rows, problems


@dataclass
class PriorityReport:
    """What an import found and did."""

    name: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    sources_created: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary_lines(self) -> list[str]:
        return [
            f"priorities: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged",
            f"sources: {self.sources_created} created",
        ]


class _Rollback(Exception):
    pass


def _decoded(stream: IO[bytes]) -> tuple[list[str] | None, Problem | None]:
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(line, "", "", "not UTF-8 text")
    return io.StringIO(text, newline="").readlines(), None


def import_priorities(
    stream: IO[bytes], *, name: str, dry_run: bool = False, user: Any = None
) -> PriorityReport:
    """Check every row, then write them all in one transaction (or nothing)."""
    report = PriorityReport(name=name, dry_run=dry_run)
    lines, problem = _decoded(stream)
    if problem is not None or lines is None:
        report.problems.append(problem)  # type: ignore[arg-type]
        return report
    try:
        with transaction.atomic():
            topic_ids = dict(Topic.objects.values_list("slug", "pk"))
            years = set(AnnualSession.objects.values_list("year", flat=True))
            rows, report.problems = parse_rows(lines, topics=set(topic_ids), years=years)
            report.rows = len(rows) + len({p.line for p in report.problems})
            if report.problems:
                raise _Rollback
            _write(rows, topic_ids, report, user)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _write(
    rows: list[PriorityRow], topic_ids: dict[str, int], report: PriorityReport, user: Any
) -> None:
    sources = Source.objects.in_bulk([r.source_url for r in rows], field_name="url")
    existing = {
        (p.session_id, p.text_en): p
        for p in GovernmentPriority.objects.filter(
            session_id__in={r.year for r in rows}
        ).prefetch_related("topics", "sources")
    }
    for row in rows:
        source = sources.get(row.source_url)
        if source is None:
            source = sources[row.source_url] = Source.objects.create(
                url=row.source_url,
                title=row.source_title,
                publisher=row.source_publisher,
                published_on=row.source_date,
            )
            report.sources_created += 1
        wanted_topics = {topic_ids[s] for s in row.topics}
        priority = existing.get((row.year, row.text_en))
        if priority is None:
            priority = GovernmentPriority(session_id=row.year, text_en=row.text_en)
            priority._history_user = user
            priority.text_zh, priority.first_named = row.text_zh, row.first_named
            priority.save()
            priority.topics.set(wanted_topics)
            priority.sources.set([source.pk])
            report.created += 1
            continue
        same = (
            priority.text_zh == row.text_zh
            and priority.first_named == row.first_named
            and {t.pk for t in priority.topics.all()} == wanted_topics
            and source.pk in {s.pk for s in priority.sources.all()}
        )
        if same:
            report.unchanged += 1
            continue
        priority._history_user = user
        priority.text_zh, priority.first_named = row.text_zh, row.first_named
        priority.save()
        priority.topics.set(wanted_topics)
        priority.sources.add(source.pk)
        report.updated += 1
