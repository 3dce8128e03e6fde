"""The public side of issue 13: timeline, chain, outcome filters and facets, the chart
and its endpoint, each page's query count pinned with two related rows per relation."""

from __future__ import annotations

import json

import pytest

from proposals.models import OutcomeEvent, Proposal
from tests.factories import (
    AnnualSessionFactory,
    DelegateFactory,
    ProposalFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain() -> list[Proposal]:
    """One delegate's ask filed three times, the last with two events, each sourced."""
    delegate = DelegateFactory(name="Dong Test", slug="dong-test")
    topics = [TopicFactory(), TopicFactory()]
    filings = []
    for year in (2021, 2022, 2024):
        filings.append(
            ProposalFactory(
                delegate=delegate,
                session=AnnualSessionFactory(year=year),
                title=f"Raise the threshold ({year})",
                topics=topics,
                sources=[SourceFactory(), SourceFactory()],
                repeats=filings[-1] if filings else None,
            )
        )
    last = filings[-1]
    OutcomeEvent.objects.create(proposal=last, kind="registered", when="2024-04")
    OutcomeEvent.objects.create(
        proposal=last,
        kind="replied",
        when="2024-09",
        department="Ministry of Finance",
        source=SourceFactory(),
        caveat="Self-report",
    )
    ProposalFactory(session=last.session, topics=topics)  # not in the chain, no outcome
    return filings


def test_the_proposal_page_shows_timeline_and_chain_in_fixed_queries(
    client, chain, django_assert_num_queries
):
    client.get("/topics/")  # a running site has the topic tree cached
    last = chain[-1]
    # proposal, topics, sources, outcome events (with their sources), the chain, the
    # related proposals
    with django_assert_num_queries(6):
        page = client.get(f"/proposals/{last.pk}/").content.decode()
    assert "Ministry of Finance" in page and "Self-report" in page
    assert "The same ask, filed 2021, 2022, 2024." in page
    assert page.index("Registered") < page.index("Replied")
    first = client.get(f"/proposals/{chain[0].pk}/").content.decode()
    assert "Not known." in first and "filed 2021, 2022, 2024" in first


def test_the_list_filters_and_facets_by_outcome(client, chain, django_assert_num_queries):
    client.get("/topics/")
    # the rows and their topics; facets: the grid and topics (from TrendCount, which
    # counts the derived status), and one pass for delegates, companies and filed again
    with django_assert_num_queries(5):
        response = client.get("/proposals/?outcome=known")
    assert [p.pk for p in response.context["page_obj"]] == [chain[-1].pk]
    facets = response.context["facets"]
    assert {o.value: o.count for o in facets["status"]}["answered"] == 1
    assert {o.value: o.count for o in facets["filed_again"]} == {"yes": 1, "no": 0}
    again = client.get("/proposals/?filed_again=yes")
    assert {p.pk for p in again.context["page_obj"]} == {p.pk for p in chain}
    once = client.get("/proposals/?filed_again=no")
    assert len(once.context["page_obj"]) == 1
    assert client.get("/proposals/?status=answered").context["page_obj"][0] == chain[-1]


def test_a_bad_outcome_value_is_a_400_naming_the_field(client):
    response = client.get("/proposals/?filed_again=maybe")
    assert response.status_code == 400
    assert "filed_again" in response.content.decode() or "Filed again" in response.content.decode()
    data = client.get("/proposals/export.json?outcome=perhaps")
    assert data.status_code == 400
    assert json.loads(data.content)["errors"][0]["field"] == "outcome"


def test_the_delegate_page_shows_known_outcomes_and_repeated_asks(
    client, chain, django_assert_num_queries
):
    client.get("/topics/")
    client.get("/trends/")
    # 10 with the outcomes and chains, and the echo figures' 2 (issue 12)
    with django_assert_num_queries(12):
        page = client.get("/delegates/dong-test/").content.decode()
    assert "Known outcomes" in page and "Ministry of Finance" in page
    assert "filed 2021, 2022, 2024" in page


def test_the_chart_endpoint_counts_known_and_not_known(client, chain, django_assert_num_queries):
    with django_assert_num_queries(1):
        data = json.loads(client.get("/outcomes/data.json").content)
    with django_assert_num_queries(0):  # cached under the data version
        client.get("/outcomes/data.json")
    rows = {(r["year"], r["body_code"]): r for r in data["table"]}
    assert rows[(2024, "npc")]["known"] == 1 and rows[(2024, "npc")]["unknown"] == 1
    assert rows[(2021, "npc")]["known"] == 0
    not_known = [d for d in data["datasets"] if d["status"] == "submitted"]
    assert all(d is data["datasets"][i * 6] for i, d in enumerate(not_known))  # at the base
    assert client.get("/outcomes/data.json?year=2024").status_code == 400


def test_the_outcomes_page_has_no_inline_script_or_style(client, chain):
    page = client.get("/outcomes/").content.decode()
    assert 'id="outcome-chart-data"' in page and "js/outcome-chart" in page
    assert "<script>" not in page and " style=" not in page
    assert "not known" in page.lower()
