"""Curation tools: bulk actions on proposals and the data-quality page, as an editor."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from delegates.models import AnnualSession, Body
from proposals.bulk import proposals_changed_in_bulk
from proposals.models import Proposal
from tests.factories import (
    AnnualSessionFactory,
    DelegateFactory,
    ProposalFactory,
    SeatFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/proposals/proposal/"


def act(client, action: str, proposals, **choice):
    """Run a bulk action: the intermediate page, then apply the chosen value."""
    data = {"action": action, "index": "0", ACTION_CHECKBOX_NAME: [p.pk for p in proposals]}
    page = client.post(CHANGELIST, data)
    assert page.status_code == 200
    assert f"Apply to {len(proposals)} proposal" in page.content.decode()
    return client.post(CHANGELIST, {**data, "apply": "1", **choice}, follow=True)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_add_a_topic_to_many_proposals_records_each(editor_client, editor):
    topic = TopicFactory(name="Carbon")
    proposals = [ProposalFactory() for _ in range(3)]
    proposals[0].topics.add(topic)
    response = act(editor_client, "add_topic", proposals, topic=topic.pk)
    assert "Added the topic “Carbon” to 2 proposal(s); 1 already had it." in messages_of(response)
    for proposal in proposals:
        assert topic in proposal.topics.all()
        latest = proposal.history.order_by("-history_date", "-history_id").first()
        assert topic.pk in set(latest.topics.values_list("topic_id", flat=True))
    assert proposals[1].history.first().history_user == editor


def test_remove_a_topic_keeps_at_least_one_per_proposal(editor_client):
    carbon, other = TopicFactory(), TopicFactory()
    both = ProposalFactory(topics=[carbon, other])
    only = ProposalFactory(topics=[carbon])
    response = act(editor_client, "remove_topic", [both, only], topic=carbon.pk)
    assert "only topic of 1 selected proposal(s)" in messages_of(response)
    assert carbon in both.topics.all()
    response = act(editor_client, "remove_topic", [both], topic=carbon.pk)
    assert "from 1 proposal(s)" in messages_of(response)
    assert list(both.topics.all()) == [other]
    assert both.history.first().topics.count() == 1


def test_no_bulk_action_sets_the_status(editor_client):
    # The status is derived from the outcome events (issue 13): the old "set the
    # status" action would have set it apart from them.
    response = editor_client.post(
        CHANGELIST, {"action": "set_status", "index": "0", ACTION_CHECKBOX_NAME: []}
    )
    assert response.status_code == 302
    assert "set_status" not in editor_client.get(CHANGELIST).content.decode()


def test_move_to_another_session_needs_the_seat_and_a_free_title(editor_client):
    delegate = DelegateFactory()
    old, new = AnnualSessionFactory(year=2020), AnnualSessionFactory(year=2021)
    proposal = ProposalFactory(delegate=delegate, session=old, body=Body.NPC, title="Roads")
    response = act(editor_client, "move_to_session", [proposal], session=new.pk)
    assert "Nothing moved" in messages_of(response) and "no NPC seat" in messages_of(response)
    SeatFactory(delegate=delegate, session=new, body=Body.NPC)
    ProposalFactory(delegate=delegate, session=new, body=Body.NPC, title="Roads")
    response = act(editor_client, "move_to_session", [proposal], session=new.pk)
    assert "has that title there already" in messages_of(response)
    proposal.title = "Railways"
    proposal.save()
    response = act(editor_client, "move_to_session", [proposal], session=new.pk)
    assert "Moved 1 proposal(s) to the 2021 session." in messages_of(response)
    proposal.refresh_from_db()
    assert proposal.session_id == 2021
    assert not Proposal.objects.without_matching_seat().exists()
    assert proposal.history.first().history_change_reason == "Moved to 2021"


def test_bulk_action_page_queries_do_not_grow_with_the_selection(
    editor_client, django_assert_max_num_queries
):
    topics = [TopicFactory(parent=TopicFactory()) for _ in range(3)]
    for count in (2, 12):
        proposals = [ProposalFactory(topics=topics[:2]) for _ in range(count)]
        data = {
            "action": "add_topic",
            "index": "0",
            ACTION_CHECKBOX_NAME: [p.pk for p in proposals],
        }
        with django_assert_max_num_queries(12):
            page = editor_client.post(CHANGELIST, data)
        assert page.status_code == 200
        assert "style=" not in page.content.decode()


def quality_fixture() -> dict:
    """Two of each problem the data-quality page looks for."""
    session = AnnualSession.objects.create(year=2023)
    delegate = DelegateFactory(name="Ding Lei")
    unsourced = [ProposalFactory(session=session, sources=[]) for _ in range(2)]
    untagged = [ProposalFactory(session=session, topics=[]) for _ in range(2)]
    seatless = []
    for _ in range(2):
        p = ProposalFactory(session=session)
        p.delegate.seats.all().delete()
        seatless.append(p)
    ProposalFactory(delegate=delegate, session=session, title="Cut the tax on online games")
    ProposalFactory(delegate=delegate, session=session, title="Cut the tax on online games.")
    ProposalFactory(delegate=delegate, session=session, title="Rural schools need teachers")
    ProposalFactory(delegate=delegate, session=session, title="Rural school need teachers")
    ProposalFactory(delegate=delegate, session=session, title="Something else entirely")
    parent = TopicFactory(name="Unused group")
    TopicFactory(name="Unused child", parent=parent)
    used_parent = TopicFactory(name="Used group")
    ProposalFactory(topics=[TopicFactory(name="Used child", parent=used_parent)])
    SourceFactory()
    return {"unsourced": unsourced, "untagged": untagged, "seatless": seatless}


def test_data_quality_page_lists_each_problem(editor_client, django_assert_max_num_queries):
    made = quality_fixture()
    with django_assert_max_num_queries(14):
        response = editor_client.get("/admin/proposals/proposal/quality/")
    assert response.status_code == 200
    checks = response.context["checks"]
    assert set(checks["without_source"][1]) == set(made["unsourced"])
    assert set(checks["without_topic"][1]) == set(made["untagged"])
    gaps = {(g.delegate_id, g.year) for g in checks["seat_gaps"][1]}
    assert gaps == {(p.delegate_id, 2023) for p in made["seatless"]}
    count, pairs = checks["duplicates"]
    assert count == 2
    assert {frozenset((d.first.title, d.second.title)) for d in pairs} == {
        frozenset({"Cut the tax on online games", "Cut the tax on online games."}),
        frozenset({"Rural schools need teachers", "Rural school need teachers"}),
    }
    unused = {t.name for t in checks["unused_topics"][1]}
    assert {"Unused group", "Unused child"} <= unused
    assert not {"Used group", "Used child"} & unused
    html = response.content.decode()
    assert "Likely duplicates" in html and "style=" not in html


def test_data_quality_queries_do_not_grow_with_rows(editor_client, django_assert_max_num_queries):
    quality_fixture()
    for _ in range(5):
        p = ProposalFactory(sources=[])
        p.delegate.seats.all().delete()
    with django_assert_max_num_queries(14):
        assert editor_client.get("/admin/proposals/proposal/quality/").status_code == 200


def test_the_real_data_is_clean_on_the_data_quality_page(editor_client, real_data):
    checks = editor_client.get("/admin/proposals/proposal/quality/").context["checks"]
    assert checks["without_source"][0] == 0
    assert checks["without_topic"][0] == 0
    assert checks["seat_gaps"][0] == 0


def test_bulk_actions_announce_the_proposals_they_changed(
    editor_client, django_capture_on_commit_callbacks
):
    proposals = [ProposalFactory(session=AnnualSessionFactory(year=2019)) for _ in range(2)]
    received = []

    def listener(sender, proposal_ids, slices, **kwargs):
        received.append((proposal_ids, slices))

    proposals_changed_in_bulk.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            act(editor_client, "add_topic", proposals, topic=TopicFactory().pk)
    finally:
        proposals_changed_in_bulk.disconnect(listener)
    assert received == [(sorted(p.pk for p in proposals), {(2019, "npc")})]
