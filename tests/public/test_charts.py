"""Charts people can read: record pages show a topic x year heatmap (a table whose
cells hold their numbers), not eight overlapping lines."""

from __future__ import annotations

import re

import pytest

from stats.profiles import HEAT_LEVELS, level

pytestmark = pytest.mark.django_db


def test_a_delegate_page_shows_a_topic_by_year_heatmap(client, real_data):
    response = client.get("/delegates/lei-jun/")
    page = response.content.decode()
    assert '<table class="heatmap">' in page and "<canvas" not in page
    heatmap = response.context["heatmap"]
    assert heatmap.profile.total == 33 and sum(heatmap.totals) == 33
    assert heatmap.years == list(range(heatmap.years[0], heatmap.years[-1] + 1))
    mobility = next(r for r in heatmap.rows if r.topic.slug == "mobility")
    assert mobility.total == 8
    year, n = next((c.year, c.count) for c in mobility.cells if c.count)
    link = f'href="/proposals/?delegate=lei-jun&amp;topic=mobility&amp;year={year}">{n}</a>'
    assert link in page
    listed = client.get(f"/proposals/?delegate=lei-jun&topic=mobility&year={year}")
    assert listed.context["facets"].total == n
    # Shades are classes, never inline styles (the CSP allows none).
    assert re.search(r'<td class="heat-[1-5]">', page) and 'style="' not in page


def test_a_company_page_shows_its_peoples_heatmap(client, real_data):
    response = client.get("/companies/xiaomi/")
    heatmap = response.context["heatmap"]
    assert heatmap.profile.total == 33
    assert '<table class="heatmap">' in response.content.decode()
    assert 'href="/proposals/?company=xiaomi&amp;topic=' in response.content.decode()


def test_shades_rise_with_the_number_and_none_is_blank():
    assert level(0, 10) == 0
    assert level(1, 10) == 1
    assert level(10, 10) == HEAT_LEVELS
    assert [level(n, 5) for n in range(6)] == [0, 1, 2, 3, 4, 5]


def test_stacked_shares_add_up_to_a_hundred_percent(client, real_data):
    chart = client.get("/trends/?measure=share&chart=area").context["chart"]
    stacked = chart["data"]["stacked"]
    for i, total in enumerate(chart["data"]["totals"]):
        if total:
            assert abs(sum(series[i] for series in stacked) - 1) < 1e-9
    # Unstacked shares are of all proposals, and a proposal has several topics.
    assert "stacked" not in client.get("/trends/?measure=share").context["chart"]["data"]


def test_npc_and_cppcc_charts_share_one_year_axis_with_the_totals(client, real_data):
    npc, cppcc = client.get("/").context["body_charts"]
    assert npc["years"] == cppcc["years"] == npc["data"]["years"]
    assert npc["data"]["years"] == list(range(2013, 2026))
    for chart, body in ((npc, "npc"), (cppcc, "cppcc")):
        totals = chart["data"]["totals"]
        assert len(totals) == len(chart["years"])
        year = chart["years"].index(2022)
        assert (
            totals[year] == client.get(f"/proposals/?year=2022&body={body}").context["facets"].total
        )


def test_the_explorer_picks_delegates_and_companies_and_titles_them_by_name(client, real_data):
    response = client.get("/trends/?delegate=lei-jun")
    page = response.content.decode()
    assert '<option value="lei-jun" selected>Lei Jun</option>' in page
    assert '<select id="id_company" name="company">' in page
    assert response.context["chart"]["title"] == (
        "Proposals on the eight biggest topics by Lei Jun, by year"
    )
    company = client.get("/trends/?company=xiaomi&measure=share").context["chart"]["title"]
    assert company == "Share of proposals on the eight biggest topics by people at Xiaomi, by year"
    assert "lei-jun" not in response.context["chart"]["title"]


def test_the_explorer_keeps_an_unknown_pick_to_report_it(client, real_data):
    response = client.get("/trends/?delegate=nobody")
    assert response.status_code == 400
    assert '<option value="nobody" selected>nobody</option>' in response.content.decode()


def test_the_explorer_body_picker_offers_both_bodies_first(client, real_data):
    """Without it the browser selected NPC, and Show narrowed the chart unasked."""
    page = client.get("/trends/").content.decode()
    assert (
        '<select id="id_body" name="body">\n          <option value="">Both bodies</option>' in page
    )
