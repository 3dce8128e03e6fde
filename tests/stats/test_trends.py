"""stats (counting, shaping, trends): the numbers behind every chart, on the real data and on small
hand-computed sets, and the TrendCount table that keeps them cheap and exact."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import cache as data_cache
from delegates.models import AnnualSession, Body
from proposals.models import Proposal, ProposalTopic, TrendCount
from stats import counting, shaping, trends
from stats.params import TrendParams
from tests.factories import (
    AffiliationFactory,
    AnnualSessionFactory,
    CompanyFactory,
    DelegateFactory,
    ProposalFactory,
    SeatFactory,
    TopicFactory,
)
from topics.models import Topic
from topics.tree import topic_tree

pytestmark = pytest.mark.django_db

# Computed from the two fixtures/two_sessions_*.csv files directly.
REAL_TOTALS = {2013: 4, 2014: 11, 2015: 10, 2016: 12, 2017: 15}
REAL_TOTALS |= {2018: 25, 2019: 17, 2020: 26, 2021: 38, 2022: 31}
REAL_TOTALS |= {2023: 21, 2024: 29, 2025: 30}


def series(trend: shaping.Trend, slug: str) -> shaping.Series:
    return next(s for s in trend.series if s.topic == slug)


def at(trend: shaping.Trend, slug: str, year: int, measure: str = "counts") -> object:
    return getattr(series(trend, slug), measure)[trend.years.index(year)]


def table_snapshot() -> list[tuple]:
    rows = TrendCount.objects.values_list("year", "body", "is_generated", "topic_id", "proposals")
    return sorted(rows, key=lambda row: tuple(-1 if v is None else v for v in row))


# --- The real data -----------------------------------------------------------------


def test_real_2022_battery_swapping_and_e_waste_counts(real_data):
    trend = trends.topic_trend(TrendParams(topics=("battery-swapping", "e-waste")))
    assert trend.years == list(range(2013, 2026))
    assert series(trend, "battery-swapping").counts == [0] * 8 + [1, 1, 0, 1, 0]
    assert series(trend, "e-waste").counts == [0] * 9 + [1, 0, 0, 0]
    # The same numbers straight from the proposals.
    in_2022 = Proposal.objects.filter(session_id=2022)
    assert in_2022.filter(topics__slug="battery-swapping").count() == 1
    assert in_2022.filter(topics__slug="e-waste").count() == 1
    assert at(trend, "battery-swapping", 2022, "shares") == round(1 / 31, 4) == 0.0323
    assert at(trend, "battery-swapping", 2021, "shares") == round(1 / 38, 4) == 0.0263


def test_real_totals_per_session(real_data):
    trend = trends.topic_trend(TrendParams(topics=("mobility",)))
    assert dict(zip(trend.years, trend.totals, strict=True)) == REAL_TOTALS
    assert sum(trend.totals) == 269


def test_real_parent_counts_each_proposal_once(real_data):
    trend = trends.topic_trend(TrendParams(topics=("mobility",), measure="share"))
    mobility = series(trend, "mobility")
    assert mobility.counts == [0, 0, 3, 2, 3, 3, 6, 1, 5, 13, 2, 6, 7]  # 2018: Zeng Yuqun
    assert mobility.shares[9] == 0.4194  # 13 / 31 in 2022
    assert mobility.changes[9] == 8  # 5 in 2021, 13 in 2022
    tagged = ProposalTopic.objects.filter(topic__parent__slug="mobility", proposal__session=2022)
    assert tagged.count() > 13  # many 2022 proposals carry two mobility sub-topics
    assert tagged.values("proposal").distinct().count() == 13


def test_real_default_is_the_eight_biggest_top_level_topics(real_data):
    trend = trends.topic_trend(TrendParams())
    totals = {s.topic: sum(s.counts) for s in trend.series}
    assert len(trend.series) == 8
    assert list(totals) == [
        "digital-economy-business",
        "society",
        "law-governance",
        "frontier-tech",
        "mobility",
        "data-cybersecurity",
        "energy-climate",
        "digital-infrastructure",
    ]
    assert totals["digital-economy-business"] == 74 and totals["society"] == 72
    assert all(Topic.objects.get(slug=slug).parent_id is None for slug in totals)
    assert list(totals.values()) == sorted(totals.values(), reverse=True)


def test_real_body_split_adds_up(real_data):
    npc = trends.topic_trend(TrendParams(topics=("mobility",), body=Body.NPC))
    cppcc = trends.topic_trend(TrendParams(topics=("mobility",), body=Body.CPPCC))
    assert npc.years[0] == 2014  # the first NPC suggestions; 2013 is CPPCC only
    assert cppcc.totals[-1] == 10 and npc.totals[-1] == 20  # 2025
    both = series(trends.topic_trend(TrendParams(topics=("mobility",))), "mobility").counts
    assert [0, *series(npc, "mobility").counts] == [
        b - c for b, c in zip(both, series(cppcc, "mobility").counts, strict=True)
    ]


def test_real_delegate_with_a_year_off_has_a_gap_not_a_zero(real_data):
    # Ding Lei filed in 2018 and 2020-2022, nothing in 2019.
    trend = trends.topic_trend(TrendParams(delegate="ding-lei", measure="share"))
    assert trend.years == [2018, 2019, 2020, 2021, 2022]
    assert trend.totals == [2, None, 3, 4, 4]
    assert all(s.counts[1] is None and s.shares[1] is None for s in trend.series)
    assert json.dumps(trend.payload(), allow_nan=False)


def test_real_company_follows_the_affiliation_years(real_data):
    # Wang Fengying's Great Wall Motor role is sourced for 2019 and 2022 only.
    trend = trends.topic_trend(TrendParams(company="great-wall-motor"))
    assert trend.years == [2019, 2020, 2021, 2022]
    assert trend.totals == [2, None, None, 3]
    lei_jun = trends.topic_trend(TrendParams(delegate="lei-jun"))
    xiaomi = trends.topic_trend(TrendParams(company="xiaomi"))
    assert xiaomi.totals == lei_jun.totals == [1, 2, 1, 3, 2, 3, 2, 3, 4, 3, 4, 5]


def test_real_movers_between_the_last_two_sessions(real_data):
    cat = topic_tree()
    everything = counting.aggregate_rows(TrendParams(), [t.id for t in cat.leaves()])
    latest = shaping.movers(everything, cat)
    assert (latest["before_year"], latest["after_year"]) == (2024, 2025)
    assert (latest["before_total"], latest["after_total"]) == (29, 30)
    assert [(m["topic"], m["change"]) for m in latest["rose"][:3]] == [
        ("legislation", 2),
        ("education", 2),
        ("robotics", 2),
    ]
    assert [(m["topic"], m["change"]) for m in latest["fell"][:2]] == [
        ("standards", -3),
        ("capital-markets", -3),
    ]
    # The 2013-2022 data alone, checked by hand when it was all there was.
    rows = counting.aggregate_rows(TrendParams(year_max=2022), [t.id for t in cat.leaves()])
    moved = shaping.movers(rows, cat)
    assert (moved["before_year"], moved["after_year"]) == (2021, 2022)
    assert (moved["before_total"], moved["after_total"]) == (38, 31)
    top = moved["rose"][0]
    assert (top["topic"], top["before"], top["after"], top["change"]) == (
        "new-energy-vehicles",
        1,
        6,
        5,
    )
    assert top["points"] == round((6 / 31 - 1 / 38) * 100, 1) == 16.7
    # The dashboard links each mover into the list (public.charts words and links).
    from public.charts import movers_context

    linked = movers_context(moved)["rose"][0]
    assert linked["href"] == "/proposals/?topic=new-energy-vehicles&year=2022"
    assert [(m["topic"], m["change"]) for m in moved["fell"][:2]] == [
        ("ai", -5),
        ("elderly-care", -5),
    ]


def test_table_equals_counting_the_proposals_directly(real_data):
    """TrendCount (what unfiltered charts read) agrees with counting raw rows."""
    cat = topic_tree()
    for body in ("", Body.NPC, Body.CPPCC):
        params = TrendParams(body=body)
        from_table = sorted(counting.aggregate_rows(params, list(cat.by_id)), key=str)
        from_rows = sorted(counting.scoped_rows(params, None, None), key=str)
        assert from_table == from_rows


def test_refresh_trends_command_rebuilds_the_table(real_data):
    before = table_snapshot()
    assert len(before) > 400
    TrendCount.objects.all().delete()
    call_command("refresh_trends", verbosity=0)
    assert table_snapshot() == before


# --- Small sets, computed by hand --------------------------------------------------------


@pytest.fixture
def hand_made(db) -> dict:
    """Energy > Solar, Wind; Society > Health. One delegate files everything.

    2020: 4 proposals: Solar; Health; Health; Health
    2021: 3 proposals: Solar + Wind; Solar; Health
    2022: none
    2023: 1 proposal: Wind
    """
    energy = TopicFactory(name="Energy", color="#17becf")
    solar = TopicFactory(name="Solar", parent=energy, color="#ff7f0e")
    wind = TopicFactory(name="Wind", parent=energy, color="#1f77b4")
    society = TopicFactory(name="Society", color="#e377c2")
    health = TopicFactory(name="Health", parent=society, color="#2ca02c")
    delegate = DelegateFactory(name="Dee", slug="dee")
    plan = {
        2020: [[solar], [health], [health], [health]],
        2021: [[solar, wind], [solar], [health]],
        2023: [[wind]],
    }
    made = {}
    for year, tag_sets in plan.items():
        session = AnnualSessionFactory(year=year)
        for i, tags in enumerate(tag_sets):
            made[(year, i)] = ProposalFactory(session=session, delegate=delegate, topics=tags)
    AnnualSessionFactory(year=2022)  # a session with no proposals at all
    return {"topics": (energy, solar, wind, society, health), "proposals": made, "dee": delegate}


HAND = TrendParams(topics=("solar", "wind", "energy", "health"), measure="share")


@pytest.mark.parametrize("scope", [{}, {"delegate": "dee"}], ids=["table", "delegate"])
def test_share_change_rank_and_gap_by_hand(hand_made, scope):
    trend = trends.topic_trend(dataclasses.replace(HAND, **scope))
    assert trend.years == [2020, 2021, 2022, 2023]
    assert trend.totals == [4, 3, None, 1]
    solar, wind, energy, health = (series(trend, s) for s in HAND.topics)
    assert solar.counts == [1, 2, None, 0]
    assert solar.shares == [0.25, 0.6667, None, 0.0]
    assert solar.changes == [None, 1, None, None]  # no change across a gap
    assert wind.counts == [0, 1, None, 1] and wind.shares == [0.0, 0.3333, None, 1.0]
    # Solar + Wind on one 2021 proposal: Energy counts it once.
    assert energy.counts == [1, 2, None, 1] and energy.shares == [0.25, 0.6667, None, 1.0]
    assert health.counts == [3, 1, None, 0] and health.changes == [None, -2, None, None]
    # 2020: Health 3 -> 1st; Solar and Energy 1 -> joint 2nd; Wind 0 -> unranked.
    assert [s.ranks[0] for s in (health, solar, energy, wind)] == [1, 2, 2, None]
    assert trend.payload() == {
        "measure": "share",
        "years": [2020, 2021, 2022, 2023],
        "series": [
            {"topic": s.topic, "name": s.name, "color": s.color, "values": s.shares}
            for s in (solar, wind, energy, health)
        ],
    }


def test_parent_tagged_directly_and_through_children_counts_once(hand_made):
    energy, solar, wind, *_ = hand_made["topics"]
    proposal = hand_made["proposals"][(2023, 0)]
    proposal.topics.add(energy, solar)  # now Energy, Solar and Wind
    for scope in ({}, {"delegate": "dee"}):
        trend = trends.topic_trend(TrendParams(topics=("energy", "solar", "wind"), **scope))
        assert [s.counts[-1] for s in trend.series] == [1, 1, 1]


def test_without_topics_the_top_level_topics_rank_by_proposals_then_name(hand_made):
    trend = trends.topic_trend(TrendParams())
    # Energy 1+2+1 and Society 3+1: a tie, broken by name.
    assert [(s.topic, sum(s.counts[i] for i in (0, 1, 3))) for s in trend.series] == [
        ("energy", 4),
        ("society", 4),
    ]


def test_company_counts_proposals_in_the_years_its_affiliation_covers(hand_made):
    AffiliationFactory(
        delegate=hand_made["dee"], company=CompanyFactory(slug="co"), start_year=2021
    )
    AffiliationFactory(delegate=hand_made["dee"], company=CompanyFactory(slug="old"), end_year=2020)
    trend = trends.topic_trend(TrendParams(company="co", topics=("solar",)))
    assert (trend.years, trend.totals) == ([2021, 2022, 2023], [3, None, 1])
    assert series(trend, "solar").counts == [2, None, 0]
    old = trends.topic_trend(TrendParams(company="old", topics=("solar",)))
    assert (old.years, old.totals, old.series[0].counts) == ([2020], [4], [1])


def test_year_range_clips_the_axis(hand_made):
    trend = trends.topic_trend(TrendParams(topics=("solar",), year_min=2021, year_max=2022))
    assert (trend.years, trend.totals, trend.series[0].counts) == ([2021], [3], [2])


def test_empty_database_gives_no_years_and_no_series(db):
    for params in (TrendParams(), TrendParams(delegate="x")):
        if params.delegate:
            DelegateFactory(slug="x")
        trend = trends.topic_trend(params)
        assert trend.payload() == {"measure": "count", "years": [], "series": []}
        assert trend.csv() == "year,topic,name,parent,count,share,year_total,change,rank\n"


def test_one_year_gives_one_point_per_topic(db):
    ProposalFactory(session=AnnualSessionFactory(year=2022), topics=[TopicFactory(slug="ai")])
    trend = trends.topic_trend(TrendParams())
    assert trend.payload()["years"] == [2022]
    assert [(s.topic, s.counts, s.shares) for s in trend.series] == [("ai", [1], [1.0])]


def test_unknown_or_hidden_delegate_and_company_are_refused(hand_made):
    hidden = DelegateFactory(slug="hidden")
    type(hidden).objects.filter(pk=hidden.pk).update(is_generated=True)
    for name, slug in (("delegate", "nobody"), ("delegate", "hidden"), ("company", "none")):
        with pytest.raises(counting.UnknownFilter) as caught:
            trends.topic_trend(TrendParams(**{name: slug}))
        assert caught.value.name == name


def test_generated_proposals_count_only_when_shown(hand_made, settings):
    solar = hand_made["topics"][1]
    ProposalFactory(session=AnnualSession.objects.get(year=2023), topics=[solar], is_generated=True)
    settings.TRACKER_SHOW_GENERATED = False
    hidden = trends.topic_trend(TrendParams(topics=("solar",)))
    assert (hidden.totals[-1], hidden.series[0].counts[-1]) == (1, 0)
    settings.TRACKER_SHOW_GENERATED = True
    shown = trends.topic_trend(TrendParams(topics=("solar",)))
    assert (shown.totals[-1], shown.series[0].counts[-1]) == (2, 1)


def test_csv_has_both_measures_and_blank_gaps(hand_made):
    lines = trends.topic_trend(TrendParams(topics=("solar",))).csv().splitlines()
    assert lines == [
        "year,topic,name,parent,count,share,year_total,change,rank",
        "2020,solar,Solar,Energy,1,0.25,4,,1",
        "2021,solar,Solar,Energy,2,0.6667,3,1,1",
        "2022,solar,Solar,Energy,,,0,,",
        "2023,solar,Solar,Energy,0,0.0,1,,",
    ]


# --- Keeping the numbers fresh ----------------------------------------------------------


def test_every_write_path_shows_on_the_next_read_and_keeps_the_table_exact(hand_made):
    energy, solar, wind, society, health = hand_made["topics"]
    params = TrendParams(topics=("solar", "wind", "energy", "society"))

    def counts() -> dict[str, list]:
        trend = trends.topic_trend(params)
        return {"years": trend.years, **{s.topic: s.counts for s in trend.series}}

    assert counts()["solar"] == [1, 2, None, 0]
    late = hand_made["proposals"][(2023, 0)]
    late.topics.add(solar)  # m2m add
    assert counts()["solar"] == [1, 2, None, 1]
    ProposalTopic.objects.create(proposal=hand_made["proposals"][(2020, 1)], topic=wind)
    assert counts()["wind"] == [1, 1, None, 1]
    SeatFactory(delegate=hand_made["dee"], session=AnnualSession.objects.get(year=2022))
    late.session = AnnualSession.objects.get(year=2022)  # moves year: both years recount
    late.save()
    assert counts()["years"] == [2020, 2021, 2022]
    assert counts()["solar"] == [1, 2, 1]
    hand_made["proposals"][(2021, 1)].delete()
    assert counts()["solar"] == [1, 1, 1]
    wind.parent = society  # moving a sub-topic recounts both parents everywhere
    wind.save()
    now = counts()
    assert (now["energy"], now["society"]) == ([1, 1, 1], [3, 2, 1])
    solar.name = "Solar power"
    solar.save()
    assert series(trends.topic_trend(params), "solar").name == "Solar power"
    late.topics.remove(solar, wind)
    assert counts()["solar"] == [1, 1, 0]
    snapshot = table_snapshot()
    counting.refresh()
    assert table_snapshot() == snapshot


def test_a_bulk_update_needs_refresh_trends(hand_made):
    # QuerySet.update sends no signal: documented, and what refresh_trends is for.
    Proposal.objects.filter(session_id=2023).update(is_generated=True)
    data_cache.invalidate()
    assert trends.topic_trend(TrendParams()).years[-1] == 2023
    call_command("refresh_trends", verbosity=0)
    assert trends.topic_trend(TrendParams()).years[-1] == 2021


def test_cold_trend_costs_two_queries_and_a_cached_one_none(hand_made, django_assert_num_queries):
    with django_assert_num_queries(2):  # the topic catalogue, one counting query
        trends.topic_trend(TrendParams(topics=("solar",)))
    with django_assert_num_queries(0):
        trends.topic_trend(TrendParams(topics=("solar",)))
    with django_assert_num_queries(1):  # the catalogue is cached too
        trends.topic_trend(TrendParams(delegate="dee"))


def test_counting_runs_in_the_database_whatever_the_rows(hand_made, django_assert_num_queries):
    energy, solar, wind, society, health = hand_made["topics"]
    session = AnnualSession.objects.get(year=2021)
    for _ in range(30):
        ProposalFactory(session=session, delegate=hand_made["dee"], topics=[solar, health])
    topic_tree()
    for params in (TrendParams(), TrendParams(delegate="dee", body=Body.NPC)):
        with django_assert_num_queries(1):
            trend = trends.topic_trend(params)
        assert trend.totals[1] == 33


def test_an_edit_that_changes_no_count_leaves_the_table_alone(hand_made):
    proposal = hand_made["proposals"][(2021, 0)]
    proposal.title = "A better title"
    with CaptureQueriesContext(connection) as edit:
        proposal.save()
    assert not [q for q in edit.captured_queries if "trendcount" in q["sql"]]
    proposal.body = Body.CPPCC
    SeatFactory(delegate=hand_made["dee"], session=proposal.session, body=Body.CPPCC)
    with CaptureQueriesContext(connection) as move:
        proposal.save()
    assert [q for q in move.captured_queries if "DELETE" in q["sql"] and "trendcount" in q["sql"]]
    npc = trends.topic_trend(TrendParams(topics=("solar",), body=Body.NPC))
    cppcc = trends.topic_trend(TrendParams(topics=("solar",), body=Body.CPPCC))
    assert (npc.totals, npc.series[0].counts) == ([4, 2, None, 1], [1, 1, None, 0])
    assert (cppcc.totals, cppcc.series[0].counts) == ([1], [1])
