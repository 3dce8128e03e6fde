"""Query logic for proposals, their sources and the maintained counts: chainable
methods named for intent, and one method per page that bundles what it prefetches.

Models of this app are looked up through the app registry (`_model`) rather than
imported, since models.py imports this module to build its managers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, models, transaction
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from core.cache import cached
from core.querysets import PublicQuerySet
from delegates.models import Affiliation, Company, Delegate, Seat
from proposals.search import company_text, fts5_query, names_text, query_tokens, tsquery
from topics.models import Topic

if TYPE_CHECKING:
    from topics.tree import TopicNode


def _model(name: str) -> Any:
    return apps.get_model("proposals", name)


class _Named(NamedTuple):
    """Whom a search text names, as the search needs them (lists of delegate ids)."""

    people: list[int]  # spelt close ("Lei Jum"), or holding the text inside a word
    staff: list[int]  # the staff of companies matched so
    named: list[int]  # named exactly: ranked first
    staff_named: list[int]  # the staff of companies whose names hold every word


def _named_by(text: str, companies: Any) -> _Named:
    """The delegates and companies a search text names: one query.

    A person or company whose names hold every word of the text needs no names' arm:
    those names are in their proposals' search rows (a company's in the years a role
    was held), so the text match finds them. Only close spellings and names holding
    the text inside a word ("xiao" in "Xiaomi") do; unioned with the text match, the
    arm of a common word in company names ("energy" at a million proposals: thousands
    of staff) cost seconds and found nothing the text match had not."""
    terms = set(query_tokens(text))

    def covered(analysed: str) -> bool:
        return bool(terms) and terms <= set(analysed.split())

    texts = ("name", "other_names", "name_zh")
    people = (
        Delegate.objects.matching_name(text)
        .annotate(kind=Value(0))
        .values_list("kind", "pk", *texts)
    )
    staff = (
        Affiliation.objects.filter(company__in=companies)
        .annotate(kind=Value(1), none=Value("", output_field=models.TextField()))
        .values_list("kind", "delegate_id", "company__name", "company__name_zh", "none")
    )
    exact = Delegate.objects.matching_name(text, fuzzy=False).annotate(kind=Value(2))
    found = _Named([], [], [], [])
    rows = people.order_by().union(
        staff.order_by(), exact.order_by().values_list("kind", "pk", *texts)
    )
    for kind, pk, name, other, name_zh in rows:
        if kind == 0:
            (found.named if covered(names_text(name, other, name_zh)) else found.people).append(pk)
        elif kind == 1:
            (found.staff_named if covered(company_text(name, other)) else found.staff).append(pk)
        else:
            found.named.append(pk)
    return found


def _common(matches: Any, text: str) -> bool:
    """Whether a search text's own matches (search rows) are more than
    TRACKER_SEARCH_COUNT_LIMIT: a count that stops there, cached per data version."""
    limit = settings.TRACKER_SEARCH_COUNT_LIMIT
    return cached("search-common", (text, limit), lambda: matches[: limit + 1].count() > limit)


@contextmanager
def search_plans(using: str = "default") -> Iterator[None]:
    """Statements run inside plan a search's join without merge joins (PostgreSQL).

    Search rows and proposals share their ids, in the same physical order, so the
    planner costs a merge join down both primary keys as cheap, and under a LIMIT
    (a bounded facet count, a page) as cheaper still: it then walked hundreds of
    thousands of proposals to find a few thousand matches of a word whose matches are
    not spread evenly ("data" at a million proposals: 390 ms, 54 ms without). With
    merge joins off it drives the join by the GIN index's matches. SET LOCAL lasts to
    the end of this transaction; in an enclosing one it is reset on the way out."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    enclosed = connection.in_atomic_block
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_mergejoin = off")
        yield
        if enclosed:  # else the transaction ends here, and the setting with it
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")


def _in_chain() -> Q:
    """A proposal filed again: it repeats an earlier one, or a later one repeats it."""
    # The repeated ones as one set (hashed once, a few per cent of all proposals), not
    # a lookup per proposal: counted over a search's 280,000 matches at a million
    # proposals, the correlated EXISTS was 270,000 index probes (about 150 ms).
    repeated = _model("Proposal").objects.filter(repeats__isnull=False).values("repeats_id")
    return Q(repeats__isnull=False) | Q(pk__in=repeated)


class SourceQuerySet(PublicQuerySet):
    pass


class ProposalQuerySet(PublicQuerySet):
    # --- filters (each one chainable; the FilterSet calls these) -----------------
    def in_years(self, years: list[int]) -> ProposalQuerySet:
        return self.filter(session_id__in=years)

    def from_year(self, year: int) -> ProposalQuerySet:
        return self.filter(session_id__gte=year)

    def to_year(self, year: int) -> ProposalQuerySet:
        return self.filter(session_id__lte=year)

    def in_body(self, body: str) -> ProposalQuerySet:
        return self.filter(body=body)

    def in_topics(self, topics: Iterable[TopicNode]) -> ProposalQuerySet:
        """Proposals tagged with any of these topics, a top-level topic matching its
        sub-topics. EXISTS, not a join, so a proposal with two matching topics appears
        once and no DISTINCT is needed."""
        ids = sorted({i for topic in topics for i in topic.ids})
        tags = _model("ProposalTopic").objects.filter(proposal=OuterRef("pk"), topic_id__in=ids)
        return self.filter(Exists(tags))

    def by_delegate(self, delegate: Delegate) -> ProposalQuerySet:
        return self.filter(delegate=delegate)

    def at_company(self, company: Company) -> ProposalQuerySet:
        """Proposals whose delegate held a role at the company in that year."""
        return self.filter(
            Exists(
                Affiliation.objects.held_in(OuterRef("session_id")).filter(
                    delegate=OuterRef("delegate_id"), company=company
                )
            )
        )

    def by_delegates(self, delegates: Iterable[Delegate]) -> ProposalQuerySet:
        """Proposals by any of the delegates."""
        return self.filter(delegate__in=[d.pk for d in delegates])

    def at_companies(self, companies: Iterable[Company]) -> ProposalQuerySet:
        """Proposals whose delegate held a role that year at any of the companies."""
        return self.filter(
            Exists(
                Affiliation.objects.held_in(OuterRef("session_id")).filter(
                    delegate=OuterRef("delegate_id"), company__in=[c.pk for c in companies]
                )
            )
        )

    def with_status(self, status: str) -> ProposalQuerySet:
        return self.filter(status=status)

    def with_outcome(self, known: str) -> ProposalQuerySet:
        """ "known": some outcome is recorded (the status is derived from the events,
        so this reads the indexed status column); "unknown": none is."""
        if known == "known":
            return self.exclude(status="submitted")
        return self.filter(status="submitted")

    def filed_again(self, value: str) -> ProposalQuerySet:
        """ "yes": part of a chain of filings of the same ask; "no": filed once as far
        as the records show."""
        return self.filter(_in_chain()) if value == "yes" else self.exclude(_in_chain())

    @staticmethod
    def filed_again_condition() -> Q:
        """What "yes" means for the filed-again facet, which counts it in its one pass
        over the selection (proposals.facet_sql)."""
        return _in_chain()

    def search(self, text: str) -> ProposalQuerySet:
        """Proposals matching every word of the text in their search row (titles,
        summaries, delegate names in English, pinyin and Chinese, the names of the
        companies the delegate held a role at that year, topic names; both languages;
        see `proposals.search`). Aliases `rank` for sorting: computed only when
        ordered by it (a newest-first page of 11,000 matches joined each one's search
        row for a rank it never read). The same analysis and the same matching on both
        databases; the backend is chosen here.

        PostgreSQL: the GIN-indexed tsvector of the search rows, ranked by ts_rank, and
        also trigram-close delegate names ("Lei Jum"). SQLite: the FTS5 table, ranked by
        bm25 with the same column weights."""
        terms = query_tokens(text)
        if connections[self.db].vendor == "postgresql":
            companies = Company.objects.matching_name(text).values("pk")
            held_at_company = Exists(
                Affiliation.objects.held_in(OuterRef("session_id")).filter(
                    delegate=OuterRef("delegate_id"), company__in=companies
                )
            )
            rows = _model("ProposalSearch").objects.order_by()
            return self._search_postgres(text, terms, rows, companies, held_at_company)
        if not terms:  # only stop words or single letters: no word to match
            return self.filter(pk__in=[]).alias(rank=Value(0.0))
        # A join the FTS5 table drives by MATCH, bm25 computed in the same pass. Company
        # names (those held that year) are in the search rows, so no OR is needed: FTS5
        # can only answer a MATCH that the join is driven by.
        bm25 = models.Func(
            F("fts_entry__document"),
            function="bm25",
            # title, names, summary, topics: ts_rank's default weights (A-D) times ten
            template="-%(function)s(%(expressions)s, 10.0, 4.0, 2.0, 1.0)",
            output_field=models.FloatField(),
        )
        return self.filter(fts_entry__document__match=fts5_query(terms)).alias(rank=bm25)

    def _search_postgres(
        self, text: str, terms: list[str], rows: Any, companies: Any, held_at_company: Exists
    ) -> ProposalQuerySet:
        query = SearchQuery(tsquery(terms), search_type="raw", config="simple")
        # The people the text names (or spells closely: "Lei Jum") and the staff of the
        # companies it names are looked up first: a few rows from trigram indexes. Most
        # searches name nobody, or name people and companies whose names their search
        # rows hold (see _named_by), and then the match is the search rows' alone, which the
        # planner estimates from the GIN index and joins by id. Inside the statement, as
        # arrays ORed with the search rows, they made it guess half the table and read
        # all of it: 0.2 s at a million proposals before any facet was counted, and a
        # hash of every topic tag for the topic facet.
        people, staff, named, staff_named = cached(
            "search-named", text, lambda: _named_by(text, companies)
        )
        if (people or staff) and terms and _common(rows.filter(vector=query), text):
            # A common word ("data", "open" at a million proposals: tens of thousands
            # of matches) is found by its text: the close spellings and the staff of
            # companies holding it inside a word ("Datang") would add little but noise,
            # and unioning them meant reading every match (one to two seconds).
            people, staff = [], []
        by_name = Q(pk__in=[])
        if people:
            by_name |= Q(delegate_id__in=people)
        if staff:
            by_name |= Q(delegate_id__in=staff) & Q(held_at_company)
        # No term (only stop words or single letters): an empty tsquery would make GIN
        # read its whole index to find nothing.
        if terms and not (people or staff):
            # Matched and ranked on the same joined search row: matched by id first,
            # the rank read each match's row again (an index probe per match, 430 ms
            # of 1.2 s for a word in 280,000 of a million search rows).
            match = Q(search_row__vector=query)
            text_rank = SearchRank(F("search_row__vector"), query)
        elif terms:
            # One set of ids, so the planner still joins by id: ORed with the search
            # rows, the names' arm made it read every proposal.
            found = rows.filter(vector=query).values("proposal_id")
            found = found.union(_model("Proposal").objects.order_by().filter(by_name).values("pk"))
            match = Q(pk__in=found)
            # The rank from the proposal's own search row, joined (one to one).
            text_rank = Coalesce(SearchRank(F("search_row__vector"), query), Value(0.0))
        else:
            match, text_rank = by_name, Value(0.0)
        # The person named ranks above people whose names are only spelt alike
        # ("Lei Jun" before "Li Jun").
        bonus = [When(delegate_id__in=named, then=Value(1.0))] if named else []
        if people or staff:
            bonus.append(When(by_name, then=Value(0.5)))
        if staff_named:
            # In any year of theirs: the role's years as an EXISTS per match would cost
            # what the arm did. The text match holds the company only where one was held.
            bonus.append(When(delegate_id__in=staff_named, then=Value(0.5)))
        name_rank = Case(*bonus, default=Value(0.0)) if bonus else Value(0.0)
        return self.filter(match).alias(rank=text_rank + name_rank)

    # --- orderings -----------------------------------------------------------------
    # Orderings walk the (session, id) index rather than sorting every row by a
    # joined column: on a million rows that is the difference between 1 ms and 1 s.
    def newest_first(self) -> ProposalQuerySet:
        return self.order_by("-session_id", "-pk")

    def oldest_first(self) -> ProposalQuerySet:
        return self.order_by("session_id", "pk")

    def by_delegate_name(self) -> ProposalQuerySet:
        return self.order_by("delegate__name", "-session_id", "title", "pk")

    def by_relevance(self) -> ProposalQuerySet:
        """Needs search() first."""
        return self.order_by("-rank", "-session_id", "pk")

    # --- data quality ----------------------------------------------------------------
    def without_matching_seat(self) -> ProposalQuerySet:
        """Proposals whose delegate held no seat in that body that session."""
        return self.exclude(
            Exists(
                Seat.objects.filter(
                    delegate=OuterRef("delegate"),
                    session=OuterRef("session"),
                    body=OuterRef("body"),
                )
            )
        )

    def without_source(self) -> ProposalQuerySet:
        return self.filter(sources__isnull=True)

    def without_topic(self) -> ProposalQuerySet:
        return self.filter(topics__isnull=True)

    # --- what each page needs, in a fixed number of queries ------------------------
    def with_role(self) -> ProposalQuerySet:
        """The delegate's company and role in the proposal's year, as annotations
        (`role`, `company_name`, `company_name_zh`, `company_slug`), so no page looks them up per row."""
        held = (
            Affiliation.objects.held_in(OuterRef("session_id"))
            .filter(delegate=OuterRef("delegate_id"))
            .order_by(F("start_year").desc(nulls_last=True), "pk")
        )
        return self.annotate(
            role=Subquery(held.values("role")[:1]),
            company_name=Subquery(held.values("company__name")[:1]),
            company_name_zh=Subquery(held.values("company__name_zh")[:1]),
            company_slug=Subquery(held.values("company__slug")[:1]),
        )

    def for_list(self) -> ProposalQuerySet:
        """Everything a row in a list shows: two queries, whatever the page size."""
        topics = Prefetch(
            "topics", queryset=Topic.objects.only("name", "name_zh", "slug", "parent_id")
        )
        return (
            self.select_related("delegate")
            .only(
                "pk", "session_id", "body", "title", "title_zh", "summary", "summary_zh", "status",
                "delegate__name", "delegate__name_zh", "delegate__slug",
            )
            .prefetch_related(topics)
        )  # fmt: skip

    def for_detail(self) -> ProposalQuerySet:
        topics = Prefetch("topics", queryset=Topic.objects.select_related("parent"))
        sources = Prefetch("sources", queryset=_model("Source").objects.order_by("pk"))
        events = Prefetch(
            "outcome_events", queryset=_model("OutcomeEvent").objects.select_related("source")
        )
        return (
            self.select_related("delegate", "session")
            .with_role()
            .prefetch_related(topics, sources, events)
        )

    def for_export(self) -> ProposalQuerySet:
        """Rows for the CSV/JSON export: role, topics and sources without a query per row."""
        topics = Prefetch("topics", queryset=Topic.objects.only("slug").order_by("slug"))
        sources = Prefetch("sources", queryset=_model("Source").objects.order_by("pk"))
        events = Prefetch(
            "outcome_events",
            queryset=_model("OutcomeEvent").objects.select_related("source").order_by("pk"),
        )
        return (
            self.select_related("delegate", "repeats")
            .with_role()
            .prefetch_related(topics, sources, events)
        )


class TrendCountQuerySet(PublicQuerySet):
    # The list's filters, applied to the counts (proposals.params names these).
    def in_years(self, years: list[int]) -> TrendCountQuerySet:
        return self.filter(year__in=years)

    def from_year(self, year: int) -> TrendCountQuerySet:
        return self.filter(year__gte=year)

    def to_year(self, year: int) -> TrendCountQuerySet:
        return self.filter(year__lte=year)

    def between(self, low: int | None, high: int | None) -> TrendCountQuerySet:
        counts = self
        if low is not None:
            counts = counts.from_year(low)
        if high is not None:
            counts = counts.to_year(high)
        return counts

    def on_topics(self, topics: list[TopicNode]) -> TrendCountQuerySet:
        """The rows of one topic (TrendCount can count under one topic only)."""
        (topic,) = topics
        return self.on_topic(topic.id)

    def in_body(self, body: str) -> TrendCountQuerySet:
        return self.filter(body=body)

    def with_status(self, status: str) -> TrendCountQuerySet:
        return self.filter(status=status)

    def with_outcome(self, known: str) -> TrendCountQuerySet:
        if known == "known":
            return self.exclude(status="submitted")
        return self.filter(status="submitted")

    def on_topic(self, topic_id: int | None) -> TrendCountQuerySet:
        """One topic's rows (a parent's count each proposal once), or with None the
        all-topics rows."""
        if topic_id is None:
            return self.filter(topic__isnull=True)
        return self.filter(topic_id=topic_id)

    def tagged(self) -> TrendCountQuerySet:
        return self.filter(topic__isnull=False)

    def total(self) -> int:
        """How many proposals the selected slices hold (their all-topics rows)."""
        return self.on_topic(None).aggregate(n=models.Sum("proposals"))["n"] or 0
