"""Edit history: who changed what and when, through the importer, the admin and the
shell, and reverting a record to an earlier version in the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from delegates.models import Delegate
from proposals.models import Proposal, ProposalTopic
from tests.factories import ProposalFactory, TopicFactory
from tests.proposals.import_files import THREE_ROWS, csv_bytes, make_row, run

pytestmark = pytest.mark.django_db


def form_data(client: Client, url: str, **changes) -> dict:
    """The POST data of an admin change (or revert) page as it stands, with `changes`."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form[name].html_name] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None:
                    data[sub[name].html_name] = value
    data.update(changes)
    return data


def history_of(proposal: Proposal) -> list:
    return list(proposal.history.order_by("history_date", "history_id"))


def test_an_import_records_who_when_and_what(editor, import_topics):
    assert run(csv_bytes(THREE_ROWS), user=editor).ok
    proposal = Proposal.objects.get(title="Build high-power charging")
    [created] = history_of(proposal)
    assert (created.history_type, created.history_user) == ("+", editor)
    assert created.history_change_reason == "Imported from session.csv"
    assert set(created.topics.values_list("topic__slug", flat=True)) == {"ai", "regulation"}
    assert created.sources.count() == 1
    assert Delegate.objects.get(name="Lei Jun").history.get().history_user == editor

    rows = [make_row(summary="Reworded.", topics="ai"), *THREE_ROWS[1:]]
    assert run(csv_bytes(rows), user=editor).ok
    first, second = history_of(proposal)
    delta = second.diff_against(first)
    changes = {c.field: (c.old, c.new) for c in delta.changes}
    assert changes["summary"] == ("Our own words.", "Reworded.")
    assert "topics" in changes


def test_an_admin_edit_is_recorded_after_a_baseline_and_shown_in_history(
    editor_client, editor, real_data, django_assert_max_num_queries
):
    proposal = Proposal.objects.get(session_id=2013, title__startswith="Drop ID verification")
    assert not proposal.history.exists()  # the fixture load records nothing
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    data = form_data(editor_client, url, summary="Edited in the admin.")
    data["proposaltopic_set-0-DELETE"] = "on"  # untag the first of its two topics
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    baseline, edit = history_of(proposal)
    assert baseline.history_change_reason.startswith("State before")
    assert baseline.summary.startswith("In his first year")
    assert baseline.topics.count() == 2
    assert (edit.history_user, edit.summary) == (editor, "Edited in the admin.")
    assert edit.topics.count() == 1  # copied after the inline saved
    fields = {c.field for c in edit.diff_against(baseline).changes}
    assert fields == {"summary", "topics"}

    with django_assert_max_num_queries(25):
        page = editor_client.get(f"/admin/proposals/proposal/{proposal.pk}/history/")
    html = page.content.decode()
    assert "Edited in the admin." in html and "editor" in html
    assert "style=" not in html
    assert "/admin/auth/user/" not in html  # editors may not open user accounts


def test_reverting_restores_fields_topics_and_sources(editor_client, editor, real_data):
    proposal = Proposal.objects.get(session_id=2013, title__startswith="Drop ID verification")
    original_topics = set(proposal.topics.values_list("slug", flat=True))
    original_summary = proposal.summary
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    data = form_data(editor_client, url, summary="A mistake.", status="withdrawn")
    data["proposaltopic_set-0-DELETE"] = "on"
    assert editor_client.post(url, data).status_code == 302
    baseline = history_of(proposal)[0]

    revert_url = f"/admin/proposals/proposal/{proposal.pk}/history/{baseline.history_id}/"
    page = editor_client.get(revert_url)
    assert "Reverting also gives the proposal this version" in page.content.decode()
    response = editor_client.post(revert_url, form_data(editor_client, revert_url))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.summary == original_summary and proposal.status == "submitted"
    assert set(proposal.topics.values_list("slug", flat=True)) == original_topics
    latest = history_of(proposal)[-1]
    assert latest.history_user == editor
    assert set(latest.topics.values_list("topic__slug", flat=True)) == original_topics


def test_revert_of_a_delegate_through_the_shared_admin(editor_client, real_data):
    pony = Delegate.objects.get(slug="pony-ma")
    url = f"/admin/delegates/delegate/{pony.pk}/change/"
    assert (
        editor_client.post(url, form_data(editor_client, url, bio="Wrong bio")).status_code == 302
    )
    baseline = pony.history.order_by("history_date", "history_id").first()
    revert_url = f"/admin/delegates/delegate/{pony.pk}/history/{baseline.history_id}/"
    assert editor_client.post(revert_url, form_data(editor_client, revert_url)).status_code == 302
    pony.refresh_from_db()
    assert pony.bio == baseline.bio != "Wrong bio"


def test_shell_changes_are_recorded_with_their_links():
    proposal = ProposalFactory()
    extra = TopicFactory()
    proposal.topics.add(extra)
    proposal.summary = "Changed in the shell."
    proposal.save()
    *_, tagged, saved = history_of(proposal)
    assert tagged.topics.count() == 2
    assert saved.summary == "Changed in the shell." and saved.topics.count() == 2


def test_deleting_a_topic_tag_in_its_own_admin_records_a_version(editor_client, editor):
    proposal = ProposalFactory(topics=[TopicFactory(), TopicFactory()])
    link = ProposalTopic.objects.filter(proposal=proposal).first()
    response = editor_client.post(
        f"/admin/proposals/proposaltopic/{link.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    latest = history_of(proposal)[-1]
    assert latest.history_user == editor
    assert latest.topics.count() == 1


def test_editors_still_cannot_see_users_or_group_history(editor_client):
    assert editor_client.get("/admin/auth/user/").status_code == 403
    assert editor_client.get("/admin/auth/group/").status_code == 403


def test_reverting_a_proposal_keeps_the_status_its_events_give(editor_client, real_data):
    """Issue 13: a version's copy holds the status of its day; after a revert the status
    is still what the outcome events give."""
    from proposals.models import OutcomeEvent

    proposal = Proposal.objects.get(session_id=2013, title__startswith="Drop ID verification")
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    assert (
        editor_client.post(url, form_data(editor_client, url, summary="Edited.")).status_code == 302
    )
    baseline = history_of(proposal)[0]
    OutcomeEvent.objects.create(proposal=proposal, kind="replied", when="2013-09")
    proposal.refresh_from_db()
    assert proposal.status == "answered"
    revert_url = f"/admin/proposals/proposal/{proposal.pk}/history/{baseline.history_id}/"
    assert editor_client.post(revert_url, form_data(editor_client, revert_url)).status_code == 302
    proposal.refresh_from_db()
    assert proposal.summary != "Edited." and proposal.status == "answered"
