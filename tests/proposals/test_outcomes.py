"""Outcome events (issue 13): the order rules in model validation, the status derived
from the events with exact counts, the admin inline, the candidates page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.concurrency import version_token
from proposals.candidates import repeat_candidates
from proposals.models import OutcomeEvent, Proposal, Status, TrendCount
from proposals.outcomes import Step, derived_status, parse_partial_date, timeline_problems
from tests.factories import AnnualSessionFactory, DelegateFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def _event(proposal: Proposal, kind: str, when: str = "", **fields) -> OutcomeEvent:
    return OutcomeEvent.objects.create(proposal=proposal, kind=kind, when=when, **fields)


@pytest.fixture
def proposal() -> Proposal:
    return ProposalFactory(session=AnnualSessionFactory(year=2022))


def test_partial_dates_mean_their_whole_span():
    assert [str(d) for d in parse_partial_date("2022")] == ["2022-01-01", "2022-12-31"]
    assert [str(d) for d in parse_partial_date("2022-02")] == ["2022-02-01", "2022-02-28"]
    assert parse_partial_date("2022-02-30") is None
    assert parse_partial_date("22-10") is None


def test_a_reply_before_the_registration_is_refused(proposal):
    _event(proposal, "registered", "2022-05")
    with pytest.raises(ValidationError) as exc:
        _event(proposal, "replied", "2022-03-10")
    assert "“replied” (2022-03-10) cannot come before “registered” (2022-05)" in str(exc.value)
    assert proposal.outcome_events.count() == 1


def test_a_reply_in_the_same_month_as_the_registration_is_allowed(proposal):
    # "2022-05" may be any day of May: a reply on 10 May is not proved to be earlier.
    _event(proposal, "registered", "2022-05")
    _event(proposal, "replied", "2022-05-10")
    assert proposal.outcome_events.count() == 2


def test_two_adoptions_are_refused(proposal):
    _event(proposal, "adopted", "2022")
    with pytest.raises(ValidationError, match="adopted once"):
        _event(proposal, "partly_adopted", "2023")


def test_nothing_after_a_withdrawal(proposal):
    _event(proposal, "withdrawn", "2022-04")
    with pytest.raises(ValidationError, match="Nothing follows a withdrawal"):
        _event(proposal, "replied", "2022-09")


def test_an_event_before_the_proposal_was_filed_is_refused(proposal):
    with pytest.raises(ValidationError, match="before the proposal was filed in 2022"):
        _event(proposal, "replied", "2021-12")


def test_the_rules_as_pure_functions():
    assert timeline_problems([Step("registered", "2022-04"), Step("replied", "2022-09")]) == []
    assert timeline_problems([Step("registered"), Step("registered")])
    # Undated events cannot be ordered, only counted.
    assert timeline_problems([Step("replied"), Step("registered", "2023")]) == []
    assert derived_status([]) == "submitted"
    assert derived_status(["replied", "registered"]) == "answered"
    assert derived_status(["replied", "partly_adopted"]) == "partial"
    assert derived_status(["adopted", "withdrawn"]) == "withdrawn"


def test_status_follows_the_events_and_the_counts_stay_exact(proposal):
    def counted(status: str) -> int:
        return TrendCount.objects.filter(year=2022, status=status).total()

    assert counted("submitted") == 1
    reply = _event(proposal, "replied", "2022-10", department="MIIT")
    proposal.refresh_from_db()
    assert proposal.status == Status.ANSWERED
    assert (counted("submitted"), counted("answered")) == (0, 1)
    _event(proposal, "partly_adopted", "2023")
    proposal.refresh_from_db()
    assert proposal.status == Status.PARTIAL and counted("partial") == 1
    proposal.outcome_events.exclude(pk=reply.pk).get().delete()
    reply.delete()
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED and counted("submitted") == 1


def test_no_form_sets_the_status_apart_from_the_events(editor_client, proposal):
    page = editor_client.get(f"/admin/proposals/proposal/{proposal.pk}/change/").content.decode()
    assert 'name="status"' not in page  # shown read-only
    assert 'name="outcome_events-TOTAL_FORMS"' in page
    actions = editor_client.get("/admin/proposals/proposal/").content.decode()
    assert "set_status" not in actions


def _inline_post(proposal: Proposal, events: list[dict]) -> dict:
    data = {
        "session": proposal.session_id,
        "delegate": proposal.delegate_id,
        "body": proposal.body,
        "title": proposal.title,
        "summary": proposal.summary,
        "title_zh": "",
        "summary_zh": "",
        "repeats": "",
        # The version the change form was drawn from, as the editor's browser sends it
        # (core.concurrency refuses a form opened before the latest save).
        "tracked_version": version_token(Proposal, proposal.pk),
        "proposaltopic_set-TOTAL_FORMS": "1",
        "proposaltopic_set-INITIAL_FORMS": "1",
        "proposaltopic_set-0-id": proposal.proposaltopic_set.get().pk,
        "proposaltopic_set-0-proposal": proposal.pk,
        "proposaltopic_set-0-topic": proposal.proposaltopic_set.get().topic_id,
    }
    through = Proposal.sources.through.objects.get(proposal=proposal)
    data |= {
        "Proposal_sources-TOTAL_FORMS": "1",
        "Proposal_sources-INITIAL_FORMS": "1",
        "Proposal_sources-0-id": through.pk,
        "Proposal_sources-0-proposal": proposal.pk,
        "Proposal_sources-0-source": through.source_id,
        "outcome_events-TOTAL_FORMS": str(len(events)),
        "outcome_events-INITIAL_FORMS": "0",
    }
    for i, event in enumerate(events):
        for key, value in event.items():
            data[f"outcome_events-{i}-{key}"] = value
    return data


def test_the_inline_refuses_two_adoptions_in_one_save(editor_client, proposal):
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    events = [{"kind": "adopted", "when": "2022"}, {"kind": "partly_adopted", "when": "2023"}]
    response = editor_client.post(url, _inline_post(proposal, events))
    assert response.status_code == 200
    assert "A proposal is adopted once" in response.content.decode()
    assert not OutcomeEvent.objects.exists()


def test_an_editor_adds_events_inline_with_history(editor_client, proposal):
    url = f"/admin/proposals/proposal/{proposal.pk}/change/"
    events = [
        {"kind": "registered", "when": "2022-04"},
        {"kind": "replied", "when": "2022-10", "department": "MIIT", "grade": "B"},
    ]
    response = editor_client.post(url, _inline_post(proposal, events))
    assert response.status_code == 302, response.content.decode()[:3000]
    proposal.refresh_from_db()
    assert proposal.status == Status.ANSWERED
    reply = proposal.outcome_events.get(kind="replied")
    assert reply.history.count() == 1
    history = editor_client.get(f"/admin/proposals/outcomeevent/{reply.pk}/history/")
    assert history.status_code == 200


def test_repeats_must_be_an_earlier_proposal_by_the_same_delegate():
    delegate = DelegateFactory()
    early = ProposalFactory(delegate=delegate, session=AnnualSessionFactory(year=2021))
    late = ProposalFactory(delegate=delegate, session=AnnualSessionFactory(year=2022))
    other = ProposalFactory(session=AnnualSessionFactory(year=2020))
    early.repeats = late
    with pytest.raises(ValidationError, match="earlier year"):
        early.save()
    late.repeats = other
    with pytest.raises(ValidationError, match="same delegate"):
        late.save()
    late.repeats = early
    late.save()
    assert list(early.repeated_by.all()) == [late]


def test_candidates_are_suggested_and_linked_only_by_an_editor(editor_client):
    delegate = DelegateFactory()
    early = ProposalFactory(
        delegate=delegate,
        session=AnnualSessionFactory(year=2021),
        title="Raise the income-tax threshold to 10,000 yuan",
    )
    late = ProposalFactory(
        delegate=delegate,
        session=AnnualSessionFactory(year=2022),
        title="Raise the income-tax threshold to 10,000 yuan (again)",
    )
    ProposalFactory(delegate=delegate, session=AnnualSessionFactory(year=2022), title="Robots")
    [pair] = repeat_candidates()
    assert (pair.earlier, pair.later) == (early, late)
    late.refresh_from_db()
    assert late.repeats is None  # suggested, not linked
    page = editor_client.get("/admin/proposals/proposal/repeats/").content.decode()
    assert "Raise the income-tax threshold to 10,000 yuan (again)" in page
    response = editor_client.post(
        "/admin/proposals/proposal/repeats/", {"earlier": early.pk, "later": late.pk}
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.repeats == early
    assert late.history.first().history_change_reason == "Linked as filed again by an editor"
    assert repeat_candidates() == []
