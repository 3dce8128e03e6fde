"""The CSV interchange format shared by the real-data build, the public export and
the importer. One place defines its columns and how names in it are read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Proposal

COLUMNS: tuple[str, ...] = (
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
    }


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
