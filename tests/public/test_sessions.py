"""The /sessions/<year>/ pages: the link to the list, the chart beside it, and each
proposal listed once."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_list_link_holds_its_number_and_words_only(client, real_data):
    page = client.get("/sessions/2022/").content.decode()
    link = re.search(r'<a href="/proposals/\?year=2022">(.*?)</a>', page, re.S)
    assert link and link.group(1) == "31 proposals in the list"
    # The chart stands after the header, outside every link.
    header, rest = page.split("</header>", 1)
    assert "trend-chart" not in header and 'id="session-trend"' in rest


def test_each_proposal_is_listed_once(client, real_data):
    response = client.get("/sessions/2021/")
    groups = response.context["groups"]
    listed = [p.pk for _, items in groups for p in items]
    assert len(listed) == len(set(listed)) == response.context["count"] == 38
    # Counted in the topic groups: other parts of the page may cite a proposal too.
    groups_html = response.content.decode().split('<section class="topic-group"', 1)[1]
    assert groups_html.count('<li class="proposal-row">') == 38


def test_a_proposal_sits_under_the_parent_most_of_its_topics_share(client, real_data):
    for root, items in client.get("/sessions/2022/").context["groups"]:
        for proposal in items:
            parents = [t.parent_id or t.pk for t in proposal.topics.all()]
            assert parents.count(root.id) == max(parents.count(p) for p in parents)
