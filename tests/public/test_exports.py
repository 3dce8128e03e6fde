"""CSV/JSON exports and RSS/Atom feeds."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

from demo.realdata import CSV_PATHS
from proposals.interchange import EXPORT_COLUMNS
from proposals.models import Proposal
from public import exports
from tests.factories import ProposalFactory, TopicFactory

pytestmark = pytest.mark.django_db

# One company spelt two ways in the files (fixtures/curation.toml's aliases).
ALIASES = {"58.com (58 Group)": "58.com"}


def streamed(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_export_round_trips_the_interchange_format(client, real_data):
    response = client.get("/proposals/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = streamed(response)
    assert text.startswith("\ufeff" + ",".join(EXPORT_COLUMNS) + "\r\n")
    exported = {(r["year"], r["delegate_name"], r["title"]): r for r in read_csv(text)}
    original = [row for path in CSV_PATHS for row in read_csv(path.read_text(encoding="utf-8"))]
    # One more than the files: Zeng Yuqun's 2018 proposal, known from an outcome source.
    assert len(exported) == len(original) + 1 == 269
    for row in original:
        out = exported[(row["year"], row["delegate_name"], row["title"])]
        for column in ("body", "delegate_name_zh", "company", "role"):
            expected = ALIASES.get(row[column], row[column])
            assert out[column] == expected, (column, row["title"])
        assert set(out["topics"].split(";")) == set(row["topics"].split(";"))
        proposal = Proposal.objects.get(session_id=row["year"], title=row["title"])
        assert out["status"] == proposal.status  # derived from the events it carries
        urls = set(proposal.sources.values_list("url", flat=True))
        assert out["source_url"] in urls and row["source_url"] in urls
        if len(urls) == 1:
            for column in ("source_url", "source_title", "source_publisher", "source_date"):
                assert out[column] == row[column], (column, row["title"])
        if "provided by the requester" not in row["summary"]:
            assert out["summary"] == row["summary"]


def test_csv_export_takes_the_list_filters(client, real_data):
    rows = read_csv(streamed(client.get("/proposals/export.csv?company=xiaomi&year=2022")))
    assert len(rows) == 4 and {r["delegate_name"] for r in rows} == {"Lei Jun"}
    assert {r["company"] for r in rows} == {"Xiaomi"}


def test_csv_export_neutralises_formula_cells(client):
    ProposalFactory(title='=HYPERLINK("http://evil.example")', summary="+1 and -2 @me")
    row = read_csv(streamed(client.get("/proposals/export.csv")))[0]
    assert row["title"].startswith("'=")
    assert row["summary"] == "'+1 and -2 @me"


def test_exports_reject_bad_parameters_with_400(client):
    response = client.get("/proposals/export.csv?year=abc")
    assert response.status_code == 400
    # CSV endpoints answer the data endpoints' one JSON error format.
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"errors": [{"field": "year", "message": "“abc” is not a year."}]}
    response = client.get("/proposals/export.json?body=senate")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


def test_json_export_lists_every_source(client, real_data):
    records = json.loads(streamed(client.get("/proposals/export.json?delegate=lei-jun&year=2022")))
    assert len(records) == 4
    ewaste = next(r for r in records if r["title"].startswith("Recycle e-waste"))
    assert len(ewaste["sources"]) == 2
    assert ewaste["url"].endswith(f"/proposals/{ewaste['id']}/")
    assert ewaste["delegate_name_zh"] == "雷军"


@pytest.mark.parametrize("rows", [2, 40])
@pytest.mark.parametrize("query", ["", "?status=submitted"])
def test_export_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows, query):
    topics = [TopicFactory(), TopicFactory()]
    for _ in range(rows):
        ProposalFactory(topics=topics)
    # The ids, then per chunk the proposals, their topics, their sources, their outcome
    # events; a filtered export counts its rows first (against the size limit).
    with django_assert_num_queries(6 if query else 5):
        assert len(read_csv(streamed(client.get("/proposals/export.csv" + query)))) == rows


def body(response) -> str:
    if response.streaming:
        return streamed(response)
    return response.content.decode("utf-8")


def test_a_repeated_export_is_served_whole_from_the_cache_until_an_edit(
    client, real_data, django_assert_max_num_queries
):
    client.get("/topics/")  # the topic tree is cached on a running site
    url = "/proposals/export.csv?year=2022&topic=mobility"
    first = client.get(url)
    assert first.streaming
    text = streamed(first)
    with django_assert_max_num_queries(0):
        again = client.get(url)
    assert not again.streaming
    assert again["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in again["Content-Disposition"]
    assert again.content.decode("utf-8") == text
    proposal = Proposal.objects.filter(session_id=2022, topics__parent__slug="mobility").first()
    proposal.title = "Renamed by an editor"
    proposal.save()
    assert "Renamed by an editor" in body(client.get(url))


def test_large_and_interrupted_exports_are_not_cached(client, real_data, monkeypatch):
    monkeypatch.setattr(exports, "CACHE_BYTES", 2000)
    url = "/proposals/export.json?year=2022"
    streamed(client.get(url))
    assert client.get(url).streaming  # past the size: built again
    monkeypatch.setattr(exports, "CACHE_BYTES", 10**7)
    text = streamed(client.get(url))
    kept = client.get(url)
    assert not kept.streaming and kept.content.decode("utf-8") == text
    cut = exports._keeping(iter(["[", "{}", "]"]), "cut-short")
    next(cut)  # the reader goes away after the first chunk
    cut.close()
    assert cache.get("cut-short") is None
    assert "".join(exports._keeping(iter(["[", "{}", "]"]), "whole")) == cache.get("whole")


def _items(xml: bytes, tag: str) -> list[ET.Element]:
    return ET.fromstring(xml).findall(f".//{tag}")  # noqa: S314 (our own feed)


def test_feeds(client, real_data):
    rss = client.get("/proposals/feed/rss/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    items = _items(rss.content, "item")
    assert len(items) == 30
    assert "2025" in items[0].findtext("title")  # newest session first

    atom = client.get("/topics/battery-swapping/feed/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    entries = _items(atom.content, "{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 3  # 2021 and 2022 (Li Shufu), 2024 (Zeng Yuqun)

    lei = client.get("/delegates/lei-jun/feed/rss/")
    titles = [i.findtext("title") for i in _items(lei.content, "item")]
    assert len(titles) == 30 and all("Lei Jun" in t for t in titles)  # 33 proposals, 30 shown
    assert client.get("/delegates/nobody/feed/rss/").status_code == 404


def test_pages_advertise_their_feeds(client, real_data):
    for url, feed in [
        ("/proposals/", "/proposals/feed/rss/"),
        ("/topics/mobility/", "/topics/mobility/feed/rss/"),
        ("/delegates/lei-jun/", "/delegates/lei-jun/feed/atom/"),
    ]:
        page = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/' in page and feed in page


def test_feed_query_count(client, django_assert_max_num_queries):
    for _ in range(5):
        ProposalFactory(topics=[TopicFactory(), TopicFactory()])
    # The proposals with their delegate and session, their topics, their sources.
    with django_assert_max_num_queries(3):
        client.get("/proposals/feed/rss/")
