"""The records a file's rows need besides proposals, found or created set-based a
chunk at a time: delegates, sessions, seats, companies and affiliations, sources and
topics. `RecordResolver` holds the state kept across the chunks of one file; the
proposals themselves are written by write.Importer, its subclass."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from core.history import copy_versions
from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate, Seat
from topics.models import Topic

from ..history import ensure_baseline, reason_text
from ..interchange import PersonName
from ..models import Source
from .report import ImportReport, Problem
from .validate import Row

# --- Records ----------------------------------------------------------------------------


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


class RecordResolver:
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
        # A session an import creates is in progress until an editor marks it complete:
        # its first few rows are not yet "the latest session" (issue 12).
        new = [AnnualSession(year=y, in_progress=True) for y in sorted(years - self.years)]
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
                other = ", ".join(str(Body(b).label) for b in held)
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
            ids = insert(Source, columns, list(new.values()))
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


def insert(
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
