from __future__ import annotations

import factory
from django.utils.text import slugify

from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate, Seat
from proposals.models import Proposal, Source
from topics.models import Topic


class AnnualSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualSession
        django_get_or_create = ["year"]

    year = factory.Sequence(lambda n: 2000 + n % 100)
    npc_session = factory.LazyAttribute(lambda o: f"NPC session of {o.year}")
    cppcc_session = factory.LazyAttribute(lambda o: f"CPPCC session of {o.year}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    name_zh = factory.Sequence(lambda n: f"公司{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    sector = "Internet"


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    name = factory.Sequence(lambda n: f"Delegate {n}")
    name_zh = factory.Sequence(lambda n: f"代表{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    delegate = factory.SubFactory(DelegateFactory)
    company = factory.SubFactory(CompanyFactory)
    role = "Chairman"


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    delegate = factory.SubFactory(DelegateFactory)
    session = factory.SubFactory(AnnualSessionFactory)
    body = Body.NPC


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example.org/article/{n}")
    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "Example News"


class ProposalFactory(factory.django.DjangoModelFactory):
    """A proposal whose delegate holds the matching seat, with one topic and one source."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    session = factory.SubFactory(AnnualSessionFactory)
    delegate = factory.SubFactory(DelegateFactory)
    body = Body.NPC
    title = factory.Sequence(lambda n: f"Proposal number {n}")
    summary = "A summary in our own words."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        Seat.objects.get_or_create(
            delegate=kwargs["delegate"], session=kwargs["session"], body=kwargs["body"]
        )
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create:
            self.topics.set(extracted if extracted is not None else [TopicFactory()])

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted if extracted is not None else [SourceFactory()])
