"""The admin as an editor uses it: every curated model, and nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.models import Body, Seat
from proposals.models import Proposal
from tests.factories import ProposalFactory, SeatFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

CURATED = [
    "topics/topic",
    "delegates/delegate",
    "delegates/company",
    "delegates/affiliation",
    "delegates/annualsession",
    "delegates/seat",
    "proposals/proposal",
    "proposals/source",
    "proposals/proposaltopic",
]


def _add_form_data(client: Client, url: str, fields: dict, inlines: dict[str, list[dict]]) -> dict:
    """Fill the admin add form, including each inline formset's management form."""
    response = client.get(url)
    assert response.status_code == 200
    data = dict(fields)
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        rows = inlines.get(inline.opts.model._meta.model_name, [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    return data


@pytest.mark.parametrize("path", CURATED)
def test_editor_can_open_every_changelist_and_add_form(editor_client, real_data, path):
    with_path = f"/admin/{path}/"
    assert editor_client.get(with_path).status_code == 200
    assert editor_client.get(with_path + "add/").status_code == 200


@pytest.mark.parametrize("path", ["auth/user", "auth/group"])
def test_editor_cannot_open_users_or_groups(editor_client, path):
    assert editor_client.get(f"/admin/{path}/").status_code == 403
    index = editor_client.get("/admin/").content.decode()
    assert "/admin/auth/user/" not in index
    assert "/admin/proposals/proposal/" in index


def test_editor_cannot_delete_a_proposal_but_can_untag_it(editor_client):
    proposal = ProposalFactory()
    assert editor_client.get(f"/admin/proposals/proposal/{proposal.pk}/delete/").status_code == 403
    link = proposal.proposaltopic_set.get()
    response = editor_client.post(
        f"/admin/proposals/proposaltopic/{link.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not proposal.topics.exists()


def test_editor_adds_a_proposal_with_its_source(editor_client, editor):
    seat = SeatFactory(body=Body.NPC)
    topic = TopicFactory(name="Fast charging")
    source = SourceFactory(url="https://news.example.org/charging")
    url = reverse("admin:proposals_proposal_add")
    data = _add_form_data(
        editor_client,
        url,
        {
            "session": seat.session_id,
            "delegate": seat.delegate_id,
            "body": "npc",
            "title": "Build high-power charging stations",
            "summary": "Our own words.",
            "status": "submitted",
        },
        {"proposaltopic": [{"topic": topic.pk}], "proposal_sources": [{"source": source.pk}]},
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    proposal = Proposal.objects.get(title="Build high-power charging stations")
    assert list(proposal.topics.all()) == [topic]
    assert list(proposal.sources.all()) == [source]
    entry = proposal.delegate.proposals.get().pk == proposal.pk
    assert entry


def test_admin_shows_a_field_error_for_a_body_without_a_seat(editor_client):
    seat = SeatFactory(body=Body.CPPCC)
    url = reverse("admin:proposals_proposal_add")
    data = _add_form_data(
        editor_client,
        url,
        {
            "session": seat.session_id,
            "delegate": seat.delegate_id,
            "body": "npc",
            "title": "Filed in the wrong body",
            "status": "submitted",
        },
        {
            "proposaltopic": [{"topic": TopicFactory().pk}],
            "proposal_sources": [{"source": SourceFactory().pk}],
        },
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "no NPC seat" in form.errors["body"][0]
    assert not Proposal.objects.filter(title="Filed in the wrong body").exists()


def test_admin_requires_a_source_and_a_topic(editor_client):
    seat = SeatFactory(body=Body.NPC)
    url = reverse("admin:proposals_proposal_add")
    data = _add_form_data(
        editor_client,
        url,
        {
            "session": seat.session_id,
            "delegate": seat.delegate_id,
            "body": "npc",
            "title": "Unsourced",
            "status": "submitted",
        },
        {},
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    errors = " ".join(
        str(e) for e in response.context["inline_admin_formsets"][1].formset.non_form_errors()
    )
    assert "at least 1" in errors.lower()
    assert not Proposal.objects.filter(title="Unsourced").exists()


@pytest.mark.parametrize("path", CURATED)
def test_changelist_queries_do_not_grow_with_rows(
    editor_client, django_assert_max_num_queries, path
):
    for _ in range(3):
        ProposalFactory(topics=[TopicFactory(), TopicFactory()], sources=[SourceFactory()] * 1)
    with django_assert_max_num_queries(12):
        assert editor_client.get(f"/admin/{path}/").status_code == 200
    for _ in range(10):
        ProposalFactory(topics=[TopicFactory(), TopicFactory()])
    with django_assert_max_num_queries(12):
        assert editor_client.get(f"/admin/{path}/").status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 269),
        ("?body__exact=npc", 163),
        ("?session__year__exact=2022&p=1&o=2", 31),
        ("?session__year__exact=2022&body__exact=cppcc&status__exact=submitted", "orm"),
        ("?status__exact=adopted", 1),
    ],
)
def test_proposal_changelist_counts_from_the_trend_table_without_counting_rows(
    editor_client, real_data, query, expected
):
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(f"/admin/proposals/proposal/{query}")
    assert response.status_code == 200
    if expected == "orm":
        expected = Proposal.objects.filter(session_id=2022, body="cppcc", status="submitted")
        expected = expected.count()
    assert response.context["cl"].result_count == expected
    assert not [q for q in queries if 'COUNT(*) AS "__count" FROM "proposals_proposal"' in q["sql"]]


@pytest.mark.parametrize(
    "query",
    ["?q=battery", "?delegate__id__exact=1", "?session__year__exact=x", "?body__exact=senate"],
)
def test_proposal_changelist_counts_rows_when_the_trend_table_cannot_say(
    editor_client, real_data, query
):
    response = editor_client.get(f"/admin/proposals/proposal/{query}")
    if response.status_code == 200:
        cl = response.context["cl"]
        assert cl.result_count == cl.queryset.count()


def test_editor_can_edit_a_delegate_with_seat_inline(editor_client):
    seat = SeatFactory()
    response = editor_client.get(f"/admin/delegates/delegate/{seat.delegate_id}/change/")
    assert response.status_code == 200
    assert seat.session.npc_session in response.content.decode() or str(seat.session_id) in (
        response.content.decode()
    )


def test_create_editor_makes_a_staff_account_in_the_editors_group(monkeypatch):
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "a-long-editor-pass")
    call_command("create_editor", "mei", email="mei@example.org", verbosity=0)
    user = User.objects.get(username="mei")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.has_perm("proposals.add_proposal") and not user.has_perm("auth.view_user")
    assert user.check_password("a-long-editor-pass")


def test_create_editor_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "1234")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_editor", "weak")
    assert not User.objects.filter(username="weak").exists()
    assert Seat.objects.count() == 0


def test_changelist_row_checkbox_is_the_markup_django_renders(real_data):
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin

    proposal = ProposalFactory(title='Tags <b>& "quotes"')
    ours = admin.site._registry[Proposal]
    assert ours.action_checkbox(proposal) == ModelAdmin.action_checkbox(ours, proposal)


def test_proposal_changelist_lists_the_newest_session_first(editor_client, real_data):
    listed = editor_client.get("/admin/proposals/proposal/").context["cl"].result_list
    years = [p.session_id for p in listed]
    assert years[0] == 2025 and years == sorted(years, reverse=True)
