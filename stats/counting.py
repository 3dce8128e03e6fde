"""Counting proposals, in the database: the trend rows charts are drawn from, and the
upkeep of TrendCount, the small table of exact counts per (year, body, status, topic).

The database does the counting (GROUP BY, never rows walked one by one in Python).
Unfiltered and body-filtered trends read `TrendCount`, a few thousand rows whatever
the number of proposals, kept exact by `refresh()` (called by stats.receivers on every
write, and by `manage.py refresh_trends` after bulk loads). Delegate and company
trends count that delegate's or company's own proposals, which the (delegate,
session) index finds directly.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.cache import invalidate
from delegates.models import Affiliation, Company, Delegate
from proposals.models import Proposal, ProposalTopic, TrendCount

from .params import TrendParams

Row = tuple[int, int | None, int]  # (year, topic id or None for all proposals, proposals)


class UnknownFilter(Exception):
    """A delegate or company slug that names nothing visible (`name` is the parameter;
    proposals.params.unknown_record words it)."""

    def __init__(self, name: str, slug: str) -> None:
        super().__init__(f"{name}={slug}")
        self.name = name
        self.slug = slug


def _label(text: str) -> Value:
    return Value(text, output_field=CharField())


_NO_TOPIC = Value(None, output_field=IntegerField())


def _counting_parts(
    proposals: QuerySet,
    tags: QuerySet,
    dims: tuple[str, ...],
    *,
    child_ids: list[int] | None = None,
    root_ids: list[int] | None = None,
) -> list[QuerySet]:
    """The parts of one UNION ALL query that counts, per `dims` (Proposal field names):
    all proposals, the proposals of each sub-topic, and those of each top-level topic,
    each proposal once even when several sub-topics (or the topic itself) apply. Rows
    are (kind, *dims, topic id or None, proposals), kind "total" or "topic".

    `tags` are the ProposalTopic rows of `proposals`. `child_ids` and `root_ids` limit
    the topics counted: None counts all of that level, an empty list none.
    """
    aliases = [f"d{i}" for i in range(len(dims))]
    tag_dims = {alias: F(f"proposal__{dim}") for alias, dim in zip(aliases, dims, strict=True)}
    parts = [
        proposals.order_by()
        .values(*dims)
        .annotate(kind=_label("total"), tid=_NO_TOPIC, n=Count("pk"))
        .values_list("kind", *dims, "tid", "n")
    ]
    if child_ids is None or child_ids:
        children = tags.filter(topic__parent__isnull=False)
        if child_ids is not None:
            children = children.filter(topic_id__in=child_ids)
        parts.append(
            children.order_by()
            .values(**tag_dims, tid=F("topic_id"))
            .annotate(kind=_label("topic"), n=Count("proposal_id"))
            .values_list("kind", *aliases, "tid", "n")
        )
    if root_ids is None or root_ids:
        under_roots = tags
        if root_ids is not None:
            under_roots = tags.filter(Q(topic_id__in=root_ids) | Q(topic__parent_id__in=root_ids))
        parts.append(
            under_roots.order_by()
            .values(**tag_dims, tid=Coalesce("topic__parent_id", "topic_id"))
            # Distinct: two sub-topics of one parent on one proposal count it once.
            .annotate(kind=_label("topic"), n=Count("proposal_id", distinct=True))
            .values_list("kind", *aliases, "tid", "n")
        )
    return parts


def _in_range(params: TrendParams, year: str) -> Q:
    where = Q()
    if params.year_min is not None:
        where &= Q(**{f"{year}__gte": params.year_min})
    if params.year_max is not None:
        where &= Q(**{f"{year}__lte": params.year_max})
    return where


def aggregate_rows(params: TrendParams, topic_ids: list[int]) -> list[Row]:
    """Counts from TrendCount: cost bound by years x topics, not by proposals."""
    counts = TrendCount.objects.visible().filter(_in_range(params, "year"))
    if params.body:
        counts = counts.filter(body=params.body)
    return list(
        counts.filter(Q(topic__isnull=True) | Q(topic_id__in=topic_ids))
        .order_by()
        .values("year", "topic_id")
        .annotate(n=Sum("proposals"))
        .values_list("year", "topic_id", "n")
    )


def scoped_rows(
    params: TrendParams, child_ids: list[int] | None, root_ids: list[int] | None
) -> list[Row]:
    """Counts over one delegate's or company's proposals, found through indexes.

    The existence of the delegate or company rides along in the same query as a
    marker row, so that a request stays within two queries; a missing marker raises
    UnknownFilter.
    """
    proposals = Proposal.objects.visible().filter(_in_range(params, "session_id"))
    if params.body:
        proposals = proposals.filter(body=params.body)
    markers = []
    if params.delegate:
        proposals = proposals.filter(delegate__slug=params.delegate)
        markers.append(Delegate.objects.visible().filter(slug=params.delegate))
    if params.company:
        affiliations = Affiliation.objects.filter(company__slug=params.company)
        # A proposal is the company's when an affiliation of its delegate covers its
        # year; the plain delegate list lets the planner start from the index.
        proposals = proposals.filter(
            Exists(
                affiliations.held_in(OuterRef("session_id")).filter(delegate=OuterRef("delegate"))
            ),
            delegate__in=affiliations.values("delegate"),
        )
        markers.append(Company.objects.visible().filter(slug=params.company))
    tags = ProposalTopic.objects.filter(proposal__in=proposals.values("pk"))
    parts = _counting_parts(
        proposals, tags, ("session_id",), child_ids=child_ids, root_ids=root_ids
    )
    parts += [
        marker.order_by().values_list(
            _label(marker.model._meta.model_name), _NO_TOPIC, _NO_TOPIC, Value(0)
        )
        for marker in markers
    ]
    query = parts[0].union(*parts[1:], all=True)
    rows: list[Row] = []
    found = set()
    for kind, year, topic_id, n in query:
        if kind in ("total", "topic"):
            rows.append((year, topic_id, n))
        else:
            found.add(kind)
    for name in ("delegate", "company"):
        if getattr(params, name) and name not in found:
            raise UnknownFilter(name, getattr(params, name))
    return rows


def refresh(slices: Iterable[tuple[int, str]] | None = None) -> int:
    """Recount TrendCount for the given (year, body) slices, or for everything.

    A slice is recounted whole rather than patched by +1/-1, so that the parent-topic
    rule (each proposal once) stays exact whatever changed. Returns the rows written.
    """
    if slices is None:
        counts, proposals, tags = Q(), Q(), Q()
    else:
        slices = set(slices)
        if not slices:
            return 0
        counts, proposals, tags = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
        for year, body in slices:
            counts |= Q(year=year, body=body)
            proposals |= Q(session_id=year, body=body)
            tags |= Q(proposal__session_id=year, proposal__body=body)
    dims = ("session_id", "body", "is_generated", "status")
    parts = _counting_parts(
        Proposal.objects.filter(proposals), ProposalTopic.objects.filter(tags), dims
    )
    with transaction.atomic():
        TrendCount.objects.filter(counts).delete()
        rows = [
            TrendCount(
                year=year,
                body=body,
                is_generated=generated,
                status=status,
                topic_id=tid,
                proposals=n,
            )
            for _, year, body, generated, status, tid, n in parts[0].union(*parts[1:], all=True)
        ]
        TrendCount.objects.bulk_create(rows, batch_size=2000)
    invalidate()
    return len(rows)
