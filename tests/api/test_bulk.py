"""The bulk downloads: every table in CSV, JSON and SQLite with the database's counts,
built once per data version, whole or not at all."""

from __future__ import annotations

import io
import json
import sqlite3

import pandas as pd
import pytest
from django.core.management import call_command

from api import bulk
from delegates.models import Affiliation, AnnualSession, Company, Delegate, Seat
from government.models import GovernmentPriority
from proposals.models import OutcomeEvent, Proposal, ProposalTopic, Source, Status
from tests.factories import ProposalFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bulk_dir(settings, tmp_path):
    settings.TRACKER_BULK_DIR = tmp_path / "bulk"


def expected_counts() -> dict[str, int]:
    visible = Proposal.objects.filter(is_generated=False)
    return {
        "sessions": AnnualSession.objects.count(),
        "companies": Company.objects.count(),
        "delegates": Delegate.objects.count(),
        "seats": Seat.objects.count(),
        "affiliations": Affiliation.objects.count(),
        "topics": Topic.objects.count(),
        "proposals": visible.count(),
        "proposal_topics": ProposalTopic.objects.filter(proposal__in=visible).count(),
        "sources": Source.objects.count(),
        "proposal_sources": Proposal.sources.through.objects.filter(proposal__in=visible).count(),
        "outcome_events": OutcomeEvent.objects.filter(proposal__in=visible).count(),
        "priorities": GovernmentPriority.objects.count(),
        "priority_topics": GovernmentPriority.topics.through.objects.count(),
        "priority_sources": GovernmentPriority.sources.through.objects.count(),
    }


def test_the_files_open_in_sqlite3_pandas_and_json_with_the_right_counts(real_data, capsys):
    call_command("build_bulk_data")
    counts = expected_counts()
    assert f"proposals {counts['proposals']}" in capsys.readouterr().out
    made = bulk.newest_build()
    assert counts["proposals"] > 250  # the real data
    assert counts["priorities"] and counts["outcome_events"] and counts["priority_topics"]
    assert made.manifest["tables"] == counts

    db = sqlite3.connect(made.path / bulk.SQLITE_NAME)
    for table, n in counts.items():
        assert db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == n  # noqa: S608
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    li_shufu = db.execute(
        "SELECT p.title FROM proposals p JOIN delegates d ON d.id = p.delegate_id "
        "JOIN proposal_topics pt ON pt.proposal_id = p.id JOIN topics t ON t.id = pt.topic_id "
        "WHERE d.name_zh = '李书福' AND t.slug = 'battery-swapping'"
    ).fetchall()
    assert li_shufu == [("Expand battery-swapping stations and standards",)]
    about = dict(db.execute("SELECT key, value FROM about"))
    assert "CC BY 4.0" in about["licence"] and about["version"] in about["citation"]

    for table, n in counts.items():
        frame = pd.read_csv(made.path / f"{table}.csv")
        assert len(frame) == n
        assert list(frame.columns) == next(t.names for t in bulk.TABLES if t.name == table)
    proposals = pd.read_csv(made.path / "proposals.csv")
    assert set(proposals["body"]) == {"npc", "cppcc"}
    assert (proposals["title_zh"].dropna() != "").any()

    data = json.loads((made.path / bulk.JSON_NAME).read_text(encoding="utf-8"))
    assert {name: len(rows) for name, rows in data["tables"].items()} == counts
    assert data["about"]["licence"] == bulk.LICENCE
    assert pd.DataFrame(data["tables"]["seats"]).shape == (counts["seats"], 6)
    repeated = Proposal.objects.filter(repeats__isnull=False).first()
    assert proposals.set_index("id").loc[repeated.pk, "repeats_id"] == repeated.repeats_id


def test_generated_records_are_left_out(real_data):
    real = Proposal.objects.count()
    ProposalFactory(is_generated=True)
    made = bulk.build()
    assert made.manifest["tables"]["proposals"] == real


def test_the_page_builds_once_per_version_and_serves_the_files(client, real_data):
    page = client.get("/data/")
    assert page.status_code == 200
    html = page.content.decode()
    for words in ["CC BY 4.0", "Coverage is partial", "echoes", "Please cite"]:
        assert words in html
    first = bulk.newest_build()
    stamp = (first.path / bulk.SQLITE_NAME).stat().st_mtime_ns
    assert client.get("/zh-hans/data/").status_code == 200
    assert bulk.newest_build().path == first.path  # not rebuilt per request
    assert (first.path / bulk.SQLITE_NAME).stat().st_mtime_ns == stamp

    download = client.get("/data/files/proposals.csv")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert len(pd.read_csv(io.StringIO("\n".join(lines)))) == Proposal.objects.count()
    assert (
        client.get("/data/files/proposals.csv", HTTP_IF_NONE_MATCH=download["ETag"]).status_code
        == 304
    )
    assert client.get("/data/files/manifest.json").status_code == 404
    assert client.get("/data/files/..%2Fsecret").status_code == 404

    proposal = Proposal.objects.first()
    proposal.status = Status.ADOPTED
    proposal.save()  # a new data version: the next request builds it
    client.get("/data/")
    second = bulk.newest_build()
    assert second.path != first.path
    assert second.version != first.version
    rows = pd.read_csv(second.path / "proposals.csv").set_index("id")
    assert rows.loc[proposal.pk, "status"] == "adopted"


def test_a_failed_build_leaves_nothing_behind(real_data, monkeypatch):
    def broken():
        raise RuntimeError("the database went away")

    failing = bulk.Table("broken", (("id", "INTEGER"),), broken)
    monkeypatch.setattr(bulk, "TABLES", (*bulk.TABLES, failing))
    with pytest.raises(RuntimeError):
        bulk.build()
    assert list(bulk._root().iterdir()) == [bulk._root() / ".lock"]
    assert bulk.newest_build() is None


def test_old_builds_are_pruned(real_data):
    paths = []
    for _ in range(4):
        paths.append(bulk.build().path)
        Proposal.objects.first().save()  # bumps the version
    kept = sorted(p for p in bulk._root().iterdir() if not p.name.startswith("."))
    assert len(kept) == bulk.KEEP_BUILDS
    assert paths[-1] in kept
