"""Language-prefixed addresses: English at today's URLs, Chinese under /zh-hans/."""

from __future__ import annotations

import pickle

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.utils import translation

from core.cache import forget_held_version
from proposals.facets import facet_counts
from proposals.filters import ProposalFilter
from proposals.models import Proposal
from stats import trends

pytestmark = pytest.mark.django_db


def test_english_stays_at_todays_addresses_and_chinese_has_a_prefix(client, real_data):
    english = client.get("/proposals/?year=2024")
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    chinese = client.get("/zh-hans/proposals/?year=2024")
    assert chinese.status_code == 200
    assert '<html lang="zh-Hans">' in chinese.content.decode()


def test_the_language_switcher_and_alternates_keep_the_page_and_its_filters(client, real_data):
    page = client.get("/proposals/?year=2024&topic=ai").content.decode()
    assert 'href="/zh-hans/proposals/?year=2024&amp;topic=ai" hreflang="zh-Hans"' in page
    assert 'rel="alternate" hreflang="zh-Hans" href="http://testserver/zh-hans/proposals/' in page
    chinese = client.get("/zh-hans/proposals/?year=2024&topic=ai").content.decode()
    assert 'href="/proposals/?year=2024&amp;topic=ai" hreflang="en"' in chinese


def test_a_cached_page_is_never_served_in_the_other_language(client, real_data):
    assert '<html lang="en">' in client.get("/topics/").content.decode()
    assert '<html lang="zh-Hans">' in client.get("/zh-hans/topics/").content.decode()
    assert '<html lang="en">' in client.get("/topics/").content.decode()


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("first", ["en", "zh-hans"])
def test_cached_pages_never_mix_languages(client, real_data, django_assert_num_queries, first):
    """Either language cached first, the other is rendered in its own; a repeat visit
    is served from the cache (no query) in the language of its address."""
    paths = {"en": "/", "zh-hans": "/zh-hans/"}
    order = [first, *(code for code in paths if code != first)]
    for code in order:
        client.get(paths[code])
    for code in order:
        with django_assert_num_queries(0):  # from the page cache
            response = client.get(paths[code], HTTP_ACCEPT_LANGUAGE="zh-hans,en;q=0.5")
        page = _page(response)
        assert response["Content-Language"] == code
        if code == "en":
            assert '<html lang="en">' in page and "Topics across the sessions" in page
            assert "历届两会的议题" not in page
            # An unprefixed address is English whatever the browser asks for, so caches
            # keyed by the address alone serve it right; it still says what it varies on.
            assert "Accept-Language" in response["Vary"]
        else:
            assert '<html lang="zh-Hans">' in page and "历届两会的议题" in page
            assert "Topics across the sessions" not in page
        assert "Cookie" in response["Vary"]


def test_cached_facets_and_trends_are_worded_in_each_readers_language(client, real_data):
    """Facet counts and trends are cached without a language (the same entry serves
    both); the labels and topic names on the page follow the page's language."""
    english = _page(client.get("/proposals/?year=2024"))
    assert "AI and frontier technology" in english
    home_en = _page(client.get("/"))
    chinese = _page(client.get("/zh-hans/proposals/?year=2024"))
    home_zh = _page(client.get("/zh-hans/"))
    # The facet legends and choice labels, from the cached facets.
    assert "<legend>机构</legend>" in chinese and "<legend>Body</legend>" in english
    assert "全国人大" in chinese and "全国政协" in chinese
    # Topic names, from the cached facets and the cached dashboard trend.
    assert "人工智能" in chinese and "人工智能" not in english
    assert "人工智能与前沿科技" in home_zh and "人工智能与前沿科技" not in home_en
    assert "AI and frontier technology" in home_en
    assert (
        "AI and frontier technology" not in home_zh and "AI and frontier technology" not in chinese
    )


def test_cached_trend_and_facet_values_hold_no_text_in_one_language(real_data):
    """Computed in English or in Chinese, the cached values are the same: ids, slugs,
    numbers, the record's names in both languages, and lazy labels."""

    def computed(language: str) -> tuple[bytes, bytes]:
        cache.clear()
        forget_held_version()
        with translation.override(language):
            filterset = ProposalFilter(
                QueryDict("year=2024&topic=ai"), queryset=Proposal.objects.for_list()
            )
            assert filterset.is_valid()
            return pickle.dumps(trends.dashboard()), pickle.dumps(facet_counts(filterset))

    assert computed("en") == computed("zh-hans")
