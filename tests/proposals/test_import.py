"""The bulk importer and its command: what a clean file creates, what a second run
changes (nothing), updates, and every kind of bad row, reported all at once."""

from __future__ import annotations

import codecs
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate, Seat
from demo.realdata import CSV_PATH
from proposals import importing
from proposals.bulk import proposals_changed_in_bulk
from proposals.importing import import_proposals
from proposals.interchange import COLUMNS
from proposals.models import Proposal, ProposalTopic, Source
from tests.factories import DelegateFactory, SeatFactory, SourceFactory
from tests.proposals.import_files import THREE_ROWS, csv_bytes, db_state, make_row, run
from topics.models import Topic

pytestmark = pytest.mark.django_db


def test_clean_import_creates_every_record_with_its_links(import_topics):
    report = run(csv_bytes(THREE_ROWS))
    assert report.ok, report.problems
    assert report.rows == 3
    assert Proposal.objects.count() == 3
    lei = Delegate.objects.get(name="Lei Jun")
    assert lei.name_zh == "雷军" and lei.slug == "lei-jun"
    pony = Delegate.objects.get(name="Pony Ma")
    assert pony.other_names == "Ma Huateng"
    assert AnnualSession.objects.filter(year=2023).exists()
    assert set(Seat.objects.values_list("delegate__name", "session_id", "body")) == {
        ("Lei Jun", 2023, "npc"),
        ("Pony Ma", 2023, "npc"),
    }
    assert set(Company.objects.values_list("name", flat=True)) == {"Xiaomi", "Tencent"}
    aff = Affiliation.objects.get(delegate=lei)
    assert (aff.company.name, aff.role, aff.start_year, aff.end_year) == (
        "Xiaomi",
        "Founder",
        2023,
        2023,
    )
    charging = Proposal.objects.get(title="Build high-power charging")
    assert charging.body == Body.NPC and charging.status == "submitted"
    assert not charging.is_generated
    assert set(charging.topics.values_list("slug", flat=True)) == {"ai", "regulation"}
    source = Source.objects.get(url="https://news.example.org/lei-2023")
    assert (source.title, source.publisher, str(source.published_on)) == (
        "Lei Jun's suggestions",
        "Example News",
        "2023-03-05",
    )
    assert source.proposals.count() == 2
    assert not Proposal.objects.without_matching_seat().exists()
    tallies = report.tallies
    assert (tallies["proposal"].created, tallies["delegate"].created) == (3, 2)
    assert (tallies["source"].created, tallies["seat"].created) == (2, 2)
    assert tallies["topic_link"].created == 4
    assert "proposals: 3 created, 0 updated, 0 unchanged" in report.summary_lines()


def test_reimporting_the_same_file_changes_nothing(import_topics):
    data = csv_bytes(THREE_ROWS, bom=True)
    assert run(data).ok
    before = db_state()
    report = run(data)
    assert report.ok
    assert db_state() == before
    for key, tally in report.tallies.items():
        assert (tally.created, tally.updated, tally.removed) == (0, 0, 0), key
    assert report.tallies["proposal"].unchanged == 3
    assert report.tallies["delegate"].unchanged == 2
    assert report.changes == []


def test_a_changed_summary_updates_the_record_and_records_a_version(import_topics):
    assert run(csv_bytes(THREE_ROWS)).ok
    proposal = Proposal.objects.get(title="Build high-power charging")
    rows = [dict(r) for r in THREE_ROWS]
    rows[0]["summary"] = "Corrected wording."
    # An older file's status column still imports when it agrees with the events.
    rows[0]["status"] = "Answered by a ministry"
    rows[0]["outcomes"] = '[{"kind":"replied","date":"2023-09"}]'
    rows[0]["topics"] = "ai"
    report = run(csv_bytes(rows))
    assert report.ok
    proposal.refresh_from_db()
    assert proposal.summary == "Corrected wording."
    assert proposal.status == "answered"
    assert list(proposal.topics.values_list("slug", flat=True)) == ["ai"]
    assert report.tallies["proposal"].updated == 1
    assert report.tallies["proposal"].unchanged == 2
    assert report.tallies["topic_link"].removed == 1
    [change] = report.changes
    assert change.line == 2 and change.action == "update"
    assert any(d.startswith("summary:") for d in change.details)
    assert "topics: −regulation" in change.details
    latest, previous = proposal.history.order_by("-history_date", "-history_id")[:2]
    delta = latest.diff_against(previous)
    # The status is derived data: the events carry their own history.
    assert {c.field for c in delta.changes} == {"summary", "topics"}
    assert proposal.outcome_events.get().history.count() == 1


def test_empty_optional_cells_never_erase(import_topics):
    assert run(csv_bytes(THREE_ROWS)).ok
    rows = [dict(r) for r in THREE_ROWS]
    rows[0].update(summary="", status="", source_title="", source_publisher="", company="", role="")
    report = run(csv_bytes(rows))
    assert report.ok
    assert report.tallies["proposal"].updated == 0
    assert Proposal.objects.get(title="Build high-power charging").summary == "Our own words."
    assert Source.objects.get(url="https://news.example.org/lei-2023").title


def test_json_lines_import_the_same_as_csv(import_topics):
    lines = []
    for row in THREE_ROWS:
        data = dict(row, year=int(row["year"]), topics=row["topics"].split(";"))
        lines.append(json.dumps(data, ensure_ascii=False))
    report = run(("\n".join(lines) + "\n").encode(), name="session.jsonl")
    assert report.ok, report.problems
    assert Proposal.objects.count() == 3
    # The same rows as CSV now change nothing.
    again = run(csv_bytes(THREE_ROWS))
    assert again.tallies["proposal"].unchanged == 3


def test_jsonl_problems_name_the_line(import_topics):
    good = json.dumps(make_row())
    data = f"{good}\nnot json\n[1, 2]\n{json.dumps(make_row(title='', body='x'))}\n"
    report = run(data.encode(), name="x.jsonl")
    assert [(p.line, p.column) for p in report.problems] == [
        (2, ""),
        (3, ""),
        (4, "body"),
        (4, "title"),
    ]
    assert Proposal.objects.count() == 0


def test_delegates_match_by_other_or_chinese_name(import_topics):
    pony = DelegateFactory(name="Pony Ma", other_names="Ma Huateng", name_zh="马化腾")
    lei = DelegateFactory(name="Lei Jun", name_zh="")
    rows = [
        make_row(delegate_name="Ma Huateng", delegate_name_zh="", title="A"),
        make_row(delegate_name="Pony Ma (Ma Huateng)", delegate_name_zh="马化腾", title="B"),
        make_row(delegate_name="Huateng Ma", delegate_name_zh="马化腾", title="C"),
        make_row(delegate_name="lei jun", delegate_name_zh="雷军", title="D"),
    ]
    report = run(csv_bytes(rows))
    assert report.ok, report.problems
    assert Delegate.objects.count() == 2
    assert set(pony.proposals.values_list("title", flat=True)) == {"A", "B", "C"}
    lei.refresh_from_db()
    assert lei.name_zh == "雷军"  # filled in, and recorded
    assert lei.history.first().history_change_reason == "Imported from session.csv"
    assert report.tallies["delegate"].updated == 1


def test_names_of_two_different_delegates_are_refused(import_topics):
    DelegateFactory(name="Pony Ma", name_zh="马化腾")
    DelegateFactory(name="Lei Jun", name_zh="雷军")
    report = run(csv_bytes([make_row(delegate_name="Pony Ma", delegate_name_zh="雷军")]))
    [problem] = report.problems
    assert (problem.line, problem.column) == (2, "delegate_name")
    assert "correct one of the names" in problem.reason


def test_affiliation_span_is_extended_not_duplicated(import_topics):
    lei = DelegateFactory(name="Lei Jun", name_zh="雷军")
    xiaomi = Company.objects.create(name="Xiaomi", name_zh="小米", slug="xiaomi")
    Affiliation.objects.create(
        delegate=lei, company=xiaomi, role="Founder", start_year=2019, end_year=2020
    )
    rows = [make_row(year="2022", title="A"), make_row(company="小米", year="2017", title="B")]
    report = run(csv_bytes(rows))
    assert report.ok, report.problems
    aff = Affiliation.objects.get()
    assert (aff.start_year, aff.end_year) == (2017, 2022)
    assert report.tallies["affiliation"].updated == 1
    assert aff.history.count() == 2  # the state before, and the import's change


def test_a_delegate_in_both_bodies_needs_both_seats(import_topics):
    shufu = DelegateFactory(name="Li Shufu", name_zh="李书福")
    rows = [
        make_row(delegate_name="Li Shufu", delegate_name_zh="李书福", body="NPC", title="A"),
        make_row(delegate_name="Li Shufu", delegate_name_zh="李书福", body="CPPCC", title="B"),
    ]
    report = run(csv_bytes(rows))
    [problem] = report.problems
    assert (problem.line, problem.column, problem.value) == (3, "body", "CPPCC")
    assert "line 2" in problem.reason and "both seats" in problem.reason
    assert not Seat.objects.exists()
    session = AnnualSession.objects.create(year=2023)
    for body in (Body.NPC, Body.CPPCC):
        SeatFactory(delegate=shufu, session=session, body=body)
    assert run(csv_bytes(rows)).ok
    assert set(shufu.proposals.values_list("body", flat=True)) == {"npc", "cppcc"}


def bad_file_rows() -> list[tuple[dict[str, str], str, str]]:
    """(row, column at fault, words in the reason) for each kind of bad row."""
    return [
        (make_row(topics="ai;no-such-topic", title="T1"), "topics", "unknown topic"),
        (make_row(year="1850", title="T2"), "year", "year out of range"),
        (make_row(year="2099", title="T3"), "year", "year out of range"),
        (make_row(body="Politburo", title="T4"), "body", "NPC or CPPCC"),
        (make_row(title="  "), "title", "empty title"),
        (
            make_row(
                delegate_name="Wang Xiaochuan", delegate_name_zh="王小川", title="T6", body="CPPCC"
            ),
            "body",
            "contradicts",
        ),
        (make_row(title="T7", source_url="", source_title=""), "source_url", "no source"),
        (make_row(title="T8", status="lost"), "status", "unknown status"),
        (make_row(title="T9", source_date="5 March"), "source_date", "not a date"),
        (make_row(title="T10", summary="Bin\x00ary"), "summary", "NUL character"),
    ]


@pytest.mark.parametrize("case", range(len(bad_file_rows())))
def test_each_kind_of_bad_row_is_reported_and_nothing_written(import_topics, case):
    wang = DelegateFactory(name="Wang Xiaochuan", name_zh="王小川")
    SeatFactory(delegate=wang, session=AnnualSession.objects.create(year=2023), body=Body.NPC)
    row, column, reason = bad_file_rows()[case]
    before = db_state()
    report = run(csv_bytes([make_row(title="A good row"), row]))
    assert not report.ok
    assert [(p.line, p.column) for p in report.problems] == [(3, column)]
    assert reason in report.problems[0].reason
    assert db_state() == before


def test_a_duplicate_row_in_the_file_is_reported_with_the_first_line(import_topics):
    report = run(csv_bytes([make_row(), make_row(title="Other"), make_row()]))
    [problem] = report.problems
    assert (problem.line, problem.column) == (4, "title")
    assert "duplicate in the file" in problem.reason and "line 2" in problem.reason
    assert not Proposal.objects.exists()


def test_a_file_full_of_bad_rows_reports_every_one_and_writes_nothing(import_topics, tmp_path):
    wang = DelegateFactory(name="Wang Xiaochuan", name_zh="王小川")
    SeatFactory(delegate=wang, session=AnnualSession.objects.create(year=2023), body=Body.NPC)
    rows = [make_row(title="Good one")]
    expected = []
    for row, column, _ in bad_file_rows():
        rows.append(row)
        expected.append((len(rows) + 1, column))
        rows.append(make_row(title=f"Good after line {len(rows) + 1}"))
    rows.append(make_row(title="Good one"))  # duplicate of line 2
    expected.append((len(rows) + 1, "title"))
    data = csv_bytes(rows)
    data += b"2023,NPC,Lei Jun," + "雷军".encode("gbk") + b",Xiaomi,,GBK row,,ai,,"
    data += b"https://news.example.org/gbk,,,,,\n"  # no outcomes, no repeats
    expected.append((len(rows) + 2, "delegate_name_zh"))
    before = db_state()
    report = run(data)
    assert [(p.line, p.column) for p in report.problems] == expected
    assert "not UTF-8" in report.problems[-1].reason
    assert db_state() == before
    with pytest.raises(CommandError, match=r"12 problem\(s\) on 12 line\(s\)"):
        path = tmp_path / "bad.csv"
        path.write_bytes(data)
        call_command("import_proposals", str(path))
    assert db_state() == before


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (codecs.BOM_UTF8, "the file is empty"),
        (b"2023,NPC,Lei Jun\n", "missing header"),
        (b"year,body,title\n2023,NPC,x\n", "missing required column(s)"),
        (csv_bytes([], columns=[*COLUMNS, "colour"]), "unknown column(s)"),
        ("year,body".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet"),
        ("年份,机构\n".encode("gbk"), "not UTF-8"),
    ],
)
def test_unreadable_files_get_one_clear_problem(import_topics, data, reason):
    report = run(data)
    [problem] = report.problems
    assert problem.line == 1
    assert reason in problem.reason
    assert not Proposal.objects.exists()


def test_a_failure_at_row_k_leaves_the_database_exactly_as_before(import_topics, monkeypatch):
    assert run(csv_bytes(THREE_ROWS)).ok
    before = db_state()
    from proposals.importing import write

    monkeypatch.setattr(importing, "CHUNK_ROWS", 4)
    rows = [make_row(title=f"Proposal {i}", summary=f"Changed {i}") for i in range(20)]
    rows[0] = dict(THREE_ROWS[0], summary="Changed too")  # an update in the first chunk
    real_parse = write.parse_row

    def parse_failing_at_row_k(record, *args, **kwargs):
        if record.line == 15:  # chunks before it have been written
            raise RuntimeError("disk full")
        return real_parse(record, *args, **kwargs)

    monkeypatch.setattr(write, "parse_row", parse_failing_at_row_k)
    with pytest.raises(RuntimeError, match="disk full"):
        run(csv_bytes(rows))
    assert db_state() == before


def test_dry_run_reports_the_changes_and_writes_nothing(import_topics):
    before = db_state()
    report = run(csv_bytes(THREE_ROWS), dry_run=True)
    assert report.ok and report.dry_run and not report.written
    assert report.tallies["proposal"].created == 3
    assert [c.line for c in report.changes] == [2, 3, 4]
    assert db_state() == before


def test_unknown_topics_are_created_when_asked():
    report = run(csv_bytes([make_row(topics="battery-swapping")]), create_topics=True)
    assert report.ok
    topic = Topic.objects.get(slug="battery-swapping")
    assert topic.name == "Battery swapping" and topic.parent is None
    assert report.tallies["topic"].created == 1


def test_a_source_title_alone_names_a_known_source(import_topics):
    SourceFactory(url="https://paper.example.org/print", title="Print edition, 6 March")
    rows = [
        make_row(title="A", source_url="", source_title="Print edition, 6 March"),
        make_row(title="B", source_url="", source_title="Never heard of it"),
    ]
    report = run(csv_bytes(rows))
    [problem] = report.problems
    assert (problem.line, problem.column) == (3, "source_title")
    rows.pop()
    assert run(csv_bytes(rows)).ok
    assert Proposal.objects.get().sources.get().url == "https://paper.example.org/print"


def test_one_page_described_two_ways_in_one_file_is_refused(import_topics):
    rows = [make_row(title="A"), make_row(title="B", source_title="Another title")]
    [problem] = run(csv_bytes(rows)).problems
    assert (problem.line, problem.column) == (3, "source_url")
    assert "line 2" in problem.reason


def test_the_real_csv_imports_into_an_empty_database():
    report = import_proposals(CSV_PATH.open("rb"), name=CSV_PATH.name, create_topics=True)
    assert report.ok, report.problems[:5]
    assert Proposal.objects.count() == 188
    assert Delegate.objects.count() == 16
    assert Source.objects.count() == 80
    assert ProposalTopic.objects.count() == 438
    assert Topic.objects.count() == 85
    assert not Proposal.objects.without_matching_seat().exists()
    assert Proposal.history.count() == 188
    again = import_proposals(CSV_PATH.open("rb"), name=CSV_PATH.name)
    assert again.ok and again.tallies["proposal"].unchanged == 188


def test_the_real_csv_over_the_real_data_only_reverts_the_one_wording_fix(real_data):
    report = import_proposals(CSV_PATH.open("rb"), name=CSV_PATH.name, dry_run=True)
    assert report.ok, report.problems[:5]
    assert report.tallies["proposal"].updated == 1
    assert report.tallies["proposal"].unchanged == 187
    [change] = report.changes
    assert "Li Shufu" in change.label and change.details[0].startswith("summary:")


def test_command_prints_a_summary_and_records_the_user(import_topics, tmp_path, editor, capsys):
    path = tmp_path / "session.csv"
    path.write_bytes(csv_bytes(THREE_ROWS))
    call_command("import_proposals", str(path), "--dry-run")
    assert not Proposal.objects.exists()
    out = io.StringIO()
    call_command("import_proposals", str(path), user="editor", stdout=out)
    assert "proposals: 3 created, 0 updated, 0 unchanged" in out.getvalue()
    assert "Imported: 3 rows read from session.csv." in out.getvalue()
    version = Proposal.objects.get(title="Plan compute nationally").history.get()
    assert version.history_user == editor
    assert version.history_type == "+"
    assert version.history_change_reason == "Imported from session.csv"
    assert list(version.topics.values_list("topic__slug", flat=True)) == ["ai"]


def test_command_refuses_a_missing_file_or_user(tmp_path):
    with pytest.raises(CommandError, match="cannot open"):
        call_command("import_proposals", str(tmp_path / "nope.csv"))
    (tmp_path / "x.csv").write_text("")
    with pytest.raises(CommandError, match="No user"):
        call_command("import_proposals", str(tmp_path / "x.csv"), user="ghost")


def test_a_written_import_announces_what_it_changed(
    import_topics, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, proposal_ids, slices, **kwargs):
        received.append((proposal_ids, slices))

    proposals_changed_in_bulk.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run(csv_bytes(THREE_ROWS), dry_run=True)
            run(csv_bytes([make_row(title="")]))
        assert received == []  # nothing was written
        with django_capture_on_commit_callbacks(execute=True):
            run(csv_bytes(THREE_ROWS))
            run(csv_bytes(THREE_ROWS))  # changes nothing, announces nothing
    finally:
        proposals_changed_in_bulk.disconnect(listener)
    [(ids, slices)] = received
    assert ids == sorted(Proposal.objects.values_list("pk", flat=True))
    assert slices == {(2023, "npc")}
