"""The tables of the bulk downloads (api/bulk.py): each one's columns, its rows (only
what the site may show) and its keys. A new table is one more `Table` here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from delegates.models import Affiliation, AnnualSession, Company, Delegate, Seat
from government.models import GovernmentPriority
from proposals.models import OutcomeEvent, Proposal, ProposalTopic, Source
from topics.models import Topic


@dataclass(frozen=True)
class Table:
    """One table of the download: its columns (name, SQLite type), the rows as
    tuples in that order, and which columns point at which table."""

    name: str
    columns: tuple[tuple[str, str], ...]
    rows: Callable[[], QuerySet]
    primary_key: tuple[str, ...] = ("id",)
    references: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


def _visible_proposals() -> QuerySet:
    return Proposal.objects.visible()


TABLES: tuple[Table, ...] = (
    Table(
        "sessions",
        (
            ("year", "INTEGER"),
            ("npc_session", "TEXT"),
            ("npc_session_zh", "TEXT"),
            ("cppcc_session", "TEXT"),
            ("cppcc_session_zh", "TEXT"),
            ("opens_on", "TEXT"),
            ("closes_on", "TEXT"),
        ),
        lambda: (
            AnnualSession.objects.visible()
            .order_by("year")
            .values_list(
                "year",
                "npc_session",
                "npc_session_zh",
                "cppcc_session",
                "cppcc_session_zh",
                "opens_on",
                "closes_on",
            )
        ),
        primary_key=("year",),
    ),
    Table(
        "companies",
        (
            ("id", "INTEGER"),
            ("slug", "TEXT"),
            ("name", "TEXT"),
            ("name_zh", "TEXT"),
            ("sector", "TEXT"),
            ("website", "TEXT"),
        ),
        lambda: (
            Company.objects.visible()
            .order_by("pk")
            .values_list("pk", "slug", "name", "name_zh", "sector", "website")
        ),
    ),
    Table(
        "delegates",
        (
            ("id", "INTEGER"),
            ("slug", "TEXT"),
            ("name", "TEXT"),
            ("name_zh", "TEXT"),
            ("other_names", "TEXT"),
            ("bio", "TEXT"),
        ),
        lambda: (
            Delegate.objects.visible()
            .order_by("pk")
            .values_list("pk", "slug", "name", "name_zh", "other_names", "bio")
        ),
    ),
    Table(
        "seats",
        (
            ("id", "INTEGER"),
            ("delegate_id", "INTEGER"),
            ("year", "INTEGER"),
            ("body", "TEXT"),
            ("delegation", "TEXT"),
            ("citation", "TEXT"),
        ),
        lambda: (
            Seat.objects.filter(delegate__in=Delegate.objects.visible())
            .order_by("pk")
            .values_list("pk", "delegate_id", "session_id", "body", "delegation", "citation")
        ),
        references=(("delegate_id", "delegates"), ("year", "sessions")),
    ),
    Table(
        "affiliations",
        (
            ("id", "INTEGER"),
            ("delegate_id", "INTEGER"),
            ("company_id", "INTEGER"),
            ("role", "TEXT"),
            ("start_year", "INTEGER"),
            ("end_year", "INTEGER"),
        ),
        lambda: (
            Affiliation.objects.filter(
                delegate__in=Delegate.objects.visible(), company__in=Company.objects.visible()
            )
            .order_by("pk")
            .values_list("pk", "delegate_id", "company_id", "role", "start_year", "end_year")
        ),
        references=(("delegate_id", "delegates"), ("company_id", "companies")),
    ),
    Table(
        "topics",
        (
            ("id", "INTEGER"),
            ("slug", "TEXT"),
            ("name", "TEXT"),
            ("name_zh", "TEXT"),
            ("parent_id", "INTEGER"),
            ("description", "TEXT"),
            ("color", "TEXT"),
        ),
        # Parents first, so the SQLite file's foreign keys hold row by row.
        lambda: (
            Topic.objects.visible()
            .order_by("parent_id", "pk")
            .values_list("pk", "slug", "name", "name_zh", "parent_id", "description", "color")
        ),
        references=(("parent_id", "topics"),),
    ),
    Table(
        "proposals",
        (
            ("id", "INTEGER"),
            ("year", "INTEGER"),
            ("body", "TEXT"),
            ("delegate_id", "INTEGER"),
            ("title", "TEXT"),
            ("title_zh", "TEXT"),
            ("summary", "TEXT"),
            ("summary_zh", "TEXT"),
            ("status", "TEXT"),
            ("repeats_id", "INTEGER"),
        ),
        lambda: (
            _visible_proposals()
            .order_by("pk")
            .values_list(
                "pk",
                "session_id",
                "body",
                "delegate_id",
                "title",
                "title_zh",
                "summary",
                "summary_zh",
                "status",
                "repeats_id",
            )
        ),
        references=(("year", "sessions"), ("delegate_id", "delegates")),
    ),
    Table(
        "proposal_topics",
        (("proposal_id", "INTEGER"), ("topic_id", "INTEGER")),
        lambda: (
            ProposalTopic.objects.filter(
                proposal__in=_visible_proposals(), topic__in=Topic.objects.visible()
            )
            .order_by("proposal_id", "topic_id")
            .values_list("proposal_id", "topic_id")
        ),
        primary_key=("proposal_id", "topic_id"),
        references=(("proposal_id", "proposals"), ("topic_id", "topics")),
    ),
    Table(
        "sources",
        (
            ("id", "INTEGER"),
            ("url", "TEXT"),
            ("title", "TEXT"),
            ("publisher", "TEXT"),
            ("published_on", "TEXT"),
        ),
        lambda: (
            Source.objects.visible()
            .order_by("pk")
            .values_list("pk", "url", "title", "publisher", "published_on")
        ),
    ),
    Table(
        "proposal_sources",
        (("proposal_id", "INTEGER"), ("source_id", "INTEGER")),
        lambda: (
            Proposal.sources.through.objects.filter(
                proposal__in=_visible_proposals(), source__in=Source.objects.visible()
            )
            .order_by("proposal_id", "source_id")
            .values_list("proposal_id", "source_id")
        ),
        primary_key=("proposal_id", "source_id"),
        references=(("proposal_id", "proposals"), ("source_id", "sources")),
    ),
    Table(
        "outcome_events",
        (
            ("id", "INTEGER"),
            ("proposal_id", "INTEGER"),
            ("kind", "TEXT"),
            ("date", "TEXT"),
            ("department", "TEXT"),
            ("grade", "TEXT"),
            ("law", "TEXT"),
            ("source_id", "INTEGER"),
            ("caveat", "TEXT"),
            ("note", "TEXT"),
        ),
        lambda: (
            OutcomeEvent.objects.filter(proposal__in=_visible_proposals())
            .order_by("pk")
            .values_list(
                "pk",
                "proposal_id",
                "kind",
                "when",
                "department",
                "grade",
                "law",
                "source_id",
                "caveat",
                "note",
            )
        ),  # fmt: skip
        references=(("proposal_id", "proposals"), ("source_id", "sources")),
    ),
    Table(
        "priorities",
        (
            ("id", "INTEGER"),
            ("year", "INTEGER"),
            ("text_en", "TEXT"),
            ("text_zh", "TEXT"),
            ("first_named", "INTEGER"),
        ),
        lambda: (
            GovernmentPriority.objects.visible()
            .order_by("pk")
            .values_list("pk", "session_id", "text_en", "text_zh", "first_named")
        ),
        references=(("year", "sessions"),),
    ),
    Table(
        "priority_topics",
        (("priority_id", "INTEGER"), ("topic_id", "INTEGER")),
        lambda: (
            GovernmentPriority.topics.through.objects.filter(
                governmentpriority__in=GovernmentPriority.objects.visible(),
                topic__in=Topic.objects.visible(),
            )
            .order_by("governmentpriority_id", "topic_id")
            .values_list("governmentpriority_id", "topic_id")
        ),
        primary_key=("priority_id", "topic_id"),
        references=(("priority_id", "priorities"), ("topic_id", "topics")),
    ),
    Table(
        "priority_sources",
        (("priority_id", "INTEGER"), ("source_id", "INTEGER")),
        lambda: (
            GovernmentPriority.sources.through.objects.filter(
                governmentpriority__in=GovernmentPriority.objects.visible(),
                source__in=Source.objects.visible(),
            )
            .order_by("governmentpriority_id", "source_id")
            .values_list("governmentpriority_id", "source_id")
        ),
        primary_key=("priority_id", "source_id"),
        references=(("priority_id", "priorities"), ("source_id", "sources")),
    ),
)
