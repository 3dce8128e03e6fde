"""What each API resource holds, and its schema (drf-spectacular reads these).

Every object carries its stable id, `url` (its page on the site) and `api_url` (here).
Chinese fields are given where the record has them (empty strings where not). Rows
come from the querysets' bundled methods (api/selectors.py), so serializing starts no
query of its own.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from delegates.models import Body
from proposals.models import Status
from proposals.outcomes import Kind
from proposals.timeline import ordered_events


def _absolute(context: dict[str, Any], path: str) -> str:
    return context["request"].build_absolute_uri(path)


class SiteUrl(serializers.Field):
    """The record's page on the site (its get_absolute_url), absolute."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj: Any) -> str:
        return _absolute(self.context, obj.get_absolute_url())


class ApiUrl(serializers.Field):
    """The record's address in this API."""

    def __init__(self, route: str, attr: str, **kwargs: Any) -> None:
        self.route, self.attr = route, attr
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj: Any) -> str:
        return _absolute(self.context, reverse(f"api:{self.route}", args=[getattr(obj, self.attr)]))


extend_schema_field({"type": "string", "format": "uri"})(SiteUrl)
extend_schema_field({"type": "string", "format": "uri"})(ApiUrl)


class TopicRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    api_url = ApiUrl("topic-detail", "slug")


class DelegateRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    url = SiteUrl()
    api_url = ApiUrl("delegate-detail", "slug")


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    url = SiteUrl()
    api_url = ApiUrl("company-detail", "slug")


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)


class ProposalSerializer(serializers.Serializer):
    """A proposal as the list gives it."""

    id = serializers.IntegerField()
    url = SiteUrl()
    api_url = ApiUrl("proposal-detail", "pk")
    year = serializers.IntegerField(source="session_id")
    body = serializers.ChoiceField(choices=Body.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    title = serializers.CharField()
    title_zh = serializers.CharField()
    delegate = DelegateRefSerializer()
    topics = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_topics(self, obj: Any) -> list[str]:
        return sorted(t.slug for t in obj.topics.all())


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField(allow_null=True)
    company_name = serializers.CharField(allow_null=True)
    company_slug = serializers.CharField(allow_null=True)


class SourceRefSerializer(serializers.Serializer):
    url = serializers.URLField()
    title = serializers.CharField()
    publisher = serializers.CharField()


class OutcomeEventSerializer(serializers.Serializer):
    """One dated step of what became of a proposal, as the source reports it."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    when = serializers.CharField(help_text="As precise as the source: 2022, 2022-10 or 2022-10-18.")
    department = serializers.CharField()
    grade = serializers.CharField()
    law = serializers.CharField()
    caveat = serializers.CharField()
    note = serializers.CharField()
    source = SourceRefSerializer(allow_null=True)


class FilingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    year = serializers.IntegerField()
    title = serializers.CharField()
    title_zh = serializers.CharField()
    api_url = ApiUrl("proposal-detail", "pk")


class ProposalDetailSerializer(ProposalSerializer):
    """A proposal with its summary, the delegate's role that year, topics, sources,
    what became of it (`outcomes`, in the order it happened) and the other years the
    same ask was filed (`chain`, oldest first; empty when filed once)."""

    summary = serializers.CharField()
    summary_zh = serializers.CharField()
    role = serializers.SerializerMethodField()
    topics = serializers.SerializerMethodField()
    sources = SourceSerializer(many=True)
    outcomes = serializers.SerializerMethodField()
    repeats = serializers.IntegerField(source="repeats_id", allow_null=True)
    chain = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(RoleSerializer)
    def get_role(self, obj: Any) -> dict[str, Any]:
        return {
            "role": obj.role,
            "company_name": obj.company_name,
            "company_slug": obj.company_slug,
        }

    @extend_schema_field(TopicRefSerializer(many=True))
    def get_topics(self, obj: Any) -> list[dict[str, Any]]:
        return TopicRefSerializer(
            sorted(obj.topics.all(), key=lambda t: t.slug), many=True, context=self.context
        ).data

    @extend_schema_field(OutcomeEventSerializer(many=True))
    def get_outcomes(self, obj: Any) -> list[dict[str, Any]]:
        return OutcomeEventSerializer(ordered_events(obj.outcome_events.all()), many=True).data

    @extend_schema_field(FilingSerializer(many=True))
    def get_chain(self, obj: Any) -> list[dict[str, Any]]:
        chain = self.context.get("chain")
        filings = chain.filings if chain is not None else []
        return FilingSerializer(filings, many=True, context=self.context).data


class SeatSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="session_id")
    body = serializers.ChoiceField(choices=Body.choices)
    delegation = serializers.CharField()
    citation = serializers.CharField()


class AffiliationSerializer(serializers.Serializer):
    company = CompanyRefSerializer()
    role = serializers.CharField()
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)


class DelegateSerializer(DelegateRefSerializer):
    other_names = serializers.CharField()
    bio = serializers.CharField()
    seats = SeatSerializer(many=True)
    affiliations = AffiliationSerializer(many=True)
    proposals_api_url = serializers.SerializerMethodField()

    def get_proposals_api_url(self, obj: Any) -> str:
        return _absolute(self.context, f"{reverse('api:proposal-list')}?delegate={obj.slug}")


class PersonSerializer(serializers.Serializer):
    delegate = DelegateRefSerializer()
    role = serializers.CharField()
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)


class CompanySerializer(CompanyRefSerializer):
    sector = serializers.CharField()
    website = serializers.CharField()
    people = PersonSerializer(many=True, source="visible_affiliations")
    proposals_api_url = serializers.SerializerMethodField()

    def get_proposals_api_url(self, obj: Any) -> str:
        return _absolute(self.context, f"{reverse('api:proposal-list')}?company={obj.slug}")


class TopicChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_zh = serializers.CharField()
    description = serializers.CharField()
    color = serializers.CharField()
    url = serializers.SerializerMethodField()
    api_url = ApiUrl("topic-detail", "slug")
    proposals_api_url = serializers.SerializerMethodField()

    def get_url(self, node: Any) -> str:
        return _absolute(self.context, reverse("public:topic-detail", args=[node.slug]))

    def get_proposals_api_url(self, node: Any) -> str:
        return _absolute(self.context, f"{reverse('api:proposal-list')}?topic={node.slug}")


class TopicSerializer(TopicChildSerializer):
    """A topic of the tree; a top-level topic lists its sub-topics, a sub-topic names
    its parent."""

    parent = serializers.SerializerMethodField()
    children = TopicChildSerializer(many=True)

    @extend_schema_field(serializers.SlugField(allow_null=True))
    def get_parent(self, node: Any) -> str | None:
        return self.context["parents"].get(node.parent_id)


class PrioritySerializer(serializers.Serializer):
    """One technology or industry priority the year's Government Work Report named."""

    id = serializers.IntegerField()
    year = serializers.IntegerField(source="session_id")
    text_en = serializers.CharField()
    text_zh = serializers.CharField()
    first_named = serializers.BooleanField()
    topics = serializers.SerializerMethodField()
    sources = SourceRefSerializer(many=True)

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_topics(self, obj: Any) -> list[str]:
        return [t.slug for t in obj.topics.all()]


class SessionSerializer(serializers.Serializer):
    """One year's two sessions, with the government priorities its work report named."""

    year = serializers.IntegerField()
    npc_session = serializers.CharField()
    npc_session_zh = serializers.CharField()
    cppcc_session = serializers.CharField()
    cppcc_session_zh = serializers.CharField()
    opens_on = serializers.DateField(allow_null=True)
    closes_on = serializers.DateField(allow_null=True)
    url = SiteUrl()
    api_url = ApiUrl("session-detail", "year")
    proposals = serializers.SerializerMethodField()
    proposals_api_url = serializers.SerializerMethodField()
    priorities = serializers.SerializerMethodField()

    @extend_schema_field(PrioritySerializer(many=True))
    def get_priorities(self, obj: Any) -> list[dict[str, Any]]:
        mine = [p for p in self.context["priorities"] if p.session_id == obj.year]
        return PrioritySerializer(mine, many=True).data

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "npc": {"type": "integer"},
                "cppcc": {"type": "integer"},
                "total": {"type": "integer"},
            },
            "required": ["npc", "cppcc", "total"],
        }
    )
    def get_proposals(self, obj: Any) -> dict[str, int]:
        return self.context["counts"].get(obj.year, {"npc": 0, "cppcc": 0, "total": 0})

    def get_proposals_api_url(self, obj: Any) -> str:
        return _absolute(self.context, f"{reverse('api:proposal-list')}?year={obj.year}")


def page_serializer(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The schema of one page of a list: its rows and the links to the pages beside it."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


class TrendSeriesSerializer(serializers.Serializer):
    topic = serializers.SlugField()
    name = serializers.CharField()
    color = serializers.CharField()
    values = serializers.ListField(child=serializers.FloatField(allow_null=True))


class TrendSerializer(serializers.Serializer):
    """The numbers /trends/topics.json gives for the same query (the charts' numbers)."""

    measure = serializers.ChoiceField(choices=["count", "share"])
    years = serializers.ListField(child=serializers.IntegerField())
    series = TrendSeriesSerializer(many=True)
