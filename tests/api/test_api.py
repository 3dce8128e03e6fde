"""The public API: the same answers as the site's list and charts, cursors that page
through everything, the errors in the site's format, and the HTTP behaviour clients
rely on (304s, CORS, throttling, gzip)."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from delegates.models import Company, Delegate
from proposals.models import Proposal, Status
from tests.factories import (
    AffiliationFactory,
    AnnualSessionFactory,
    CompanyFactory,
    DelegateFactory,
    ProposalFactory,
    SeatFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/proposals/"


def api_ids(client, query: str, page_size: int = 200) -> list[int]:
    """Every id the API lists for `query`, following `next` to the end."""
    ids: list[int] = []
    url = f"{API}?{query}&page_size={page_size}" if query else f"{API}?page_size={page_size}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids


def html_ids(client, query: str) -> list[int]:
    """Every id the site's HTML list shows for `query`, page after page."""
    ids: list[int] = []
    number = 1
    while True:
        response = client.get(f"/proposals/?{query}&page={number}")
        assert response.status_code == 200
        page = response.context["page_obj"]
        ids += [p.pk for p in page.object_list]
        if not page.has_next():
            return ids
        number += 1


def test_battery_swapping_lists_li_shufus_proposal(client, real_data):
    # The README's first curl example.
    body = client.get(f"{API}?topic=battery-swapping").json()
    rows = {row["id"]: row for row in body["results"]}
    li_shufu = Proposal.objects.get(delegate__slug="li-shufu", topics__slug="battery-swapping")
    assert li_shufu.pk in rows
    assert rows[li_shufu.pk]["delegate"]["name"] == "Li Shufu"
    assert rows[li_shufu.pk]["delegate"]["name_zh"] == "李书福"
    assert "battery-swapping" in rows[li_shufu.pk]["topics"]
    assert len(rows) == Proposal.objects.filter(topics__slug="battery-swapping").count()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "year=2022",
        "year=2021&year=2022",
        "year_min=2018&year_max=2020",
        "body=npc",
        "body=cppcc&year_min=2019",
        "topic=mobility",
        "topic=battery-swapping&topic=ai",
        "delegate=lei-jun",
        "company=xiaomi",
        "status=submitted&body=npc",
        "sort=oldest",
        "sort=oldest&topic=mobility&year_max=2021",
    ],
)
def test_api_lists_what_the_html_list_lists_in_its_order(client, real_data, query):
    expected = html_ids(client, query)
    assert expected, "each combination should match something"
    assert api_ids(client, query) == expected


@pytest.mark.parametrize("query", ["q=battery", "q=chips&year_min=2020", "q=lei+jun"])
def test_api_search_finds_what_the_html_list_finds(client, real_data, query):
    expected = html_ids(client, query)
    assert expected
    assert sorted(api_ids(client, query)) == sorted(expected)
    # The API lists a search newest first, as the list does with sort=newest.
    assert api_ids(client, query) == html_ids(client, f"{query}&sort=newest")


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=1800",
        "year_min=2021&year_max=2019",
        "body=parliament",
        "body=npc&body=cppcc",
        "topic=no-such-topic",
        "delegate=nobody-at-all",
        "delegate=not a slug",
        "company=no-such-company",
        "status=lost",
        "q=%00",
    ],
)
def test_api_refuses_what_the_html_list_refuses_with_the_same_messages(client, real_data, query):
    page = client.get(f"/proposals/?{query}")
    assert page.status_code == 400
    expected = [{"field": e.field, "message": e.message} for e in page.context["errors"]]
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"errors": expected}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=" + "A" * 200, "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=ten", "page_size"),
        ("page_size=5&page_size=6", "page_size"),
        ("sort=relevance", "sort"),
    ],
)
def test_paging_parameters_are_checked(client, real_data, query, field):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_cursors_walk_forward_and_back_over_every_row_once(client, real_data):
    forward, pages = [], []
    url = f"{API}?body=npc&page_size=17"
    while url:
        body = client.get(url).json()
        pages.append(body)
        forward += [row["id"] for row in body["results"]]
        url = body["next"]
    assert forward == list(
        Proposal.objects.filter(body="npc")
        .order_by("-session_id", "-id")
        .values_list("pk", flat=True)
    )
    assert pages[0]["previous"] is None
    # Back from the last page to the first, by `previous`.
    backward, body = [], pages[-1]
    backward = [row["id"] for row in body["results"]]
    while body["previous"]:
        assert "body=npc" in body["previous"]
        body = client.get(body["previous"]).json()
        backward = [row["id"] for row in body["results"]] + backward
    assert backward == forward
    assert body["results"] == pages[0]["results"]


def test_proposal_list_query_count_is_fixed(client, django_assert_num_queries):
    session = AnnualSessionFactory(year=2024)
    for _ in range(3):
        ProposalFactory(session=session, topics=[TopicFactory(), TopicFactory()])
    client.get(API)  # the data version, read once
    with django_assert_num_queries(2):  # the rows with their delegates; their topics
        response = client.get(f"{API}?page_size=2")
    assert len(response.json()["results"]) == 2
    with django_assert_num_queries(0):  # the same address again: from the cache
        client.get(f"{API}?page_size=2")


def test_record_endpoints_query_counts(client, django_assert_num_queries):
    company = CompanyFactory()
    for _ in range(2):
        delegate = DelegateFactory()
        AffiliationFactory(delegate=delegate, company=company)
        AffiliationFactory(delegate=delegate)
        SeatFactory(delegate=delegate, session=AnnualSessionFactory(year=2020))
        SeatFactory(delegate=delegate, session=AnnualSessionFactory(year=2021))
    with django_assert_num_queries(3):  # delegates, seats, affiliations with companies
        assert len(client.get("/api/v1/delegates/").json()["results"]) == 2
    with django_assert_num_queries(2):  # companies, their people
        assert len(client.get("/api/v1/companies/").json()["results"]) == 3
    with django_assert_num_queries(3):  # the sessions, their counts, the priorities (none)
        assert len(client.get("/api/v1/sessions/").json()["results"]) == 2
    with django_assert_num_queries(1):  # the topic tree
        client.get("/api/v1/topics/")


def test_proposal_detail_has_topics_sources_role_and_chinese(client, django_assert_num_queries):
    parent = TopicFactory(name="Mobility", slug="mobility", name_zh="出行")
    child = TopicFactory(name="Batteries", slug="batteries", parent=parent)
    sources = [SourceFactory(), SourceFactory()]
    proposal = ProposalFactory(
        session=AnnualSessionFactory(year=2022),
        title_zh="中文标题",
        summary_zh="中文摘要",
        topics=[parent, child],
        sources=sources,
    )
    AffiliationFactory(
        delegate=proposal.delegate, company=CompanyFactory(slug="geely"), role="Chair"
    )
    with django_assert_num_queries(5):  # row with role; topics; sources; events; the chain
        body = client.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert body["id"] == proposal.pk
    assert body["url"] == f"http://testserver/proposals/{proposal.pk}/"
    assert body["api_url"] == f"http://testserver/api/v1/proposals/{proposal.pk}/"
    assert (body["title_zh"], body["summary_zh"], body["year"]) == ("中文标题", "中文摘要", 2022)
    assert [t["slug"] for t in body["topics"]] == ["batteries", "mobility"]
    assert [s["url"] for s in body["sources"]] == [s.url for s in sources]
    assert body["role"] == {
        "role": "Chair",
        "company_name": body["role"]["company_name"],
        "company_slug": "geely",
    }


def test_record_details_and_their_404s(client, real_data):
    delegate = client.get("/api/v1/delegates/lei-jun/").json()
    assert delegate["name_zh"] == "雷军"
    assert delegate["seats"] and delegate["affiliations"]
    assert delegate["affiliations"][0]["company"]["slug"] == "xiaomi"
    assert delegate["proposals_api_url"].endswith("/api/v1/proposals/?delegate=lei-jun")
    company = client.get("/api/v1/companies/xiaomi/").json()
    assert "lei-jun" in [p["delegate"]["slug"] for p in company["people"]]
    topic = client.get("/api/v1/topics/mobility/").json()
    assert "battery-swapping" in [c["slug"] for c in topic["children"]]
    assert client.get("/api/v1/topics/battery-swapping/").json()["parent"] == "mobility"
    session = client.get("/api/v1/sessions/2022/").json()
    assert session["proposals"]["total"] == Proposal.objects.filter(session_id=2022).count()
    for url in [
        "/api/v1/proposals/999999/",
        "/api/v1/delegates/nobody/",
        "/api/v1/companies/nothing/",
        "/api/v1/topics/nothing/",
        "/api/v1/sessions/1990/",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"errors": [{"field": "", "message": "No such record."}]}


def test_generated_records_stay_hidden(client, real_data):
    hidden = ProposalFactory(is_generated=True)
    assert hidden.pk not in api_ids(client, "")
    assert client.get(f"/api/v1/proposals/{hidden.pk}/").status_code == 404
    assert (
        client.get(
            f"/api/v1/delegates/{Delegate.objects.get(pk=hidden.delegate_id).slug}/"
        ).status_code
        == 200
    )
    generated = Company.objects.create(name="Generated Co", slug="generated-co", is_generated=True)
    assert client.get(f"/api/v1/companies/{generated.slug}/").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["", "topic=mobility&topic=ai", "measure=share&body=npc", "delegate=lei-jun", "year_min=2020"],
)
def test_trends_give_the_chart_endpoints_numbers(client, real_data, query):
    chart = client.get(f"/trends/topics.json?{query}")
    api = client.get(f"/api/v1/trends/?{query}")
    assert api.status_code == chart.status_code == 200
    assert api.json() == chart.json()


@pytest.mark.parametrize(
    "query", ["measure=most", "topic=nothing", "colour=red", "delegate=nobody"]
)
def test_trends_refuse_what_the_chart_endpoints_refuse(client, real_data, query):
    chart = client.get(f"/trends/topics.json?{query}")
    api = client.get(f"/api/v1/trends/?{query}")
    assert api.status_code == chart.status_code == 400
    assert api.json() == chart.json()


# --- HTTP behaviour -----------------------------------------------------------------


def test_a_repeat_request_is_a_304_until_the_data_changes(client, real_data):
    first = client.get(f"{API}?year=2022")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    again = client.get(f"{API}?year=2022", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(f"{API}?year=2022", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # Another address has another tag.
    assert client.get(f"{API}?year=2021", HTTP_IF_NONE_MATCH=etag).status_code == 200
    proposal = Proposal.objects.filter(session_id=2022).first()
    proposal.status = Status.ANSWERED
    proposal.save()
    changed = client.get(f"{API}?year=2022", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    row = next(r for r in changed.json()["results"] if r["id"] == proposal.pk)
    assert row["status"] == "answered"


def test_cors_is_open_for_get_on_the_api_only(client, real_data):
    origin = {"HTTP_ORIGIN": "https://newsroom.example.com"}
    assert client.get(API, **origin)["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(API, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin)
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/proposals/", **origin)


def test_writes_are_refused(client, real_data):
    assert client.post(API, {}).status_code == 405
    assert client.delete("/api/v1/proposals/1/").status_code == 405


def test_clients_over_the_rate_get_a_clear_429(client, real_data, settings):
    settings.TRACKER_API_RATE = "3/min"
    for _ in range(3):
        assert client.get("/api/v1/topics/").status_code == 200
    refused = client.get("/api/v1/topics/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    [error] = refused.json()["errors"]
    assert "throttled" in error["message"]
    # Another client is not held back by the first.
    assert client.get("/api/v1/topics/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_responses_are_gzipped_and_carry_no_cookie(client, real_data):
    response = client.get(f"{API}?page_size=100", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.content))["results"]) == 100
    assert not response.cookies
    assert "csrf" not in gzip.decompress(response.content).decode().lower()


def test_the_root_links_every_resource(client, real_data):
    links = client.get("/api/v1/").json()
    for name in ["proposals", "delegates", "companies", "topics", "sessions", "trends"]:
        assert client.get(links[name]).status_code == 200
    assert links["bulk_data"].endswith(reverse("bulk:data"))


# --- Schema and docs ----------------------------------------------------------------


def test_the_schema_validates_and_lists_every_filter(client, real_data, tmp_path):
    out = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(out),
    )
    schema = json.loads(out.read_text())
    listed = {p["name"] for p in schema["paths"]["/api/v1/proposals/"]["get"]["parameters"]}
    from api.params import API_PARAMS

    assert {p.name for p in API_PARAMS} | {"cursor", "page_size"} == listed
    assert client.get("/api/v1/schema/").json()["paths"].keys() == schema["paths"].keys()


def test_the_docs_page_runs_under_the_sites_csp(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = page.content.decode()
    assert "<style" not in html and "style=" not in html
    assert "<script>" not in html  # every script has a src
    assert "cdn" not in html.lower()
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "/api/v1/schema/" in script.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/proposals/-5/",
        "/api/v1/delegates/%C3%85/",
        "/api/v1/nothing",
        "/api/v1/sessions/x/",
    ],
)
def test_addresses_no_route_matches_answer_the_json_404(client, url):
    # Found by the fuzzer: these fell through to the site's HTML 404 page.
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": "", "message": "No such record."}]}


def test_behind_the_proxy_each_forwarded_client_has_its_own_allowance(client, real_data, settings):
    settings.TRACKER_API_RATE = "2/min"
    settings.TRACKER_BEHIND_PROXY = True
    nginx = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(2):
        assert client.get("/api/v1/", HTTP_X_REAL_IP="203.0.113.5", **nginx).status_code == 200
    assert client.get("/api/v1/", HTTP_X_REAL_IP="203.0.113.5", **nginx).status_code == 429
    assert client.get("/api/v1/", HTTP_X_REAL_IP="198.51.100.7", **nginx).status_code == 200
    # Without the proxy a client's own header counts for nothing: one socket, one allowance.
    settings.TRACKER_BEHIND_PROXY = False
    for forged in ("192.0.2.1", "192.0.2.2"):
        assert client.get("/api/v1/", HTTP_X_REAL_IP=forged, **nginx).status_code == 200
    assert client.get("/api/v1/", HTTP_X_REAL_IP="192.0.2.3", **nginx).status_code == 429


def test_the_readme_examples_answer(client, real_data):
    # The three curl examples in README.md, "The API and bulk data".
    body = client.get(
        "/api/v1/proposals/?delegate=lei-jun&year_min=2020&sort=oldest&page_size=10"
    ).json()
    years = [row["year"] for row in body["results"]]
    assert years and years == sorted(years) and min(years) >= 2020
    assert {row["delegate"]["slug"] for row in body["results"]} == {"lei-jun"}
    first = client.get("/api/v1/delegates/lei-jun/")
    assert (
        client.get("/api/v1/delegates/lei-jun/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 304
    )


def test_a_deep_cursor_seeks_in_the_index_instead_of_walking_to_it(client, real_data, settings):
    # Found by bench/api.py: with the OR alone both databases walked the (session, id)
    # index from its start, so a page cost more the deeper it was (33 ms at row 99,900
    # of 100,000 against 13 ms at row 1 on SQLite).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TRACKER_SHOW_GENERATED = True  # as the benchmark's site: no is_generated test
    cursor_url = client.get(f"{API}?page_size=100").json()["next"]
    with CaptureQueriesContext(connection) as queries:
        client.get(cursor_url)
    sql = queries.captured_queries[0]["sql"]
    assert "proposals_proposal" in sql and "LIMIT" in sql
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # the tables are tiny here
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Cond: (session_id <=" in plan, plan
        else:
            cursor.execute("ANALYZE")  # the statistics a grown database has
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING INDEX proposal_session_id (session_id<?)" in plan, plan


# --- The government's side and outcomes (issues 12 and 13) ---------------------------


def test_proposal_detail_has_its_outcomes_and_chain(client, real_data, django_assert_num_queries):
    from proposals.models import OutcomeEvent
    from proposals.timeline import chain_of, ordered_events

    with_events = OutcomeEvent.objects.values_list("proposal_id", flat=True).first()
    body = client.get(f"/api/v1/proposals/{with_events}/").json()
    proposal = Proposal.objects.get(pk=with_events)
    events = ordered_events(proposal.outcome_events.all())
    assert [(e["kind"], e["when"]) for e in body["outcomes"]] == [(e.kind, e.when) for e in events]
    repeated = Proposal.objects.filter(repeats__isnull=False).first()
    chain = chain_of(repeated)
    with django_assert_num_queries(5):  # row; topics; sources; events; the chain
        body = client.get(f"/api/v1/proposals/{repeated.pk}/").json()
    assert body["repeats"] == repeated.repeats_id
    assert [f["id"] for f in body["chain"]] == [f.pk for f in chain.filings]
    assert [f["year"] for f in body["chain"]] == sorted(f["year"] for f in body["chain"])


def test_sessions_carry_their_priorities(client, real_data):
    from government.models import GovernmentPriority

    year = GovernmentPriority.objects.values_list("session_id", flat=True).order_by("-session_id")[
        0
    ]
    session = client.get(f"/api/v1/sessions/{year}/").json()
    expected = list(GovernmentPriority.objects.filter(session_id=year).order_by("pk"))
    assert [p["id"] for p in session["priorities"]] == [p.pk for p in expected]
    assert session["priorities"][0]["text_zh"] == expected[0].text_zh
    everything = client.get("/api/v1/priorities/").json()["results"]
    assert len(everything) == GovernmentPriority.objects.count()
    listed = {s["year"]: s for s in client.get("/api/v1/sessions/").json()["results"]}
    assert listed[year]["priorities"] == session["priorities"]


@pytest.mark.parametrize(
    "query", ["", "session=2024", "delegate=lei-jun", "company=xiaomi", "topic=ai"]
)
def test_echo_gives_the_echo_endpoints_figures(client, real_data, query):
    chart = client.get(f"/trends/echo.json?{query}")
    api = client.get(f"/api/v1/echo/?{query}")
    assert api.status_code == chart.status_code == 200
    assert api.json() == chart.json()


@pytest.mark.parametrize(
    "query", ["delegate=nobody", "session=1800", "topic=ai&delegate=lei-jun", "colour=red"]
)
def test_echo_refuses_what_the_echo_endpoint_refuses(client, real_data, query):
    chart = client.get(f"/trends/echo.json?{query}")
    api = client.get(f"/api/v1/echo/?{query}")
    assert api.status_code == chart.status_code == 400
    assert api.json() == chart.json()
