"""The real outcomes and filed-again chains, for the fixture build (realdata.py).

- `outcomes.csv` rows are matched to proposals by the curated decision for each row
  (its year and delegate, with the proposal its title hint points to, or why none
  does). A row without a match invents no proposal: it is left out and the build
  says so. Each event keeps its source and the caveat shown beside it.
- `[[reported_proposals]]`: filings known only from the outcome source that reports
  them (Zeng Yuqun's 2018 battery-tax proposal).
- `[[repeats]]`: chains of the same ask, each filing linked to the one before.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proposals.outcomes import Step, derived_status, parse_partial_date, timeline_problems

OUTCOMES_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "outcomes.csv"
KINDS = {"replied": "replied", "adopted": "adopted", "partly-adopted": "partly_adopted"}
Key = tuple[int, str, str]  # (year, curated delegate name, title)


def read_outcomes(path: Path = OUTCOMES_PATH) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(line, row) for line, row in enumerate(csv.DictReader(handle), 2)]


def reported_rows(cur: dict[str, Any]) -> list[tuple[int, dict[str, str], tuple[str, str]]]:
    """Proposals only an outcome source reports, as rows of the proposal files (so
    the build checks their seat, company, source and topics like any other), each
    with its Chinese title and summary."""
    rows = []
    for index, entry in enumerate(cur.get("reported_proposals", []), 1):
        row = {
            "year": str(entry["year"]),
            "body": entry["body"],
            "delegate_name": entry["delegate"],
            "delegate_name_zh": entry.get("delegate_zh", ""),
            "company": entry["company"],
            "role": entry["role"],
            "title": entry["title"],
            "summary": entry["summary"],
            "topics": ";".join(entry["topics"]),
            "status": "",
            "source_url": entry["source_url"],
            "source_title": entry.get("source_title", ""),
            "source_publisher": entry.get("source_publisher", ""),
            "source_date": entry["source_date"].isoformat() if entry.get("source_date") else "",
        }
        rows.append((index, row, (entry["title_zh"], entry.get("summary_zh", ""))))
    return rows


def add_outcomes(
    cur: dict[str, Any],
    proposal_rows: dict[int, dict[str, Any]],
    proposal_key: dict[Key, int],
    source_for: Callable[[str, str, str], int],
    problems: list[str],
    notes: list[str],
    path: Path = OUTCOMES_PATH,
) -> list[dict[str, Any]]:
    """The outcome event records, with each matched proposal's status derived and
    each chain's links set on the proposal rows. Unmatched rows go to `notes`."""
    decisions = {tuple(d["row"]): d for d in cur.get("outcomes", [])}
    events: list[dict[str, Any]] = []
    kinds_of: dict[int, list[Step]] = {}
    used = set()
    for line, row in read_outcomes(path):
        where = f"{path.name}, line {line}"
        key = (int(row["year"]), row["delegate_name"].strip())
        decision = decisions.get(key)
        if decision is None:
            problems.append(f"{where}: no decision for {list(key)} in curation.toml [[outcomes]]")
            continue
        used.add(key)
        if "unmatched" in decision:
            notes.append(
                f"{where} ({key[1]}, {key[0]}): not matched, left out. {decision['unmatched']}"
            )
            continue
        pk = proposal_key.get((key[0], decision["delegate"], decision["proposal"]))
        if pk is None:
            problems.append(
                f"curation.toml [[outcomes]] {list(key)}: no proposal by {decision['delegate']} "
                f"in {key[0]} is titled {decision['proposal']!r}"
            )
            continue
        kind = KINDS.get(row["outcome"].strip())
        if kind is None:
            problems.append(
                f"{where}, column outcome: {row['outcome']!r} is not one of {list(KINDS)}"
            )
            continue
        when = row["reply_date"].strip()
        if when and parse_partial_date(when) is None:
            problems.append(f"{where}, column reply_date: {when!r} is not a date")
            continue
        kinds_of.setdefault(pk, []).append(Step(kind, when))
        events.append(
            {
                "model": "proposals.outcomeevent",
                "pk": len(events) + 1,
                "fields": {
                    "proposal": pk,
                    "kind": kind,
                    "when": when,
                    "department": row["department"].strip().strip("()"),
                    "grade": "",
                    "law": decision.get("law", ""),
                    "source": source_for(row["source_url"].strip(), where, ""),
                    "caveat": decision.get("caveat", ""),
                    "note": row["notes"].strip(),
                },
            }
        )
    for key in decisions.keys() - used:
        problems.append(f"curation.toml [[outcomes]] {list(key)}: matches no row of {path.name}")
    for pk, steps in kinds_of.items():
        fields = proposal_rows[pk]["fields"]
        for reason in timeline_problems(steps, fields["session"]):
            problems.append(f"{path.name}: proposal {fields['title']!r}: {reason}")
        fields["status"] = derived_status(s.kind for s in steps)
    for chain in cur.get("repeats", []):
        previous = None
        for year, title in chain["filings"]:
            pk = proposal_key.get((year, chain["delegate"], title))
            if pk is None:
                problems.append(
                    f"curation.toml [[repeats]] {chain['delegate']}: no proposal in {year} "
                    f"titled {title!r}"
                )
                break
            if previous is not None:
                if proposal_rows[previous]["fields"]["session"] >= year:
                    problems.append(
                        f"curation.toml [[repeats]] {chain['delegate']}: not oldest first"
                    )
                proposal_rows[pk]["fields"]["repeats"] = previous
            previous = pk
    return events
