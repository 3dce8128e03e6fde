"""The facets' one pass (proposals.facet_sql) against counting each option on its own
through the ORM: every count the list shows must be what choosing that option gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from delegates.models import Company, Delegate
from proposals import facet_sql
from proposals.facets import facet_counts
from proposals.filters import ProposalFilter
from proposals.models import Proposal, ProposalTopic
from topics.tree import topic_tree

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "q=battery",
    "q=雷军",
    "delegate=lei-jun",
    "delegate=lei-jun&delegate=pony-ma&facet=delegate",
    "company=xiaomi&company=tencent",
    "filed_again=yes",
    "filed_again=no&body=npc",
    "topic=ai&topic=mobility",
    "year=2022&topic=mobility&company=xiaomi&q=charging&status=submitted",
    "year_min=2018&year_max=2020&facet=company",
]


def selection(query: str) -> ProposalFilter:
    filterset = ProposalFilter(QueryDict(query), queryset=Proposal.objects.visible())
    assert filterset.is_valid(), filterset.errors
    return filterset


@pytest.mark.parametrize("query", QUERIES)
def test_every_option_counts_what_choosing_it_gives(real_data, query):
    filterset = selection(query)
    facets = facet_counts(filterset)
    assert facets.total == filterset.qs.count()

    people = filterset.qs_without("delegate")
    for option in facets["delegate"]:
        delegate = Delegate.objects.get(slug=option.value)
        assert option.count == people.filter(delegate=delegate).count(), option.value
    at_companies = filterset.qs_without("company")
    for option in facets["company"]:
        company = Company.objects.get(slug=option.value)
        assert option.count == at_companies.at_company(company).count(), option.value
    others = filterset.qs_without("filed_again")
    for option in facets["filed_again"]:
        assert option.count == others.filed_again(option.value).count(), option.value
    nodes = topic_tree().by_slug
    tagged = filterset.qs_without("topic")
    for option in facets["topic"]:
        for shown in [option, *option.children]:
            expected = tagged.in_topics([nodes[shown.value]]).count()
            assert shown.count == expected, shown.value


@pytest.mark.parametrize("query", QUERIES)
def test_the_people_listed_are_the_top_ones_and_every_chosen_one(real_data, query):
    filterset = selection(query)
    facets = facet_counts(filterset)
    for name, column in [("delegate", "delegate__slug")]:
        counts = {}
        for slug in filterset.qs_without(name).values_list(column, flat=True):
            counts[slug] = counts.get(slug, 0) + 1
        shown = {o.value: o.count for o in facets[name]}
        chosen = {d.slug for d in filterset.form.cleaned_data.get(name) or []}
        assert chosen <= set(shown)
        unchosen = [c for s, c in shown.items() if s not in chosen]
        # Nobody left out has more than the least listed one.
        if unchosen:
            left_out = [c for s, c in counts.items() if s not in shown]
            assert not left_out or max(left_out) <= min(unchosen)


def test_a_selection_that_can_match_nothing_counts_nothing(real_data):
    ask = facet_sql.Ask(
        grid=["body"], topics=True, flags={"filed_again": Proposal.objects.filed_again_condition()}
    )
    counted = facet_sql.count(Proposal.objects.filter(pk__in=[]), ask)
    assert counted.total == 0 and counted.grid == [] and counted.topics == {}
    assert counted.flags == {"filed_again": {"yes": 0, "no": 0}}


def test_each_distinct_selection_is_counted_in_one_statement(real_data, django_assert_num_queries):
    """The list's own selection serves every facet whose parameter is not set; a set
    parameter's facet counts the selection without it: one statement each."""
    topic_tree()  # cached, as on any running site
    filterset = selection("q=battery")  # nothing from TrendCount: all from the proposals
    assert filterset.qs is not None  # PostgreSQL looks up the people a search names here
    with django_assert_num_queries(1):
        facet_counts(filterset)
    filterset = selection("q=battery&delegate=lei-jun&filed_again=yes")
    assert filterset.qs is not None
    with django_assert_num_queries(3):  # the list's own, without delegate, without filed_again
        facet_counts(filterset)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search rows")
@pytest.mark.parametrize("query", ["q=battery", "q=雷军"])
def test_a_search_counts_topics_from_the_rows_it_matched(real_data, query):
    # Joining every topic tag to a search's matches hashed all of them: 0.6 s at a
    # million proposals for a common word. The matched search rows carry the ids.
    with CaptureQueriesContext(connection) as queries:
        facet_counts(selection(query))
    (statement,) = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert "unnest(" in statement
    assert ProposalTopic._meta.db_table not in statement
