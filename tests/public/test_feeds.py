"""Feeds follow the list's filters, are dated by filing, refuse bad parameters and
carry plain text (issue 14's feeds; issue 17, defect 8)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import pytest

from delegates.models import AnnualSession
from proposals.models import Source
from tests.factories import ProposalFactory, TopicFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(response) -> list[ET.Element]:
    assert response.status_code == 200
    return ET.fromstring(response.content).findall(".//item")  # noqa: S314 (our own feed)


def atom_entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    return ET.fromstring(response.content).findall(f".//{ATOM}entry")  # noqa: S314


def test_the_list_feed_follows_every_list_filter(client, real_data):
    everything = rss_items(client.get("/proposals/feed/rss/"))
    battery = rss_items(client.get("/proposals/feed/rss/?topic=battery-swapping"))
    assert len(everything) == 30
    assert len(battery) == 3 and all(
        "battery" in i.findtext("description").lower() + i.findtext("title").lower()
        or any(c.text == "Battery swapping" for c in i.findall("category"))
        for i in battery
    )
    lei_2022 = rss_items(client.get("/proposals/feed/rss/?delegate=lei-jun&year=2022"))
    assert len(lei_2022) == 4
    assert all("Lei Jun, 2022" in i.findtext("title") for i in lei_2022)
    atom = atom_entries(client.get("/proposals/feed/atom/?company=xiaomi&year=2022&body=npc"))
    assert len(atom) == 4


def test_record_feeds_take_the_list_filters_too(client, real_data):
    assert len(rss_items(client.get("/delegates/lei-jun/feed/rss/?year=2022"))) == 4
    assert len(atom_entries(client.get("/topics/battery-swapping/feed/atom/?year=2024"))) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/proposals/feed/rss/?year=abc",
        "/proposals/feed/atom/?body=senate",
        "/topics/battery-swapping/feed/rss/?year_min=x",
        "/delegates/lei-jun/feed/atom/?status=nonsense",
    ],
)
def test_feeds_answer_400_to_bad_parameters(client, real_data, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] in {"year", "body", "year_min", "status"}


def test_feed_items_are_dated_by_filing_not_by_loading(client, real_data):
    items = rss_items(client.get("/proposals/feed/rss/?year=2022"))
    days = {parsedate_to_datetime(i.findtext("pubDate")).date() for i in items}
    assert days == {date(2022, 3, 4)}  # the 2022 sessions opened on 4 March
    entries = atom_entries(client.get("/proposals/feed/atom/?year=2020"))
    assert {e.findtext(f"{ATOM}published")[:10] for e in entries} == {"2020-05-21"}


def test_without_an_opening_day_the_source_date_then_the_year_dates_an_item(client):
    session = AnnualSession.objects.create(year=2031)
    dated = ProposalFactory(session=session, title="Dated by its source")
    dated.sources.set(
        [Source.objects.create(url="https://e.example/a", published_on=date(2031, 3, 7))]
    )
    ProposalFactory(session=session, title="Dated by its year")
    items = rss_items(client.get("/proposals/feed/rss/?year=2031"))
    days = {
        i.findtext("title").split(" (")[0]: parsedate_to_datetime(i.findtext("pubDate")).date()
        for i in items
    }
    assert days == {"Dated by its source": date(2031, 3, 7), "Dated by its year": date(2031, 1, 1)}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def html_tags(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


MARKUP_TITLE = "Open <b>data</b> & models"
MARKUP_SUMMARY = (
    'Ask for <img src="x" onerror="alert(1)"> and <a href="http://evil.example">this</a>'
)


def test_feeds_send_titles_and_summaries_as_plain_text(client):
    ProposalFactory(title=MARKUP_TITLE, summary=MARKUP_SUMMARY, topics=[TopicFactory()])
    (item,) = rss_items(client.get("/proposals/feed/rss/"))
    # RSS readers read an item's text as HTML: it must hold no element, and show the
    # characters as written.
    assert html_tags(item.findtext("description")) == []
    assert html_tags(item.findtext("title")) == []
    assert "&lt;img" in item.findtext("description")
    (entry,) = atom_entries(client.get("/proposals/feed/atom/"))
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "text" and summary.text == MARKUP_SUMMARY
    title = entry.find(f"{ATOM}title")
    assert title.get("type") in (None, "text") and title.text.startswith(MARKUP_TITLE)


def test_the_list_page_feed_links_carry_its_query_string(client, real_data):
    page = client.get("/proposals/?topic=battery-swapping&year=2022&page=1").content.decode()
    assert 'href="/proposals/feed/rss/?topic=battery-swapping&amp;year=2022"' in page
    assert 'href="/proposals/feed/atom/?topic=battery-swapping&amp;year=2022"' in page


def test_feed_query_count_is_fixed(client, django_assert_num_queries):
    for _ in range(3):
        ProposalFactory(topics=[TopicFactory(), TopicFactory()])
    client.get("/topics/")  # the topic tree, cached on a running site
    with django_assert_num_queries(3):
        assert len(rss_items(client.get("/proposals/feed/rss/?body=npc"))) == 3
