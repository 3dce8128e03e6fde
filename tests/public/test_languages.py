"""Language-prefixed addresses: English at today's URLs, Chinese under /zh-hans/."""

from __future__ import annotations

import pytest

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
