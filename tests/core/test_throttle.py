"""Junk in the address neither renders anew nor stores a new entry, and uncached work
is limited per client (issue 17, defect 3)."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache

from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def page_keys() -> set[str]:
    return {k for k in cache._cache if ":page:" in k}  # the local-memory cache's own keys


def test_unknown_parameters_are_served_from_the_clean_address_entry(
    client, django_assert_num_queries
):
    ProposalFactory(title="A listed proposal")
    assert client.get("/proposals/?year=2020").status_code == 200
    stored = page_keys()
    for _ in range(5):
        with django_assert_num_queries(0):  # nothing rendered anew
            response = client.get(f"/proposals/?utm_source={uuid.uuid4().hex}&year=2020")
        assert response.status_code == 200
        assert "utm_source" not in response.content.decode()
    assert page_keys() == stored  # and nothing new stored


def test_a_junk_parameter_never_reaches_the_cached_page(client):
    proposal = ProposalFactory()
    page = client.get(f"/proposals/{proposal.pk}/?utm_source=leak-me").content.decode()
    assert "leak-me" not in page
    assert "leak-me" not in client.get(f"/proposals/{proposal.pk}/").content.decode()


def test_known_parameters_are_normalised(client, django_assert_num_queries):
    ProposalFactory()
    client.get("/proposals/?body=npc&year=2020")
    for same in ("/proposals/?year=2020&body=npc", "/proposals/?body=+npc+&year=2020"):
        with django_assert_num_queries(0):
            assert client.get(same).status_code == 200
    # An empty control is not a selection: redirected to the address without it (issue 14).
    with django_assert_num_queries(0):
        response = client.get("/proposals/?body=npc&year=2020&q=")
    assert response.status_code == 302 and response["Location"] == "/proposals/?body=npc&year=2020"


def test_different_known_values_are_different_pages(client):
    ProposalFactory()
    client.get("/proposals/?year=2020")
    before = page_keys()
    client.get("/proposals/?year=2021")
    assert len(page_keys()) == len(before) + 1


def test_a_made_up_session_cookie_does_not_skip_the_cache(client, django_assert_max_num_queries):
    proposal = ProposalFactory()
    url = f"/proposals/{proposal.pk}/"
    client.get(url)
    client.cookies["sessionid"] = "made-up"
    with django_assert_max_num_queries(1):  # the session looked up, the page from the cache
        assert client.get(url).status_code == 200


def test_uncached_work_is_limited_per_client_with_429_and_retry_after(client, settings):
    settings.TRACKER_UNCACHED_RATE = "5/m"
    ProposalFactory()
    statuses = [
        client.get(f"/proposals/?q=word{n}", REMOTE_ADDR="10.1.1.1").status_code for n in range(8)
    ]
    assert statuses == [200] * 5 + [429] * 3
    refused = client.get("/proposals/?q=another", REMOTE_ADDR="10.1.1.1")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.content.decode()
    # Cached pages are still served to that client, and other clients are not limited.
    assert client.get("/proposals/?q=word0", REMOTE_ADDR="10.1.1.1").status_code == 200
    assert client.get("/proposals/?q=word9", REMOTE_ADDR="10.2.2.2").status_code == 200
