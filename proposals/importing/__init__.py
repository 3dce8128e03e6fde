"""Bulk import of a session's proposals: the one path behind `manage.py import_proposals`
and the admin's upload, preview and confirm pages.

The file is the CSV interchange format (proposals.interchange) or JSON Lines with the
same keys, UTF-8 with or without a byte-order mark. It is read as a stream, a chunk of
rows at a time, inside one transaction:

- every row is checked and every problem kept, with its line, column, value and reason;
- what a chunk's good rows need is found or created set-based (sessions, delegates,
  companies, seats, topics, sources), then proposals are bulk-created or bulk-updated
  with their history;
- at the end, any problem (or a dry run) rolls everything back, so a file is imported
  whole or not at all, and a dry run reports exactly what a real run would do.

Rules for the rows are in `RULES`, which the command prints as its help.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.db import reset_queries, transaction

from ..bulk import announce
from .read import Lines, Record, read_csv, read_jsonl, sniff_format
from .report import MODELS, FileProblem, ImportReport, Problem
from .write import Importer

__all__ = ["MODELS", "RULES", "ImportReport", "Problem", "import_proposals"]

CHUNK_ROWS = 2000

RULES = """\
Rules:
- A row is one proposal, identified by (year, delegate, title): a row matching a
  proposal updates it, any other row creates one. Importing a file twice changes
  nothing the second time.
- Optional columns: title_zh and summary_zh (the proposal's Chinese text), and the
  export's id and url, which are accepted and ignored: rows are never matched by id,
  so a file from another copy of the site cannot overwrite the wrong proposal.
- The export's apostrophe before a cell a spreadsheet would run as a formula (or one
  starting with an apostrophe) is removed, so an exported file imports back unchanged.
- Required: year, body (NPC or CPPCC), delegate_name, title, at least one topic slug
  (joined by ';'), and source_url or source_title. A source_title alone must name one
  source already in the database.
- Empty optional cells (delegate_name_zh, company, role, summary, title_zh, summary_zh,
  source_*, outcomes, repeats) never erase what the database holds.
- outcomes (optional column): the proposal's outcome events as a JSON list, each with
  kind (registered, assigned, replied, adopted, partly_adopted, withdrawn) and any of
  date (2022, 2022-10 or 2022-10-18), department, grade (A-D), law, source_url, caveat,
  note. A cell that differs from the events held replaces them ("[]" removes them);
  an impossible order (a reply before the registration, two adoptions, anything after
  a withdrawal) is refused.
- status: derived from the outcome events. Older files may carry it: a status that
  is not what the events give is refused; leave it empty.
- repeats (optional column): the earlier filing this proposal repeats, "YEAR: title",
  by the same delegate, in the database or earlier in the file.
- A proposal's topics become the row's topics; the row's source is added to the
  proposal's sources (a proposal may cite several pages, a row carries one).
- Delegates are found by English name, any other name ("Pony Ma (Ma Huateng)" is
  Pony Ma, also called Ma Huateng) or Chinese name, else created; companies by
  English or Chinese name, else created; sessions by year, else created.
- Seats: a delegate with no seat that year gets one in the row's body. A row whose
  body contradicts the delegate's seats that year is refused. A delegate who sat in
  both bodies in one year (people do move) needs both seats in the database first:
  rows in both bodies for a delegate without seats that year are refused too.
- The row's company and role extend the delegate's affiliation to that year, or
  start a new one.
- Unknown topic slugs are refused unless topics may be created (new topics are
  top-level: place them in the tree in the admin).
- All or nothing: any bad row means nothing is written, and every bad row is
  reported with its line (the header is line 1), column, value and reason."""


class _Rollback(Exception):
    pass


Progress = Callable[[int, int], None]  # (rows read, bytes read)


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_proposals(
    stream: IO[bytes],
    *,
    name: str = "",
    fmt: str | None = None,
    dry_run: bool = False,
    create_topics: bool = False,
    user: Any = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV or JSON Lines file of proposals from a binary stream, all or nothing.

    Returns the report: rows read, created / updated / unchanged per model, the
    proposal changes (a sample), and every problem. Nothing is written when there is
    a problem or when `dry_run` is set. Exceptions other than bad input (a database
    failure) roll everything back and propagate.
    """
    report = ImportReport(name=name, dry_run=dry_run)
    if fmt is None:
        # The content decides, so a JSON Lines file saved as .txt is still read right.
        if stream.seekable():
            fmt = sniff_format(stream.read(64))
            stream.seek(0)
        else:
            fmt = _format_from_name(name)
    lines = Lines(stream)
    reader = read_jsonl(lines) if fmt == "jsonl" else read_csv(lines)
    reason = f"Imported from {name}" if name else "Imported"
    try:
        with transaction.atomic():
            importer = Importer(report, create_topics=create_topics, user=user, reason=reason)
            for chunk in _chunks(reader, CHUNK_ROWS):
                report.rows += len(chunk)
                importer.run_chunk(chunk)
                reset_queries()  # with DEBUG on, Django would keep every statement
                if progress:
                    progress(report.rows, lines.bytes_read)
            importer.finish()
            if report.problems or dry_run:
                raise _Rollback
            announce(importer.created["proposal"] | importer.updated["proposal"], importer.slices)
    except FileProblem as exc:
        report.problems.append(exc.problem)
    except _Rollback:
        pass
    report.problems.sort(key=lambda p: p.line)
    return report


def _format_from_name(name: str) -> str:
    return "jsonl" if name.lower().endswith((".jsonl", ".ndjson", ".json")) else "csv"
