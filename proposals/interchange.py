"""The CSV interchange format shared by the real-data build, the public export and
the importer. One place defines its columns and how names in it are read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import OutcomeEvent, Proposal

# The columns every file has had since the start (the real-data files carry these).
BASE_COLUMNS: tuple[str, ...] = (
    "year",
    "body",
    "delegate_name",
    "delegate_name_zh",
    "company",
    "role",
    "title",
    "summary",
    "topics",
    "status",
    "source_url",
    "source_title",
    "source_publisher",
    "source_date",
)
# Issue 13, optional (older files without them still import): the outcome events as
# a JSON list, and the earlier filing this one repeats as "YEAR: title".
COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, "outcomes", "repeats")
# The keys of one event in the `outcomes` cell, in the order they are written.
EVENT_KEYS: tuple[str, ...] = (
    "kind",
    "date",
    "department",
    "grade",
    "law",
    "source_url",
    "caveat",
    "note",
)
TOPIC_SEPARATOR = ";"
# How the format writes a body, whatever the reader's language.
BODY_CODES = {"npc": "NPC", "cppcc": "CPPCC"}

_BRACKETED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<other>[^()]+)\)\s*$")


@dataclass(frozen=True)
class PersonName:
    name: str
    other_names: tuple[str, ...] = ()


def split_person_name(raw: str) -> PersonName:
    """“Pony Ma (Ma Huateng)” is one person with two names: keep both."""
    raw = " ".join(raw.split())
    match = _BRACKETED.match(raw)
    if not match:
        return PersonName(raw)
    return PersonName(match["name"].strip(), (match["other"].strip(),))


def split_topics(raw: str) -> list[str]:
    return [slug.strip() for slug in raw.split(TOPIC_SEPARATOR) if slug.strip()]


# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make a cell inert in spreadsheets: a leading apostrophe shows the text as typed."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def delegate_label(proposal: Proposal) -> str:
    """The interchange form of a name: “Pony Ma (Ma Huateng)” when there is another."""
    delegate = proposal.delegate
    other = delegate.other_names.split(";")[0].strip()
    return f"{delegate.name} ({other})" if other else delegate.name


def interchange_row(proposal: Proposal) -> dict[str, str]:
    """One proposal in the CSV interchange format. The first source (the one it was
    recorded with) fills the source columns; the JSON export lists them all."""
    sources = list(proposal.sources.all())
    first = sources[0] if sources else None
    return {
        "year": str(proposal.session_id),
        "body": BODY_CODES[proposal.body],
        "delegate_name": delegate_label(proposal),
        "delegate_name_zh": proposal.delegate.name_zh,
        "company": proposal.company_name or "",
        "role": proposal.role or "",
        "title": proposal.title,
        "summary": proposal.summary,
        "topics": TOPIC_SEPARATOR.join(t.slug for t in proposal.topics.all()),
        "status": proposal.status,
        "source_url": first.url if first else "",
        "source_title": first.title if first else "",
        "source_publisher": first.publisher if first else "",
        "source_date": first.published_on.isoformat() if first and first.published_on else "",
        "outcomes": outcomes_cell(proposal.outcome_events.all()),
        "repeats": repeats_cell(proposal),
    }


def event_values(event: OutcomeEvent) -> dict[str, str]:
    """One event as the interchange writes it (empty values left out)."""
    values = {
        "kind": event.kind,
        "date": event.when,
        "department": event.department,
        "grade": event.grade,
        "law": event.law,
        "source_url": event.source.url if event.source_id else "",
        "caveat": event.caveat,
        "note": event.note,
    }
    return {k: v for k, v in values.items() if v}


def outcomes_cell(events: Iterable[OutcomeEvent]) -> str:
    """The `outcomes` cell: a JSON list of events, oldest recorded first; empty when
    none is known (an empty cell never erases events on import; "[]" does)."""
    values = [event_values(e) for e in sorted(events, key=lambda e: e.pk)]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) if values else ""


def parse_outcomes_cell(text: str) -> tuple[list[dict[str, str]] | None, str]:
    """The events of an `outcomes` cell (None: the cell is empty, keep what is held),
    or the reason it cannot be read."""
    if not text.strip():
        return None, ""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None, 'not a JSON list of events such as [{"kind":"replied","date":"2022-10"}]'
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        return None, "not a JSON list of events (objects with kind, date, ...)"
    events = []
    for event in data:
        unknown = sorted(set(event) - set(EVENT_KEYS))
        if unknown:
            return None, f"unknown event key(s) {', '.join(unknown)}: use {', '.join(EVENT_KEYS)}"
        if not all(isinstance(v, str) for v in event.values()):
            return None, "every event value must be text"
        events.append(
            {
                k: " ".join(event.get(k, "").split()) if k != "note" else event.get(k, "").strip()
                for k in EVENT_KEYS
            }
        )
    return events, ""


def repeats_cell(proposal: Proposal) -> str:
    """The `repeats` cell: "2021: Raise the income-tax threshold..." (same delegate)."""
    earlier = proposal.repeats
    return f"{earlier.session_id}: {earlier.title}" if earlier is not None else ""


def parse_repeats_cell(text: str) -> tuple[tuple[int, str] | None, str]:
    """(year, title) of the earlier filing, or the reason the cell cannot be read."""
    if not text.strip():
        return None, ""
    year, sep, title = text.partition(":")
    if not sep or not year.strip().isdigit() or not title.strip():
        return None, "write the earlier filing as “YEAR: its title”"
    return (int(year.strip()), " ".join(title.split())), ""


# --- Beyond the core format: what the public export adds ------------------------------

# The export's first columns join a row back to the site. The importer accepts and
# IGNORES them: a row is identified by (year, delegate, title), so a file exported from
# another copy of the site, or edited in a spreadsheet, never updates the wrong record.
LINK_COLUMNS: tuple[str, ...] = ("id", "url")
# Chinese text of the proposal: exported, imported when given (an empty cell erases
# nothing), and optional, so files without them still import.
TRANSLATION_COLUMNS: tuple[str, ...] = ("title_zh", "summary_zh")
EXPORT_COLUMNS: tuple[str, ...] = LINK_COLUMNS + COLUMNS + TRANSLATION_COLUMNS
# Every column a file to import may have.
READ_COLUMNS: tuple[str, ...] = COLUMNS + TRANSLATION_COLUMNS + LINK_COLUMNS


def export_row(proposal: Proposal, url: str) -> dict[str, str]:
    """One proposal as a row of the public CSV export: the interchange row, with the
    proposal's id and canonical address first and its Chinese text last."""
    return {
        "id": str(proposal.pk),
        "url": url,
        **interchange_row(proposal),
        "title_zh": proposal.title_zh,
        "summary_zh": proposal.summary_zh,
    }


_NEUTRALISED = tuple("'" + prefix for prefix in (*FORMULA_PREFIXES, "'"))


def neutralise_cell(value: str) -> str:
    """`neutralise`, made reversible: a value that itself starts with an apostrophe
    gets one more, so `unneutralise` can tell the export's apostrophe from the data's."""
    return "'" + value if value.startswith((*FORMULA_PREFIXES, "'")) else value


def unneutralise(value: str) -> str:
    """A cell as it was before the export made it inert: its one leading apostrophe
    removed when what follows would have been neutralised."""
    return value[1:] if value.startswith(_NEUTRALISED) else value
