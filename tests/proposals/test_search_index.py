"""The search rows stay true on every write path: edits, re-tags, renames of delegates
and topics, deletes, imports and the rebuilding commands. On both databases."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from proposals.models import Proposal, ProposalSearch, ProposalTopic
from tests.factories import DelegateFactory, ProposalFactory, TopicFactory
from tests.proposals.import_files import THREE_ROWS, csv_bytes, run
from tests.proposals.test_search import postgres_only

pytestmark = pytest.mark.django_db


def found(text: str) -> list[str]:
    return [p.title for p in Proposal.objects.search(text).by_relevance()]


def test_a_new_or_edited_proposal_is_found_by_its_new_words():
    proposal = ProposalFactory(title="Build a social emergency network")
    assert found("emergency") == ["Build a social emergency network"]
    proposal.title = "Build a national flood warning network"
    proposal.title_zh = "建设全国洪水预警网络"
    proposal.save()
    assert found("floods") == ["Build a national flood warning network"]
    assert found("洪水") == ["Build a national flood warning network"]
    assert found("emergency") == []  # the old words are gone from the index


def test_retagging_through_each_path_updates_the_topic_words():
    first = TopicFactory(name="Semiconductors", slug="semis")
    second = TopicFactory(name="Aviation", slug="aviation")
    proposal = ProposalFactory(title="A proposal")
    proposal.topics.add(first)
    assert found("semiconductors") == ["A proposal"]
    proposal.topics.set([second])
    assert found("semiconductors") == [] and found("aviation") == ["A proposal"]
    ProposalTopic.objects.get(proposal=proposal, topic=second).delete()
    assert found("aviation") == []
    ProposalTopic.objects.create(proposal=proposal, topic=first)
    assert found("semiconductors") == ["A proposal"]
    second.proposals.add(proposal)  # from the topic's side
    assert found("aviation") == ["A proposal"]
    second.proposals.clear()
    assert found("aviation") == []


def test_a_renamed_delegate_or_topic_is_found_by_the_new_name():
    delegate = DelegateFactory(name="Zhang San", name_zh="张三")
    topic = TopicFactory(name="Old topic name", slug="old")
    child = TopicFactory(name="Child", slug="child", parent=topic)
    proposal = ProposalFactory(delegate=delegate, title="A proposal")
    proposal.topics.add(child)
    delegate.name, delegate.name_zh = "Li Si", "李四"
    delegate.save()
    assert found("lisi") == ["A proposal"] and found("李四") == ["A proposal"]
    assert found("zhangsan") == []
    topic.name = "Hydrogen"
    topic.save()
    assert found("hydrogen") == ["A proposal"]  # a parent's name finds its children's


def test_a_deleted_proposal_takes_its_row_along():
    proposal = ProposalFactory(title="Soon gone")
    proposal.topics.add(TopicFactory())
    proposal.delete()
    assert not ProposalSearch.objects.exists()
    assert found("gone") == []


def test_an_import_indexes_what_it_writes(import_topics, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert run(csv_bytes(THREE_ROWS)).ok
    assert "Build high-power charging" in found("charging")
    assert "Plan compute nationally" in found("mahuateng")  # the delegate it created


def test_rebuild_search_restores_rows_written_past_the_signals(real_data):
    Proposal.objects.filter(title="Expand battery-swapping stations and standards").update(
        title="Expand hydrogen refuelling stations"
    )
    ProposalSearch.objects.all().delete()
    assert found("hydrogen") == []
    out = io.StringIO()
    call_command("rebuild_search", stdout=out)
    assert "Indexed 269 proposals" in out.getvalue()
    assert "Expand hydrogen refuelling stations" in found("hydrogen")
    assert ProposalSearch.objects.count() == Proposal.objects.count()


def test_load_real_data_indexes_the_loaded_proposals(db):
    call_command("load_real_data", stdout=io.StringIO())
    assert ProposalSearch.objects.count() == Proposal.objects.count() == 269
    assert found("leijun")


def test_generated_demo_data_is_indexed_and_removed(real_data):
    call_command("generate_demo_data", proposals=300, seed=3, verbosity=0)
    generated = Proposal.objects.filter(is_generated=True)
    assert ProposalSearch.objects.filter(proposal__in=generated).count() == 300
    call_command("generate_demo_data", remove=True, verbosity=0)
    assert ProposalSearch.objects.count() == Proposal.objects.count() == 269


def test_company_names_find_the_proposals_of_the_years_a_role_was_held():
    from tests.factories import AffiliationFactory, AnnualSessionFactory, CompanyFactory

    delegate = DelegateFactory(name="Zhang San")
    company = CompanyFactory(name="Acme Robotics", name_zh="艾克米")
    early = ProposalFactory(delegate=delegate, session=AnnualSessionFactory(year=2015))
    late = ProposalFactory(delegate=delegate, session=AnnualSessionFactory(year=2021))
    role = AffiliationFactory(delegate=delegate, company=company, start_year=2020)
    assert found("acme") == [late.title] and found("艾克米") == [late.title]
    role.start_year = None
    role.save()
    assert set(found("acme")) == {early.title, late.title}
    company.name = "Acme Automation"
    company.save()
    assert found("robotics") == [] and len(found("automation")) == 2
    role.delete()
    assert found("acme") == []


def test_the_rows_carry_the_topic_and_group_ids_through_tagging_and_moves():
    # A search's topic facet counts these on PostgreSQL (proposals.facet_sql).
    space = TopicFactory(name="Space", slug="space")
    energy = TopicFactory(name="Energy", slug="energy")
    quasars = TopicFactory(name="Quasar observatories", slug="quasars", parent=space)
    launchers = TopicFactory(name="Launchers", slug="launchers", parent=space)
    proposal = ProposalFactory(title="A proposal")
    proposal.topics.set([quasars, launchers])

    def ids() -> tuple[list[int], list[int]]:
        row = ProposalSearch.objects.get(proposal=proposal)
        return row.topic_ids, row.group_ids

    assert ids() == (sorted([quasars.pk, launchers.pk]), [space.pk])  # one group, once
    launchers.parent = energy
    launchers.save()
    assert ids() == (sorted([quasars.pk, launchers.pk]), sorted([space.pk, energy.pk]))
    assert found("energy") == ["A proposal"]
    proposal.topics.set([space])  # a top-level topic is its own group
    assert ids() == ([space.pk], [space.pk])


@postgres_only
def test_on_postgresql_a_row_keeps_only_its_vector_and_other_updates_keep_it():
    # The text only fed the vector and doubled the width of rows every search reads.
    proposal = ProposalFactory(title="Build a social emergency network")
    row = ProposalSearch.objects.get(proposal=proposal)
    assert (row.title, row.names, row.summary, row.topics) == ("", "", "", "")
    ProposalSearch.objects.filter(proposal=proposal).update(topic_ids=[])
    assert found("emergency") == ["Build a social emergency network"]
