"""Proposals (CPPCC) and suggestions (NPC), and the sources that cite them."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords

from delegates.models import AnnualSession, Body, Company, Delegate, Seat
from topics.models import Topic

from .fields import FullTextField, IdList
from .outcomes import (
    Grade,
    Kind,
    Step,
    parse_partial_date,
    precision,
    timeline_problems,
    validate_partial_date,
)
from .querysets import ProposalQuerySet, SourceQuerySet, TrendCountQuerySet


class Status(models.TextChoices):
    """Derived from the proposal's outcome events (proposals.outcomes.derived_status),
    never set on its own: "submitted" means no outcome is known."""

    SUBMITTED = "submitted", _("Submitted, no outcome known")
    ACCEPTED = "accepted", _("Accepted for handling")
    ANSWERED = "answered", _("Answered by a ministry")
    PARTIAL = "partial", _("Partly reflected in law or policy")
    ADOPTED = "adopted", _("Reflected in law or policy")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Source(models.Model):
    """A page that reports a fact. One row per URL, shared by every record it cites."""

    url = models.URLField(_("URL"), max_length=500, unique=True)
    title = models.CharField(max_length=300, blank=True, verbose_name=_("title"))
    publisher = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The outlet; “Outlet via domain” for a repost."),
        verbose_name=_("publisher"),
    )
    published_on = models.DateField(_("date"), null=True, blank=True)
    delegates = models.ManyToManyField(
        Delegate,
        blank=True,
        related_name="sources",
        help_text=_("Delegates this page is cited for."),
        verbose_name=_("delegates"),
    )
    companies = models.ManyToManyField(
        Company,
        blank=True,
        related_name="sources",
        help_text=_("Companies this page is cited for."),
        verbose_name=_("companies"),
    )
    is_generated = models.BooleanField(
        default=False, editable=False, help_text=_("Generated demo data, not a real record.")
    )

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords(no_db_index=["url"])  # read by record, not by address

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "publisher"]

    def __str__(self) -> str:
        label = self.title or self.url
        return f"{self.publisher}: {label}" if self.publisher else label


class Proposal(models.Model):
    session = models.ForeignKey(
        AnnualSession, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("session")
    )
    delegate = models.ForeignKey(
        Delegate, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("delegate")
    )
    body = models.CharField(max_length=5, choices=Body.choices, verbose_name=_("body"))
    title = models.CharField(
        max_length=300, help_text=_("In our own words."), verbose_name=_("title")
    )
    summary = models.TextField(
        blank=True,
        help_text=_("In our own words; the facts are the sources'."),
        verbose_name=_("summary"),
    )
    title_zh = models.CharField(
        _("Chinese title"),
        max_length=300,
        blank=True,
        db_default="",
        help_text=_("In our own words, in Chinese."),
    )
    summary_zh = models.TextField(
        _("Chinese summary"),
        blank=True,
        db_default="",
        help_text=_("Only where it can be written faithfully from the English summary."),
    )
    topics = models.ManyToManyField(
        Topic, through="ProposalTopic", related_name="proposals", verbose_name=_("topics")
    )
    sources = models.ManyToManyField(Source, related_name="proposals", verbose_name=_("sources"))
    # Derived from the outcome events, kept by stats.receivers (and the importer):
    # stored so that TrendCount and the list's facets can count by it, not editable
    # so that no form can set it apart from the timeline.
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
        verbose_name=_("status"),
        editable=False,
    )
    repeats = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeated_by",
        help_text=_(
            "The earlier proposal this one files again: same delegate, same ask. "
            "Confirmed by an editor, never linked automatically."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # Indexed for every page's footer ("updated ..."): its newest value is an index
    # walk, not a read of every proposal (0.26 s at a million, after each write).
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))
    is_generated = models.BooleanField(
        default=False, editable=False, help_text=_("Generated demo data, not a real record.")
    )
    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        # By the (session, id) index: the admin and any unordered query stay cheap at scale.
        # session_id, not session: ordering by the relation would follow AnnualSession's
        # own ordering (-year), reversing it to oldest first, through a join and a sort.
        ordering = ["-session_id", "-id"]
        permissions = [("import_proposals", "Can import proposals from a file")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "delegate", "title"],
                name="proposal_unique_title_per_delegate_and_session",
                violation_error_message=_(
                    "This delegate already has a proposal with this title in this session."
                ),
            ),
            models.CheckConstraint(condition=Q(body__in=Body.values), name="proposal_body_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="proposal_title_not_empty"),
        ]
        indexes = [
            models.Index(fields=["session", "body"], name="proposal_session_body"),
            models.Index(fields=["delegate", "session"], name="proposal_delegate_session"),
            models.Index(fields=["body", "session"], name="proposal_body_session"),
            models.Index(fields=["-created_at"], name="proposal_created_desc"),
            # On PostgreSQL it also carries the columns the facets read (migration 0017).
            models.Index(fields=["session", "id"], name="proposal_session_id"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The seat rule spans two tables, so the database cannot check it; every
        # save path (admin, shell, scripts) goes through here.
        self.validate_seat()
        self.validate_repeats()
        super().save(*args, **kwargs)

    def validate_repeats(self) -> None:
        """Raise ValidationError unless the proposal it repeats is the same delegate's,
        from an earlier year."""
        if self.repeats_id is None:
            return
        earlier = Proposal.objects.filter(pk=self.repeats_id).values_list(
            "delegate_id", "session_id"
        )
        found = earlier.first()
        if found is None:
            raise ValidationError({"repeats": "The proposal it repeats does not exist."})
        delegate_id, year = found
        if delegate_id != self.delegate_id:
            raise ValidationError(
                {"repeats": "A proposal can only repeat an earlier one by the same delegate."}
            )
        if self.session_id is not None and year >= self.session_id:
            raise ValidationError(
                {
                    "repeats": f"It can only repeat a proposal from an earlier year "
                    f"(that one is from {year})."
                }
            )

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
                f"sat in the {', '.join(str(Body(b).label) for b in held)} that year"
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
        self.validate_repeats()


class ProposalTopic(models.Model):
    """Explicit link table so that deleting a topic in use is refused (PROTECT)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, verbose_name=_("proposal"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, verbose_name=_("topic"))

    class Meta:
        # Not "topic": the admin lists this beside the Topic model itself.
        verbose_name = _("topic tag")
        verbose_name_plural = _("topic tags")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "topic"], name="proposal_topic_unique"),
        ]
        indexes = [models.Index(fields=["topic", "proposal"], name="proposaltopic_topic_proposal")]

    def __str__(self) -> str:
        return str(self.topic)


class OutcomeEvent(models.Model):
    """One dated step of what became of a proposal: registered, assigned, replied,
    adopted or partly adopted, withdrawn. The order rules are in proposals.outcomes;
    the proposal's status is derived from its events."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="outcome_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    when = models.CharField(
        "date",
        max_length=10,
        blank=True,
        validators=[validate_partial_date],
        help_text="As precise as the source: 2022, 2022-10 or 2022-10-18; empty if not given.",
    )
    department = models.CharField(
        max_length=200, blank=True, help_text="Who it was assigned to, or who replied."
    )
    grade = models.CharField(
        max_length=1, choices=Grade.choices, blank=True, help_text="The reply's grade, if given."
    )
    law = models.CharField(
        "law or policy", max_length=300, blank=True, help_text="What it was adopted into."
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="outcome_events"
    )
    caveat = models.CharField(
        max_length=200,
        blank=True,
        help_text="How far the source can be trusted, shown beside the event "
        "(“self-report”; “matches policy, but no source credits her”).",
    )
    note = models.TextField(blank=True, help_text="What the source says, in our own words.")

    history = HistoricalRecords(no_db_index=["proposal", "source"])

    class Meta:
        ordering = ["proposal", "when", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="outcomeevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.when}".strip()

    def save(self, *args, **kwargs) -> None:
        # Every save path (admin, shell, importer rows saved one by one) gets the
        # order rules; bulk writers check them with timeline_problems themselves.
        self.validate_timeline()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.validate_timeline()

    def validate_timeline(self) -> None:
        """Raise ValidationError when this event, with the proposal's others, makes an
        impossible order (a reply before the registration, two adoptions...)."""
        if getattr(self, "_timeline_checked", False):
            return  # checked as a whole by its writer (the admin inline, the importer)
        if not self.proposal_id or self.kind not in Kind.values:
            return
        if self.when and parse_partial_date(self.when) is None:
            return  # the field's validator names it
        others = OutcomeEvent.objects.filter(proposal_id=self.proposal_id).exclude(pk=self.pk)
        steps = [Step(k, w) for k, w in others.values_list("kind", "when")]
        year = Proposal.objects.filter(pk=self.proposal_id).values_list("session_id", flat=True)
        problems = timeline_problems([*steps, Step(self.kind, self.when)], year.first())
        if problems:
            raise ValidationError(problems)

    @property
    def precision(self) -> str:
        return precision(self.when)


class ProposalSearch(models.Model):
    """One proposal's searchable text, analysed (`proposals.search`): tokens of its
    titles, names, summaries and topic names, both languages in the same columns so
    that both rank alike. A narrow table of its own, so a search reads small rows.

    Rows are derived: `proposals.search_index` rewrites them from receivers on every
    write path and `manage.py rebuild_search` rebuilds them all. The database indexes
    them: on PostgreSQL a trigger fills `vector` (the "simple" configuration, the
    tokens being analysed already; GIN-indexed), on SQLite triggers keep the FTS5 table
    `proposals_search_fts` (bm25 ranking). Both from migration 0013.
    """

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, primary_key=True, related_name="search_row"
    )
    title = models.TextField(blank=True)
    names = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    topics = models.TextField(blank=True)
    # PostgreSQL only (weights A-D: title, names, summary, topics); empty on SQLite.
    # There the trigger keeps only this and empties the four text columns (migration
    # 0018): every search reads these rows, and the text doubled their width.
    vector = SearchVectorField(null=True, editable=False)
    # The proposal's topics and their top-level groups: a search's topic facet reads
    # them from the rows it matched (proposals.facet_sql) instead of joining every tag.
    topic_ids = IdList(default=list, blank=True)
    group_ids = IdList(default=list, blank=True)

    class Meta:
        verbose_name = "search row"

    def __str__(self) -> str:
        return f"search row of proposal {self.proposal_id}"


class ProposalSearchFTS(models.Model):
    """SQLite only: the FTS5 table over the search rows (migration 0013), read by
    `ProposalQuerySet.search`; its rowid is the proposal's id. Never written from here:
    triggers on ProposalSearch keep it."""

    # The proposal, so that a search joins this table (FTS5 drives the join by MATCH
    # and bm25 is computed in the same pass): as a correlated subquery per proposal it
    # ran the full-text query again for each row.
    rowid = models.OneToOneField(
        Proposal,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="fts_entry",
    )
    document = FullTextField(db_column="proposals_search_fts")

    class Meta:
        managed = False
        db_table = "proposals_search_fts"

    def __str__(self) -> str:
        return f"full-text entry of proposal {self.rowid}"


class TrendCount(models.Model):
    """How many proposals one (year, body, status) slice holds on one topic, or in all
    (topic empty): the small table trend charts and the list's year, body, status and
    topic facets read instead of scanning every proposal.

    A parent topic's row counts each proposal once however many of its children apply.
    Rows are derived: stats.counting.refresh() rewrites a slice whenever a proposal
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
    excluded_fields=["updated_at"],
    m2m_fields=["topics", "sources"],
    no_db_index=["session", "delegate", "status", "repeats", "proposal", "topic", "source"],
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
