"""The realistic request mix, picked from a dataset, and wrk driving it (bench/mix.lua).

Hot paths are the pages a live site serves again and again (so from the cache): the
dashboard, the list and a few filtered views, searches, records, trend pages and JSON,
filtered exports. Cold paths are distinct valid requests of the same kinds that no one
asked for before (proposal pages, filter combinations, trend queries, searches, exports),
so each is rendered anew; a share of the requests (15% by default, as in issue 17) takes
the next unused one. Every path answers 200 on a healthy site.
"""

from __future__ import annotations

import json
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

from servers import ROOT, psql

SCRIPT = str(ROOT / "bench" / "mix.lua")


@dataclass
class Mix:
    hot: Path
    cold: Path
    cold_count: int
    kinds: dict[str, int]


def _column(db: str, sql: str) -> list[str]:
    return [line for line in psql(db, sql).splitlines() if line]


def pick(db: str, folder: Path, cold_count: int = 30_000, seed: int = 1) -> Mix:
    """Write the hot and cold path lists for `db` into `folder`."""
    rng = random.Random(seed)
    years = _column(db, "SELECT year FROM delegates_annualsession ORDER BY year")
    topics = _column(db, "SELECT slug FROM topics_topic WHERE parent_id IS NOT NULL ORDER BY slug")
    roots = _column(db, "SELECT slug FROM topics_topic WHERE parent_id IS NULL ORDER BY slug")
    delegates = _column(
        db,
        "SELECT d.slug FROM delegates_delegate d JOIN proposals_proposal p ON p.delegate_id = d.id "
        "GROUP BY d.slug ORDER BY count(*) DESC LIMIT 20",
    )
    ids = _column(db, "SELECT id FROM proposals_proposal ORDER BY id")
    words = sorted(
        {
            w.lower()
            for title in _column(
                db,
                "SELECT title FROM proposals_proposal TABLESAMPLE SYSTEM (5) REPEATABLE (1) LIMIT 400",
            )
            for w in title.split()
            if len(w) > 4 and w.isalpha()
        }
    )
    busy = _column(
        db, "SELECT session_id FROM proposals_proposal GROUP BY 1 ORDER BY count(*) DESC LIMIT 5"
    )

    weighted: list[tuple[str, int]] = [("/", 12), ("/proposals/", 10), ("/trends/", 4)]
    weighted += [("/trends/topics.json", 4), ("/companies/", 1), ("/delegates/", 1)]
    weighted += [
        (f"/trends/topics.json?topic={a}&topic={b}&measure=share", 2) for a, b in [roots[:2]]
    ]
    for year, topic in zip(busy, topics[:5], strict=False):
        weighted += [(f"/proposals/?year={year}&topic={topic}", 2)]
        weighted += [(f"/proposals/export.csv?year={year}&topic={topic}", 1)]
        weighted += [(f"/sessions/{year}/", 1)]
    weighted += [(f"/proposals/export.json?year={busy[0]}&topic={topics[0]}", 1)]
    weighted += [(f"/proposals/?q={word}", 2) for word in words[:3]]
    weighted += [(f"/proposals/{pk}/", 1) for pk in rng.sample(ids, 20)]
    weighted += [(f"/topics/{slug}/", 2) for slug in topics[:5]]
    weighted += [(f"/delegates/{slug}/", 1) for slug in delegates[:5]]
    hot = [path for path, weight in weighted for _ in range(weight)]

    hot_set = set(hot)
    cold: list[str] = []
    seen: set[str] = set()
    kinds = {"proposal": 0.40, "list": 0.30, "trend JSON": 0.15, "search": 0.10, "export": 0.05}
    counts = dict.fromkeys(kinds, 0)
    bodies = ["", "&body=npc", "&body=cppcc"]
    tries = 0
    while len(cold) < cold_count and tries < cold_count * 20:
        tries += 1
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        year, topic, body = rng.choice(years), rng.choice(topics), rng.choice(bodies)
        if kind == "proposal":
            path = f"/proposals/{rng.choice(ids)}/"
        elif kind == "list":
            path = f"/proposals/?year={year}&topic={topic}{body}"
        elif kind == "trend JSON":
            measure = rng.choice(["count", "share"])
            path = f"/trends/topics.json?topic={topic}&year_min={year}&measure={measure}{body}"
        elif kind == "search":
            path = f"/proposals/?q={'+'.join(rng.sample(words, 2))}{body}"
        else:
            path = f"/proposals/export.csv?year={year}&topic={topic}{body}"
        if path in seen or path in hot_set:
            continue
        seen.add(path)
        cold.append(path)
        counts[kind] += 1
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hot.txt").write_text("\n".join(hot) + "\n")
    (folder / "cold.txt").write_text("\n".join(cold) + "\n")
    return Mix(folder / "hot.txt", folder / "cold.txt", len(cold), counts)


def run(
    base: str,
    mix: Mix,
    seconds: float,
    connections: int = 64,
    cold_share: float = 0.15,
    cold_offset: int = 0,
    threads: int = 2,
) -> dict:
    """One wrk run of the mix against `base`; the figures bench/mix.lua prints.

    wrk's own 2-second timeout would drop slow answers from the latency figures (and call
    them errors): a minute lets a slow p99 show as what it is."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "60s"]
    command += ["--latency", "-s", SCRIPT, base, "--", str(mix.hot), str(mix.cold)]
    command += [str(cold_share), str(cold_offset), str(threads)]
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=seconds + 120
    )
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{result.stdout}\n{result.stderr}")
    return json.loads(line)


def failed(figures: dict) -> int:
    """Requests that did not get their page: any non-2xx answer, or no answer at all."""
    return figures["requests"] - figures["s2xx"] + figures["errors"]


def check(base: str, the_mix: Mix, cold_sample: int = 60) -> list[str]:
    """Every distinct hot path and a sample of cold ones, asked once: those not answering
    200 (a mix of failing paths would measure nothing)."""
    from servers import status_of

    hot = sorted(set(the_mix.hot.read_text().split()))
    cold = the_mix.cold.read_text().split()[-cold_sample:]  # the end: no phase reaches it
    bad = []
    for path in hot + cold:
        status = status_of(base + path, timeout=60)
        if status != 200:
            bad.append(f"{status} {path}")
    return bad


def warm(base: str, the_mix: Mix) -> None:
    """Every distinct hot path asked once, so each setting or phase starts with the same
    pages cached (a timed warm-up alone leaves a slow server's cache part-filled)."""
    from servers import status_of

    for path in sorted(set(the_mix.hot.read_text().split())):
        status_of(base + path, timeout=60)
