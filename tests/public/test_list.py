"""The analysts' proposal list: every filter alone and combined, facets, sorting,
paging, and every kind of bad parameter."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache as django_cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from delegates.models import Body
from proposals import facets
from proposals.facets import counted_in_aggregates, facet_counts
from proposals.filters import ProposalFilter
from proposals.models import Proposal, Status
from tests.factories import (
    AffiliationFactory,
    AnnualSessionFactory,
    CompanyFactory,
    DelegateFactory,
    ProposalFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db
URL = "/proposals/"


def titles(response) -> list[str]:
    return [p.title for p in response.context["page_obj"].object_list]


def total(response) -> int:
    return response.context["facets"].total


# --- Filters on the real data -----------------------------------------------------


# Expected counts were computed from the two fixtures/two_sessions_*.csv files directly,
# not through the code under test.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 269),
        ("year=2022", 31),
        ("year=2021&year=2022", 69),
        ("year_min=2020", 175),
        ("year_min=2018&year_max=2019", 42),  # with Zeng Yuqun's 2018 proposal
        ("body=npc", 163),
        ("body=cppcc", 106),
        ("topic=battery-swapping", 3),
        ("topic=e-waste", 1),
        ("topic=mobility", 51),  # parent: each proposal once, however many sub-topics
        ("topic=battery-swapping&topic=e-waste", 4),  # several topics: any of them
        ("delegate=lei-jun", 33),
        ("company=xiaomi", 33),
        ("status=submitted", 264),
        ("status=adopted", 1),  # Pony Ma's Internet Plus, 2015
        ("q=battery+swapping", 3),  # two by their titles, one by its topic "Battery swapping"
        ("q=雷军", 33),
        ("company=xiaomi&year=2022", 4),
        ("delegate=pony-ma&topic=society&year_min=2020", 7),
        ("body=npc&topic=mobility&year=2022", 7),
    ],
)
def test_filters_on_real_data(client, real_data, query, expected):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert total(response) == expected
    filterset = response.context["filterset"]
    assert filterset.qs.count() == expected  # the facet-derived total is the real count


def test_answer_what_did_xiaomis_founder_propose_on_mobility_in_2022(client, real_data):
    response = client.get(f"{URL}?company=xiaomi&topic=mobility&year=2022")
    assert sorted(titles(response)) == [
        "Build high-power fast-charging infrastructure",
        "Create a carbon-footprint accounting system for NEVs",
    ]


def test_who_proposed_anything_on_battery_swapping_ever(client, real_data):
    response = client.get(f"{URL}?topic=battery-swapping")
    names = {p.delegate.name for p in response.context["page_obj"].object_list}
    assert names == {"Li Shufu", "Ding Lei", "Zeng Yuqun"}


def test_company_filter_uses_the_role_held_that_year():
    person = DelegateFactory()
    old, new = CompanyFactory(name="Old Co"), CompanyFactory(name="New Co")
    AffiliationFactory(delegate=person, company=old, start_year=2010, end_year=2017)
    AffiliationFactory(delegate=person, company=new, start_year=2018, end_year=None)
    before = ProposalFactory(delegate=person, session=AnnualSessionFactory(year=2016))
    after = ProposalFactory(delegate=person, session=AnnualSessionFactory(year=2021))
    assert list(Proposal.objects.at_company(old)) == [before]
    assert list(Proposal.objects.at_company(new)) == [after]


def test_every_facet_count_is_what_choosing_it_gives(client, real_data):
    """Each option's count equals the result count of the URL that selects it."""
    base = "year=2021&body=npc"
    facets = client.get(f"{URL}?{base}").context["facets"]
    checks = [("year", o.value, o.count) for o in facets["year"] if not o.selected] + [
        ("status", o.value, o.count) for o in facets["status"]
    ]
    checks += [("topic", o.value, o.count) for o in facets["topic"]]
    checks += [("topic", c.value, c.count) for o in facets["topic"] for c in o.children][:15]
    checks += [("delegate", o.value, o.count) for o in facets["delegate"]]
    checks += [("company", o.value, o.count) for o in facets["company"]]
    for key, value, count in checks:
        params = QueryDict(base, mutable=True)
        if key == "year":
            # An unselected year's count is what that year alone would add.
            expected = Proposal.objects.filter(body="npc", session_id=int(value)).count()
            assert count == expected, (key, value)
            continue
        params[key] = value
        filterset = ProposalFilter(params, queryset=Proposal.objects.visible())
        assert filterset.is_valid(), filterset.errors
        assert filterset.qs.count() == count, (key, value)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "year=2022",
        "year=2019&year=2021&body=cppcc",
        "year_min=2018&year_max=2020&status=submitted",
        "topic=mobility",  # a parent: its row counts each proposal once
        "topic=battery-swapping&body=npc",
        "year=2022&topic=ai&status=submitted",
        "status=adopted",
    ],
)
def test_facets_read_from_the_trend_table_match_counting_proposals(real_data, monkeypatch, query):
    """Year, body, status and topic facets come from TrendCount when only those filters
    are set; every count must be what counting the proposals gives."""
    filterset = ProposalFilter(QueryDict(query), queryset=Proposal.objects.visible())
    assert filterset.is_valid(), filterset.errors
    assert counted_in_aggregates(filterset)
    from_table = facet_counts(filterset)
    monkeypatch.setattr(facets, "counted_in_aggregates", lambda filterset: False)
    from_proposals = facet_counts(filterset)
    assert from_table == from_proposals
    assert from_table.total == filterset.qs.count()


@pytest.mark.parametrize(
    "query", ["q=battery", "delegate=lei-jun", "company=xiaomi", "topic=ai&topic=mobility"]
)
def test_facets_of_searches_people_and_topic_unions_count_proposals(real_data, query):
    filterset = ProposalFilter(QueryDict(query), queryset=Proposal.objects.visible())
    assert filterset.is_valid(), filterset.errors
    assert not counted_in_aggregates(filterset)


def test_status_edits_move_the_status_facet(client, real_data):
    proposal = Proposal.objects.filter(session_id=2022, topics__parent__slug="mobility").first()
    url = f"{URL}?year=2022&topic=mobility"
    before = {o.value: o.count for o in client.get(url).context["facets"]["status"]}
    proposal.status = Status.ADOPTED
    proposal.save()
    after = {o.value: o.count for o in client.get(url).context["facets"]["status"]}
    assert after["submitted"] == before["submitted"] - 1
    assert after["adopted"] == 1 and "adopted" not in before
    assert total(client.get(f"{url}&status=adopted")) == 1


def test_facets_use_a_fixed_number_of_queries(django_assert_max_num_queries, real_data):
    for query in ["", "year=2022&topic=mobility&company=xiaomi&q=charging&status=submitted"]:
        filterset = ProposalFilter(QueryDict(query), queryset=Proposal.objects.visible())
        assert filterset.is_valid()
        with django_assert_max_num_queries(7):  # + the filed-again facet
            facet_counts(filterset)


# --- Sorting and paging ------------------------------------------------------------


def test_sorts(client, real_data):
    newest = client.get(URL).context["page_obj"].object_list
    assert newest[0].session_id == 2025
    oldest = client.get(f"{URL}?sort=oldest").context["page_obj"].object_list
    assert oldest[0].session_id == 2013
    by_name = client.get(f"{URL}?sort=delegate").context["page_obj"].object_list
    assert by_name[0].delegate.name == "Ding Lei"
    relevant = client.get(f"{URL}?q=battery+swapping&sort=relevance")
    # The two title matches (either first), then the one matched by its topic's name.
    assert set(titles(relevant)[:2]) == {
        "Expand battery-swapping stations and standards",
        "Set national standards for NEV batteries and swapping",
    }
    assert titles(relevant)[2] == "Speed up electrification of heavy trucks"
    # Relevance without a search falls back to newest first.
    assert client.get(f"{URL}?sort=relevance").context["sort"] == "newest"


def test_a_search_lists_best_matches_first_unless_told_otherwise(client, real_data):
    searched = client.get(f"{URL}?q=battery+swapping")
    assert searched.context["sort"] == "relevance"
    # The two title matches (either first), then the one matched by its topic's name.
    assert set(titles(searched)[:2]) == {
        "Expand battery-swapping stations and standards",
        "Set national standards for NEV batteries and swapping",
    }
    assert titles(searched)[2] == "Speed up electrification of heavy trucks"
    newest = client.get(f"{URL}?q=battery+swapping&sort=newest").context["page_obj"]
    assert newest.object_list[0].session_id == max(p.session_id for p in newest.object_list)
    # The order in force by default is sent as no value: typing a search into the form
    # of an unsearched list must not pin it to "newest".
    page = client.get(URL).content.decode()
    assert '<option value="" selected>Newest first</option>' in page
    assert '<option value="oldest">Oldest first</option>' in page
    chosen = client.get(f"{URL}?sort=newest").content.decode()
    assert '<option value="newest" selected>Newest first</option>' in chosen


def test_pages_of_25_keep_the_filters(client, real_data):
    first = client.get(f"{URL}?body=npc")
    assert len(titles(first)) == 25
    assert first.context["page_obj"].paginator.num_pages == 7  # 163 NPC suggestions
    page = first.content.decode()
    assert "body=npc&amp;page=2" in page
    last = client.get(f"{URL}?body=npc&page=7")
    assert len(titles(last)) == 13
    assert client.get(f"{URL}?body=npc&page=8").status_code == 404


def test_list_works_without_javascript_and_holds_state_in_the_url(client, real_data):
    page = client.get(f"{URL}?year=2022&topic=mobility").content.decode()
    assert '<form id="filters" class="filters" method="get" action="/proposals/"' in page
    assert 'name="year" value="2022" checked' in page
    assert 'name="topic" value="mobility" checked' in page
    # Only a static module that trims empty controls (it works without it): nothing inline.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    assert all(body == "" for body in scripts) and 'style="' not in page


def test_empty_results_say_what_to_do(client, real_data):
    page = client.get(f"{URL}?q=zzzzqqq").content.decode()
    assert "No proposal matches these filters" in page


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, rows):
    topics = [TopicFactory(), TopicFactory()]
    for _ in range(rows):
        ProposalFactory(topics=topics)
    client.get("/topics/")  # a running site has the topic tree cached
    with django_assert_max_num_queries(7):  # 5 facet queries, the page, its topics
        response = client.get(URL)
    assert total(response) == rows
    year = topics[0].proposals.first().session_id
    expected = Proposal.objects.filter(session_id=year, topics=topics[0]).count()
    with django_assert_max_num_queries(7):
        assert total(client.get(f"{URL}?year={year}&topic={topics[0].slug}")) == expected


def test_filtered_list_query_count(client, django_assert_max_num_queries, real_data):
    client.get(URL)  # warm the topic-tree cache, as any running site has
    # The delegate and company lookups, 5 facet passes (each facet's own selection), the
    # page and its topics; on PostgreSQL also the people and companies the search text
    # names, looked up once before the search (proposals.querysets._named_by), and the
    # four statements of search_plans() (inside the test's transaction: a savepoint,
    # merge joins off, back on, the savepoint released).
    budget = 9 + 5 * (connection.vendor == "postgresql")
    with django_assert_max_num_queries(budget):
        client.get(f"{URL}?year=2022&topic=mobility&company=xiaomi&delegate=lei-jun&q=charging")


def test_generated_proposals_are_not_listed(client):
    ProposalFactory(title="Shown")
    hidden = ProposalFactory(title="Hidden")
    Proposal.objects.filter(pk=hidden.pk).update(is_generated=True)
    response = client.get(URL)
    assert titles(response) == ["Shown"]
    assert client.get(f"/proposals/{hidden.pk}/").status_code == 404


# --- Bad parameters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("year=abc", "year", "is not a year"),
        ("year=1800", "year", "outside"),
        ("body=xyz", "body", "not one of the available choices"),
        ("topic=no-such-topic", "topic", "is not a topic"),
        ("delegate=nobody", "delegate", "No delegate is called “nobody”"),
        ("company=nothing", "company", "No company is called “nothing”"),
        ("status=lost", "status", "not one of the available choices"),
        (
            "year_min=2022&year_max=2013",
            "year_max",
            "“To year” (2013) is before “From year” (2022)",
        ),
        ("year_min=soon", "year_min", "Enter a whole number"),
        ("page=-1", "page", "numbered from 1"),
        ("page=abc", "page", "not a page number"),
        ("page=1&page=2", "page", "once"),
        ("body=npc&body=cppcc", "body", "once"),
        ("q=" + "x" * 10_000, "q", "at most 200 characters"),
        ("q=a%00b", "q", "Null characters"),
        ("topic=ai%00", "topic", "Null characters"),
        ("sort=random", "sort", "not one of the available choices"),
    ],
)
def test_bad_parameters_answer_400_naming_the_field(client, real_data, query, field, message):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    errors = {e.field: e.message for e in response.context["errors"]}
    assert field in errors and message in errors[field], errors
    assert f"<code>{field}</code>" in response.content.decode()


def test_unknown_parameters_are_ignored(client, real_data):
    response = client.get(f"{URL}?utm_source=newsletter&year=2022")
    assert response.status_code == 200 and total(response) == 31


def test_repeated_topic_and_year_keys_are_fine(client, real_data):
    response = client.get(f"{URL}?topic=ai&topic=ai&year=2022&year=2022")
    assert response.status_code == 200


def test_status_facet_and_body_labels_on_the_page(client):
    ProposalFactory(body=Body.NPC, status=Status.ADOPTED)
    page = client.get(f"{URL}?status=adopted").content.decode()
    assert "Reflected in law or policy" in page


def test_deep_pages_fetch_ids_first_and_keep_the_order(client, settings, monkeypatch):
    from public import pagination as views

    monkeypatch.setattr(views, "DEEP_OFFSET", 25)  # make page 2 a "deep" page
    topic = TopicFactory()
    made = [ProposalFactory(topics=[topic]) for _ in range(60)]
    expected = [p.pk for p in Proposal.objects.newest_first()]
    seen = []
    for page in (1, 2, 3):
        response = client.get(f"{URL}?page={page}")
        seen += [p.pk for p in response.context["page_obj"].object_list]
    assert seen == expected and len(made) == 60
    assert response.context["page_obj"].object_list[0].topics.all()[0] == topic


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("filters", ["", "body=npc&", "topic=mobility&", "year=2021&year=2022&"])
def test_deep_pages_skip_whole_years_and_list_what_offsets_would(
    client, real_data, monkeypatch, sort, filters
):
    from public import pagination as views

    monkeypatch.setattr(views, "DEEP_OFFSET", 25)
    order = {"newest": ("-session_id", "-pk"), "oldest": ("session_id", "pk")}[sort]
    filterset = ProposalFilter(QueryDict(filters), queryset=Proposal.objects.visible())
    assert filterset.is_valid()
    expected = list(filterset.qs.order_by(*order).values_list("pk", flat=True))
    seen, page = [], 1
    while True:
        response = client.get(f"{URL}?{filters}sort={sort}&page={page}")
        if response.status_code == 404:
            break
        # Pages end mid-year and run across years: 25 never lines up with a year.
        seen += [p.pk for p in response.context["page_obj"].object_list]
        page += 1
    assert seen == expected and len(expected) > 25
    # ...and found the deep pages' ids from the year they start in, not by an offset
    # counted from the first result.
    django_cache.clear()  # rendered anew (an unknown parameter no longer does that)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{URL}?{filters}sort={sort}&page=2")
    bound = '"session_id" <= ' if sort == "newest" else '"session_id" >= '
    assert any(bound in q["sql"] for q in queries.captured_queries)


def test_repeat_visits_reuse_cached_facets_and_edits_show_at_once(
    client, django_assert_max_num_queries
):
    topic = TopicFactory()
    first = ProposalFactory(topics=[topic])
    client.get("/topics/")
    url = f"{URL}?topic={topic.slug}&sort=oldest"
    assert total(client.get(url)) == 1
    with django_assert_max_num_queries(2):  # the page and its topics; facets cached
        client.get(f"{URL}?topic={topic.slug}&sort=newest")  # sort does not change facets
    ProposalFactory(topics=[topic], delegate=first.delegate)  # any write retires the cache
    assert total(client.get(url)) == 2


def test_search_results_show_their_matches_marked_and_markup_as_text(client, db):
    """No snippet showed why a row matched (issue 14); a title holding markup must stay
    text."""
    ProposalFactory(title="Fund <b>AI</b> labs", summary="Compute for <i>universities</i>.")
    ProposalFactory(
        title="Open public datasets",
        summary="Universities need " + "much more " * 30 + "shared AI training data.",
    )
    page = client.get(URL, {"q": "AI"}).content.decode()
    assert "Fund &lt;b&gt;<mark>AI</mark>&lt;/b&gt; labs" in page
    assert "<b>AI</b>" not in page
    assert "shared <mark>AI</mark> training data." in page  # the summary's match, excerpted
    page = client.get(URL, {"q": "universities"}).content.decode()
    assert "Compute for &lt;i&gt;<mark>universities</mark>&lt;/i&gt;." in page


def test_a_chinese_page_marks_the_chinese_title(client, db):
    ProposalFactory(title="Recycle power batteries", title_zh="推进动力电池回收")
    page = client.get("/zh-hans/proposals/", {"q": "电池"}).content.decode()
    assert "推进<mark>动力电池</mark>回收" in page
