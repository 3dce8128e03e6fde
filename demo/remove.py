"""Finding and removing generated demo data, leaving the real data as it was."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.models import Exists, Max, Min, OuterRef

from delegates.models import Affiliation, AnnualSession, Company, Delegate, Seat
from proposals.models import OutcomeEvent, Proposal, ProposalSearch, ProposalTopic, Source
from topics.models import Topic

from .tables import COUNTED_MODELS, ProposalSource


def generated_counts() -> dict[str, int]:
    """Rows of generated data per model, including the link rows that belong to them."""
    return {
        AnnualSession._meta.label: AnnualSession.objects.filter(is_generated=True).count(),
        Topic._meta.label: Topic.objects.filter(is_generated=True).count(),
        Company._meta.label: Company.objects.filter(is_generated=True).count(),
        Delegate._meta.label: Delegate.objects.filter(is_generated=True).count(),
        Affiliation._meta.label: Affiliation.objects.filter(delegate__is_generated=True).count(),
        Seat._meta.label: Seat.objects.filter(delegate__is_generated=True).count(),
        Source._meta.label: Source.objects.filter(is_generated=True).count(),
        Proposal._meta.label: Proposal.objects.filter(is_generated=True).count(),
        ProposalTopic._meta.label: ProposalTopic.objects.filter(
            proposal__is_generated=True
        ).count(),
        ProposalSource._meta.label: ProposalSource.objects.filter(
            proposal__is_generated=True
        ).count(),
        OutcomeEvent._meta.label: OutcomeEvent.objects.filter(proposal__is_generated=True).count(),
    }


def has_generated_data() -> bool:
    """Whether any flagged record exists (seats and links only exist beside one)."""
    return any(
        model.objects.filter(is_generated=True).exists()
        for model in (Proposal, Delegate, Source, Topic, Company, AnnualSession)
    )


def remove_demo_data(*, batch_size: int = 50_000) -> dict[str, int]:
    """Delete every generated record and what belongs to it; return rows deleted per model.

    Deletes children before parents in id ranges of `batch_size`, with plain DELETE
    statements (no per-row signals), so that a million proposals go in bounded time and
    memory. Call inside `transaction.atomic()`. A real record that points at generated
    data (say, a real proposal tagged with a generated topic) makes the database refuse,
    and the transaction then leaves everything as it was.
    """
    deleted = dict.fromkeys((m._meta.label for m in COUNTED_MODELS), 0)
    source_delegates = Source.delegates.through
    source_companies = Source.companies.through
    # Each generated parent with the rows that point at it: (model, field naming the parent).
    order: list[tuple[type[models.Model], list[tuple[type[models.Model], str]]]] = [
        (
            Proposal,
            [
                (ProposalTopic, "proposal"),
                (ProposalSource, "proposal"),
                (OutcomeEvent, "proposal"),
                (ProposalSearch, "proposal"),
            ],
        ),
        (Source, [(source_delegates, "source"), (source_companies, "source")]),
        (Delegate, [(Seat, "delegate"), (Affiliation, "delegate"), (source_delegates, "delegate")]),
        (Company, [(source_companies, "company")]),
    ]
    with connection.cursor() as cursor:
        for parent, children in order:
            for low, high in _generated_id_ranges(parent, batch_size):
                for child, field_name in children:
                    count = _delete(cursor, child, field_name, parent, low, high)
                    if child._meta.label in deleted:
                        deleted[child._meta.label] += count
                deleted[parent._meta.label] += _delete(cursor, parent, "id", parent, low, high)
        # Sub-topics first: a root is protected by its children.
        for roots in (False, True):
            count, _ = Topic.objects.filter(is_generated=True, parent__isnull=roots).delete()
            deleted[Topic._meta.label] += count
        # A generated session that a real record has since used stays.
        unused = (
            AnnualSession.objects.filter(is_generated=True)
            .exclude(Exists(Seat.objects.filter(session=OuterRef("pk"))))
            .exclude(Exists(Proposal.objects.filter(session=OuterRef("pk"))))
        )
        count, _ = AnnualSession.objects.filter(
            pk__in=list(unused.values_list("pk", flat=True))
        ).delete()
        deleted[AnnualSession._meta.label] = count
    # Foreign keys are checked at commit; check now, so a refusal names its cause here.
    connection.check_constraints()
    return deleted


def _generated_id_ranges(model: type[models.Model], size: int) -> Iterable[tuple[int, int]]:
    bounds = model.objects.filter(is_generated=True).aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for low in range(bounds["low"], bounds["high"] + 1, size):
        yield low, low + size


def _delete(
    cursor: Any,
    model: type[models.Model],
    field_name: str,
    parent: type[models.Model],
    low: int,
    high: int,
) -> int:
    """Delete `model` rows whose `field_name` is a generated `parent` id in [low, high)."""
    quote = connection.ops.quote_name
    column = model._meta.get_field(field_name).column
    parent_table = quote(parent._meta.db_table)
    # Identifiers come from model metadata; the bounds are parameters.
    sql = (
        f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} IN "  # noqa: S608
        f"(SELECT id FROM {parent_table} WHERE is_generated AND id >= %s AND id < %s)"
    )
    cursor.execute(sql, [low, high])
    return cursor.rowcount
