"""Searches matching more proposals than TRACKER_SEARCH_COUNT_LIMIT: bounded, and said
so. Counting and ranking every match of a common word took seconds at a million
proposals (issue 14's search target); over the limit the list shows the first matches
newest first, and each facet whose selection is over it lists its options uncounted."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from delegates.models import Delegate
from proposals import facet_sql
from proposals.models import Proposal
from proposals.querysets import search_plans

pytestmark = pytest.mark.django_db
URL = "/proposals/"


def battery() -> list[Proposal]:
    return list(Proposal.objects.visible().search("battery").newest_first())


def test_a_search_over_the_limit_lists_its_first_matches_newest_first(client, real_data, settings):
    matches = battery()
    assert len(matches) > 5
    settings.TRACKER_SEARCH_COUNT_LIMIT = 5
    response = client.get(URL, {"q": "battery"})
    assert response.status_code == 200
    facets = response.context["facets"]
    assert facets.total is None and facets.more_than == 5
    shown = list(response.context["page_obj"].object_list)
    # Newest first (not by relevance), and no more than the limit.
    assert [p.pk for p in shown] == [p.pk for p in matches[:5]]
    page = response.content.decode()
    assert "More than 5 results" in page
    assert "This search matches more than 5 proposals" in page
    assert ", newest first" in page
    # No facet shows a count it did not make.
    filters = page.split('<section class="results"')[0]
    assert '<span class="count"' not in filters
    # Said once, above the results, not again in every panel.
    assert "Not counted: too many matches." not in filters
    # The list stops at the limit: no page past it.
    assert client.get(URL, {"q": "battery", "page": 2}).status_code == 404


def test_under_the_limit_the_same_search_is_counted_and_ranked(client, real_data, settings):
    settings.TRACKER_SEARCH_COUNT_LIMIT = len(battery())  # exactly the limit: not over
    response = client.get(URL, {"q": "battery"})
    facets = response.context["facets"]
    assert facets.more_than is None and facets.total == len(battery())
    assert response.context["sort"] == "relevance"
    assert "This search matches more than" not in response.content.decode()


def test_relevance_asked_for_is_kept_over_the_limit(client, real_data, settings):
    settings.TRACKER_SEARCH_COUNT_LIMIT = 5
    response = client.get(URL, {"q": "battery", "sort": "relevance"})
    ranked = list(Proposal.objects.visible().search("battery").by_relevance()[:5])
    assert [p.pk for p in response.context["page_obj"].object_list] == [p.pk for p in ranked]
    assert ", newest first" not in response.content.decode()


def test_a_chosen_option_stays_checked_when_its_facet_is_uncounted(client, real_data, settings):
    """The year facet counts battery in every year (over the limit): uncounted, yet 2022
    stays checked, and the list's own selection (2022 only, at the limit) is counted."""
    in_2022 = [p for p in battery() if p.session_id == 2022]
    assert 0 < len(in_2022) < len(battery())
    settings.TRACKER_SEARCH_COUNT_LIMIT = len(in_2022)
    response = client.get(URL, {"q": "battery", "year": 2022})
    facets = response.context["facets"]
    assert facets.total == len(in_2022) and facets.more_than is None
    year = next(panel for panel in facets.panels if panel.name == "year")
    assert not year.counted
    assert [o.value for o in year.options if o.selected] == ["2022"]
    assert all(o.count is None for o in year.options)
    page = response.content.decode()
    assert re.search(r'name="year" value="2022" checked>', page)
    assert "This search matches more than" not in page
    assert page.count("Not counted: too many matches.") == 3  # body, year and status
    assert f"{len(in_2022)} result" in page


def test_a_bounded_count_reports_over_only_past_the_limit(real_data):
    matches = Proposal.objects.visible().search("battery")
    n = matches.count()
    ask = facet_sql.Ask(grid=["session_id"])
    assert facet_sql.count(matches, ask, limit=n - 1).over
    exact = facet_sql.count(matches, ask, limit=n)
    assert not exact.over and exact.total == n
    assert sum(row["n"] for row in exact.grid) == n


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_search_statements_are_planned_without_merge_joins_and_reset_after(db):
    def merge_joins() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_mergejoin")
            return cursor.fetchone()[0]

    with search_plans():
        assert merge_joins() == "off"
    assert merge_joins() == "on"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the names' arm is PostgreSQL's")
def test_postgres_a_common_word_is_found_by_its_text_alone(real_data, settings):
    """A company holding the word inside one of its own ("Batteryworks") adds its staff's
    proposals to a rare word's results; a word with more matches than the limit is
    found by its text alone (unioning the staff read every match: seconds at 1M)."""
    from delegates.models import Affiliation, Company
    from tests.factories import ProposalFactory

    company = Company.objects.create(name="Batteryworks Group", slug="batteryworks")
    staff = Delegate.objects.create(name="Zhang Ceshi", slug="zhang-ceshi")
    Affiliation.objects.create(delegate=staff, company=company, role="chair")
    staffs = ProposalFactory(delegate=staff, title="Improve rural clinics", summary="Clinics.")
    assert staffs.pk in {p.pk for p in Proposal.objects.search("battery")}
    settings.TRACKER_SEARCH_COUNT_LIMIT = 5
    assert staffs.pk not in {p.pk for p in Proposal.objects.search("battery")}


def test_chinese_text_is_looked_for_in_chinese_names_only(db):
    """A scan of every name field for a two-character name (雷军) was 50 ms at 27,000
    delegates; the English and pinyin names hold no Chinese."""
    sql = str(Delegate.objects.matching_name("雷军").order_by().values("pk").query)
    assert '"delegates_delegate"."name_zh"' in sql
    assert '"delegates_delegate"."name"' not in sql and "other_names" not in sql
    lei = Delegate.objects.create(name="Lei Jun", name_zh="雷军", slug="lei-jun-test")
    assert list(Delegate.objects.matching_name("雷军")) == [lei]


def test_chosen_records_stay_checked_in_uncounted_facets(client, real_data, settings):
    """A topic, a delegate and a company chosen stay in the form (checked) when their
    facets cannot be counted; the next Apply must not drop them from the URL."""
    settings.TRACKER_SEARCH_COUNT_LIMIT = 0  # every selection holding a match is over
    response = client.get(
        URL, {"q": "xiaomi", "topic": "mobility", "delegate": "lei-jun", "company": "xiaomi"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    for name, value in [("topic", "mobility"), ("delegate", "lei-jun"), ("company", "xiaomi")]:
        assert re.search(rf'name="{name}" value="{value}" checked>', page), name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's ranking")
def test_postgres_a_search_in_date_order_computes_no_rank(real_data):
    """A newest-first page of a search joined every match's search row for a ts_rank it
    never read: at a million proposals, 11,000 probes of a names' arm's matches."""
    assert "ts_rank" not in str(Proposal.objects.search("lei jum").newest_first().query)
    assert "ts_rank" in str(Proposal.objects.search("lei jum").by_relevance().query)
