"""The importer's outcome and repeats columns (issue 13): older files still import,
events and links are written and checked like the admin's, and the whole real data
survives an export and an import back unchanged."""

from __future__ import annotations

import json

import pytest

from proposals.interchange import BASE_COLUMNS
from proposals.models import OutcomeEvent, Proposal, Status
from tests.proposals.import_files import THREE_ROWS, csv_bytes, db_state, make_row, run

pytestmark = pytest.mark.django_db

REPLY = [
    {"kind": "registered", "date": "2023-04"},
    {
        "kind": "replied",
        "date": "2023-09-12",
        "department": "Ministry of Industry and Information Technology",
        "grade": "B",
        "source_url": "https://news.example.org/reply",
        "caveat": "Self-report",
        "note": "The delegate says the ministry replied.",
    },
]


def test_an_old_file_without_the_new_columns_still_imports(import_topics):
    report = run(csv_bytes(THREE_ROWS, columns=BASE_COLUMNS))
    assert report.ok, report.problems
    assert Proposal.objects.count() == 3
    assert not OutcomeEvent.objects.exists()
    assert set(Proposal.objects.values_list("status", flat=True)) == {Status.SUBMITTED}


def test_outcomes_are_imported_and_the_status_derived(import_topics):
    rows = [make_row(outcomes=json.dumps(REPLY))]
    report = run(csv_bytes(rows))
    assert report.ok, report.problems
    proposal = Proposal.objects.get()
    assert proposal.status == Status.ANSWERED
    reply = proposal.outcome_events.get(kind="replied")
    assert (reply.when, reply.grade, reply.source.url) == (
        "2023-09-12",
        "B",
        "https://news.example.org/reply",
    )
    assert reply.history.count() == 1
    assert report.tallies["outcome_event"].created == 2
    before = db_state()
    again = run(csv_bytes(rows))
    assert again.ok and again.changes == []
    assert db_state() == before


def test_an_empty_outcomes_cell_keeps_the_events_and_an_empty_list_removes_them(
    import_topics,
):
    run(csv_bytes([make_row(outcomes=json.dumps(REPLY))]))
    assert run(csv_bytes([make_row()])).ok
    assert OutcomeEvent.objects.count() == 2
    assert run(csv_bytes([make_row(outcomes="[]")])).ok
    assert not OutcomeEvent.objects.exists()
    assert Proposal.objects.get().status == Status.SUBMITTED


def test_an_impossible_order_is_refused_with_its_line_and_column(import_topics):
    events = [{"kind": "registered", "date": "2023-06"}, {"kind": "replied", "date": "2023-02"}]
    rows = [make_row(), make_row(title="Second", outcomes=json.dumps(events))]
    report = run(csv_bytes(rows))
    assert not report.ok
    [problem] = report.problems
    assert (problem.line, problem.column) == (3, "outcomes")
    assert "cannot come before" in problem.reason
    assert not Proposal.objects.exists()  # all or nothing


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("not json", "not a JSON list"),
        ('[{"kind":"lost"}]', "unknown event kind"),
        ('[{"kind":"replied","grade":"E"}]', "grade is A, B, C or D"),
        ('[{"kind":"replied","date":"2023-13"}]', "not a date"),
        ('[{"kind":"replied","colour":"red"}]', "unknown event key"),
    ],
)
def test_bad_outcome_cells_are_refused(import_topics, cell, reason):
    report = run(csv_bytes([make_row(outcomes=cell)]))
    assert [p.column for p in report.problems] == ["outcomes"]
    assert reason in report.problems[0].reason


def test_a_status_the_events_do_not_give_is_refused(import_topics):
    report = run(csv_bytes([make_row(status="adopted")]))
    [problem] = report.problems
    assert problem.column == "status"
    assert "the status follows the outcome events" in problem.reason
    assert not Proposal.objects.exists()


def test_repeats_link_to_an_earlier_filing_in_the_file(import_topics):
    rows = [
        make_row(year="2022", title="Raise the threshold"),
        make_row(
            year="2023", title="Raise the threshold again", repeats="2022: Raise the threshold"
        ),
    ]
    report = run(csv_bytes(rows))
    assert report.ok, report.problems
    later = Proposal.objects.get(session_id=2023)
    assert later.repeats == Proposal.objects.get(session_id=2022)
    missing = run(csv_bytes([make_row(year="2024", title="Third", repeats="2021: Nothing")]))
    [problem] = missing.problems
    assert (problem.line, problem.column) == (2, "repeats")


def test_the_whole_real_data_round_trips(client, real_data):
    """Export every proposal with its outcomes and links, import the file back: nothing
    changes, not a row, not a version."""
    response = client.get("/proposals/export.csv")
    data = b"".join(response.streaming_content)
    assert b"outcomes,repeats" in data.splitlines()[0]
    before = db_state()
    report = run(data, name="export.csv")
    assert report.ok, report.problems[:5]
    assert report.changes == []
    assert db_state() == before
    assert OutcomeEvent.objects.count() == 5
    assert Proposal.objects.filter(repeats__isnull=False).count() == 8


def test_json_lines_carry_outcomes_as_a_list(import_topics):
    row = make_row(outcomes="")
    row["outcomes"] = REPLY
    report = run((json.dumps(row) + "\n").encode(), name="session.jsonl")
    assert report.ok, report.problems
    assert Proposal.objects.get().status == Status.ANSWERED
