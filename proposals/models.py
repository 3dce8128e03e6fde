"""Proposals (CPPCC) and suggestions (NPC), and the sources that cite them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from simple_history import register
from simple_history.models import HistoricalRecords

from config.querysets import PublicQuerySet
from delegates.models import AnnualSession, Body, Company, Delegate, Seat
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
    def newest_first(self) -> ProposalQuerySet:
        return self.order_by("-session_id", "delegate__name", "title")

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

    def for_list(self) -> ProposalQuerySet:
        """Everything a row in a list shows, in a fixed number of queries."""
        return self.select_related("delegate").prefetch_related("topics")


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

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-session", "delegate__name", "title"]
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
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The seat rule spans two tables, so the database cannot check it; every
        # save path (admin, shell, scripts) goes through here.
        self.validate_seat()
        super().save(*args, **kwargs)

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


# Registered here rather than as a field on Proposal: the history keeps a copy of each
# version's topics and sources, and ProposalTopic must exist before that copy's model
# can be built. updated_at would show as a change in every entry, so it stays out.
# History is read by record (id, history_id), never by session, delegate, status or link
# target: indexes on those copies would only slow down every bulk import.
register(
    Proposal,
    excluded_fields=["updated_at"],
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
