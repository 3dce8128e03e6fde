from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from delegates.models import Affiliation, AnnualSession, Body, Seat
from tests.factories import (
    AffiliationFactory,
    AnnualSessionFactory,
    CompanyFactory,
    DelegateFactory,
    ProposalFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db


def test_body_names_the_filing_each_body_uses():
    from core.templatetags.tracker import filing_label

    assert filing_label(Body.NPC) == "NPC suggestion"
    assert filing_label(Body.CPPCC) == "CPPCC proposal"


def test_seat_is_unique_per_delegate_session_and_body():
    seat = SeatFactory(body=Body.NPC)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(delegate=seat.delegate, session=seat.session, body=Body.NPC)
    # The other body in the same year is a different seat (Li Shufu-style moves).
    Seat.objects.create(delegate=seat.delegate, session=seat.session, body=Body.CPPCC)
    assert seat.delegate.seats.count() == 2


def test_seat_rejects_unknown_body_in_the_database():
    seat = SeatFactory.build(delegate=DelegateFactory(), session=AnnualSessionFactory())
    seat.body = "house"  # fits the column, so the check constraint is what refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        seat.save()


def test_affiliation_end_cannot_precede_start():
    affiliation = AffiliationFactory.build(
        delegate=DelegateFactory(), company=CompanyFactory(), start_year=2022, end_year=2021
    )
    with pytest.raises(ValidationError, match="end year cannot come before"):
        affiliation.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        affiliation.save()


def test_affiliation_held_in_covers_open_and_closed_spans():
    delegate = DelegateFactory()
    ceo = AffiliationFactory(
        delegate=delegate, role="Founder & CEO", start_year=2013, end_year=2021
    )
    chair = AffiliationFactory(delegate=delegate, role="Chairman", start_year=2022, end_year=None)
    assert list(Affiliation.objects.held_in(2021)) == [ceo]
    assert list(Affiliation.objects.held_in(2030)) == [chair]


def test_session_dates_must_be_in_order():
    session = AnnualSession(year=2023, opens_on="2023-03-13", closes_on="2023-03-04")
    with pytest.raises(ValidationError, match="closing date"):
        session.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()


def test_deleting_a_delegate_company_or_session_in_use_is_refused():
    proposal = ProposalFactory()
    affiliation = AffiliationFactory(delegate=proposal.delegate)
    with pytest.raises(ProtectedError):
        proposal.delegate.delete()
    with pytest.raises(ProtectedError):
        affiliation.company.delete()
    with pytest.raises(ProtectedError):
        proposal.session.delete()


def test_name_search_needs_three_letters_or_two_chinese_characters(db):
    from delegates.models import Delegate

    lei = DelegateFactory(name="Lei Jun", name_zh="雷军")
    assert list(Delegate.objects.matching_name("Lei")) == [lei]
    assert list(Delegate.objects.matching_name("雷军")) == [lei]
    assert not Delegate.objects.matching_name("e").exists()  # inside most names
    assert not Delegate.objects.matching_name("Le ").exists()
    assert not Delegate.objects.matching_name("雷").exists()
