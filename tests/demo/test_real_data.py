"""The real data: what `make run` loads, and how its build and load handle bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from delegates.models import Affiliation, AnnualSession, Company, Delegate, Seat
from demo.realdata import CSV_PATH, CURATION_PATH, FIXTURE_PATH, build_fixture
from proposals.models import Proposal, ProposalTopic, Source
from topics.models import Topic

pytestmark = pytest.mark.django_db
TECHNODE = "https://technode.com/2022/03/10/two-sessions-2022-5-chinese-tech-leaders-suggest-policy-directions/"


def test_real_data_counts(real_data):
    # 188 from 2013-2022, 80 from 2023-2025, 1 known from an outcome source (2018)
    assert Proposal.objects.count() == 269
    assert Proposal.objects.filter(session_id__gte=2023).count() == 80
    assert AnnualSession.objects.count() == 13
    assert list(AnnualSession.objects.order_by("year").values_list("year", flat=True)) == list(
        range(2013, 2026)
    )
    assert Delegate.objects.count() == 24  # 18, and six new in 2023-2025
    assert Delegate.objects.filter(proposals__isnull=False).distinct().count() == 23
    assert Company.objects.count() == 24
    assert Topic.objects.roots().count() == 12
    assert Topic.objects.filter(parent__isnull=False).count() == 89  # 85 and four new slugs
    # 80 pages in the 2013-2022 file, 46 new in 2023-2025, the SCMP seed article, and
    # three pages that only outcomes.csv cites (one of them is also the source of Zeng
    # Yuqun's 2018 proposal).
    assert Source.objects.filter(proposals__isnull=False).distinct().count() == 128
    # And 31 pages the government's 60 priorities cite (none also cites a proposal).
    assert Source.objects.count() == 161
    assert ProposalTopic.objects.count() == 648
    # Every proposal has a topic, a source and a matching seat.
    assert not Proposal.objects.without_source().exists()
    assert not Proposal.objects.without_topic().exists()
    assert not Proposal.objects.without_matching_seat().exists()


def test_lei_jun_2022_suggestions_are_three_proposals_with_two_sources(real_data):
    lei = Delegate.objects.get(name="Lei Jun")
    assert lei.name_zh == "雷军"
    titles = {
        "Recycle e-waste while protecting personal data": "e-waste",
        "Create a carbon-footprint accounting system for NEVs": "new-energy-vehicles",
        "Build high-power fast-charging infrastructure": "fast-charging",
    }
    for title, slug in titles.items():
        proposal = Proposal.objects.get(delegate=lei, session_id=2022, title=title)
        assert proposal.body == "npc"
        assert slug in set(proposal.topics.values_list("slug", flat=True))
        urls = set(proposal.sources.values_list("url", flat=True))
        assert TECHNODE in urls and len(urls) == 2
    assert Proposal.objects.filter(delegate=lei, session_id=2022).count() == 4


def test_seed_article_and_csv_row_are_one_proposal(real_data):
    # Li Shufu's 2022 battery-swapping row already cites TechNode: still one proposal, one source.
    swap = Proposal.objects.get(
        delegate__name="Li Shufu", session_id=2022, topics__slug="battery-swapping"
    )
    assert list(swap.sources.values_list("url", flat=True)) == [TECHNODE]
    assert "provided by the requester" not in swap.summary  # corrected wording
    technode = Source.objects.get(url=TECHNODE)
    assert technode.proposals.count() == 11  # 9 merged + 2 the CSV already cited it for
    scmp = Source.objects.get(url__contains="3124133")
    assert {p.title for p in scmp.proposals.all()} == {
        "Plan compute infrastructure nationally",
        "Push further intelligent manufacturing",
    }


def test_names_roles_and_seats(real_data):
    pony = Delegate.objects.get(slug="pony-ma")
    assert pony.other_names == "Ma Huateng"
    assert pony.all_names == ["Pony Ma", "Ma Huateng", "马化腾"]
    # "His ninth year as an NPC delegate" in 2022 is derivable from seats (he holds 10 here).
    assert Seat.objects.filter(delegate=pony, body="npc", session_id__lte=2022).count() == 10
    wang = Delegate.objects.get(name="Wang Fengying")
    roles = list(Affiliation.objects.filter(delegate=wang).values_list("role", "start_year"))
    assert roles == [("Vice Chair & President", 2019), ("President", 2022)]
    yang = Delegate.objects.get(name="Yang Yuanqing")
    assert set(yang.seats.filter(session_id=2014).values_list("body", flat=True)) == {"cppcc"}
    assert set(yang.seats.filter(session_id=2018).values_list("body", flat=True)) == {"npc"}
    swap = Topic.objects.get(slug="battery-swapping")
    assert swap.parent.slug == "mobility"


def test_loading_twice_changes_nothing(real_data):
    before = (Proposal.objects.count(), Source.objects.count(), Seat.objects.count())
    call_command("load_real_data", verbosity=0)
    assert (Proposal.objects.count(), Source.objects.count(), Seat.objects.count()) == before


def test_fixture_is_up_to_date_and_deterministic():
    call_command("build_fixtures", "--check", verbosity=0)
    assert build_fixture() == build_fixture()


def test_malformed_fixture_names_record_and_field_and_writes_nothing(tmp_path: Path):
    records = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    proposal = next(r for r in records if r["model"] == "proposals.proposal")
    proposal["fields"]["created_at"] = "not a date"
    session = next(r for r in records if r["model"] == "delegates.annualsession")
    session["fields"]["opens_on"] = "2013-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_real_data", str(bad))
    message = str(excinfo.value)
    assert f"proposals.proposal pk={proposal['pk']}), field 'created_at'" in message
    assert "delegates.annualsession pk=2013), field 'opens_on'" in message
    assert Proposal.objects.count() == 0 and AnnualSession.objects.count() == 0


def test_fixture_breaking_the_seat_rule_is_rolled_back(tmp_path: Path):
    records = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    proposal = next(r for r in records if r["model"] == "proposals.proposal")
    proposal["fields"]["body"] = "cppcc" if proposal["fields"]["body"] == "npc" else "npc"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError, match=rf"pk={proposal['pk']}, field 'body'"):
        call_command("load_real_data", str(bad))
    assert Proposal.objects.count() == 0 and Seat.objects.count() == 0


def test_fixture_breaking_a_database_constraint_is_rolled_back(tmp_path: Path):
    records = json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))
    proposals = [r for r in records if r["model"] == "proposals.proposal"]
    # Two proposals by one delegate, one year, one title: the unique constraint refuses it.
    twin = next(
        p
        for p in proposals[1:]
        if p["fields"]["delegate"] == proposals[0]["fields"]["delegate"]
        and p["fields"]["session"] == proposals[0]["fields"]["session"]
    )
    twin["fields"]["title"] = proposals[0]["fields"]["title"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_real_data", str(bad))
    assert Proposal.objects.count() == 0 and Topic.objects.count() == 0


def test_build_reports_every_bad_csv_row_with_line_and_column(tmp_path: Path):
    csv_path = tmp_path / "data.csv"
    lines = CSV_PATH.read_text(encoding="utf-8").splitlines(keepends=True)
    header, first, second, third = lines[0], lines[1], lines[2], lines[3]
    bad_lines = [
        header,
        first.replace("2013,CPPCC", "2013,Senate", 1),  # line 2: body
        second.replace("capital-markets", "no-such-topic", 1),  # line 3: topic
        third.replace("2013,", "1999,", 1),  # line 4: year without a session
        first,  # line 5: fine on its own...
        first,  # line 6: ...but this duplicates line 5
    ]
    csv_path.write_text("".join(bad_lines), encoding="utf-8")
    out = tmp_path / "out.json"
    with pytest.raises(CommandError) as excinfo:
        call_command("build_fixtures", csv=[csv_path], curation=CURATION_PATH, output=out)
    message = str(excinfo.value)
    assert "data.csv, line 2, column body ('Senate'): must be NPC or CPPCC" in message
    assert "line 3, column topics ('no-such-topic'): not in the topic tree" in message
    assert "line 4, column year ('1999'): no session that year" in message
    assert "line 6, column title" in message and "duplicate of data.csv, line 5" in message
    assert not out.exists()


def test_build_refuses_a_csv_without_the_header(tmp_path: Path):
    csv_path = tmp_path / "data.csv"
    shutil.copy(CSV_PATH, csv_path)
    csv_path.write_text(
        "\n".join(csv_path.read_text(encoding="utf-8").splitlines()[1:]), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="line 1: header must be year,body"):
        call_command("build_fixtures", csv=[csv_path], output=tmp_path / "out.json")


def test_2023_2025_records_are_loaded(real_data):
    lei = Delegate.objects.get(name="Lei Jun")
    assert Proposal.objects.filter(delegate=lei, session_id=2024).count() == 4
    zhou = Delegate.objects.get(name_zh="周源")
    assert zhou.name == "Zhou Yuan"
    assert set(Proposal.objects.filter(delegate=zhou).values_list("session_id", "body")) == {
        (2025, "cppcc")
    }
    assert Proposal.objects.filter(delegate=zhou).count() == 3
    # One company spelt two ways across the files is one company.
    assert Company.objects.filter(name__startswith="58.com").count() == 1
    # New slugs have a parent in the tree.
    assert dict(
        Topic.objects.filter(
            slug__in=["llm", "robotics", "low-altitude-economy", "insurance"]
        ).values_list("slug", "parent__slug")
    ) == {
        "llm": "frontier-tech",
        "robotics": "industry",
        "low-altitude-economy": "mobility",
        "insurance": "finance",
    }
    session = AnnualSession.objects.get(year=2025)
    assert session.npc_session == "14th NPC, 3rd session"
    assert session.npc_session_zh == "第十四届全国人民代表大会第三次会议"


def test_every_real_proposal_has_a_chinese_title(real_data):
    assert not Proposal.objects.filter(title_zh="").exists()
    assert not Topic.objects.filter(name_zh="").exists()
    assert Proposal.objects.exclude(summary="").filter(summary_zh="").count() == 0


# --- Outcomes and filed-again chains (issue 13) --------------------------------------------


def test_robin_li_2022_shows_the_industry_ministrys_reply_and_its_caveat(client, real_data):
    proposal = Proposal.objects.get(
        session_id=2022, title="Allow fully driverless robotaxis and update traffic law"
    )
    assert proposal.status == "answered"
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Ministry of Industry and Information Technology" in page
    assert '<time datetime="2022-10">2022-10</time>' in page
    assert "A reply, not acceptance of the driverless-without-safety-officer ask." in page


def test_zeng_yuqun_2018_battery_tax_proposal_is_partly_adopted_with_its_caveat(client, real_data):
    proposal = Proposal.objects.get(
        session_id=2018, delegate__name="Zeng Yuqun", title__icontains="power-battery"
    )
    assert proposal.body == "cppcc" and proposal.status == "partial"
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Partly adopted" in page
    assert "the article credits the response, not a battery-specific policy" in page
    assert "http://ndwww.cn/132313.shtml" in page


def test_dong_mingzhus_income_tax_filings_form_one_chain(client, real_data):
    dong = Delegate.objects.get(name="Dong Mingzhu")
    tax = Proposal.objects.filter(delegate=dong, topics__slug="taxation").order_by("session_id")
    assert [p.session_id for p in tax] == [2021, 2022, 2023, 2024, 2025]
    assert [p.repeats_id for p in tax] == [None, *[p.pk for p in tax][:-1]]
    page = client.get(f"/proposals/{tax[2].pk}/").content.decode()
    assert "The same ask, filed 2021, 2022, 2023, 2024, 2025." in page
    delegate_page = client.get("/delegates/dong-mingzhu/").content.decode()
    assert "filed 2021, 2022, 2023, 2024, 2025" in delegate_page


def test_every_outcome_row_is_matched_or_said_to_be_left_out():
    from demo.realdata import build_fixture

    notes: list[str] = []
    records = build_fixture(notes=notes)
    events = [r for r in records if r["model"] == "proposals.outcomeevent"]
    assert len(events) == 5
    assert len(notes) == 5 and all("not matched, left out" in n for n in notes)
    assert any("Li Shufu (unconfirmed)" in n for n in notes)
    # Nothing invented: every event belongs to a proposal of the files or one its own
    # source reports.
    proposals = {r["pk"] for r in records if r["model"] == "proposals.proposal"}
    assert {e["fields"]["proposal"] for e in events} <= proposals


def test_delegate_pages_show_known_outcomes(client, real_data):
    page = client.get("/delegates/lei-jun/").content.decode()
    assert "Known outcomes" in page
    assert "Self-assessment only: no official reply cited." in page
