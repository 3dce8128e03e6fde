"""The list's facets as an analyst uses them: a chosen option never leaves the form,
delegate and company facets list everyone and take several values."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db
URL = "/proposals/"


def checked(page: str, name: str) -> set[str]:
    """The values of the checked inputs called `name` in the page."""
    return {
        m.group(1)
        for m in re.finditer(
            rf'<input type="(?:checkbox|radio)" name="{name}" value="([^"]*)" checked>', page
        )
    }


def option_count(page: str, name: str, value: str) -> int:
    """The count shown beside one facet option."""
    match = re.search(
        rf'name="{name}" value="{re.escape(value)}"[^>]*>.*?<span class="count"[^>]*>(\d+)</span>',
        page,
        re.S,
    )
    assert match, f"no {name}={value} option"
    return int(match.group(1))


def test_a_chosen_year_with_no_results_stays_checked_with_its_zero(client, real_data):
    """The issue's URL: 2021 has no battery-swapping NPC suggestion, so its option was
    not rendered and the next Apply dropped year=2021 from the URL."""
    response = client.get(f"{URL}?topic=battery-swapping&year=2021&year=2022&body=npc")
    page = response.content.decode()
    assert response.status_code == 200
    assert checked(page, "year") == {"2021", "2022"}
    assert option_count(page, "year", "2021") == 0
    assert checked(page, "topic") == {"battery-swapping"}
    assert checked(page, "body") == {"npc"}


def chips(response) -> list[str]:
    return [chip["label"] for chip in response.context["chips"]]


def test_several_delegates_are_any_of_them(client, real_data):
    """Was a 400 ("Give this parameter once")."""
    response = client.get(f"{URL}?delegate=lei-jun&delegate=pony-ma")
    assert response.status_code == 200
    assert response.context["facets"].total == 33 + 47
    page = response.content.decode()
    assert checked(page, "delegate") == {"lei-jun", "pony-ma"}
    assert chips(response) == ["Lei Jun", "Pony Ma"]
    # Each chosen delegate's count is what it alone would give under the other filters.
    assert option_count(page, "delegate", "lei-jun") == 33
    assert option_count(page, "delegate", "pony-ma") == 47


def test_several_companies_and_across_facets_all_of_them(client, real_data):
    both = client.get(f"{URL}?company=xiaomi&company=tencent")
    assert both.status_code == 200
    assert checked(both.content.decode(), "company") == {"xiaomi", "tencent"}
    alone = [
        client.get(f"{URL}?company={c}").context["facets"].total for c in ("xiaomi", "tencent")
    ]
    assert both.context["facets"].total == sum(alone)
    # AND across facets: the delegates' proposals filed while at Xiaomi.
    narrowed = client.get(f"{URL}?delegate=lei-jun&delegate=pony-ma&company=xiaomi")
    assert narrowed.context["facets"].total == 33
    assert chips(narrowed) == ["Lei Jun", "Pony Ma", "Xiaomi"]


def test_a_chosen_delegate_outside_the_top_stays_checked_with_its_count(client, real_data):
    page = client.get(f"{URL}?delegate=liu-qiangdong").content.decode()
    assert checked(page, "delegate") == {"liu-qiangdong"}
    assert option_count(page, "delegate", "liu-qiangdong") == 1
    none_that_year = client.get(f"{URL}?delegate=liu-qiangdong&delegate=lei-jun&year=2013")
    page = none_that_year.content.decode()
    assert checked(page, "delegate") == {"liu-qiangdong", "lei-jun"}
    assert option_count(page, "delegate", "liu-qiangdong") == 0


def test_the_delegate_facet_lists_the_top_then_everyone_on_request(client, real_data):
    response = client.get(URL)
    page = response.content.decode()
    assert len(response.context["facets"]["delegate"]) == 12
    assert 'href="?facet=delegate#filters"' in page and "Show all delegates" in page
    whole = client.get(f"{URL}?facet=delegate")
    options = {o.value: o.count for o in whole.context["facets"]["delegate"]}
    # Everyone with a proposal, each with a count: those the top 12 left out too.
    assert len(options) == 23
    assert options["zhou-yunjie"] == 10 and options["dong-mingzhu"] == 11
    assert options["liu-qiangdong"] == 1
    assert "Show the top ones only" in whole.content.decode()
    # The choice survives Apply: the form carries facet=delegate as a hidden input.
    assert '<input type="hidden" name="facet" value="delegate">' in whole.content.decode()
    assert len(client.get(f"{URL}?facet=company").context["facets"]["company"]) > 12


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("delegate=lei-jun&delegate=nobody", "delegate", "No delegate is called “nobody”"),
        ("company=xiaomi&company=nothing", "company", "No company is called “nothing”"),
        ("delegate=Lei%20Jun", "delegate", "is not a slug"),
        ("facet=everything", "facet", "not one of the available choices"),
    ],
)
def test_bad_people_values_answer_400_naming_the_field(client, real_data, query, field, message):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    errors = {e.field: e.message for e in response.context["errors"]}
    assert field in errors and message in errors[field], errors


def test_a_list_of_several_people_keeps_its_query_budget(
    client, django_assert_num_queries, real_data
):
    client.get(URL)  # warm the topic-tree cache, as any running site has
    # 2 lookups (delegates, companies); TrendCount cannot count under people, so every
    # facet counts proposals, in 3 passes (the list's own selection, the one without
    # the delegates, the one without the companies); the page and its topics.
    with django_assert_num_queries(7):
        client.get(f"{URL}?delegate=lei-jun&delegate=pony-ma&company=xiaomi&company=tencent")
    with django_assert_num_queries(5):  # no company lookup; 2 passes
        client.get(f"{URL}?delegate=lei-jun&delegate=robin-li&delegate=pony-ma&facet=delegate")


def test_several_people_are_counted_from_proposals_not_trendcount(real_data):
    from django.http import QueryDict

    from proposals.facets import counted_in_aggregates
    from proposals.filters import ProposalFilter
    from proposals.models import Proposal

    for query in ("delegate=lei-jun&delegate=pony-ma", "company=xiaomi&company=tencent"):
        chosen = ProposalFilter(QueryDict(query), queryset=Proposal.objects.visible())
        assert chosen.is_valid()
        assert not counted_in_aggregates(chosen)
    shown_whole = ProposalFilter(
        QueryDict("facet=delegate&year=2022&sort=oldest"), Proposal.objects.visible()
    )
    assert shown_whole.is_valid() and counted_in_aggregates(shown_whole)


def test_a_trend_still_takes_one_delegate(client, real_data):
    response = client.get("/trends/topics.json?delegate=lei-jun&delegate=pony-ma")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"field": "delegate", "message": "Give this parameter once."}]
    }
