"""Search: the same interface on both databases; PostgreSQL adds stemming, ranking and
typo-tolerant names. Each test states which database's behaviour it checks; CI runs
the suite on both."""

from __future__ import annotations

import pytest
from django.db import connection

from delegates.models import Company
from proposals.models import Proposal
from tests.factories import DelegateFactory, ProposalFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text behaviour (CI's second run)"
)


def found(text: str) -> list[str]:
    return [p.title for p in Proposal.objects.search(text).by_relevance()]


def test_words_match_titles_and_summaries_on_both_databases(real_data):
    assert found("battery swapping")[:2] == [
        "Expand battery-swapping stations and standards",
        "Set national standards for NEV batteries and swapping",
    ]


def test_names_in_english_pinyin_and_chinese_and_companies(real_data):
    lei = set(Proposal.objects.filter(delegate__name="Lei Jun").values_list("title", flat=True))
    for text in ["Lei Jun", "雷军", "Xiaomi", "小米"]:
        assert lei <= set(found(text)), text
    pony = set(found("Ma Huateng"))
    assert len(pony) == 47


def test_title_matches_rank_above_summary_matches(real_data):
    results = found("fast charging")
    assert results[0] == "Build high-power fast-charging infrastructure"


@postgres_only
def test_postgres_stems_words(real_data):
    # "recycled" shares the stem of "Recycle": a substring search would miss it.
    assert "Recycle e-waste while protecting personal data" in found("recycled")


@postgres_only
def test_postgres_tolerates_a_misspelt_name(real_data):
    lei = set(Proposal.objects.filter(delegate__name="Lei Jun").values_list("title", flat=True))
    assert lei <= set(found("Lei Jum"))


@postgres_only
def test_postgres_ranks_the_person_named_above_names_spelt_alike(real_data):
    look_alike = DelegateFactory(name="Li Jun", name_zh="李军")
    session = Proposal.objects.filter(delegate__name="Lei Jun").first().session
    ProposalFactory(delegate=look_alike, session=session, title="A look-alike's proposal")
    ranked = found("Lei Jun")
    assert "A look-alike's proposal" in ranked  # still found, by spelling
    assert (
        ranked.index("A look-alike's proposal")
        >= Proposal.objects.filter(delegate__name="Lei Jun").count()
    )


@postgres_only
def test_postgres_uses_the_stored_vector(real_data):
    proposal = Proposal.objects.get(title="Build a social emergency network")
    proposal.title = "Build a national flood warning network"
    proposal.save()
    assert "Build a national flood warning network" in found("floods")  # trigger re-indexed


@postgres_only
def test_postgres_search_can_run_without_reading_every_proposal(real_data):
    """Each part of the match (text, delegate names, company names) has an index to
    start from. With sequential scans priced out, the plan must then use none on the
    proposals table: a WHERE that ORs in a per-row test would still need one."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Proposal.objects.visible().search("charging xiaomi").by_relevance()[:25].explain()
    assert "Seq Scan on proposals_proposal" not in plan
    # One bitmap scan of the proposals, its arms the text index and the delegate index
    # (the matching people, the matching companies' staff), not a join of id sets.
    assert "BitmapOr" in plan
    assert "proposal_search_vector_gin" in plan
    assert plan.count("Index Cond: (delegate_id = ANY") == 2


@postgres_only
def test_postgres_fuzzy_names_need_to_be_close(real_data):
    """A near-miss spelling finds the person; a merely similar-looking name does not."""
    from tests.factories import DelegateFactory, ProposalFactory

    ProposalFactory(delegate=DelegateFactory(name="Xiao Min"), title="Unrelated")
    assert "Unrelated" not in found("xiaomi")
    assert "Unrelated" in found("Xiao Min")


@postgres_only
def test_postgres_one_letter_finds_nothing_rather_than_everything(real_data):
    """ "e" is in most names and is no word: as a name or as text it would match (or
    scan) everything."""
    assert found("e") == []
    assert found("雷") == []  # one character; "雷军" is found (see above)


@postgres_only
def test_postgres_prices_the_trigram_match_so_name_indexes_are_used(db):
    """At pg_trgm's default cost the planner reads all of a couple of thousand companies
    and computes a similarity per row (5 ms, several times per search page) rather than
    use the trigram indexes; a migration prices the match at what it costs."""
    Company.objects.bulk_create(
        Company(name=f"Company {n} Holdings", slug=f"company-{n}") for n in range(2000)
    )
    with connection.cursor() as cursor:
        # Move the new rows out of the GIN indexes' pending lists, as autovacuum would.
        for index in ("company_name_trgm", "company_name_upper_trgm", "company_name_zh_upper_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE delegates_company")
    plan = Company.objects.matching_name("energy").explain()
    assert "Seq Scan" not in plan
    assert "company_name_trgm" in plan
