"""Proposals (CPPCC) and suggestions (NPC), and the sources that cite them."""

from __future__ import annotations

import re

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from simple_history import register
from simple_history.models import HistoricalRecords

from config.querysets import InArray, PublicQuerySet
from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate, Seat
from topics.models import Topic


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted for handling"
    ANSWERED = "answered", "Answered by a ministry"
    ADOPTED = "adopted", "Reflected in law or policy"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SourceQuerySet(PublicQuerySet):
    pass


class Source(models.Model):
    """A page that reports a fact. One row per URL, shared by every record it cites."""

    url = models.URLField("URL", max_length=500, unique=True)
    title = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(
        max_length=200, blank=True, help_text="The outlet; “Outlet via domain” for a repost."
    )
    published_on = models.DateField("date", null=True, blank=True)
    delegates = models.ManyToManyField(
        Delegate, blank=True, related_name="sources", help_text="Delegates this page is cited for."
    )
    companies = models.ManyToManyField(
        Company, blank=True, related_name="sources", help_text="Companies this page is cited for."
    )
    is_generated = models.BooleanField(
        default=False, editable=False, help_text="Generated demo data, not a real record."
    )

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords(no_db_index=["url"])  # read by record, not by address

    class Meta:
        ordering = ["-published_on", "publisher"]

    def __str__(self) -> str:
        label = self.title or self.url
        return f"{self.publisher}: {label}" if self.publisher else label


class ProposalQuerySet(PublicQuerySet):
    # --- filters (each one chainable; the FilterSet calls these) -----------------
    def in_years(self, years: list[int]) -> ProposalQuerySet:
        return self.filter(session_id__in=years)

    def in_body(self, body: str) -> ProposalQuerySet:
        return self.filter(body=body)

    def in_topics(self, topic_ids: list[int]) -> ProposalQuerySet:
        """Proposals tagged with any of these topics. EXISTS, not a join, so a proposal
        with two matching topics appears once and no DISTINCT is needed."""
        return self.filter(
            Exists(ProposalTopic.objects.filter(proposal=OuterRef("pk"), topic_id__in=topic_ids))
        )

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

    def with_status(self, status: str) -> ProposalQuerySet:
        return self.filter(status=status)

    def search(self, text: str) -> ProposalQuerySet:
        """Match the words against title and summary, and the text against delegate and
        company names in English, pinyin and Chinese. Annotates `rank` for sorting.

        PostgreSQL: the stored, GIN-indexed `search_vector` (websearch syntax, stemmed,
        title weighted above summary) plus trigram-matched names. SQLite: substring
        matching with a coarse rank, the same interface."""
        people = Delegate.objects.matching_name(text).values("pk")
        companies = Company.objects.matching_name(text).values("pk")
        held_at_company = Exists(
            Affiliation.objects.held_in(OuterRef("session_id")).filter(
                delegate=OuterRef("delegate_id"), company__in=companies
            )
        )
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(text, search_type="websearch", config="english")
            # One WHERE whose every arm starts from an index, combined by a BitmapOr:
            # the GIN index on search_vector, and the delegate index with the matching
            # people (and the matching companies' staff) as an array computed once.
            # Written as `delegate_id IN (SELECT ...)` an arm cannot use an index inside
            # an OR, and as a UNION of id sets the planner joined the union back to the
            # proposals by reading the whole table.
            people_ids = ArraySubquery(people.order_by())
            staff_ids = ArraySubquery(
                Affiliation.objects.filter(company__in=companies).order_by().values("delegate_id")
            )
            by_name = InArray(F("delegate_id"), people_ids) | (
                Q(InArray(F("delegate_id"), staff_ids)) & held_at_company
            )
            # A query with no word of two characters ("e") parses to an empty tsquery,
            # which makes GIN read its whole index to find nothing: two seconds.
            match = Q(search_vector=query) | by_name if re.search(r"\w{2,}", text) else by_name
            # The person named ranks above people whose names are only spelt alike
            # ("Lei Jun" before "Li Jun").
            named = InArray(
                F("delegate_id"),
                ArraySubquery(
                    Delegate.objects.matching_name(text, fuzzy=False).order_by().values("pk")
                ),
            )
            return self.filter(match).annotate(
                rank=SearchRank(F("search_vector"), query)
                + Case(
                    When(named, then=Value(1.0)),
                    When(by_name, then=Value(0.5)),
                    default=Value(0.0),
                )
            )
        # SQLite: every word must appear in the title or summary (so "battery
        # swapping" finds "battery-swapping"); a title match ranks first.
        by_name = Q(delegate__in=people) | held_at_company
        words = text.split()[:10]
        in_text, in_title = Q(), Q()
        for word in words:
            in_text &= Q(title__icontains=word) | Q(summary__icontains=word)
            in_title &= Q(title__icontains=word)
        return self.filter(in_text | by_name).annotate(
            rank=Case(
                When(in_title, then=Value(1.0)),
                When(by_name, then=Value(0.5)),
                default=Value(0.1),
                output_field=models.FloatField(),
            )
        )

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
        (`role`, `company_name`, `company_slug`), so no page looks them up per row."""
        held = (
            Affiliation.objects.held_in(OuterRef("session_id"))
            .filter(delegate=OuterRef("delegate_id"))
            .order_by(F("start_year").desc(nulls_last=True), "pk")
        )
        return self.annotate(
            role=Subquery(held.values("role")[:1]),
            company_name=Subquery(held.values("company__name")[:1]),
            company_slug=Subquery(held.values("company__slug")[:1]),
        )

    def for_list(self) -> ProposalQuerySet:
        """Everything a row in a list shows: two queries, whatever the page size."""
        topics = Prefetch("topics", queryset=Topic.objects.only("name", "slug", "parent_id"))
        return (
            self.select_related("delegate")
            .only(
                "pk", "session_id", "body", "title", "status",
                "delegate__name", "delegate__name_zh", "delegate__slug",
            )
            .prefetch_related(topics)
        )  # fmt: skip

    def for_detail(self) -> ProposalQuerySet:
        topics = Prefetch("topics", queryset=Topic.objects.select_related("parent"))
        return (
            self.select_related("delegate", "session")
            .with_role()
            .prefetch_related(topics, Prefetch("sources", queryset=Source.objects.order_by("pk")))
        )

    def for_export(self) -> ProposalQuerySet:
        """Rows for the CSV/JSON export: role, topics and sources without a query per row."""
        topics = Prefetch("topics", queryset=Topic.objects.only("slug").order_by("slug"))
        sources = Prefetch("sources", queryset=Source.objects.order_by("pk"))
        return self.select_related("delegate").with_role().prefetch_related(topics, sources)


class Proposal(models.Model):
    session = models.ForeignKey(AnnualSession, on_delete=models.PROTECT, related_name="proposals")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="proposals")
    body = models.CharField(max_length=5, choices=Body.choices)
    title = models.CharField(max_length=300, help_text="In our own words.")
    summary = models.TextField(
        blank=True, help_text="In our own words; the facts are the sources'."
    )
    topics = models.ManyToManyField(Topic, through="ProposalTopic", related_name="proposals")
    sources = models.ManyToManyField(Source, related_name="proposals")
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_generated = models.BooleanField(
        default=False, editable=False, help_text="Generated demo data, not a real record."
    )
    # Maintained by a PostgreSQL trigger from title and summary (see migration 0005);
    # always empty on SQLite, where search falls back to substring matching.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        # By the (session, id) index: the admin and any unordered query stay cheap at scale.
        # session_id, not session: ordering by the relation would follow AnnualSession's
        # own ordering (-year), reversing it to oldest first, through a join and a sort.
        ordering = ["-session_id", "-id"]
        permissions = [("import_proposals", "Can import proposals from a file")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "delegate", "title"],
                name="proposal_unique_title_per_delegate_and_session",
                violation_error_message="This delegate already has a proposal with this title "
                "in this session.",
            ),
            models.CheckConstraint(condition=Q(body__in=Body.values), name="proposal_body_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="proposal_title_not_empty"),
        ]
        indexes = [
            models.Index(fields=["session", "body"], name="proposal_session_body"),
            models.Index(fields=["delegate", "session"], name="proposal_delegate_session"),
            models.Index(fields=["body", "session"], name="proposal_body_session"),
            models.Index(fields=["-created_at"], name="proposal_created_desc"),
            models.Index(fields=["session", "id"], name="proposal_session_id"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The seat rule spans two tables, so the database cannot check it; every
        # save path (admin, shell, scripts) goes through here.
        self.validate_seat()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("proposals:proposal-detail", args=[self.pk])

    @property
    def filing_noun(self) -> str:
        return Body(self.body).filing_noun

    def validate_seat(self) -> None:
        """Raise ValidationError unless the delegate held a seat in this body that year."""
        if not (self.delegate_id and self.session_id) or self.body not in Body.values:
            return  # field validation reports missing or unknown values
        if not Seat.objects.filter(
            delegate_id=self.delegate_id, session_id=self.session_id, body=self.body
        ).exists():
            held = list(
                Seat.objects.filter(
                    delegate_id=self.delegate_id, session_id=self.session_id
                ).values_list("body", flat=True)
            )
            where = (
                f"sat in the {', '.join(Body(b).label for b in held)} that year"
                if held
                else "held no seat that year"
            )
            raise ValidationError(
                {
                    "body": f"{self.delegate} has no {Body(self.body).label} seat in "
                    f"{self.session_id}: they {where}. Add the seat first, or pick the "
                    "body they sat in."
                }
            )

    def clean(self) -> None:
        super().clean()
        self.validate_seat()


class ProposalTopic(models.Model):
    """Explicit link table so that deleting a topic in use is refused (PROTECT)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT)

    class Meta:
        # Not "topic": the admin lists this beside the Topic model itself.
        verbose_name = "topic tag"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "topic"], name="proposal_topic_unique"),
        ]
        indexes = [models.Index(fields=["topic", "proposal"], name="proposaltopic_topic_proposal")]

    def __str__(self) -> str:
        return str(self.topic)


class TrendCountQuerySet(PublicQuerySet):
    def in_years(self, years: list[int]) -> TrendCountQuerySet:
        return self.filter(year__in=years)

    def between(self, low: int | None, high: int | None) -> TrendCountQuerySet:
        counts = self
        if low is not None:
            counts = counts.filter(year__gte=low)
        if high is not None:
            counts = counts.filter(year__lte=high)
        return counts

    def in_body(self, body: str) -> TrendCountQuerySet:
        return self.filter(body=body)

    def with_status(self, status: str) -> TrendCountQuerySet:
        return self.filter(status=status)

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


class TrendCount(models.Model):
    """How many proposals one (year, body, status) slice holds on one topic, or in all
    (topic empty): the small table trend charts and the list's year, body, status and
    topic facets read instead of scanning every proposal.

    A parent topic's row counts each proposal once however many of its children apply.
    Rows are derived: proposals.trends.refresh() rewrites a slice whenever a proposal
    or its topics change, and `manage.py refresh_trends` rebuilds everything after a
    bulk load that bypasses model signals. Never edit them by hand.
    """

    year = models.PositiveSmallIntegerField()
    body = models.CharField(max_length=5, choices=Body.choices)
    # Kept as a dimension so that TRACKER_SHOW_GENERATED needs no second table.
    is_generated = models.BooleanField()
    # A dimension so that the list's status facet, and any facet under a status
    # filter, can be answered here too; trend charts sum over it.
    status = models.CharField(max_length=12, choices=Status.choices)
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    proposals = models.PositiveIntegerField()

    objects = TrendCountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "body", "is_generated", "status", "topic"],
                name="trendcount_unique_slice",
            ),
            # NULLs are distinct in a plain unique constraint: the all-topics row of a
            # slice needs its own.
            models.UniqueConstraint(
                fields=["year", "body", "is_generated", "status"],
                condition=Q(topic__isnull=True),
                name="trendcount_unique_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.body} {self.status} {self.topic_id or 'all'}: {self.proposals}"


# Registered here rather than as a field on Proposal: the history keeps a copy of each
# version's topics and sources, and ProposalTopic must exist before that copy's model
# can be built. updated_at would show as a change in every entry, so it stays out.
# History is read by record (id, history_id), never by session, delegate, status or link
# target: indexes on those copies would only slow down every bulk import.
register(
    Proposal,
    excluded_fields=["updated_at", "search_vector"],
    m2m_fields=["topics", "sources"],
    no_db_index=["session", "delegate", "status", "proposal", "topic", "source"],
)


@receiver(post_save, sender=Proposal)
def _no_version_for_fixture_links(
    sender: type[Proposal], instance: Proposal, raw: bool, **kwargs
) -> None:
    """loaddata saves a proposal raw, which records no version, then sets its sources on
    the same instance, which would record one holding half-loaded links (its topics come
    later in the fixture). Loaded data gets its first version on its first change."""
    if raw:
        instance.skip_history_when_saving = True
