"""Optimistic concurrency in the admin (issue 17, defect 5): editor A saves, then editor B
saves the form B opened before; A's change must not be silently lost."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from core.editors import EDITORS_GROUP
from tests.factories import (
    AffiliationFactory,
    AnnualSessionFactory,
    CompanyFactory,
    DelegateFactory,
    ProposalFactory,
    SeatFactory,
    SourceFactory,
    TopicFactory,
)
from tests.proposals.test_history import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_editor(db) -> Client:
    user = User.objects.create_user("editor-b", "b@example.org", "another-long-pass", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client = Client()
    client.force_login(user)
    return client


# (factory, admin path, the field A changes, the field B changes, values)
CASES = {
    # The B changed the status; the status is now derived from the outcome events
    # (issue 13), so B changes the Chinese title instead.
    "proposal": (ProposalFactory, "proposals/proposal", "summary", "title_zh", "新标题"),
    "delegate": (DelegateFactory, "delegates/delegate", "bio", "name_zh", "新名字"),
    "company": (CompanyFactory, "delegates/company", "sector", "name_zh", "新公司"),
    "topic": (TopicFactory, "topics/topic", "description", "name_zh", "新话题"),
    "session": (
        AnnualSessionFactory,
        "delegates/annualsession",
        "npc_session",
        "cppcc_session",
        "B",
    ),
    "seat": (SeatFactory, "delegates/seat", "delegation", "citation", "B's citation"),
    "source": (SourceFactory, "proposals/source", "title", "publisher", "B's publisher"),
    "affiliation": (AffiliationFactory, "delegates/affiliation", "role", "start_year", "2001"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_stale_save_is_refused_naming_who_and_keeping_both_versions(
    case, editor_client, second_editor
):
    factory, path, a_field, b_field, b_value = CASES[case]
    record = factory()
    url = f"/admin/{path}/{record.pk}/change/"
    b_form = form_data(second_editor, url, **{b_field: b_value})  # B opens the record
    a_value = "A's careful words"
    response = editor_client.post(url, form_data(editor_client, url, **{a_field: a_value}))
    assert response.status_code == 302  # A saves

    response = second_editor.post(url, b_form)  # B saves the form opened before A's save
    assert response.status_code == 200, "the stale save must not go through"
    record.refresh_from_db()
    assert getattr(record, a_field) == a_value  # A's change kept
    page = response.content.decode()
    assert "Not saved: editor changed this record at" in page
    assert f"Saved meanwhile as: {a_value}" in page.replace("&#x27;", "'")  # theirs...
    form = response.context["adminform"].form
    assert str(form[b_field].value()) == b_value  # ...and B's own values, still in the form
    assert not form.errors.get(b_field)  # only A changed A's field: B's is not in conflict

    # Having read it, B saves again on purpose: B's value is kept, so is A's untouched one.
    again = {**b_form, "tracked_version": form["tracked_version"].value()}
    again[a_field] = a_value
    assert second_editor.post(url, again).status_code == 302
    record.refresh_from_db()
    assert str(getattr(record, b_field)) == b_value and getattr(record, a_field) == a_value


def test_a_save_from_a_fresh_form_goes_through(editor_client):
    proposal = ProposalFactory()
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    for summary in ("First edit.", "Second edit."):
        response = editor_client.post(url, form_data(editor_client, url, summary=summary))
        assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.summary == "Second edit."


def test_the_form_carries_the_latest_version(editor_client):
    proposal = ProposalFactory()
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    page = editor_client.get(url).content.decode()
    latest = proposal.history.order_by("-history_id").first().history_id
    assert f'name="tracked_version" value="{latest}"' in page
