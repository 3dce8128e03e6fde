from __future__ import annotations

import pytest

from tests.factories import ProposalFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_home_shows_headline_numbers_and_newest_proposals(client, real_data):
    response = client.get("/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts == {
        "proposals": 269,
        "delegates": 24,
        "companies": 24,
        "sessions": 13,
        "latest_year": 2025,
    }
    page = response.content.decode()
    assert "<title>Two Sessions Tracker" in page
    assert all(p.session_id == 2025 for p in response.context["newest"])
    assert 'style="' not in page and "<script>" not in page  # strict CSP: nothing inline


def test_home_query_count_does_not_grow_with_rows(client, django_assert_num_queries):
    for _ in range(3):
        ProposalFactory(topics=[TopicFactory(), TopicFactory()])
    # Cold: the five headline counts, the topic catalogue, the sessions in progress and
    # one TrendCount query (cached together until the next write), the newest proposals
    # and their topics; the footer's facts (also the latest complete session), and
    # that session's echo figures (the session, the priorities, the tagged proposals).
    with django_assert_num_queries(14):
        client.get("/")
    with django_assert_num_queries(0):  # the whole page is cached for anonymous readers
        client.get("/")
    for _ in range(20):
        ProposalFactory(topics=[TopicFactory(), TopicFactory()])
    with django_assert_num_queries(14):
        response = client.get("/")
    assert len(response.context["newest"]) == 10


def test_home_empty_state_says_what_to_do(client):
    assert "No proposals yet" in client.get("/").content.decode()


def test_healthz_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_generated_records_are_hidden_unless_the_setting_shows_them(client, settings):
    real = ProposalFactory(title="A real proposal")
    fake = ProposalFactory(title="A generated proposal")
    type(fake).objects.filter(pk=fake.pk).update(is_generated=True)
    settings.TRACKER_SHOW_GENERATED = False
    page = client.get("/").content.decode()
    assert real.title in page and fake.title not in page
    settings.TRACKER_SHOW_GENERATED = True
    assert fake.title in client.get("/").content.decode()
