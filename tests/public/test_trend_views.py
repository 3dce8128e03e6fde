"""The trend pages and endpoints: /trends/topics.json and .csv, the /trends/ explorer,
the dashboard's charts, the reusable chart include, and what each costs in queries."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.template import Context, Template

from core import cache as data_cache
from proposals.models import ProposalTopic
from tests.factories import AnnualSessionFactory, DelegateFactory, ProposalFactory, TopicFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db

TEN_KB = "a" * 10_000


def empty_cache() -> None:
    """A cold cache as a new process finds it: entries gone and the data version read
    anew (a process holds the version, and the topic tree under it, between reads)."""
    cache.clear()
    data_cache.forget_held_version()


def errors(response) -> dict[str, list[str]]:
    """The data endpoints' one error format, {"errors": [{"field", "message"}]}, by field."""
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    grouped: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        assert set(error) == {"field", "message"}
        grouped.setdefault(error["field"], []).append(error["message"])
    return grouped


@pytest.fixture
def some_proposals(db) -> dict:
    """Two delegates, two years, two top-level topics with two sub-topics each."""
    roots = [TopicFactory(name="Energy"), TopicFactory(name="Society")]
    leaves = [TopicFactory(parent=root) for root in roots for _ in range(2)]
    delegates = [DelegateFactory(slug="dee"), DelegateFactory(slug="eve")]
    for year in (2021, 2022):
        session = AnnualSessionFactory(year=year)
        for delegate in delegates:
            ProposalFactory(session=session, delegate=delegate, topics=leaves[:2])
            ProposalFactory(session=session, delegate=delegate, topics=leaves[1:])
    return {"roots": roots, "leaves": leaves}


# --- /trends/topics.json and .csv -------------------------------------------------------


def test_json_answers_the_documented_shape_on_real_data(client, real_data):
    response = client.get("/trends/topics.json?topic=battery-swapping&topic=e-waste")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    colors = dict(Topic.objects.values_list("slug", "color"))
    assert response.json() == {
        "measure": "count",
        "years": list(range(2013, 2026)),
        "series": [
            {
                "topic": "battery-swapping",
                "name": "Battery swapping",
                "color": colors["battery-swapping"],
                "values": [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0],
            },
            {
                "topic": "e-waste",
                "name": "E-waste",
                "color": colors["e-waste"],
                "values": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
            },
        ],
    }


def test_json_share_is_a_rounded_fraction_and_a_gap_is_null(client, real_data):
    response = client.get("/trends/topics.json?delegate=ding-lei&measure=share")
    text = response.content.decode()
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert data["measure"] == "share" and data["years"] == [2018, 2019, 2020, 2021, 2022]
    values = [v for s in data["series"] for v in s["values"]]
    assert all(s["values"][1] is None for s in data["series"])  # no proposals in 2019
    assert all(0 <= v <= 1 and round(v, 4) == v for v in values if v is not None)


def test_json_defaults_to_the_eight_biggest_topics(client, real_data):
    data = client.get("/trends/topics.json").json()
    assert len(data["series"]) == 8 and data["series"][0]["topic"] == "digital-economy-business"
    assert client.get("/trends/topics.json?year_min=2022&year_max=2022").json()["series"][0] == {
        "topic": "mobility",
        "name": "Mobility",
        "color": "#2ca02c",
        "values": [13],
    }


def test_csv_downloads_the_same_numbers(client, real_data):
    response = client.get("/trends/topics.csv?topic=battery-swapping&measure=share")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="topic-trends.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 13
    assert rows[9] == {
        "year": "2022",
        "topic": "battery-swapping",
        "name": "Battery swapping",
        "parent": "Mobility",
        "count": "1",
        "share": "0.0323",
        "year_total": "31",
        "change": "0",
        "rank": "1",
    }


@pytest.mark.parametrize("path", ["/trends/topics.json", "/trends/topics.csv"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year_min=abc", "year_min"),
        ("year_max=2022.5", "year_max"),
        ("year_min=1800", "year_min"),
        ("year_min=2022&year_max=2020", "year_max"),
        ("measure=foo", "measure"),
        ("measure=count&measure=share", "measure"),
        ("topic=unknown", "topic"),
        ("topic=Battery%20swapping", "topic"),
        ("body=xyz", "body"),
        ("delegate=nobody", "delegate"),
        ("company=nobody", "company"),
        ("delegate=bad%2Fslug", "delegate"),
        ("topic=ai%00", "topic"),
        ("delegate=lei-jun%00", "delegate"),
        ("body=%00", "body"),
        ("year_min=%00", "year_min"),
        ("colour=red", "colour"),
        (f"topic={TEN_KB}", "topic"),
        (f"delegate={TEN_KB}", "delegate"),
        (f"year_min={'9' * 10_000}", "year_min"),
        (f"measure={TEN_KB}", "measure"),
        (f"{TEN_KB}=1", TEN_KB[:40]),
    ],
)
def test_invalid_parameters_answer_400_with_field_and_reason(
    client, some_proposals, path, query, field
):
    response = client.get(f"{path}?{query}")
    problems = errors(response)
    assert list(problems) == [field]
    assert problems[field] and all(problems[field])
    assert len(response.content) < 500  # a huge value is never echoed back


def test_at_most_twelve_topics(client, real_data):
    slugs = list(Topic.objects.order_by("slug").values_list("slug", flat=True)[:13])
    query = "&".join(f"topic={slug}" for slug in slugs)
    assert errors(client.get(f"/trends/topics.json?{query}")) == {
        "topic": ["Choose at most 12 topics (got 13)."]
    }
    assert client.get(f"/trends/topics.json?{query.rsplit('&', 1)[0]}").status_code == 200


def test_json_and_csv_query_counts(client, some_proposals, django_assert_num_queries):
    empty_cache()
    for path in ("/trends/topics.json", "/trends/topics.csv"):
        with django_assert_num_queries(2):  # topic catalogue, one counting query
            assert client.get(f"{path}?measure=share").status_code == 200
        with django_assert_num_queries(0):  # cached: not even the catalogue
            client.get(f"{path}?measure=share")
        with django_assert_num_queries(1):  # another trend; the catalogue is cached
            client.get(f"{path}?body=npc&year_min=2022")
        empty_cache()
        with django_assert_num_queries(2):  # a delegate's rows, and the delegate exists
            assert client.get(f"{path}?delegate=dee").status_code == 200
        with django_assert_num_queries(0):
            client.get(f"{path}?delegate=dee")
        empty_cache()
        with django_assert_num_queries(0):  # a bad measure needs no query at all
            assert client.get(f"{path}?measure=foo").status_code == 400
        empty_cache()


def test_json_query_count_does_not_grow_with_proposals(
    client, some_proposals, django_assert_num_queries
):
    for _ in range(25):
        ProposalFactory(
            session=AnnualSessionFactory(year=2022), topics=some_proposals["leaves"][::2]
        )
    for query in ("", "delegate=dee", "body=npc&measure=share", "company=nobody-yet"):
        empty_cache()
        with django_assert_num_queries(2):
            client.get(f"/trends/topics.json?{query}")


def test_an_edit_in_the_admin_shows_on_the_next_load(client, editor_client, real_data):
    url = "/trends/topics.json?topic=battery-swapping&topic=mobility&year_max=2022"
    before = client.get(url).json()
    assert [s["values"][-1] for s in before["series"]] == [1, 13]
    link = ProposalTopic.objects.get(topic__slug="battery-swapping", proposal__session=2022)
    response = editor_client.post(
        f"/admin/proposals/proposaltopic/{link.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    after = client.get(url).json()
    # Still on Mobility through its other sub-topics; battery swapping itself is gone.
    assert [s["values"][-1] for s in after["series"]] == [0, 13]
    topic = Topic.objects.get(slug="battery-swapping")
    response = editor_client.post(
        f"/admin/topics/topic/{topic.pk}/change/",
        {
            "name": "Battery swapping",
            "slug": topic.slug,
            "description": topic.description,
            "parent": topic.parent_id,
            "color": "#123456",
        },
    )
    assert response.status_code == 302
    assert client.get(url).json()["series"][0]["color"] == "#123456"


# --- /trends/, the explorer ---------------------------------------------------------------


def test_explorer_keeps_its_state_in_the_url(client, real_data):
    query = "topic=mobility&topic=e-waste&measure=share&body=npc&chart=area"
    response = client.get(f"/trends/?{query}")
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["kind"] == "area" and chart["measure"] == "share"
    assert [row["topic"] for row in chart["rows"]] == ["mobility", "e-waste"]
    assert (
        chart["csv_url"] == "/trends/topics.csv?topic=mobility&topic=e-waste&measure=share&body=npc"
    )
    page = response.content.decode()
    assert re.search(r'value="mobility" checked', page)
    assert re.search(r'value="e-waste" checked', page)
    assert re.search(r'value="share" checked', page)
    assert re.search(r'value="npc" selected', page)
    assert re.search(r'value="area" checked', page)
    assert 'id="trend-data" type="application/json"' in page
    # A number in the table opens the proposal list for that topic, year and body.
    assert 'href="/proposals/?topic=mobility&amp;year=2022&amp;body=npc"' in page
    assert "<caption" in page and 'scope="row"' in page and 'scope="col"' in page


def test_explorer_draws_one_year_as_bars(client, real_data):
    response = client.get("/trends/?year_min=2022&year_max=2022")
    assert response.context["chart"]["kind"] == "bar"
    assert response.context["chart"]["years"] == [2022]


def test_explorer_explains_bad_parameters_with_400(client, real_data):
    response = client.get("/trends/?year_min=abc&topic=nope&chart=pie&utm_source=x")
    assert response.status_code == 400
    assert response.context["chart"] is None
    assert {p.field for p in response.context["problems"]} == {"year_min", "topic", "chart"}
    page = response.content.decode()
    assert 'role="alert"' in page and "Enter a whole number." in page
    assert 'value="abc"' in page  # what the reader typed stays in the form


def test_explorer_query_counts(client, some_proposals, django_assert_num_queries):
    # The trend (2), the delegate and company pickers (2), the data's freshness (1).
    with django_assert_num_queries(2 + 2 + 1):
        assert client.get("/trends/?measure=share").status_code == 200
    with django_assert_num_queries(0):
        client.get("/trends/?measure=share")
    with django_assert_num_queries(1):
        client.get("/trends/?delegate=eve&chart=area")


# --- The dashboard -------------------------------------------------------------------------


def test_dashboard_shows_trends_movers_and_bodies(client, real_data):
    response = client.get("/")
    context = response.context
    overall = context["trend_chart"]
    assert overall["title"] == "Proposals on the eight biggest topics, 2013–2025"
    assert len(overall["data"]["series"]) == 8 and overall["totals"][-1] == "30"
    assert [c["title"] for c in context["body_charts"]] == [
        "NPC: share of each session's suggestions",
        "CPPCC: share of each session's proposals",
    ]
    npc = context["body_charts"][0]["data"]
    assert [s["topic"] for s in npc["series"]] == [s["topic"] for s in overall["data"]["series"]]
    assert context["movers"]["rose"][0]["topic"] == "legislation"
    page = response.content.decode()
    for data_id in ("trend-all-data", "trend-npc-data", "trend-cppcc-data"):
        assert f'id="{data_id}" type="application/json"' in page
    assert "Rising and falling, 2024 to 2025" in page
    assert page.count("Download CSV") == 3
    assert "How these numbers are counted" in page


def test_pages_run_no_inline_script_or_style(client, real_data):
    for path in ("/", "/trends/", "/trends/?year_min=abc"):
        response = client.get(path)
        page = response.content.decode()
        assert 'style="' not in page and " on" + "click=" not in page
        for tag in re.findall(r"<script[^>]*>", page):
            assert 'src="' in tag or 'type="application/json"' in tag, tag
        assert '<script type="module" src="/static/js/trend-chart.js">' in page
        assert "vendor/chart.js/dist/chart.umd.min.js" in page
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_dashboard_without_data_draws_nothing_but_says_so(client):
    page = client.get("/").content.decode()
    assert "No proposals in this selection" in page and "No proposals yet" in page
    assert "NPC against CPPCC" not in page and "Rising and falling" not in page


# --- The include other pages drop in ----------------------------------------------------------


def test_chart_include_fetches_from_the_endpoint_when_given_a_query(db):
    html = Template(
        '{% include "includes/chart.html" with id="ai-trend" title="AI" query="topic=ai&body=npc" %}'
    ).render(Context())
    assert 'data-src="/trends/topics.json?topic=ai&amp;body=npc"' in html
    assert 'href="/trends/topics.csv?topic=ai&amp;body=npc" download' in html
    assert 'id="ai-trend-title"' in html and "<canvas" in html
