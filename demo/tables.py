"""Writing generated rows in bulk: a buffer per table flushed by COPY on PostgreSQL and
`executemany` elsewhere, and the primary keys handed out ahead of the inserts."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import Max

from delegates.models import Affiliation, AnnualSession, Company, Delegate, Seat
from proposals.models import OutcomeEvent, Proposal, ProposalTopic, Source
from topics.models import Topic

ProposalSource = Proposal.sources.through
# The models that generated data lives in, in a fixed order for reports and removal.
COUNTED_MODELS: tuple[type[models.Model], ...] = (
    AnnualSession,
    Topic,
    Company,
    Delegate,
    Affiliation,
    Seat,
    Source,
    Proposal,
    ProposalTopic,
    ProposalSource,
    OutcomeEvent,
)
# Tables whose ids we assign ourselves; locked while generating on PostgreSQL.
ID_ASSIGNED = (Topic, Company, Delegate, Source, Proposal)


class TableWriter:
    """Buffers rows for one table and writes them in one statement per flush."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        self.columns = [meta.get_field(name).column for name in fields]
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        adapters: list[Callable[[Any], Any] | None] = []
        for name in fields:
            model_field = meta.get_field(name)
            if isinstance(model_field, models.DateTimeField):
                adapters.append(connection.ops.adapt_datetimefield_value)
            elif isinstance(model_field, models.DateField):
                adapters.append(connection.ops.adapt_datefield_value)
            else:
                adapters.append(None)
        self.adapters = adapters if any(adapters) else None

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def flush(self, cursor: Any) -> None:
        if not self.rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            buffer.writelines("\t".join(map(copy_text, row)) + "\n" for row in self.rows)
            buffer.seek(0)
            # COPY is several times faster than INSERT for large batches.
            cursor.copy_expert(f"COPY {quote(self.table)} ({columns}) FROM STDIN", buffer)
        else:
            rows: Iterable[tuple[Any, ...]] = self.rows
            if self.adapters:
                adapters = self.adapters
                rows = (
                    tuple(
                        a(v) if a and v is not None else v
                        for a, v in zip(adapters, row, strict=True)
                    )
                    for row in self.rows
                )
            marks = ", ".join(["%s"] * len(self.columns))
            # Identifiers come from model metadata; every value is a parameter.
            sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, rows)
        self.written += len(self.rows)
        self.rows.clear()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if isinstance(value, str):
        # Generated text almost never needs escaping, and the substring tests run in C:
        # translating every string costs more than generating it.
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class Ids:
    """The next free primary key of each table whose ids we assign."""

    def __init__(self) -> None:
        self.next = {
            model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for model in ID_ASSIGNED
        }

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value
