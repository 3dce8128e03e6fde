"""Writing a chunk's outcome events and filed-again links, after its proposals: the
`outcomes` and `repeats` columns (optional; a file without them changes neither).

A row's `outcomes` cell replaces the proposal's events when it differs from them
(an empty cell keeps them); the status is then derived again from the events, so a
`status` cell, which older files carry, must agree with the timeline or the row is
refused. A `repeats` cell names an earlier filing by the same delegate, in the
database or earlier in the file."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from simple_history.utils import bulk_create_with_history

from ..models import OutcomeEvent, Proposal, Source
from ..outcomes import derived_status
from ..timeline import derive_statuses
from .validate import Row

if TYPE_CHECKING:
    from .records import RecordResolver

    _Base = RecordResolver
else:
    _Base = object

_EVENT_FIELDS = ("kind", "when", "department", "grade", "law", "source_url", "caveat", "note")


def _held(event: OutcomeEvent, urls: dict[int, str]) -> tuple[str, ...]:
    return (
        event.kind,
        event.when,
        event.department,
        event.grade,
        event.law,
        urls.get(event.source_id, ""),
        event.caveat,
        event.note,
    )


def _wanted(event: dict[str, str]) -> tuple[str, ...]:
    return tuple(event["date" if name == "when" else name] for name in _EVENT_FIELDS)


class OutcomeWriter(_Base):
    """Mixed into the Importer: the outcome and repeats columns of one chunk."""

    def _write_outcomes(self, rows: list[Row]) -> None:
        if not rows:
            return
        pk_of = {
            (y, d, t): pk
            for pk, y, d, t in Proposal.objects.filter(
                session_id__in={r.year for r in rows},
                delegate_id__in={r.delegate.pk for r in rows},
                title__in={r.title for r in rows} | {r.title_as_written for r in rows},
            ).values_list("pk", "session_id", "delegate_id", "title")
        }
        # The proposal each row wrote: matched by its title as written first, as
        # write._write_proposals matches it.
        row_pk = {
            r.line: pk_of.get((r.year, r.delegate.pk, r.title_as_written))
            or pk_of[(r.year, r.delegate.pk, r.title)]
            for r in rows
        }
        held: dict[int, list[OutcomeEvent]] = defaultdict(list)
        for event in OutcomeEvent.objects.filter(proposal_id__in=row_pk.values()).order_by("pk"):
            held[event.proposal_id].append(event)
        urls = dict(
            Source.objects.filter(
                pk__in={e.source_id for es in held.values() for e in es if e.source_id}
            ).values_list("pk", "url")
        )
        replace: dict[int, list[dict[str, str]]] = {}
        for row in rows:
            pk = row_pk[row.line]
            events = row.outcomes
            if events is not None and [_wanted(e) for e in events] != [
                _held(e, urls) for e in held[pk]
            ]:
                replace[pk] = events
            kinds = (
                [e["kind"] for e in events] if events is not None else [e.kind for e in held[pk]]
            )
            if row.status and row.status != derived_status(kinds):
                self._problem(
                    row,
                    "status",
                    row.status,
                    "the status follows the outcome events and they give "
                    f"“{derived_status(kinds)}”: leave the status empty, or give the "
                    "events in the outcomes column",
                )
        if replace:
            self._replace_events(replace, held)
        self._link_repeats(rows, row_pk)
        self.slices |= derive_statuses(row_pk.values())

    def _replace_events(
        self, replace: dict[int, list[dict[str, str]]], held: dict[int, list[OutcomeEvent]]
    ) -> None:
        wanted_urls = {e["source_url"] for es in replace.values() for e in es if e["source_url"]}
        sources = dict(Source.objects.filter(url__in=wanted_urls).values_list("url", "pk"))
        for url in sorted(wanted_urls - set(sources)):
            sources[url] = Source.objects.create(url=url).pk
            self.created["source"].add(sources[url])
        old = [e.pk for pk in replace for e in held[pk]]
        OutcomeEvent.objects.filter(pk__in=old).delete()
        new = [
            OutcomeEvent(
                proposal_id=pk,
                kind=e["kind"],
                when=e["date"],
                department=e["department"],
                grade=e["grade"],
                law=e["law"],
                source_id=sources.get(e["source_url"]),
                caveat=e["caveat"],
                note=e["note"],
            )
            for pk, events in replace.items()
            for e in events
        ]
        # bulk_create runs no save(): the timeline was checked as a whole when the row
        # was read (validate.parse_row), and the statuses are derived after.
        bulk_create_with_history(new, OutcomeEvent, default_user=self.user)
        self.report.tallies["outcome_event"].removed += len(old)
        self.report.tallies["outcome_event"].created += len(new)

    def _link_repeats(self, rows: list[Row], row_pk: dict[int, int]) -> None:
        wanted = [r for r in rows if r.repeats is not None]
        if not wanted:
            return
        targets = {
            (y, d, t): pk
            for pk, y, d, t in Proposal.objects.filter(
                session_id__in={r.repeats[0] for r in wanted},
                delegate_id__in={r.delegate.pk for r in wanted},
                title__in={r.repeats[1] for r in wanted},
            ).values_list("pk", "session_id", "delegate_id", "title")
        }
        current = dict(
            Proposal.objects.filter(pk__in=[row_pk[r.line] for r in wanted]).values_list(
                "pk", "repeats_id"
            )
        )
        changed: list[Proposal] = []
        for row in wanted:
            year, title = row.repeats
            target = targets.get((year, row.delegate.pk, title))
            if target is None:
                self._problem(
                    row,
                    "repeats",
                    f"{year}: {title}",
                    f"no proposal by {row.delegate.name} in {year} has this title "
                    "(the earlier filing must be in the database or earlier in the file)",
                )
                continue
            pk = row_pk[row.line]
            if current[pk] != target:
                changed.append(Proposal(pk=pk, repeats_id=target))
        if changed:
            Proposal.objects.bulk_update(changed, ["repeats"])
            self.updated["proposal"].update(p.pk for p in changed)
            self.report.tallies["repeat_link"].created += len(changed)


__all__ = ["OutcomeWriter"]
