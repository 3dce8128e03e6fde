"""The whole dataset as files: one CSV per table, one JSON file and one SQLite file,
built once per data version (never per request) into TRACKER_BULK_DIR/<version>/.

A build writes into a temporary folder and renames it into place, so a reader sees a
whole build or none; a file lock lets one process build a version while the others
wait for it (or serve the build before it). `manage.py build_bulk_data` builds ahead of
the first request. Only what the site may show is written (generated demo data only
with TRACKER_SHOW_GENERATED). A new table is one more `Table` in TABLES.
"""

from __future__ import annotations

import csv
import fcntl
import json
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from core.cache import current_version

from .tables import TABLES, Table

CHUNK = 2000
KEEP_BUILDS = 2
SQLITE_NAME = "two-sessions-tracker.sqlite3"
JSON_NAME = "two-sessions-tracker.json"
MANIFEST = "manifest.json"
CITATION = (
    "Two Sessions Tracker: policy proposals of China's tech leaders at the NPC and CPPCC "
    "(press-derived, partial), data version {version}, retrieved {date}."
)
LICENCE = "CC BY 4.0 (titles and summaries written by the tracker); facts are the sources'."


@dataclass(frozen=True)
class Build:
    """A finished build: its folder and its manifest (files, sizes, row counts)."""

    path: Path
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        return self.manifest["version"]

    def file(self, name: str) -> Path | None:
        if name not in {f["name"] for f in self.manifest["files"]}:
            return None
        return self.path / name


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _chunks(table: Table) -> Iterator[list[tuple]]:
    rows = table.rows().iterator(chunk_size=CHUNK)
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(tuple(_plain(v) for v in row))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _create_sql(table: Table) -> str:
    columns = [f'"{name}" {kind}' for name, kind in table.columns]
    columns.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
    for column, target in table.references:
        key = next(t for t in TABLES if t.name == target).primary_key[0]
        columns.append(f'FOREIGN KEY ("{column}") REFERENCES "{target}" ("{key}")')
    return f'CREATE TABLE "{table.name}" ({", ".join(columns)})'


def _write(folder: Path, version: str) -> dict[str, Any]:
    """Every file of one build, into `folder`; the manifest it returns lists them."""
    built_at = datetime.now(tz=UTC)
    about = {
        "title": "Two Sessions Tracker",
        "version": version,
        "built_at": built_at.isoformat(),
        "citation": CITATION.format(version=version, date=built_at.date().isoformat()),
        "licence": LICENCE,
    }
    counts: dict[str, int] = {}
    db = sqlite3.connect(folder / SQLITE_NAME)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("CREATE TABLE about (key TEXT PRIMARY KEY, value TEXT)")
    db.executemany("INSERT INTO about VALUES (?, ?)", list(about.items()))
    with (folder / JSON_NAME).open("w", encoding="utf-8") as out:
        out.write('{"about": ' + json.dumps(about, ensure_ascii=False) + ', "tables": {')
        for index, table in enumerate(TABLES):
            db.execute(_create_sql(table))
            # Names from TABLES above, never from a request; the values are parameters.
            marks = ", ".join("?" * len(table.columns))
            insert = f'INSERT INTO "{table.name}" VALUES ({marks})'  # noqa: S608
            out.write(("," if index else "") + f"\n{json.dumps(table.name)}: [")
            counts[table.name] = 0
            with (folder / f"{table.name}.csv").open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(table.names)
                for chunk in _chunks(table):
                    writer.writerows(chunk)
                    db.executemany(insert, chunk)
                    for row in chunk:
                        out.write(("," if counts[table.name] else "") + "\n")
                        out.write(
                            json.dumps(dict(zip(table.names, row, strict=True)), ensure_ascii=False)
                        )
                        counts[table.name] += 1
            out.write("\n]")
            for column, _ in table.references:
                db.execute(f'CREATE INDEX "{table.name}_{column}" ON "{table.name}" ("{column}")')
        out.write("\n}}\n")
    db.commit()
    db.close()
    names = [SQLITE_NAME, JSON_NAME, *(f"{t.name}.csv" for t in TABLES)]
    manifest = {
        **about,
        "tables": counts,
        "files": [{"name": n, "bytes": (folder / n).stat().st_size} for n in names],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _root() -> Path:
    root = Path(settings.TRACKER_BULK_DIR)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _folder_name(version: str) -> str:
    shown = int(bool(settings.TRACKER_SHOW_GENERATED))
    return f"{version}-{shown}"


def _read(path: Path) -> Build | None:
    try:
        return Build(path, json.loads((path / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def newest_build() -> Build | None:
    """The most recently finished build, whatever its version (None: none yet)."""
    shown = f"-{int(bool(settings.TRACKER_SHOW_GENERATED))}"
    folders = [p for p in _root().iterdir() if p.is_dir() and p.name.endswith(shown)]
    for path in sorted(folders, key=lambda p: p.stat().st_mtime, reverse=True):
        found = _read(path)
        if found is not None:
            return found
    return None


def build(version: str | None = None) -> Build:
    """The build of `version` (default: the current data version), made if missing.

    Under the lock a second process finds the first's finished build and returns it."""
    version = version or current_version()
    root = _root()
    target = root / _folder_name(version)
    done = _read(target)
    if done is not None:
        return done
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = _read(target)
        if done is not None:
            return done
        work = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
        try:
            # One snapshot for every table, so the links match the rows (inside an
            # outer transaction, such as a test's, that transaction's own).
            snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
            with transaction.atomic():
                if snapshot:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                manifest = _write(work, version)
            work.rename(target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        _prune(root, keep=target)
    return Build(target, manifest)


def building_elsewhere() -> bool:
    """Whether another process holds the build lock now."""
    with (_root() / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def current_build() -> Build:
    """The current version's build for a request: made now by the first request of a
    new version; while another process makes it, that process's previous build is
    served (rather than a wait), and with no build at all, the request waits for it."""
    version = current_version()
    if not version:
        # Redis down: the newest build there is, or one under a version never reused.
        older = newest_build()
        if older is not None:
            return older
        version = f"unknown-{uuid.uuid4().hex}"
    done = _read(_root() / _folder_name(version))
    if done is not None:
        return done
    if building_elsewhere():
        older = newest_build()
        if older is not None:
            return older
    return build(version)


def _prune(root: Path, keep: Path) -> None:
    """Drop all but the newest KEEP_BUILDS builds (and failed builds' leftovers)."""
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in folders[KEEP_BUILDS:]:
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)
