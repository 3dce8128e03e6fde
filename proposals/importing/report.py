"""What an import found and did: problems with their place, tallies per model, and a
sample of the proposal changes for the preview."""

from __future__ import annotations

from dataclasses import dataclass, field

# --- Results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where, what and why."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column:
            where += f", column {self.column}"
        if self.value:
            shown = self.value if len(self.value) <= 80 else self.value[:79] + "…"
            where += f" ({shown!r})"
        return f"{where}: {self.reason}"


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(frozen=True)
class Change:
    """A proposal the import creates or updates, for the preview."""

    line: int
    action: str  # "create" or "update"
    label: str
    details: tuple[str, ...] = ()


# The order the summary lists models in, with their names there.
MODELS = {
    "proposal": "proposals",
    "delegate": "delegates",
    "company": "companies",
    "affiliation": "affiliations",
    "session": "sessions",
    "seat": "seats",
    "source": "sources",
    "topic": "topics",
    "topic_link": "topic tags",
    "source_link": "proposal sources",
    "outcome_event": "outcome events",
    "repeat_link": "filed-again links",
}


@dataclass
class ImportReport:
    name: str = ""
    dry_run: bool = False
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in MODELS})
    changes: list[Change] = field(default_factory=list)
    more_changes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def summary_rows(self) -> list[tuple[str, Tally]]:
        """(model name, tally) for every model the file touched."""
        return [
            (MODELS[key], tally)
            for key, tally in self.tallies.items()
            if tally.created or tally.updated or tally.unchanged or tally.removed
        ]

    def summary_lines(self) -> list[str]:
        lines = []
        for name, tally in self.summary_rows():
            parts = [f"{tally.created} created", f"{tally.updated} updated"]
            if tally.removed:
                parts.append(f"{tally.removed} removed")
            parts.append(f"{tally.unchanged} unchanged")
            lines.append(f"{name}: {', '.join(parts)}")
        return lines


class FileProblem(Exception):
    """The file cannot be read as rows at all (empty, wrong encoding, no header)."""

    def __init__(self, reason: str, line: int = 1, column: str = "", value: str = "") -> None:
        super().__init__(reason)
        self.problem = Problem(line, column, value, reason)
