"""Detail and index pages: content on the real data, canonical links, query counts."""

from __future__ import annotations

import pytest

from proposals.models import Proposal
from tests.factories import (
    AffiliationFactory,
    AnnualSessionFactory,
    ProposalFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def proposal(title: str) -> Proposal:
    return Proposal.objects.get(title=title)


def test_proposal_page_shows_role_that_year_sources_and_related(client, real_data):
    ewaste = proposal("Recycle e-waste while protecting personal data")
    response = client.get(f"/proposals/{ewaste.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Recycle e-waste while protecting personal data · Lei Jun, 2022" in page
    assert "NPC suggestion" in page and "13th NPC, 5th session" in page
    assert "Founder, Chairman &amp; CEO" in page and 'href="/companies/xiaomi/"' in page
    assert "https://kuaibao.lzzcloud.net/news_info/855339.html" in page
    assert "Two Sessions 2022: 5 Chinese tech leaders suggest policy directions" in page
    assert "Energy and climate › E-waste" in page
    related = response.context["related"]
    # His newest twelve other proposals: the 2023-2025 ones.
    assert len(related["same_delegate"]) == 12
    assert {p.session_id for p in related["same_delegate"]} == {2023, 2024, 2025}
    assert all(p.delegate_id == ewaste.delegate_id for p in related["same_delegate"])
    assert '<link rel="canonical" href="http://testserver/proposals/' in page


def test_related_proposals_are_the_newest_sharing_a_topic_that_year_and_the_delegates():
    from proposals.selectors import related_proposals

    topic, other = TopicFactory(), TopicFactory()
    shown = ProposalFactory(topics=[topic], session=AnnualSessionFactory(year=2021))
    peers = [
        ProposalFactory(topics=[topic, other], session=shown.session, title=f"Peer {n}")
        for n in "CAB"
    ]
    ProposalFactory(topics=[topic], session=AnnualSessionFactory(year=2020))  # other year
    ProposalFactory(topics=[other], session=shown.session)  # no shared topic
    own = [
        ProposalFactory(
            delegate=shown.delegate, topics=[other], session=AnnualSessionFactory(year=y)
        )
        for y in (2019, 2021, 2020)
    ]
    related = related_proposals(shown, limit=2)
    # The two newest peers, shown by title; the delegate's newest first.
    assert [p.title for p in related["same_topic"]] == ["Peer A", "Peer B"]
    assert [p.pk for p in related["same_delegate"]] == [own[1].pk, own[2].pk]
    assert peers[0] not in related["same_topic"]


def test_role_follows_the_year(client, real_data):
    wang_2019 = Proposal.objects.filter(delegate__name="Wang Fengying", session_id=2019).first()
    wang_2022 = Proposal.objects.filter(delegate__name="Wang Fengying", session_id=2022).first()
    assert (
        "Vice Chair &amp; President" in client.get(f"/proposals/{wang_2019.pk}/").content.decode()
    )
    page_2022 = client.get(f"/proposals/{wang_2022.pk}/").content.decode()
    assert "By <a" in page_2022 and "President" in page_2022 and "Vice Chair" not in page_2022


def test_cppcc_proposal_is_called_a_proposal(client, real_data):
    robin = Proposal.objects.filter(delegate__name="Robin Li", session_id=2022).first()
    assert "CPPCC proposal" in client.get(f"/proposals/{robin.pk}/").content.decode()


def test_delegate_page(client, real_data):
    response = client.get("/delegates/pony-ma/")
    page = response.content.decode()
    assert "<title>Pony Ma 马化腾" in page
    assert "Also known as Ma Huateng" in page
    assert response.context["proposal_count"] == 47
    assert response.context["years_by_body"] == {"npc": 10, "cppcc": 0}
    by_year = response.context["proposals_by_year"]
    years = [year for year, _, _ in by_year]
    assert years == sorted(years, reverse=True) and years[0] == 2022
    assert all(len(items) == count for _, items, count in by_year)  # all listed
    assert sum(count for _, _, count in by_year) == 47
    assert 'type="application/rss+xml"' in page and "/delegates/pony-ma/feed/rss/" in page
    assert "are listed; " not in page


def test_a_prolific_delegates_page_lists_the_newest_and_counts_them_all(client, monkeypatch):
    from public.views import records as views

    monkeypatch.setattr(views, "RECORD_PAGE_LIMIT", 3)
    first = ProposalFactory(session=AnnualSessionFactory(year=2020))
    for year in (2020, 2021, 2021, 2022):
        ProposalFactory(delegate=first.delegate, session=AnnualSessionFactory(year=year))
    response = client.get(first.delegate.get_absolute_url())
    assert response.context["proposal_count"] == 5
    listed = [(y, len(items), n) for y, items, n in response.context["proposals_by_year"]]
    assert listed == [(2022, 1, 1), (2021, 2, 2)]  # 2020's two are counted, not listed
    page = response.content.decode()
    assert "The newest 3 of 5 are listed" in page


def test_company_page_lists_its_people_and_their_proposals(client, real_data):
    response = client.get("/companies/xiaomi/")
    assert response.status_code == 200
    assert [a.delegate.name for a in response.context["affiliations"]] == ["Lei Jun"]
    assert sum(len(items) for _, items in response.context["proposals_by_year"]) == 33


def test_topic_pages(client, real_data):
    tree = client.get("/topics/").context["tree"]
    _, count, children = next(item for item in tree if item[0].slug == "mobility")
    assert count == 51  # with Zeng Yuqun's 2018 battery-tax proposal (batteries)
    assert {c.slug: n for c, n in children}["battery-swapping"] == 3
    response = client.get("/topics/battery-swapping/")
    assert response.context["facets"].total == 3
    assert {o.label for o in response.context["facets"]["delegate"]} == {
        "Li Shufu",
        "Ding Lei",
        "Zeng Yuqun",
    }
    assert "/topics/battery-swapping/feed/atom/" in response.content.decode()


def test_delegate_list_counts_each_delegates_proposals(client, real_data):
    page = client.get("/delegates/").context["page_obj"]
    counts = {d.name: d.proposal_count for d in page.object_list}
    assert counts["Pony Ma"] == 47 and counts["Lei Jun"] == 33
    assert sum(counts.values()) == 269  # one of the 24 (Wang Xiaochuan) has none yet
    assert sorted(n for n in counts.values())[:2] == [0, 1]
    body = client.get("/sessions/").context["sessions"]
    assert sum(counts["total"] for _, counts in body) == 269


def test_session_pages(client, real_data):
    sessions = client.get("/sessions/").context["sessions"]
    by_year = {s.year: counts for s, counts in sessions}
    assert by_year[2022]["total"] == 31 and len(by_year) == 13
    response = client.get("/sessions/2022/")
    assert response.context["count"] == 31
    groups = {root.slug: items for root, items in response.context["groups"]}
    assert len(groups["mobility"]) == 10  # each proposal once, under its main parent topic
    assert response.context["adjacent"] == {2021, 2023}
    assert client.get("/sessions/1999/").status_code == 404


def test_index_pages_and_empty_states(client):
    for url, empty in [
        ("/delegates/", "No delegates yet"),
        ("/companies/", "No companies yet"),
        ("/topics/", "No topics yet"),
        ("/sessions/", "No sessions yet"),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and empty in response.content.decode()


def test_unknown_records_are_404(client):
    for url in ["/proposals/999999/", "/delegates/nobody/", "/companies/none/", "/topics/none/"]:
        assert client.get(url).status_code == 404


def test_staff_see_admin_links_and_the_public_does_not(client, editor_client):
    item = ProposalFactory()
    assert "Edit in the admin" not in client.get(f"/proposals/{item.pk}/").content.decode()
    page = editor_client.get(f"/proposals/{item.pk}/").content.decode()
    assert f'href="/admin/proposals/proposal/{item.pk}/change/"' in page


def _many(n: int) -> None:
    topics = [TopicFactory(), TopicFactory()]
    first = ProposalFactory(topics=topics, sources=[SourceFactory(), SourceFactory()])
    AffiliationFactory(delegate=first.delegate)
    AffiliationFactory(delegate=first.delegate)
    for _ in range(n):
        ProposalFactory(
            delegate=first.delegate, topics=topics, sources=[SourceFactory(), SourceFactory()]
        )
        ProposalFactory(session=first.session, topics=topics)


@pytest.mark.parametrize("n", [2, 12])
def test_page_query_counts_do_not_grow_with_rows(client, django_assert_max_num_queries, n):
    _many(n)
    first = Proposal.objects.order_by("pk").first()
    topic = first.topics.first()
    company = first.delegate.affiliations.first().company
    client.get("/topics/")  # a running site has the topic tree and
    client.get("/trends/")  # the trend catalogue cached
    # The chart on a record page costs one counting query until it is cached.
    budgets = {
        # the proposal, topics, sources, outcome events; its filed-again chain
        f"/proposals/{first.pk}/": 6,
        # the delegate, affiliations, seats; counts per year, top topics, rows, their
        # topics; the trend; known outcomes, repeated asks; the echo figures (the
        # priorities, the tagged proposals)
        f"/delegates/{first.delegate.slug}/": 12,
        "/delegates/": 4,  # count, rows, affiliations, proposal counts of the page
        f"/companies/{company.slug}/": 6,  # and the echo figures (the tagged proposals)
        "/companies/": 2,
        "/topics/": 1,
        f"/topics/{topic.slug}/": 11,  # and the echo figures (the tagged proposals)
        "/sessions/": 2,
        f"/sessions/{first.session_id}/": 6,  # and the echo figures (the tagged proposals)
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget, info=url):
            assert client.get(url).status_code == 200, url


def test_topic_edits_show_at_once_despite_the_cached_tree(client):
    topic = TopicFactory(name="Old name")
    ProposalFactory(topics=[topic])
    assert "Old name" in client.get("/topics/").content.decode()
    topic.name = "New name"
    topic.save()
    page = client.get("/topics/").content.decode()
    assert "New name" in page and "Old name" not in page
