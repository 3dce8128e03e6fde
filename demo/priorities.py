"""The government's priorities in the real-data fixture, read from
fixtures/gov_priorities_2013_2025.csv with the importer's own checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from government.importing import parse_rows

PRIORITIES_PATH = (
    Path(__file__).resolve().parent.parent / "fixtures" / "gov_priorities_2013_2025.csv"
)


def priority_records(
    path: Path,
    *,
    topic_pk: dict[str, int],
    years: set[int],
    add_source: Callable[[str, str, str, str, str], int],
    problems: list[str],
) -> list[dict[str, Any]]:
    """Fixture records of every priority, their sources added through `add_source` (so a
    URL the proposals cite is one source); problems are appended naming line and column."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows, found = parse_rows(handle, topics=set(topic_pk), years=years)
    problems.extend(f"{path.name}, {problem}" for problem in found)
    records = []
    for pk, row in enumerate(rows, 1):
        source = add_source(
            row.source_url,
            row.source_title,
            row.source_publisher,
            row.source_date.isoformat() if row.source_date else "",
            f"{path.name}, line {row.line}, column source_url ({row.source_url!r})",
        )
        records.append(
            {
                "model": "government.governmentpriority",
                "pk": pk,
                "fields": {
                    "session": row.year,
                    "text_en": row.text_en,
                    "text_zh": row.text_zh,
                    "first_named": row.first_named,
                    "topics": [topic_pk[slug] for slug in row.topics],
                    "sources": [source],
                },
            }
        )
    return records
