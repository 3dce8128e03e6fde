from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from delegates.models import Body, Seat
from proposals.models import Proposal, Status
from tests.factories import AnnualSessionFactory, DelegateFactory, ProposalFactory, SeatFactory

pytestmark = pytest.mark.django_db


def test_new_proposal_is_submitted():
    assert ProposalFactory(body=Body.NPC).status == Status.SUBMITTED


def test_title_is_unique_per_delegate_and_session():
    first = ProposalFactory(title="Build fast-charging stations")
    duplicate = Proposal(
        session=first.session, delegate=first.delegate, body=first.body, title=first.title
    )
    with pytest.raises(ValidationError, match="already has a proposal with this title"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # The same title by the same delegate in another year is a new proposal.
    other_year = AnnualSessionFactory(year=first.session_id + 1)
    ProposalFactory(delegate=first.delegate, session=other_year, title=first.title)


def test_body_must_match_a_seat_on_save():
    seat = SeatFactory(body=Body.CPPCC)
    proposal = Proposal(
        session=seat.session, delegate=seat.delegate, body=Body.NPC, title="Wrong body"
    )
    with pytest.raises(ValidationError) as excinfo:
        proposal.save()
    message = excinfo.value.message_dict["body"][0]
    assert "no NPC seat" in message and "sat in the CPPCC" in message
    assert not Proposal.objects.filter(title="Wrong body").exists()


def test_body_without_any_seat_is_refused_in_full_clean():
    proposal = Proposal(
        session=AnnualSessionFactory(), delegate=DelegateFactory(), body=Body.NPC, title="No seat"
    )
    with pytest.raises(ValidationError, match="held no seat that year"):
        proposal.full_clean()


def test_unknown_body_is_refused_by_the_database():
    proposal = ProposalFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(body="xyz")


def test_quality_querysets_find_broken_records():
    good = ProposalFactory()
    orphan = ProposalFactory(topics=[], sources=[])
    Seat.objects.filter(delegate=orphan.delegate).delete()
    assert list(Proposal.objects.without_matching_seat()) == [orphan]
    assert list(Proposal.objects.without_source()) == [orphan]
    assert list(Proposal.objects.without_topic()) == [orphan]
    assert good not in Proposal.objects.without_matching_seat()
