"""Export, then import the export back: nothing is created or changed (issue 17,
defect 7: the export's apostrophe before formula-like cells and a normalised leading
space made 5 of 7 rows look new)."""

from __future__ import annotations

import io

import pytest

from proposals.importing import import_proposals
from proposals.models import Proposal
from tests.factories import AnnualSessionFactory, ProposalFactory, TopicFactory

pytestmark = pytest.mark.django_db


def exported(client, url: str = "/proposals/export.csv") -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def assert_nothing_changes(report) -> None:
    assert not report.problems, report.problems[:5]
    for model, tally in report.tallies.items():
        assert (model, tally.created, tally.updated, tally.removed) == (model, 0, 0, 0)
    assert report.changes == []


def test_exporting_the_whole_real_data_and_importing_it_back_changes_nothing(client, real_data):
    before = list(Proposal.objects.order_by("pk").values())
    report = import_proposals(io.BytesIO(exported(client)), name="export.csv")
    assert report.rows == Proposal.objects.count() > 250
    assert_nothing_changes(report)
    assert report.tallies["proposal"].unchanged == report.rows
    assert list(Proposal.objects.order_by("pk").values()) == before


FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example")',
    "+86 hotline for rural users",
    "-5% tariffs on chips",
    "@scale AI for small shops",
    "'Made in China 2025' upgrade",
    " Leading space in the title",
    "Plain title",
]


def test_formula_like_and_spaced_rows_round_trip_unchanged(client):
    topic = TopicFactory()
    session = AnnualSessionFactory(year=2024)  # a year the importer accepts
    for title in FORMULA_LIKE:
        ProposalFactory(session=session, title=title, summary="=1+1 " + title, topics=[topic])
    report = import_proposals(io.BytesIO(exported(client)), name="export.csv")
    assert report.rows == 7
    assert_nothing_changes(report)
    assert Proposal.objects.count() == 7
