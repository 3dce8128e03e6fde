"""Generated demo data: deterministic, realistic, flagged, and removable to the last row."""

from __future__ import annotations

from collections import Counter
from statistics import median
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.db.models import Count, Sum

from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate, Seat
from demo import generate as demodata
from demo import tables, vocabulary
from demo.remove import generated_counts
from proposals.models import Proposal, ProposalTopic, Source
from topics.models import Topic

pytestmark = pytest.mark.django_db

# Small bodies keep the suite fast; one test below runs the realistic sizes.
SMALL = {
    "proposals": 2000,
    "first_year": 2008,
    "last_year": 2025,
    "npc_size": 150,
    "cppcc_size": 110,
    "verbosity": 0,
}
ALL_MODELS = (
    AnnualSession,
    Topic,
    Company,
    Delegate,
    Affiliation,
    Seat,
    Source,
    Proposal,
    ProposalTopic,
    Proposal.sources.through,
    Source.delegates.through,
    Source.companies.through,
)


def generate(**options: Any) -> None:
    call_command("generate_demo_data", **{**SMALL, **options})


def remove() -> None:
    call_command("generate_demo_data", remove=True, verbosity=0)


def snapshot() -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of every tracker table, by model and primary key."""
    return {
        m._meta.label: {row[m._meta.pk.attname]: row for row in m.objects.values()}
        for m in ALL_MODELS
    }


def generated_content() -> list[tuple]:
    """Every generated proposal with its topics and sources, without database ids."""
    proposals = Proposal.objects.filter(is_generated=True).order_by("pk")
    topics = Counter(
        ProposalTopic.objects.filter(proposal__is_generated=True).values_list(
            "proposal__title", "topic__slug"
        )
    )
    rows = list(
        proposals.values_list(
            "session_id", "delegate__slug", "body", "title", "summary", "status", "created_at"
        )
    )
    urls = sorted(Source.objects.filter(is_generated=True).values_list("url", "title"))
    return [*rows, sorted(topics.items()), urls]


def test_same_seed_gives_the_same_data_and_another_seed_other_data(real_data):
    generate(seed=7)
    first = generated_content()
    counts = generated_counts()
    remove()
    generate(seed=7)
    assert generated_content() == first
    assert generated_counts() == counts
    remove()
    generate(seed=8)
    other = generated_content()
    assert other != first
    assert {row[3] for row in other[:-2]} != {row[3] for row in first[:-2]}
    assert generated_counts()["proposals.Proposal"] == 2000


def test_every_generated_row_is_flagged_and_hidden_from_the_public(real_data, settings):
    settings.TRACKER_SHOW_GENERATED = False
    generate()
    assert Proposal.objects.count() == 269 + 2000
    assert Proposal.objects.visible().count() == 269
    assert Delegate.objects.visible().count() == 24
    assert Company.objects.visible().count() == 24
    assert Topic.objects.visible().count() == 101
    assert Source.objects.visible().count() == 161  # 130 cited by proposals, 31 by priorities
    assert AnnualSession.objects.visible().count() == 13
    # Rows without a flag of their own belong to flagged rows only.
    assert (
        Seat.objects.filter(delegate__is_generated=False).count() == 179
    )  # with Zeng Yuqun's 2018-2020 CPPCC seats
    assert Affiliation.objects.filter(delegate__is_generated=False).count() == 27
    generated = Proposal.objects.filter(is_generated=True)
    assert not generated.filter(delegate__is_generated=False).exists()
    assert not ProposalTopic.objects.filter(
        proposal__is_generated=True, topic__is_generated=False
    ).exists()
    assert not Source.objects.filter(proposals__in=generated, is_generated=False).exists()
    # Names that are unique in the schema cannot collide with a real record's.
    for model in (Topic, Company, Delegate):
        rows = model.objects.filter(is_generated=True)
        assert rows.exists()
        assert not rows.exclude(slug__startswith=vocabulary.SLUG_PREFIX).exists()
    assert not Topic.objects.filter(is_generated=True).exclude(name__endswith="(demo)").exists()
    assert not Company.objects.filter(is_generated=True).exclude(name__endswith="(demo)").exists()
    assert not Source.objects.filter(is_generated=True).exclude(url__contains=".example/").exists()

    settings.TRACKER_SHOW_GENERATED = True
    assert Proposal.objects.visible().count() == 269 + 2000


def test_real_data_is_untouched_and_removal_restores_it_exactly(real_data):
    before = snapshot()
    generate()
    during = snapshot()
    for label, rows in before.items():
        assert {pk: during[label].get(pk) for pk in rows} == rows, label
    # Real sessions (2013-2025) are reused as they are; the years before them are new.
    new = AnnualSession.objects.filter(is_generated=True)
    assert sorted(new.values_list("year", flat=True)) == [*range(2008, 2013)]
    assert new.get(year=2008).npc_session == "11th NPC, 1st session"
    assert new.get(year=2012).cppcc_session == "11th CPPCC, 5th session"
    per_year = Counter(
        Proposal.objects.filter(is_generated=True).values_list("session_id", flat=True)
    )
    assert sorted(per_year) == list(range(2008, 2026))
    assert all(2000 / 18 * 0.85 <= n <= 2000 / 18 * 1.15 for n in per_year.values())
    remove()
    assert snapshot() == before
    assert not any(generated_counts().values())
    call_command("generate_demo_data", remove=True, verbosity=0)  # nothing left: a no-op
    assert snapshot() == before


def test_proposals_match_seats_and_have_one_to_four_topics_and_a_source(real_data):
    generate()
    generated = Proposal.objects.filter(is_generated=True)
    assert not Proposal.objects.without_matching_seat().exists()
    assert not generated.without_source().exists()
    assert not generated.without_topic().exists()
    topic_counts = Counter(
        generated.annotate(n=Count("topics", distinct=True)).values_list("n", flat=True)
    )
    assert set(topic_counts) == {1, 2, 3, 4}
    assert topic_counts[1] > topic_counts[4]
    source_counts = Counter(
        generated.annotate(n=Count("sources", distinct=True)).values_list("n", flat=True)
    )
    assert min(source_counts) >= 1 and max(source_counts) > 1
    # Sources are news pages shared by several proposals, some by many.
    per_source = sorted(
        Source.objects.filter(is_generated=True)
        .annotate(n=Count("proposals"))
        .values_list("n", flat=True)
    )
    assert per_source[0] >= 1
    assert per_source[-1] >= 3 * median(per_source)
    titles = Source.objects.filter(is_generated=True).values_list("title", flat=True)
    assert any("\u4e00" <= ch <= "\u9fff" for title in titles for ch in title)  # Chinese too
    # Statuses other than submitted, and delegates' activity long-tailed.
    assert len(set(generated.values_list("status", flat=True))) >= 4
    per_delegate = list(
        generated.values("delegate", "session").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert max(per_delegate) >= 5 * median(per_delegate)


def test_topic_tree_has_two_levels_and_a_drifting_long_tail(real_data):
    generate()
    topics = Topic.objects.filter(is_generated=True)
    assert topics.count() == 60
    assert topics.filter(parent__isnull=True).count() == 10
    assert not Topic.objects.too_deep().exists()
    assert not topics.filter(parent__is_generated=False).exists()
    links = ProposalTopic.objects.filter(proposal__is_generated=True)
    assert not links.filter(topic__parent__isnull=True).exists()  # proposals tag sub-topics
    shares = sorted(links.values("topic").annotate(n=Count("id")).values_list("n", flat=True))
    assert shares[-1] >= 5 * median(shares)
    # Topics that arrived lately have no proposals before their time.
    assert not links.filter(topic__slug="gen-generative-ai", proposal__session_id__lt=2023).exists()
    assert links.filter(topic__slug="gen-generative-ai").exists()
    carbon = links.filter(topic__slug="gen-carbon-neutrality")
    assert not carbon.filter(proposal__session_id__lt=2021).exists()


def test_realistic_bodies_hold_seats_over_five_year_terms(real_data):
    generate(proposals=500, first_year=2021, last_year=2024, npc_size=3000, cppcc_size=2200)
    seats = Seat.objects.filter(delegate__is_generated=True)
    for year in range(2021, 2025):
        assert seats.filter(session_id=year, body=Body.NPC).count() == 3000
        assert seats.filter(session_id=year, body=Body.CPPCC).count() == 2200
    # Nobody sits twice in one year.
    assert not seats.values("delegate", "session").annotate(n=Count("id")).filter(n__gt=1)
    held = {
        year: set(seats.filter(session_id=year).values_list("delegate", "body", "delegation"))
        for year in range(2021, 2025)
    }
    assert held[2021] == held[2022]  # the 13th term (2018-2022) carries on
    assert held[2023] == held[2024]  # the 14th term
    re_elected = {(d, b) for d, b, _ in held[2022]} & {(d, b) for d, b, _ in held[2023]}
    assert 0.35 * 5200 < len(re_elected) < 0.55 * 5200
    assert Delegate.objects.filter(is_generated=True).exclude(name_zh="").exists()
    assert not Delegate.objects.filter(is_generated=True, name_zh="").exists()
    assert not Company.objects.filter(is_generated=True, name_zh="").exists()
    assert Affiliation.objects.filter(delegate__is_generated=True).exists()


def test_a_second_run_is_refused_and_replace_swaps_in_one_step(real_data):
    generate(seed=1)
    counts = generated_counts()
    with pytest.raises(CommandError, match="already present"):
        generate(seed=2)
    assert generated_counts() == counts
    generate(seed=2, proposals=500, replace=True)
    assert generated_counts()["proposals.Proposal"] == 500
    assert Proposal.objects.filter(is_generated=False).count() == 269


def test_a_failure_midway_leaves_no_partial_dataset(real_data, monkeypatch):
    before = snapshot()
    original = demodata._Generator._add_proposals

    def fail_in_2020(self, year: int, count: int) -> None:
        if year == 2020:
            raise IntegrityError("simulated failure mid-way")
        original(self, year, count)

    monkeypatch.setattr(demodata._Generator, "_add_proposals", fail_in_2020)
    with pytest.raises(CommandError, match="Nothing was written"):
        generate()
    assert snapshot() == before


def test_bad_arguments_are_refused(db):
    with pytest.raises(CommandError, match="--proposals"):
        call_command("generate_demo_data", verbosity=0)
    with pytest.raises(CommandError, match="first year"):
        generate(first_year=2020, last_year=2019)
    with pytest.raises(CommandError, match="at least one"):
        generate(proposals=0)


def test_copy_values_are_escaped_for_postgresql():
    # Generated text never holds tabs or newlines, but the COPY writer must not depend on it.
    assert tables.copy_text("a\tb\\c\nd\re") == "a\\tb\\\\c\\nd\\re"
    assert tables.copy_text("plain 中文") == "plain 中文"
    assert [tables.copy_text(v) for v in (None, True, False, 42)] == ["\\N", "t", "f", "42"]


def test_trend_counts_follow_generation_and_removal(real_data, settings):
    from proposals.models import TrendCount
    from stats import trends
    from stats.params import TrendParams

    settings.TRACKER_SHOW_GENERATED = True
    call_command("generate_demo_data", proposals=2000, seed=3, verbosity=0)
    shown = TrendCount.objects.filter(topic__isnull=True).aggregate(n=Sum("proposals"))["n"]
    assert shown == Proposal.objects.count() == 2269
    assert sum(v for v in trends.topic_trend(TrendParams()).payload()["series"][0]["values"] if v)
    call_command("generate_demo_data", remove=True, verbosity=0)
    total = TrendCount.objects.filter(topic__isnull=True).aggregate(n=Sum("proposals"))["n"]
    assert total == 269


def test_generated_outcomes_and_chains_are_realistic_and_consistent(real_data):
    """Issue 13: most outcomes unknown, each status what its events give, in an order
    the rules accept; a few asks filed again, each link to the same delegate earlier."""
    from proposals.models import OutcomeEvent
    from proposals.outcomes import Step, derived_status, timeline_problems

    generate()
    generated = Proposal.objects.filter(is_generated=True)
    statuses = Counter(generated.values_list("status", flat=True))
    assert statuses["submitted"] > 0.75 * sum(statuses.values())  # "not known" the largest
    steps: dict[int, list[Step]] = {}
    for pk, kind, when in OutcomeEvent.objects.filter(proposal__is_generated=True).values_list(
        "proposal_id", "kind", "when"
    ):
        steps.setdefault(pk, []).append(Step(kind, when))
    assert steps
    for pk, year, status in generated.values_list("pk", "session_id", "status"):
        assert status == derived_status(s.kind for s in steps.get(pk, []))
        assert timeline_problems(steps.get(pk, []), year) == []
    linked = generated.filter(repeats__isnull=False).select_related("repeats")
    assert 0 < linked.count() < 0.1 * generated.count()
    for proposal in linked:
        assert proposal.repeats.delegate_id == proposal.delegate_id
        assert proposal.repeats.session_id < proposal.session_id
    remove()
    assert not OutcomeEvent.objects.filter(proposal__is_generated=True).exists()
    assert OutcomeEvent.objects.count() == 5  # the real ones stay
