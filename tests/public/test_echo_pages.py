"""The government's side on the pages: session priorities with echoes, a topic's first
year named and who was ahead, delegate and company figures with coverage, the
dashboard's echoes, the footer and /about/; each page's queries pinned."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core import cache as data_cache
from delegates.models import AnnualSession
from proposals.models import Proposal

pytestmark = pytest.mark.django_db

# Cold, with the topic tree and the priorities cached (as on a running site); the
# echo figures, the page's own queries and the display rows of the proposals named.
BUDGETS = {
    # dashboard's 9 (in progress, TrendCount, 5 headline counts, newest 2), the latest
    # complete session's echo figures (session, tagged proposals), its priorities
    "/": 12,
    # the page's 5, the echo figures (tagged proposals), the priorities with topics and
    # sources (3), the echoing proposals with topics (2)
    "/sessions/2024/": 11,
    # the page's 8 (the tree is held per process; the facets' delegates, companies and
    # filed-again counts are one pass since issue 14), the tagged proposals, the
    # proposals ahead
    "/topics/ai/": 10,
    # the page's 10, the tagged proposals, the proposals named with their topics
    "/delegates/lei-jun/": 13,
    "/companies/xiaomi/": 8,
    # counts of sessions, in progress, proposals, delegates, sources, priorities; the
    # reported delegates and their proposals per year; the tree counts
    "/about/": 9,
    "/trends/echo.json?topic=ai": 3,
    "/trends/echo.json?session=2024": 4,
    "/trends/echo.json?delegate=lei-jun": 2,
}


def _cold(client) -> None:
    cache.clear()
    data_cache.forget_held_version()
    client.get("/topics/")  # the tree and the footer's facts
    client.get("/trends/echo.json?session=2013")  # the priorities


@pytest.mark.parametrize("url", list(BUDGETS))
def test_echo_pages_query_budgets(real_data, client, django_assert_num_queries, url):
    _cold(client)
    with django_assert_num_queries(BUDGETS[url], info=url):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0, info=url):  # served from the cache
        assert client.get(url).status_code == 200


def test_session_2024_lists_priorities_with_echoes(real_data, client):
    response = client.get("/sessions/2024/")
    page = response.content.decode()
    items = response.context["echo"]["priorities"]
    assert len(items) == 9
    ai_plus = next(i for i in items if i["priority"].text_en.startswith("'AI+' action"))
    assert ai_plus["priority"].first_named
    assert ai_plus["same_year"], "2024's AI+ priority has echoing 2024 proposals"
    assert all(p.session_id == 2024 for p in ai_plus["same_year"])
    assert all(p.session_id == 2023 for p in ai_plus["year_before"])
    assert "'AI+' action (first time)" in page or "&#x27;AI+&#x27; action (first time)" in page
    assert "named for the first time" in page
    assert "press-derived and partial" in page


def test_session_page_in_chinese_shows_the_chinese_priority(real_data, client):
    page = client.get("/zh-hans/sessions/2024/").content.decode()
    assert "人工智能+" in page


def test_topic_ai_shows_first_year_and_who_was_ahead(real_data, client):
    response = client.get("/topics/ai/")
    echo = response.context["echo"]
    assert echo["first_year"] == 2017
    assert 2017 in echo["named_years"] and 2024 in echo["named_years"]
    ahead = echo["ahead"]
    assert ahead and all(p.session_id < 2017 for p in ahead)
    assert len(ahead) == echo["before"]
    page = response.content.decode()
    assert "Ahead of the government" in page
    assert 'id="topic-echo-data"' in page and "js/echo-chart" in page
    assert "<script>" not in page and "style=" not in page  # the strict CSP


def test_delegate_page_shows_echo_figures_and_coverage(real_data, client):
    response = client.get("/delegates/dong-mingzhu/")
    page = response.content.decode()
    reported = response.context["reported"]
    assert reported[0]["by_year"] == 2022 and reported[0]["reported"] == "about 90"
    held = Proposal.objects.filter(delegate__slug="dong-mingzhu", session_id__lte=2022).count()
    assert reported[0]["held"] == held
    assert "about 90" in page and "press-derived and partial" in page
    lei = client.get("/delegates/lei-jun/")
    assert lei.context["echo"]["proposals"] == 33
    assert "Echoes of the government" in lei.content.decode()


def test_dashboard_echoes_the_latest_complete_session(real_data, client):
    response = client.get("/")
    assert response.context["echo_year"] == 2025
    assert "Echoes of the government" in response.content.decode()
    AnnualSession.objects.filter(year=2025).update(in_progress=True)
    data_cache.invalidate()
    response = client.get("/")
    assert response.context["echo_year"] == 2024
    assert response.context["in_progress_years"] == [2025]
    assert "in progress" in response.content.decode()


def test_in_progress_session_page_is_labelled(real_data, client):
    AnnualSession.objects.filter(year=2025).update(in_progress=True)
    data_cache.invalidate()
    page = client.get("/sessions/2025/").content.decode()
    assert "In progress:" in page and "2025 in progress" in page


def test_footer_names_the_latest_session_and_update_date(real_data, client):
    for url in ("/", "/proposals/", "/about/", "/zh-hans/"):
        page = client.get(url).content.decode()
        assert ("Data up to the 2025 session" in page) or url.startswith("/zh-hans/"), url
        assert "2026" in page  # the records' update date, 23 November 2026


def test_about_page_says_sources_coverage_tree_echoes_and_errors(real_data, client):
    page = client.get("/about/").content.decode()
    for text in (
        "Sources",
        "Coverage",
        "How echoes are counted",
        "The topic tree",
        "Reporting an error",
    ):
        assert text in page
    assert "about 90" in page  # Dong Mingzhu's reported total
    assert 'href="/topics/ai/"' in page
