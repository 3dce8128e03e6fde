"""Bulk import of a session's proposals: the one path behind `manage.py import_proposals`
and the admin's upload, preview and confirm pages.

The file is the CSV interchange format (proposals.interchange) or JSON Lines with the
same keys, UTF-8 with or without a byte-order mark. It is read as a stream, a chunk of
rows at a time, inside one transaction:

- every row is checked and every problem kept, with its line, column, value and reason;
- what a chunk's good rows need is found or created set-based (sessions, delegates,
  companies, seats, topics, sources), then proposals are bulk-created or bulk-updated
  with their history;
- at the end, any problem (or a dry run) rolls everything back, so a file is imported
  whole or not at all, and a dry run reports exactly what a real run would do.

Rules for the rows are in `RULES`, which the command prints as its help.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any
from urllib.parse import urlsplit

from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify

from config.history import copy_versions
from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate, Seat
from topics.models import Topic

from .bulk import announce
from .history import ensure_baseline, reason_text, record_versions
from .interchange import COLUMNS, TOPIC_SEPARATOR, PersonName, split_person_name
from .models import Proposal, ProposalTopic, Source, Status

FIRST_YEAR = 1949  # the first CPPCC plenary; the NPC's followed in 1954
CHUNK_ROWS = 2000
SAMPLE_CHANGES = 200  # proposal changes kept for the preview; the counts are complete
REQUIRED = ("year", "body", "delegate_name", "title", "topics")
SOURCE_KEYS = ("source_url", "source_title")

RULES = """\
Rules:
- A row is one proposal, identified by (year, delegate, title): a row matching a
  proposal updates it, any other row creates one. Importing a file twice changes
  nothing the second time.
- Required: year, body (NPC or CPPCC), delegate_name, title, at least one topic slug
  (joined by ';'), and source_url or source_title. A source_title alone must name one
  source already in the database.
- Empty optional cells (delegate_name_zh, company, role, summary, status, source_*)
  never erase what the database holds; a new proposal's empty status is 'submitted'.
- A proposal's topics become the row's topics; the row's source is added to the
  proposal's sources (a proposal may cite several pages, a row carries one).
- Delegates are found by English name, any other name ("Pony Ma (Ma Huateng)" is
  Pony Ma, also called Ma Huateng) or Chinese name, else created; companies by
  English or Chinese name, else created; sessions by year, else created.
- Seats: a delegate with no seat that year gets one in the row's body. A row whose
  body contradicts the delegate's seats that year is refused. A delegate who sat in
  both bodies in one year (people do move) needs both seats in the database first:
  rows in both bodies for a delegate without seats that year are refused too.
- The row's company and role extend the delegate's affiliation to that year, or
  start a new one.
- Unknown topic slugs are refused unless topics may be created (new topics are
  top-level: place them in the tree in the admin).
- All or nothing: any bad row means nothing is written, and every bad row is
  reported with its line (the header is line 1), column, value and reason."""


# --- Results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where, what and why."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column:
            where += f", column {self.column}"
        if self.value:
            shown = self.value if len(self.value) <= 80 else self.value[:79] + "…"
            where += f" ({shown!r})"
        return f"{where}: {self.reason}"


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(frozen=True)
class Change:
    """A proposal the import creates or updates, for the preview."""

    line: int
    action: str  # "create" or "update"
    label: str
    details: tuple[str, ...] = ()


# The order the summary lists models in, with their names there.
MODELS = {
    "proposal": "proposals",
    "delegate": "delegates",
    "company": "companies",
    "affiliation": "affiliations",
    "session": "sessions",
    "seat": "seats",
    "source": "sources",
    "topic": "topics",
    "topic_link": "topic tags",
    "source_link": "proposal sources",
}


@dataclass
class ImportReport:
    name: str = ""
    dry_run: bool = False
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in MODELS})
    changes: list[Change] = field(default_factory=list)
    more_changes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def summary_rows(self) -> list[tuple[str, Tally]]:
        """(model name, tally) for every model the file touched."""
        return [
            (MODELS[key], tally)
            for key, tally in self.tallies.items()
            if tally.created or tally.updated or tally.unchanged or tally.removed
        ]

    def summary_lines(self) -> list[str]:
        lines = []
        for name, tally in self.summary_rows():
            parts = [f"{tally.created} created", f"{tally.updated} updated"]
            if tally.removed:
                parts.append(f"{tally.removed} removed")
            parts.append(f"{tally.unchanged} unchanged")
            lines.append(f"{name}: {', '.join(parts)}")
        return lines


class FileProblem(Exception):
    """The file cannot be read as rows at all (empty, wrong encoding, no header)."""

    def __init__(self, reason: str, line: int = 1, column: str = "", value: str = "") -> None:
        super().__init__(reason)
        self.problem = Problem(line, column, value, reason)


class _Rollback(Exception):
    pass


Progress = Callable[[int, int], None]  # (rows read, bytes read)


# --- Reading ----------------------------------------------------------------------------


@dataclass
class Record:
    line: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


NOT_UTF8 = "not UTF-8 text: save the file as UTF-8 (in Excel: “CSV UTF-8”)"


class _Lines:
    """Physical lines of a binary stream, decoded one by one so that a byte that is not
    UTF-8 is pinned to its line instead of failing the whole file."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.number = 0
        self.bytes_read = 0
        self.bad: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            self.number += 1
            self.bytes_read += len(raw)
            if self.number == 1:
                raw = self._check_start(raw)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad.add(self.number)
                yield raw.decode("utf-8", errors="replace")

    @staticmethod
    def _check_start(raw: bytes) -> bytes:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileProblem("the file is UTF-16 text: save it as UTF-8 (in Excel: “CSV UTF-8”)")
        if raw.startswith(b"PK\x03\x04"):
            raise FileProblem(
                "this is a spreadsheet or zip file, not CSV: save it as CSV UTF-8 first"
            )
        return raw.removeprefix(codecs.BOM_UTF8)


def sniff_format(head: bytes) -> str:
    """'jsonl' when the first non-blank character opens a JSON object, else 'csv'."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    return "jsonl" if text.startswith(b"{") else "csv"


def _check_columns(columns: list[str], line: int = 1) -> list[Problem]:
    problems = []
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        problems.append(
            Problem(
                line,
                "",
                ", ".join(unknown),
                f"unknown column(s); the columns are {','.join(COLUMNS)}",
            )
        )
    dupes = [c for c, n in Counter(columns).items() if n > 1]
    if dupes:
        problems.append(Problem(line, "", ", ".join(dupes), "column given twice"))
    missing = [c for c in REQUIRED if c not in columns]
    if not any(c in columns for c in SOURCE_KEYS):
        missing.append("source_url")
    if missing:
        problems.append(Problem(line, "", ", ".join(missing), "missing required column(s)"))
    return problems


def read_csv(lines: _Lines) -> Iterator[Record]:
    reader = csv.reader(iter(lines))
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("the file is empty") from None
    except csv.Error as exc:
        raise FileProblem(f"the first line is not CSV: {exc}") from None
    header = [h.strip() for h in header]
    if 1 in lines.bad:
        raise FileProblem(NOT_UTF8, value=",".join(header))
    if not any(header):
        if next(reader, None) is None:
            raise FileProblem("the file is empty")
        raise FileProblem("missing header: line 1 is empty; it must name the columns")
    problems = _check_columns(header)
    if problems:
        if header and re.fullmatch(r"\d{4}", header[0]):
            raise FileProblem(
                f"missing header: line 1 holds data; the first line must name the columns "
                f"{','.join(COLUMNS)}",
                value=",".join(header)[:100],
            )
        raise FileProblem("; ".join(f"{p.reason}: {p.value}" for p in problems))
    end = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start, end = end + 1, reader.line_num
            yield Record(start, {}, [Problem(start, "", "", f"not valid CSV: {exc}")])
            continue
        start, end = end + 1, reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        record = Record(start, {})
        if len(row) != len(header):
            record.problems.append(
                Problem(start, "", "", f"has {len(row)} cells where the header has {len(header)}")
            )
        record.values = dict(zip(header, row, strict=False))
        if lines.bad.intersection(range(start, end + 1)):
            _encoding_problems(record)
        yield record


def _encoding_problems(record: Record) -> None:
    bad = [c for c, v in record.values.items() if "\ufffd" in v] or [""]
    for column in bad:
        record.problems.append(
            Problem(record.line, column, record.values.get(column, ""), NOT_UTF8)
        )


def read_jsonl(lines: _Lines) -> Iterator[Record]:
    seen_any = False
    for text in lines:
        number = lines.number
        if not text.strip():
            continue
        seen_any = True
        record = Record(number, {})
        if number in lines.bad:
            record.problems.append(Problem(number, "", "", NOT_UTF8))
            yield record
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            record.problems.append(Problem(number, "", "", f"not valid JSON: {exc.msg}"))
            yield record
            continue
        if not isinstance(data, dict):
            record.problems.append(Problem(number, "", "", "each line must be a JSON object"))
            yield record
            continue
        record.problems.extend(_check_columns(list(data), number))
        for key, value in data.items():
            if value is None:
                value = ""
            elif key == "topics" and isinstance(value, list):
                value = TOPIC_SEPARATOR.join(str(v) for v in value)
            elif isinstance(value, bool) or not isinstance(value, str | int | float):
                record.problems.append(
                    Problem(number, key, str(value), "must be a string or a number")
                )
                continue
            record.values[key] = str(value)
        yield record
    if not seen_any:
        raise FileProblem("the file is empty")


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
    delegate: Delegate | None = None
    company_obj: Company | None = None
    source_id: int | None = None


def _clean(value: str) -> str:
    return " ".join(value.split())


def parse_row(
    record: Record, last_year: int, known_topic: Callable[[str], bool] | None = None
) -> tuple[Row | None, list[Problem]]:
    """The row's values checked one by one; every problem is returned, not just the first.
    `known_topic` says whether a slug may be used (None: any slug may)."""
    v = {key: record.values.get(key, "") for key in COLUMNS}
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
        ),
        [],
    )


# --- Importing ----------------------------------------------------------------------------


def _key(name: str) -> str:
    return name.casefold()


def _unique_slug(base: str, taken: set[str], fallback: str) -> str:
    base = slugify(base)[:190] or fallback
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


class _Importer:
    """State kept across the chunks of one file. Small tables (delegates, companies,
    topics, sessions) are indexed in memory once; per-row tables (proposals, sources,
    seats) are looked up a chunk at a time."""

    def __init__(self, report: ImportReport, *, create_topics: bool, user: Any, reason: str):
        self.report = report
        self.create_topics = create_topics
        self.user = user
        self.reason = reason_text(reason)
        self.last_year = timezone.localdate().year
        self.seen: dict[str, set[Any]] = defaultdict(set)  # model key -> pks the file names
        self.created: dict[str, set[Any]] = defaultdict(set)
        self.updated: dict[str, set[Any]] = defaultdict(set)
        self.keys: dict[tuple[int, int, str], int] = {}  # (year, delegate, title) -> line
        self.years = set(AnnualSession.objects.values_list("year", flat=True))
        self.topics = dict(Topic.objects.values_list("slug", "pk"))
        self.topic_names = set(Topic.objects.values_list("name", flat=True))
        self._index_delegates()
        self._index_companies()
        self.seats: dict[tuple[int, int], dict[str, int]] = {}  # -> body: line (0: db)
        self.seats_loaded: set[int] = set()
        self.affiliations: dict[int, list[Affiliation]] = {}
        self.changed_affiliations: dict[int, Affiliation] = {}
        self.changed_delegates: dict[int, Delegate] = {}
        self.sources: dict[str, tuple[int, int, tuple[str, str, date | None]]] = {}
        self.slices: set[tuple[int, str]] = set()  # (year, body) the file's proposals touch

    # Writes -------------------------------------------------------------------------------

    def _create(self, model: type[Any], objs: list[Any]) -> None:
        model.objects.bulk_create(objs)
        copy_versions(
            model, [o.pk for o in objs], history_type="+", user=self.user, reason=self.reason
        )

    def _update(self, model: type[Any], objs: list[Any], fields: list[str]) -> None:
        model.objects.bulk_update(objs, fields)
        copy_versions(model, [o.pk for o in objs], user=self.user, reason=self.reason)

    # Indexes ------------------------------------------------------------------------------

    def _index_delegates(self) -> None:
        self.by_name: dict[str, list[Delegate]] = defaultdict(list)
        self.by_zh: dict[str, list[Delegate]] = defaultdict(list)
        self.delegate_slugs = set(Delegate.objects.values_list("slug", flat=True))
        for delegate in Delegate.objects.only("name", "other_names", "name_zh", "slug"):
            self._add_delegate(delegate)

    def _add_delegate(self, delegate: Delegate) -> None:
        for name in delegate.all_names:
            if name != delegate.name_zh:
                self.by_name[_key(name)].append(delegate)
        if delegate.name_zh:
            self.by_zh[delegate.name_zh].append(delegate)

    def _index_companies(self) -> None:
        self.companies: dict[str, Company] = {}
        self.company_slugs = set(Company.objects.values_list("slug", flat=True))
        for company in Company.objects.only("name", "name_zh"):
            self.companies.setdefault(_key(company.name), company)
            if company.name_zh:
                self.companies.setdefault(company.name_zh, company)

    # One chunk ------------------------------------------------------------------------------

    def run_chunk(self, records: list[Record]) -> None:
        rows: list[Row] = []
        for record in records:
            row, problems = parse_row(record, self.last_year, self._known_topic)
            self.report.problems.extend(problems)
            if row is not None:
                rows.append(row)
        rows = self._resolve_delegates(rows)
        rows = self._check_duplicates(rows)
        self._resolve_sessions(rows)
        rows = self._check_seats(rows)
        self._resolve_companies(rows)
        rows = self._resolve_sources(rows)
        self._create_topics(rows)
        self._write_proposals(rows)

    def _problem(self, row: Row, column: str, value: str, reason: str) -> None:
        self.report.problems.append(Problem(row.line, column, value, reason))

    def _known_topic(self, slug: str) -> bool:
        return self.create_topics or slug in self.topics

    def _resolve_delegates(self, rows: list[Row]) -> list[Row]:
        new: list[Delegate] = []
        good = []
        for row in rows:
            delegate, reason = self._find_delegate(row.person, row.name_zh)
            if reason:
                self._problem(row, "delegate_name", row.person.name, reason)
                continue
            if delegate is None:
                delegate = Delegate(
                    name=row.person.name,
                    other_names="; ".join(row.person.other_names),
                    name_zh=row.name_zh,
                    slug=_unique_slug(row.person.name, self.delegate_slugs, "delegate"),
                )
                new.append(delegate)
                self._add_delegate(delegate)
            elif row.name_zh and not delegate.name_zh:
                delegate.name_zh = row.name_zh
                self.by_zh[row.name_zh].append(delegate)
                if delegate.pk:
                    self.changed_delegates[delegate.pk] = delegate
            row.delegate = delegate
            good.append(row)
        if new:
            self._create(Delegate, new)
            self.created["delegate"].update(d.pk for d in new)
        for row in good:
            self.seen["delegate"].add(row.delegate.pk)
        return good

    def _find_delegate(self, person: PersonName, zh: str) -> tuple[Delegate | None, str]:
        """The delegate a row names, None for a new person, or a reason it is unclear."""
        by_english: list[Delegate] = []
        for name in (person.name, *person.other_names):
            for d in self.by_name.get(_key(name), ()):
                if d not in by_english:
                    by_english.append(d)
        if not zh:
            if len(by_english) > 1:
                return None, "several delegates have this name: give delegate_name_zh"
            return (by_english[0] if by_english else None), ""
        by_chinese = self.by_zh.get(zh, [])
        both = [d for d in by_english if d in by_chinese]
        if len(both) == 1:
            return both[0], ""
        if len(both) > 1:
            return None, "several delegates have these names; tell them apart in the admin"
        if by_english and by_chinese:
            return None, (
                f"the English name is {by_english[0]} but {zh} is {by_chinese[0]}; "
                "correct one of the names"
            )
        if by_chinese:
            if len(by_chinese) > 1:
                return None, f"several delegates are called {zh}: give their English name"
            return by_chinese[0], ""
        unnamed = [d for d in by_english if not d.name_zh]
        if len(unnamed) == 1:
            return unnamed[0], ""
        if by_english:
            return None, (
                f"{by_english[0]} is {by_english[0].name_zh or '?'} in the database, not {zh}; "
                "if this is another person, add them in the admin first"
            )
        return None, ""

    def _check_duplicates(self, rows: list[Row]) -> list[Row]:
        good = []
        for row in rows:
            key = (row.year, row.delegate.pk, row.title)
            if key in self.keys:
                self._problem(
                    row,
                    "title",
                    row.title,
                    f"duplicate in the file: same year, delegate and "
                    f"title as line {self.keys[key]}",
                )
                continue
            self.keys[key] = row.line
            good.append(row)
        return good

    def _resolve_sessions(self, rows: list[Row]) -> None:
        years = {row.year for row in rows}
        new = [AnnualSession(year=y) for y in sorted(years - self.years)]
        if new:
            self._create(AnnualSession, new)
            self.years.update(years)
            self.created["session"].update(s.year for s in new)
        self.seen["session"].update(years)

    def _check_seats(self, rows: list[Row]) -> list[Row]:
        pending = {row.delegate.pk for row in rows} - self.seats_loaded
        if pending:
            for delegate_id, year, body in Seat.objects.filter(delegate_id__in=pending).values_list(
                "delegate_id", "session_id", "body"
            ):
                self.seats.setdefault((delegate_id, year), {})[body] = 0
            self.seats_loaded |= pending
        new: list[Seat] = []
        good = []
        for row in rows:
            held = self.seats.setdefault((row.delegate.pk, row.year), {})
            if not held:
                held[row.body] = row.line
                new.append(Seat(delegate=row.delegate, session_id=row.year, body=row.body))
            elif row.body not in held:
                other = ", ".join(Body(b).label for b in held)
                if all(origin == 0 for origin in held.values()):
                    reason = (
                        f"{row.delegate.name} sat in the {other} in {row.year}, not the "
                        f"{Body(row.body).label}: a body that contradicts the delegate's "
                        f"seat (add the seat in the admin first if they sat in both)"
                    )
                else:
                    first = min(line for line in held.values() if line)
                    reason = (
                        f"line {first} puts {row.delegate.name} in the {other} in "
                        f"{row.year} and they hold no seat that year: a delegate in both "
                        f"bodies in one year needs both seats in the admin first"
                    )
                self._problem(row, "body", Body(row.body).label, reason)
                continue
            good.append(row)
        if new:
            self._create(Seat, new)
            self.created["seat"].update(s.pk for s in new)
        for row in good:
            self.seen["seat"].add((row.delegate.pk, row.year, row.body))
        return good

    def _resolve_companies(self, rows: list[Row]) -> None:
        new: list[Company] = []
        for row in rows:
            if not row.company:
                continue
            company = self.companies.get(_key(row.company)) or self.companies.get(row.company)
            if company is None:
                company = Company(
                    name=row.company,
                    name_zh=row.company if _has_cjk(row.company) else "",
                    slug=_unique_slug(row.company, self.company_slugs, "company"),
                )
                new.append(company)
                self.companies[_key(row.company)] = company
            row.company_obj = company
        if new:
            self._create(Company, new)
            self.created["company"].update(c.pk for c in new)
        pending = {r.delegate.pk for r in rows if r.company_obj} - set(self.affiliations)
        for delegate_id in pending:
            self.affiliations[delegate_id] = []
        for affiliation in Affiliation.objects.filter(delegate_id__in=pending):
            self.affiliations[affiliation.delegate_id].append(affiliation)
        for row in rows:
            if row.company_obj is not None:
                self.seen["company"].add(row.company_obj.pk)
                self._extend_affiliation(row)

    def _extend_affiliation(self, row: Row) -> None:
        delegate_id = row.delegate.pk
        spans = [
            a
            for a in self.affiliations[delegate_id]
            if a.company_id == row.company_obj.pk and a.role == row.role
        ]
        year = row.year
        for a in spans:
            if (a.start_year is None or a.start_year <= year) and (
                a.end_year is None or year <= a.end_year
            ):
                self.seen["affiliation"].add(id(a))
                return

        def distance(a: Affiliation) -> int:
            ends = [y for y in (a.start_year, a.end_year) if y is not None]
            return min(abs(year - y) for y in ends) if ends else 0

        if spans:
            nearest = min(spans, key=distance)
            start = nearest.start_year
            if start is not None and year < start:
                if any(a.start_year == year for a in spans if a is not nearest):
                    return  # another span starts there; the unique constraint forbids two
                nearest.start_year = year
            elif nearest.end_year is not None and year > nearest.end_year:
                nearest.end_year = year
            self.changed_affiliations[id(nearest)] = nearest
            self.seen["affiliation"].add(id(nearest))
            return
        new = Affiliation(
            delegate_id=delegate_id,
            company_id=row.company_obj.pk,
            role=row.role,
            start_year=year,
            end_year=year,
        )
        self.affiliations[delegate_id].append(new)
        self.changed_affiliations[id(new)] = new
        self.seen["affiliation"].add(id(new))

    def _resolve_sources(self, rows: list[Row]) -> list[Row]:
        urls = {row.source_url for row in rows if row.source_url} - set(self.sources)
        if urls:
            for pk, url, title, publisher, published_on in Source.objects.filter(
                url__in=urls
            ).values_list("pk", "url", "title", "publisher", "published_on"):
                self.sources[url] = (pk, 0, (title, publisher, published_on))
        titles = {row.source_title for row in rows if not row.source_url}
        by_title: dict[str, list[int]] = defaultdict(list)
        if titles:
            for pk, title in Source.objects.filter(title__in=titles).values_list("pk", "title"):
                by_title[title].append(pk)
        new: dict[str, list[Any]] = {}  # url -> the new source's column values
        changed: dict[int, tuple[str, str, date | None]] = {}
        good = []
        for row in rows:
            if not row.source_url:
                found = by_title.get(row.source_title, [])
                if len(found) != 1:
                    reason = (
                        "no source has this title: give its source_url"
                        if not found
                        else "several sources have this title: give source_url"
                    )
                    self._problem(row, "source_title", row.source_title, reason)
                    continue
                row.source_id = found[0]
                good.append(row)
                continue
            meta = (row.source_title, row.source_publisher, row.source_date)
            known = self.sources.get(row.source_url)
            if known is None:
                if row.source_url not in new:
                    new[row.source_url] = [
                        row.source_url,
                        row.source_title,
                        row.source_publisher,
                        connection.ops.adapt_datefield_value(row.source_date),
                        False,
                    ]
                    self.sources[row.source_url] = (0, row.line, meta)
                good.append(row)
                continue
            pk, first_line, held = known
            merged = tuple(new_v or old_v for new_v, old_v in zip(meta, held, strict=True))
            if merged != held:
                if first_line:
                    self._problem(
                        row,
                        "source_url",
                        row.source_url,
                        f"this source is described differently on line {first_line}",
                    )
                    continue
                changed[pk] = merged
                self.sources[row.source_url] = (pk, row.line, merged)
            elif not first_line:
                # Later rows citing the same page must agree with this one.
                self.sources[row.source_url] = (pk, row.line, held)
            good.append(row)
        if new:
            columns = ("url", "title", "publisher", "published_on", "is_generated")
            ids = _insert(Source, columns, list(new.values()))
            copy_versions(Source, ids, history_type="+", user=self.user, reason=self.reason)
            for url, pk in zip(new, ids, strict=True):
                _, line, meta = self.sources[url]
                self.sources[url] = (pk, line, meta)
            self.created["source"].update(ids)
        if changed:
            ensure_baseline(Source, changed)
            objs = list(Source.objects.filter(pk__in=changed))
            for source in objs:
                source.title, source.publisher, source.published_on = changed[source.pk]
            self._update(Source, objs, ["title", "publisher", "published_on"])
            self.updated["source"].update(changed)
        for row in good:
            if row.source_id is None:
                row.source_id = self.sources[row.source_url][0]
            self.seen["source"].add(row.source_id)
        return good

    def _create_topics(self, rows: list[Row]) -> None:
        new: list[Topic] = []
        for row in rows:
            for slug in row.topics:
                if slug in self.topics:
                    continue
                name = slug.replace("-", " ").capitalize()
                if name in self.topic_names:
                    name = slug
                self.topic_names.add(name)
                topic = Topic(name=name, slug=slug)
                new.append(topic)
                self.topics[slug] = topic
        if new:
            self._create(Topic, new)
            for topic in new:
                self.topics[topic.slug] = topic.pk
            self.created["topic"].update(t.pk for t in new)
        for row in rows:
            self.seen["topic"].update(self.topics[slug] for slug in row.topics)

    def _write_proposals(self, rows: list[Row]) -> None:
        if not rows:
            return
        # Plain tuples, not model objects: on a re-import every row matches one.
        existing = {
            (year, delegate_id, title): Proposal(
                pk=pk,
                session_id=year,
                delegate_id=delegate_id,
                title=title,
                body=body,
                summary=summary,
                status=status,
            )
            for pk, year, delegate_id, title, body, summary, status in Proposal.objects.filter(
                session_id__in={r.year for r in rows},
                delegate_id__in={r.delegate.pk for r in rows},
                title__in={r.title for r in rows},
            ).values_list("pk", "session_id", "delegate_id", "title", "body", "summary", "status")
        }
        old_ids = [p.pk for p in existing.values()]
        topics_of: dict[int, set[int]] = defaultdict(set)
        link_ids: dict[tuple[int, int], int] = {}
        for pk, proposal_id, topic_id in ProposalTopic.objects.filter(
            proposal_id__in=old_ids
        ).values_list("pk", "proposal_id", "topic_id"):
            topics_of[proposal_id].add(topic_id)
            link_ids[(proposal_id, topic_id)] = pk
        sources_of: dict[int, set[int]] = defaultdict(set)
        for proposal_id, source_id in Proposal.sources.through.objects.filter(
            proposal_id__in=old_ids
        ).values_list("proposal_id", "source_id"):
            sources_of[proposal_id].add(source_id)

        now = timezone.now()
        to_create: list[Row] = []
        to_update: list[Proposal] = []
        fields: set[str] = set()
        add_topics: list[tuple[int, int]] = []
        drop_topics: list[int] = []
        add_sources: list[tuple[int, int]] = []
        for row in rows:
            wanted = {self.topics[slug] for slug in row.topics}
            proposal = existing.get((row.year, row.delegate.pk, row.title))
            self.slices.add((row.year, row.body))
            if proposal is None:
                to_create.append(row)
                continue
            before = (proposal.session_id, proposal.body)
            details = []
            for name, value in (
                ("body", row.body),
                ("summary", row.summary),
                ("status", row.status),
            ):
                if value and getattr(proposal, name) != value:
                    details.append(f"{name}: {_difference(getattr(proposal, name), value)}")
                    setattr(proposal, name, value)
                    fields.add(name)
            held = topics_of[proposal.pk]
            if wanted != held:
                details.append(
                    "topics: "
                    + ", ".join(
                        [f"+{self._slug(t)}" for t in sorted(wanted - held)]
                        + [f"−{self._slug(t)}" for t in sorted(held - wanted)]
                    )
                )
                add_topics += [(proposal.pk, t) for t in wanted - held]
                drop_topics += [link_ids[(proposal.pk, t)] for t in held - wanted]
                self.report.tallies["topic_link"].created += len(wanted - held)
                self.report.tallies["topic_link"].removed += len(held - wanted)
            if row.source_id not in sources_of[proposal.pk]:
                details.append(f"source: +{row.source_url or row.source_title}")
                add_sources.append((proposal.pk, row.source_id))
                self.report.tallies["source_link"].created += 1
            if details:
                self.slices.add(before)
                proposal.updated_at = now
                to_update.append(proposal)
                self._sample(row, "update", details)
            else:
                self.seen["proposal"].add(proposal.pk)

        if to_update:
            # The version before this import's change, for records never changed before.
            ensure_baseline(Proposal, [p.pk for p in to_update])
            Proposal.objects.bulk_update(to_update, sorted(fields | {"updated_at"}))
            self.updated["proposal"].update(p.pk for p in to_update)
        if drop_topics:
            ProposalTopic.objects.filter(pk__in=drop_topics).delete()

        created = _insert_proposals(to_create)
        self.created["proposal"].update(created)
        for row, pk in zip(to_create, created, strict=True):
            add_topics += [(pk, self.topics[slug]) for slug in row.topics]
            add_sources.append((pk, row.source_id))
            self._sample(row, "create", ())
        self.report.tallies["topic_link"].created += sum(len(r.topics) for r in to_create)
        self.report.tallies["source_link"].created += len(to_create)
        topic_ids = _insert(ProposalTopic, ("proposal_id", "topic_id"), add_topics)
        source_ids = _insert(Proposal.sources.through, ("proposal_id", "source_id"), add_sources)
        # Versions are written once the links are in place, so each copies its links.
        record_versions(Proposal, [p.pk for p in to_update], user=self.user, reason=self.reason)
        # A new proposal's links are exactly the rows just inserted: its version's copy
        # of them is written from those, not looked up again (the slowest step before).
        versions = copy_versions(
            Proposal, created, history_type="+", user=self.user, reason=self.reason
        )
        hist = Proposal.history.model
        for link_hist, ids, pairs, column in (
            (hist.topics.model, topic_ids, add_topics, "topic_id"),
            (hist.sources.model, source_ids, add_sources, "source_id"),
        ):
            copies = [
                (link_id, proposal_id, other_id, versions[proposal_id])
                for link_id, (proposal_id, other_id) in zip(ids, pairs, strict=True)
                if proposal_id in versions
            ]
            _insert(link_hist, ("id", "proposal_id", column, "history_id"), copies, returning=False)

    def _slug(self, topic_id: int) -> str:
        if not hasattr(self, "_slugs_by_id"):
            self._slugs_by_id: dict[int, str] = {}
        if topic_id not in self._slugs_by_id:
            self._slugs_by_id = dict(Topic.objects.values_list("pk", "slug"))
        return self._slugs_by_id.get(topic_id, str(topic_id))

    def _sample(self, row: Row, action: str, details: Iterable[str]) -> None:
        if len(self.report.changes) >= SAMPLE_CHANGES:
            self.report.more_changes += 1
            return
        label = f"{row.year} {Body(row.body).label} · {row.delegate.name} · {row.title}"
        self.report.changes.append(Change(row.line, action, label, tuple(details)))

    # End of file ----------------------------------------------------------------------------

    def finish(self) -> None:
        """Writes kept for the end so that each record gets one version per import."""
        delegates = list(self.changed_delegates.values())
        if delegates:
            ensure_baseline(Delegate, [d.pk for d in delegates])
            self._update(Delegate, delegates, ["name_zh"])
            self.updated["delegate"].update(d.pk for d in delegates)
        affiliations = list(self.changed_affiliations.values())
        new = [a for a in affiliations if a.pk is None]
        old = [a for a in affiliations if a.pk is not None]
        if new:
            self._create(Affiliation, new)
            self.report.tallies["affiliation"].created = len(new)
        if old:
            ensure_baseline(Affiliation, [a.pk for a in old])
            self._update(Affiliation, old, ["start_year", "end_year"])
            self.report.tallies["affiliation"].updated = len(old)
        self.report.tallies["affiliation"].unchanged = len(self.seen["affiliation"]) - len(
            affiliations
        )
        for key in ("proposal", "delegate", "company", "session", "seat", "source", "topic"):
            tally = self.report.tallies[key]
            created, updated = self.created[key], self.updated[key]
            tally.created = len(created)
            tally.updated = len(updated - created)
            tally.unchanged = len(self.seen[key] - created - updated)
        self.report.tallies["seat"].unchanged = len(self.seen["seat"]) - len(self.created["seat"])


def _difference(old: str, new: str, width: int = 60) -> str:
    """“old → new”, each cut to `width` characters around where they first differ, so a
    change at the end of a long summary is visible in the preview."""
    same = len(os.path.commonprefix([old, new]))
    start = max(0, same - width // 3)

    def cut(text: str) -> str:
        piece = text[start : start + width]
        return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")

    return f"{cut(old)} → {cut(new)}"


def _insert(
    model: type[Any], columns: tuple[str, ...], rows: list[Any], *, returning: bool = True
) -> list[int]:
    """Insert rows as plain multi-row INSERTs returning their ids in row order (which
    bulk_create relies on too), without a model object per row: on a 100,000-row file
    the objects cost more than the database does. Values must be ready for the
    database (connection.ops.adapt_*)."""
    qn = connection.ops.quote_name
    # Identifiers come from model metadata; every value is a parameter.
    head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(map(qn, columns))}) VALUES "  # noqa: S608
    row_marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = (connection.features.max_query_params or 9000) // len(columns)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                head + ", ".join([row_marks] * len(batch)) + (" RETURNING id" if returning else ""),
                [value for row in batch for value in row],
            )
            if returning:
                ids += [pk for (pk,) in cursor.fetchall()]
    return ids


def _insert_proposals(rows: list[Row]) -> list[int]:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ("session_id", "delegate_id", "body", "title", "summary", "status")
    columns += ("created_at", "updated_at", "is_generated")
    return _insert(
        Proposal,
        columns,
        [
            [r.year, r.delegate.pk, r.body, r.title, r.summary, r.status or Status.SUBMITTED]
            + [now, now, False]
            for r in rows
        ],
    )


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_proposals(
    stream: IO[bytes],
    *,
    name: str = "",
    fmt: str | None = None,
    dry_run: bool = False,
    create_topics: bool = False,
    user: Any = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV or JSON Lines file of proposals from a binary stream, all or nothing.

    Returns the report: rows read, created / updated / unchanged per model, the
    proposal changes (a sample), and every problem. Nothing is written when there is
    a problem or when `dry_run` is set. Exceptions other than bad input (a database
    failure) roll everything back and propagate.
    """
    report = ImportReport(name=name, dry_run=dry_run)
    if fmt is None:
        # The content decides, so a JSON Lines file saved as .txt is still read right.
        if stream.seekable():
            fmt = sniff_format(stream.read(64))
            stream.seek(0)
        else:
            fmt = _format_from_name(name)
    lines = _Lines(stream)
    reader = read_jsonl(lines) if fmt == "jsonl" else read_csv(lines)
    reason = f"Imported from {name}" if name else "Imported"
    try:
        with transaction.atomic():
            importer = _Importer(report, create_topics=create_topics, user=user, reason=reason)
            for chunk in _chunks(reader, CHUNK_ROWS):
                report.rows += len(chunk)
                importer.run_chunk(chunk)
                reset_queries()  # with DEBUG on, Django would keep every statement
                if progress:
                    progress(report.rows, lines.bytes_read)
            importer.finish()
            if report.problems or dry_run:
                raise _Rollback
            announce(importer.created["proposal"] | importer.updated["proposal"], importer.slices)
    except FileProblem as exc:
        report.problems.append(exc.problem)
    except _Rollback:
        pass
    report.problems.sort(key=lambda p: p.line)
    return report


def _format_from_name(name: str) -> str:
    return "jsonl" if name.lower().endswith((".jsonl", ".ndjson", ".json")) else "csv"
