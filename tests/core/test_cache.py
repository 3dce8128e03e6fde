"""Whole-page caching of public pages: anonymous GETs only, retired by any write."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from core import cache as data_cache
from proposals.models import Proposal
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_anonymous_repeat_visits_are_served_from_the_cache(client, django_assert_num_queries):
    proposal = ProposalFactory(title="First title")
    url = f"/proposals/{proposal.pk}/"
    assert "First title" in client.get(url).content.decode()
    with django_assert_num_queries(0):
        response = client.get(url)
    assert "First title" in response.content.decode()
    assert "Cookie" in response["Vary"]


def test_an_edit_shows_on_the_next_load(client):
    proposal = ProposalFactory(title="First title")
    url = f"/proposals/{proposal.pk}/"
    client.get(url)
    proposal.title = "Second title"
    proposal.save()
    page = client.get(url).content.decode()
    assert "Second title" in page and "First title" not in page


def test_a_bulk_update_followed_by_the_refresh_command_shows_too(client):
    from django.core.management import call_command

    proposal = ProposalFactory(title="First title")
    url = f"/proposals/{proposal.pk}/"
    client.get(url)
    Proposal.objects.filter(pk=proposal.pk).update(title="Bulk title")
    call_command("refresh_trends", verbosity=0)  # what every bulk path runs afterwards
    assert "Bulk title" in client.get(url).content.decode()


def test_sessions_and_errors_are_never_cached(client, editor_client, django_assert_max_num_queries):
    proposal = ProposalFactory()
    url = f"/proposals/{proposal.pk}/"
    editor_client.get(url)
    page = editor_client.get(url).content.decode()
    assert "Edit in the admin" in page  # staff pages render anew, with their admin links
    assert "Edit in the admin" not in client.get(url).content.decode()
    assert client.get("/proposals/?year=abc").status_code == 400
    with django_assert_max_num_queries(1):  # the 400 is rendered again, not cached
        assert client.get("/proposals/?year=abc").status_code == 400


def test_an_edit_made_by_another_process_shows_once_the_held_version_expires(client, monkeypatch):
    """Each process holds the data version it read for TRACKER_VERSION_HOLD_SECONDS;
    a version bumped elsewhere (another gunicorn worker) is picked up after that."""
    clock = [1000.0]
    monkeypatch.setattr(data_cache.time, "monotonic", lambda: clock[0])
    proposal = ProposalFactory(title="First title")
    url = f"/proposals/{proposal.pk}/"
    client.get(url)
    # Another worker's edit: the row and the shared version change, not this process.
    Proposal.objects.filter(pk=proposal.pk).update(title="Edited elsewhere")
    cache.set(data_cache.VERSION_KEY, "bumped-by-another-worker", None)
    assert "First title" in client.get(url).content.decode()  # within the hold
    clock[0] += settings.TRACKER_VERSION_HOLD_SECONDS + 0.01
    assert "Edited elsewhere" in client.get(url).content.decode()
