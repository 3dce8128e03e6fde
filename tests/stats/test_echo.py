"""The echo figures, computed again with pandas straight from the two proposals CSVs
and the priorities CSV, and compared with /trends/echo.json; and the in-progress rule
(a session being entered is never "the latest")."""

from __future__ import annotations

import csv
import io
import tomllib

import pandas as pd
import pytest
from django.core.management import call_command

from delegates.models import AnnualSession
from demo.priorities import PRIORITIES_PATH
from demo.realdata import CSV_PATHS, CURATION_PATH
from proposals.interchange import COLUMNS
from proposals.models import Proposal
from stats import echo, trends
from tests.factories import ProposalFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """One row per (proposal, topic) and per (priority, topic); the tree's parents."""
    proposals = pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in CSV_PATHS], ignore_index=True
    )
    proposals["pid"] = range(len(proposals))
    proposals["year"] = proposals["year"].astype(int)
    # One person spelt two ways is one person: the Chinese name identifies them.
    proposals["who"] = proposals["delegate_name_zh"]
    proposals["topic"] = proposals["topics"].str.split(";")
    proposals = proposals.explode("topic")
    proposals["topic"] = proposals["topic"].str.strip()
    proposals = proposals[proposals["topic"] != ""].drop_duplicates(["pid", "topic"])
    priorities = pd.read_csv(PRIORITIES_PATH, dtype=str, keep_default_na=False)
    priorities["gid"] = range(len(priorities))
    priorities["year"] = priorities["year"].astype(int)
    priorities["topic"] = priorities["topics"].str.split(";")
    priorities = priorities.explode("topic")
    with CURATION_PATH.open("rb") as handle:
        groups = tomllib.load(handle)["topic_groups"]
    parent = {child: g["slug"] for g in groups for child in g["children"]}
    return proposals, priorities, parent


def _echo(client, **params) -> dict:
    response = client.get("/trends/echo.json", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_topic_figures_match_pandas(real_data, client, frames):
    proposals, priorities, parent = frames
    for slug in ("ai", "industrial-internet", "carbon-neutrality", "new-energy-vehicles"):
        # A priority names the topic when tagged with it or with its parent group.
        named = priorities[
            (priorities["topic"] == slug) | (priorities["topic"] == parent.get(slug))
        ]
        years = sorted(named["year"].unique().tolist())
        on = proposals[proposals["topic"] == slug].drop_duplicates("pid")
        data = _echo(client, topic=slug)
        assert data["named_years"] == years, slug
        first = years[0] if years else None
        assert data["first_year"] == first
        if first is not None:
            assert data["before"] == int((on["year"] < first).sum())
            assert data["in"] == int((on["year"] == first).sum())
            assert data["after"] == int((on["year"] > first).sum())
        assert data["proposals"] == len(on)
    ai = _echo(client, topic="ai")
    assert ai["first_year"] == 2017 and 2017 in ai["first_named_flagged"]


def test_session_figures_match_pandas(real_data, client, frames):
    proposals, priorities, _ = frames
    data = _echo(client, session=2024)
    mine = priorities[priorities["year"] == 2024]
    assert len(data["priorities"]) == mine["gid"].nunique() == 9
    # Priorities come in the file's order, so the n-th listed is the n-th row of 2024.
    for listed, (_, group) in zip(data["priorities"], mine.groupby("gid"), strict=True):
        assert listed["text_en"] == group["priority_en"].iloc[0]
        topics = set(group["topic"])
        for key, year in (("same_year", 2024), ("year_before", 2023)):
            expected = proposals[(proposals["year"] == year) & proposals["topic"].isin(topics)]
            assert len(listed["echoes"][key]) == expected["pid"].nunique(), (listed, key)
    ai_plus = next(p for p in data["priorities"] if p["text_en"].startswith("'AI+' action"))
    assert ai_plus["first_named"] and ai_plus["echoes"]["same_year"]
    held = proposals[proposals["year"] == 2024]
    assert data["proposals"] == held["pid"].nunique()


def test_delegate_figures_match_pandas(real_data, client, frames):
    # Delegates whose every proposal is a CSV row (Zeng Yuqun's 2018 proposal comes from
    # an outcome's source, fixtures/curation.toml, not from the CSVs).
    proposals, priorities, _ = frames
    first_named = priorities.groupby("topic")["year"].min()
    for slug, zh in (("lei-jun", "雷军"), ("zhou-hongyi", "周鸿祎"), ("liu-qingfeng", "刘庆峰")):
        mine = proposals[proposals["who"] == zh]
        pairs = mine.merge(priorities[["year", "topic", "gid"]], on=["year", "topic"])
        echo_ids = set(pairs["pid"])
        later = mine["topic"].map(first_named)
        ahead_ids = set(mine.loc[later > mine["year"], "pid"])
        data = _echo(client, delegate=slug)
        assert data["proposals"] == mine["pid"].nunique(), slug
        assert data["echo"] == len(echo_ids), slug
        assert data["ahead"] == len(ahead_ids), slug


def test_lei_jun_2024_and_zhou_yuan_2025(real_data, client):
    lei = Proposal.objects.filter(delegate__slug="lei-jun", session_id=2024)
    assert lei.count() == 4 and set(lei.values_list("body", flat=True)) == {"npc"}
    zhou = Proposal.objects.filter(delegate__slug="zhou-yuan", session_id=2025)
    assert zhou.count() == 3 and set(zhou.values_list("body", flat=True)) == {"cppcc"}
    data = _echo(client, delegate="lei-jun")
    by_year = {row["year"]: row["proposals"] for row in data["by_year"]}
    assert by_year[2024] == 4


def test_company_figures_are_its_peoples(real_data, client):
    company = _echo(client, company="xiaomi")
    person = _echo(client, delegate="lei-jun")
    assert company["proposals"] == person["proposals"]
    assert company["echo"] == person["echo"] and company["ahead"] == person["ahead"]


def test_bad_parameters_answer_400_naming_the_field(real_data, client):
    for query, field in [
        ({"topic": "no-such"}, "topic"),
        ({"delegate": "nobody"}, "delegate"),
        ({"company": "none"}, "company"),
        ({"session": "1999"}, "session"),
        ({"session": "soon"}, "session"),
        ({"topic": "ai", "delegate": "lei-jun"}, "delegate"),
        ({"colour": "red"}, "colour"),
    ]:
        for fmt in ("json", "csv"):
            response = client.get(f"/trends/echo.{fmt}", query)
            assert response.status_code == 400, (query, fmt)
            assert response.json()["errors"][0]["field"] == field, query
    response = client.get("/trends/echo.json?session=2024&session=2023")
    assert response.status_code == 400


def test_csv_holds_the_same_numbers(real_data, client):
    rows = client.get("/trends/echo.csv", {"topic": "ai"}).content.decode().splitlines()
    data = _echo(client, topic="ai")
    assert rows[0] == "topic,year,proposals,named,first_year"
    named = [r.split(",")[1] for r in rows[1:] if r.split(",")[3] == "1"]
    assert [int(y) for y in named] == data["named_years"]
    session = client.get("/trends/echo.csv", {"session": 2024}).content.decode().splitlines()
    expected = sum(
        len(ids) for p in _echo(client, session=2024)["priorities"] for ids in p["echoes"].values()
    )
    assert len(session) - 1 == expected


def test_echo_data_cached_holds_no_display_text(real_data):
    data = echo.session_echo(2024)
    assert set(data["priorities"][0]) == {"priority", "first_named", "topics", "echoes"}
    assert all(isinstance(t, int) for p in data["priorities"] for t in p["topics"])


def test_an_in_progress_session_is_not_the_latest(
    real_data, tmp_path, django_capture_on_commit_callbacks
):
    """Issue 12's defect: one 2026 row entered made the dashboard compare 2025 with a
    near-empty 2026, every topic collapsing. On the old code the movers compared
    2025 to 2026; marked in progress, 2026 is charted but not compared."""
    lei = Proposal.objects.filter(delegate__slug="lei-jun", session_id=2025).first()
    values = {
        "year": "2026",
        "body": "NPC",
        "delegate_name": "Lei Jun",
        "delegate_name_zh": "雷军",
        "company": "Xiaomi",
        "role": "Founder",
        "title": "A first 2026 row",
        "topics": "ai",
        "source_url": "https://example.org/x",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow({name: values.get(name, "") for name in COLUMNS})
    row = out.getvalue()
    path = tmp_path / "one-row.csv"
    path.write_text(row, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):  # the import's recount
        call_command("import_proposals", str(path), "--no-progress", stdout=io.StringIO())
    assert Proposal.objects.filter(session_id=2026).count() == 1 and lei is not None
    assert AnnualSession.objects.get(year=2026).in_progress
    board = trends.dashboard()
    assert board["movers"]["after_year"] == 2025
    assert board["movers"]["before_year"] == 2024
    assert board["counts"]["latest_year"] == 2025
    assert board["in_progress"] == [2026]
    assert 2026 in board["overall"].years  # still charted, labelled in progress
    assert echo.latest_complete_year() == 2025


def test_marking_the_session_complete_makes_it_the_latest(real_data):
    session = AnnualSession.objects.create(year=2026, in_progress=True)
    ProposalFactory(session=session, topics=[Topic.objects.get(slug="ai")])
    assert trends.dashboard()["movers"]["after_year"] == 2025
    session.in_progress = False
    session.save()
    board = trends.dashboard()
    assert board["movers"]["after_year"] == 2026 and board["counts"]["latest_year"] == 2026


def test_the_footer_facts_follow_edits_and_walk_indexes(real_data, settings):
    """Every page's footer says when a proposal last changed and which session is the
    latest. Both come from index walks: the query read every proposal (0.26 s at a
    million, paid by the first visitor after each write)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    AnnualSession.objects.create(year=2027, in_progress=False)  # no proposal yet
    hidden = ProposalFactory(session=AnnualSession.objects.create(year=2026), is_generated=True)
    settings.TRACKER_SHOW_GENERATED = False
    edited = Proposal.objects.filter(session_id=2019).first()
    edited.title += " (corrected)"
    edited.save()
    facts = echo._data_facts()
    assert facts == {"year": 2025, "updated": Proposal.objects.get(pk=edited.pk).updated_at}
    hidden.save()  # a newer change, but to a generated record, which is not shown
    assert echo._data_facts()["updated"] == facts["updated"]
    settings.TRACKER_SHOW_GENERATED = True
    assert echo._data_facts() == {
        "year": 2026,
        "updated": Proposal.objects.get(pk=hidden.pk).updated_at,
    }
    if connection.vendor == "sqlite":
        with CaptureQueriesContext(connection) as queries:
            echo._data_facts()
        (query,) = queries.captured_queries
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = " | ".join(row[-1] for row in cursor.fetchall())
        assert "SCAN proposals_proposal" not in plan, plan
        assert "updated_at" in plan, plan
