"""Writing a chunk's proposals, with their topic and source links and their history,
in bulk; and the writes kept for the end of the file."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from core.history import copy_versions
from delegates.models import Affiliation, Body, Delegate
from topics.models import Topic

from ..history import ensure_baseline, record_versions
from ..models import Proposal, ProposalTopic, Status
from .outcomes import OutcomeWriter
from .read import Record
from .records import RecordResolver, insert
from .report import Change
from .validate import Row, parse_row

SAMPLE_CHANGES = 200  # proposal changes kept for the preview; the counts are complete
_EXISTING = (
    "pk", "session_id", "delegate_id", "title", "body", "summary", "status",
    "title_zh", "summary_zh",
)  # fmt: skip


class Importer(OutcomeWriter, RecordResolver):
    """One file's import: each chunk's records resolved, then its proposals written."""

    # One chunk ------------------------------------------------------------------------------

    def run_chunk(self, records: list[Record]) -> None:
        rows: list[Row] = []
        for record in records:
            row, problems = parse_row(record, self.last_year, self._known_topic)
            self.report.problems.extend(problems)
            if row is not None:
                rows.append(row)
        rows = self._resolve_delegates(rows)
        rows = self._check_duplicates(rows)
        self._resolve_sessions(rows)
        rows = self._check_seats(rows)
        self._resolve_companies(rows)
        rows = self._resolve_sources(rows)
        self._create_topics(rows)
        self._write_proposals(rows)
        self._write_outcomes(rows)

    def _write_proposals(self, rows: list[Row]) -> None:
        if not rows:
            return
        # Plain tuples, not model objects: on a re-import every row matches one.
        existing = {
            (year, delegate_id, title): Proposal(
                pk=pk,
                session_id=year,
                delegate_id=delegate_id,
                title=title,
                body=body,
                summary=summary,
                status=status,
                title_zh=title_zh,
                summary_zh=summary_zh,
            )
            for pk, year, delegate_id, title, body, summary, status, title_zh, summary_zh in (
                Proposal.objects.filter(
                    session_id__in={r.year for r in rows},
                    delegate_id__in={r.delegate.pk for r in rows},
                    title__in={r.title for r in rows} | {r.title_as_written for r in rows},
                ).values_list(*_EXISTING)
            )
        }
        old_ids = [p.pk for p in existing.values()]
        topics_of: dict[int, set[int]] = defaultdict(set)
        link_ids: dict[tuple[int, int], int] = {}
        for pk, proposal_id, topic_id in ProposalTopic.objects.filter(
            proposal_id__in=old_ids
        ).values_list("pk", "proposal_id", "topic_id"):
            topics_of[proposal_id].add(topic_id)
            link_ids[(proposal_id, topic_id)] = pk
        sources_of: dict[int, set[int]] = defaultdict(set)
        for proposal_id, source_id in Proposal.sources.through.objects.filter(
            proposal_id__in=old_ids
        ).values_list("proposal_id", "source_id"):
            sources_of[proposal_id].add(source_id)

        now = timezone.now()
        to_create: list[Row] = []
        to_update: list[Proposal] = []
        fields: set[str] = set()
        add_topics: list[tuple[int, int]] = []
        drop_topics: list[int] = []
        add_sources: list[tuple[int, int]] = []
        for row in rows:
            wanted = {self.topics[slug] for slug in row.topics}
            proposal = existing.get((row.year, row.delegate.pk, row.title_as_written))
            if proposal is None:
                proposal = existing.get((row.year, row.delegate.pk, row.title))
            self.slices.add((row.year, row.body))
            if proposal is None:
                to_create.append(row)
                continue
            before = (proposal.session_id, proposal.body)
            details = []
            for name, value in (
                ("body", row.body),
                ("summary", row.summary),
                ("title_zh", row.title_zh),
                ("summary_zh", row.summary_zh),
            ):
                # Only the edges are trimmed on reading, so a value differing by them
                # alone is the one the export wrote.
                if value and getattr(proposal, name).strip() != value:
                    details.append(f"{name}: {_difference(getattr(proposal, name), value)}")
                    setattr(proposal, name, value)
                    fields.add(name)
            held = topics_of[proposal.pk]
            if wanted != held:
                details.append(
                    "topics: "
                    + ", ".join(
                        [f"+{self._slug(t)}" for t in sorted(wanted - held)]
                        + [f"−{self._slug(t)}" for t in sorted(held - wanted)]
                    )
                )
                add_topics += [(proposal.pk, t) for t in wanted - held]
                drop_topics += [link_ids[(proposal.pk, t)] for t in held - wanted]
                self.report.tallies["topic_link"].created += len(wanted - held)
                self.report.tallies["topic_link"].removed += len(held - wanted)
            if row.source_id not in sources_of[proposal.pk]:
                details.append(f"source: +{row.source_url or row.source_title}")
                add_sources.append((proposal.pk, row.source_id))
                self.report.tallies["source_link"].created += 1
            if details:
                self.slices.add(before)
                proposal.updated_at = now
                to_update.append(proposal)
                self._sample(row, "update", details)
            else:
                self.seen["proposal"].add(proposal.pk)

        if to_update:
            # The version before this import's change, for records never changed before.
            ensure_baseline(Proposal, [p.pk for p in to_update])
            Proposal.objects.bulk_update(to_update, sorted(fields | {"updated_at"}))
            self.updated["proposal"].update(p.pk for p in to_update)
        if drop_topics:
            ProposalTopic.objects.filter(pk__in=drop_topics).delete()

        created = _insert_proposals(to_create)
        self.created["proposal"].update(created)
        for row, pk in zip(to_create, created, strict=True):
            add_topics += [(pk, self.topics[slug]) for slug in row.topics]
            add_sources.append((pk, row.source_id))
            self._sample(row, "create", ())
        self.report.tallies["topic_link"].created += sum(len(r.topics) for r in to_create)
        self.report.tallies["source_link"].created += len(to_create)
        topic_ids = insert(ProposalTopic, ("proposal_id", "topic_id"), add_topics)
        source_ids = insert(Proposal.sources.through, ("proposal_id", "source_id"), add_sources)
        # Versions are written once the links are in place, so each copies its links.
        record_versions(Proposal, [p.pk for p in to_update], user=self.user, reason=self.reason)
        # A new proposal's links are exactly the rows just inserted: its version's copy
        # of them is written from those, not looked up again (the slowest step before).
        versions = copy_versions(
            Proposal, created, history_type="+", user=self.user, reason=self.reason
        )
        hist = Proposal.history.model
        for link_hist, ids, pairs, column in (
            (hist.topics.model, topic_ids, add_topics, "topic_id"),
            (hist.sources.model, source_ids, add_sources, "source_id"),
        ):
            copies = [
                (link_id, proposal_id, other_id, versions[proposal_id])
                for link_id, (proposal_id, other_id) in zip(ids, pairs, strict=True)
                if proposal_id in versions
            ]
            insert(link_hist, ("id", "proposal_id", column, "history_id"), copies, returning=False)

    def _slug(self, topic_id: int) -> str:
        if not hasattr(self, "_slugs_by_id"):
            self._slugs_by_id: dict[int, str] = {}
        if topic_id not in self._slugs_by_id:
            self._slugs_by_id = dict(Topic.objects.values_list("pk", "slug"))
        return self._slugs_by_id.get(topic_id, str(topic_id))

    def _sample(self, row: Row, action: str, details: Iterable[str]) -> None:
        if len(self.report.changes) >= SAMPLE_CHANGES:
            self.report.more_changes += 1
            return
        label = f"{row.year} {Body(row.body).label} · {row.delegate.name} · {row.title}"
        self.report.changes.append(Change(row.line, action, label, tuple(details)))

    # End of file ----------------------------------------------------------------------------

    def finish(self) -> None:
        """Writes kept for the end so that each record gets one version per import."""
        delegates = list(self.changed_delegates.values())
        if delegates:
            ensure_baseline(Delegate, [d.pk for d in delegates])
            self._update(Delegate, delegates, ["name_zh"])
            self.updated["delegate"].update(d.pk for d in delegates)
        affiliations = list(self.changed_affiliations.values())
        new = [a for a in affiliations if a.pk is None]
        old = [a for a in affiliations if a.pk is not None]
        if new:
            self._create(Affiliation, new)
            self.report.tallies["affiliation"].created = len(new)
        if old:
            ensure_baseline(Affiliation, [a.pk for a in old])
            self._update(Affiliation, old, ["start_year", "end_year"])
            self.report.tallies["affiliation"].updated = len(old)
        self.report.tallies["affiliation"].unchanged = len(self.seen["affiliation"]) - len(
            affiliations
        )
        for key in ("proposal", "delegate", "company", "session", "seat", "source", "topic"):
            tally = self.report.tallies[key]
            created, updated = self.created[key], self.updated[key]
            tally.created = len(created)
            tally.updated = len(updated - created)
            tally.unchanged = len(self.seen[key] - created - updated)
        self.report.tallies["seat"].unchanged = len(self.seen["seat"]) - len(self.created["seat"])


def _difference(old: str, new: str, width: int = 60) -> str:
    """“old → new”, each cut to `width` characters around where they first differ, so a
    change at the end of a long summary is visible in the preview."""
    same = len(os.path.commonprefix([old, new]))
    start = max(0, same - width // 3)

    def cut(text: str) -> str:
        piece = text[start : start + width]
        return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")

    return f"{cut(old)} → {cut(new)}"


def _insert_proposals(rows: list[Row]) -> list[int]:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ("session_id", "delegate_id", "body", "title", "summary", "status")
    columns += ("title_zh", "summary_zh", "created_at", "updated_at", "is_generated")
    return insert(
        Proposal,
        columns,
        [
            [r.year, r.delegate.pk, r.body, r.title, r.summary, Status.SUBMITTED]
            + [r.title_zh, r.summary_zh, now, now, False]
            for r in rows
        ],
    )
