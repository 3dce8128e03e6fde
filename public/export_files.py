"""The export of every proposal, built once per data version into a file and served
as a file (issue 17, defect 2: streamed at 100k it ran into gunicorn's 30 s timeout
after 95,000 rows and answered 200 with a cut-off body).

A file is named after the data version (core.cache), whether generated data is shown,
the format and the origin its links use, so an edit retires it like any cached value.
It is written to a temporary file in the same folder and renamed into place, so a
reader never sees half a file; a lock file keeps two workers from building the same
one. Small data sets (up to TRACKER_EXPORT_INLINE_ROWS proposals, a few seconds) are
built by the request that first asks; larger ones by `manage.py build_exports`, which
the request starts in the background, answering 503 with Retry-After meanwhile.
Deployments run the command after a bulk load so nobody waits.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings

from core.cache import cache_key

# A lock older than this belongs to a builder that died (a killed worker).
LOCK_SECONDS = 10 * 60
KINDS = ("csv", "json")


def export_root() -> Path:
    return Path(settings.TRACKER_EXPORT_ROOT)


def full_export_path(kind: str, origin: str) -> Path:
    """Where the export of everything in `kind` lives for the current data version."""
    key = cache_key(f"export-file-{kind}", origin)
    safe = key.replace(":", "-")
    return export_root() / f"proposals-{safe}.{kind}"


def _locked(lock: Path) -> bool:
    """Take the lock, or say someone else holds it. A stale lock is taken over."""
    for _ in range(2):
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return True
        except FileExistsError:
            try:
                age = time.time() - lock.stat().st_mtime
            except FileNotFoundError:
                continue  # released meanwhile: try again
            if age < LOCK_SECONDS:
                return False
            lock.unlink(missing_ok=True)
    return False


def write_atomically(path: Path, chunks: Iterable[str]) -> bool:
    """Write `chunks` to `path` through a temporary file renamed into place. False when
    another process is building the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    if not _locked(lock):
        return False
    try:
        if path.exists():
            return True
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".building-", suffix=path.suffix)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                for chunk in chunks:
                    out.write(chunk)
            os.chmod(temp, 0o644)  # mkstemp's 0600 would hide it from a static server
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        _remove_superseded(path)
        return True
    finally:
        lock.unlink(missing_ok=True)


def _remove_superseded(kept: Path) -> None:
    """Files of older data versions. A download in progress keeps its open file."""
    for other in kept.parent.glob(f"proposals-*{kept.suffix}"):
        if other != kept and time.time() - other.stat().st_mtime > 60:
            other.unlink(missing_ok=True)


def build_in_background(origin: str) -> None:
    """Start `manage.py build_exports` detached from this worker."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    subprocess.Popen(  # noqa: S603 (our own command, no shell, no user input but the origin)
        [sys.executable, str(manage), "build_exports", "--origin", origin],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def ensure_full_export(
    kind: str,
    origin: str,
    chunks: Callable[[], Iterable[str]],
    *,
    inline: Callable[[], bool],
) -> Path | None:
    """The file, built now when `inline()` says it is quick; else None once a
    background build is started (or already running)."""
    path = full_export_path(kind, origin)
    if path.exists():
        return path
    if inline():
        return path if write_atomically(path, chunks()) else None
    # One background build per file: the marker is taken here and dropped by the
    # command when it is done (or goes stale if it dies).
    path.parent.mkdir(parents=True, exist_ok=True)
    if _locked(requested_marker(path)):
        build_in_background(origin)
    return None


def requested_marker(path: Path) -> Path:
    return path.with_name(path.name + ".requested")
