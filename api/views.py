"""The API's endpoints: read-only, anonymous, throttled per client. Each answers from
the cache under the data version, and gives an ETag and Last-Modified made of that
version, so a client's repeat request is a 304 until the data changes."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from core.cache import cached, current_version, version_time
from core.errors import FieldError
from delegates.models import AnnualSession
from proposals.models import Proposal
from proposals.params import unknown_record
from proposals.selectors import proposal_counts_by_session
from proposals.timeline import chain_of
from stats import trends
from stats.counting import UnknownFilter
from stats.echo_data import payload as echo_payload
from stats.echo_data import unknown_message
from stats.params import EchoForm, trend_form
from topics.tree import topic_tree

from . import selectors
from . import serializers as s
from .errors import ParamError
from .pagination import keyset_page
from .params import PROPOSAL_PARAMETERS, SLUG_PATTERN, TREND_PARAMETERS, ApiProposalFilter

# Clients may keep an answer this long without asking; after that the ETag makes the
# question cheap (a 304).
MAX_AGE = 60


class ErrorSerializer(serializers.Serializer):
    class Item(serializers.Serializer):
        field = serializers.CharField()
        message = serializers.CharField()

    errors = Item(many=True)


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is wrong; each is named."),
    404: OpenApiResponse(ErrorSerializer, description="No such record."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After."),
    # The web server's own answer, before the API reads the request: an address past
    # its request-line limit (gunicorn 4,094 bytes; a 200-character search in Chinese is
    # 1,800 bytes once percent-encoded).
    (414, "text/html"): OpenApiResponse(description="The address is too long."),
}
DETAIL_ERRORS = {404: ERRORS[404], 429: ERRORS[429]}


def _etag(request: HttpRequest) -> str:
    shown = int(bool(settings.TRACKER_SHOW_GENERATED))
    parts = f"{current_version()}|{shown}|{request.build_absolute_uri()}"
    return '"' + hashlib.sha256(parts.encode()).hexdigest()[:32] + '"'


class DataView(APIView):
    """GET only. `payload` computes the answer's data; the bytes are cached under the
    data version, keyed by the whole address."""

    http_method_names = ["get", "head", "options"]
    name = ""

    def payload(self, request: Request, **kwargs: Any) -> Any:
        raise NotImplementedError

    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        if not current_version():
            # The cache cannot say which version is current (Redis down): no validators,
            # since a 304 then could confirm data a write has since changed.
            body = JSONRenderer().render(self.payload(request, **kwargs))
            response = HttpResponse(body, content_type="application/json")
            patch_cache_control(response, no_cache=True)
            return response
        etag = _etag(request)
        modified = int(version_time().timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=modified)
        if response is None:
            body = cached(
                f"api.{self.name}",
                request.build_absolute_uri(),
                lambda: JSONRenderer().render(self.payload(request, **kwargs)),
            )
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    def serialize(self, serializer: type[s.serializers.Serializer], obj: Any, **kw: Any) -> Any:
        return serializer(
            obj, context={"request": self.request, **kw.pop("context", {})}, **kw
        ).data

    def page(
        self,
        queryset: Any,
        serializer: type[s.serializers.Serializer],
        fields: tuple[str, ...],
        *,
        descending: bool = False,
    ) -> dict[str, Any]:
        found = keyset_page(queryset, self.request, fields, descending=descending)
        return {
            "next": found["next"],
            "previous": found["previous"],
            "results": self.serialize(serializer, found["rows"], many=True),
        }


def _found(obj: Any) -> Any:
    if obj is None:
        raise Http404("No such record.")
    return obj


class ApiRoot(DataView):
    name = "root"

    @extend_schema(
        operation_id="root",
        summary="Where everything is",
        responses={200: OpenApiResponse(description="Links to every resource."), 429: ERRORS[429]},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, str]:
        routes = {
            "proposals": "api:proposal-list",
            "delegates": "api:delegate-list",
            "companies": "api:company-list",
            "topics": "api:topic-list",
            "sessions": "api:session-list",
            "priorities": "api:priority-list",
            "echo": "api:echo",
            "trends": "api:trends",
            "schema": "api:schema",
            "docs": "api:docs",
            "bulk_data": "bulk:data",
        }
        return {name: request.build_absolute_uri(reverse(r)) for name, r in routes.items()}


class ProposalList(DataView):
    name = "proposals"

    @extend_schema(
        operation_id="proposals",
        summary="Proposals, filtered as the site's list is",
        description="The same parameters, meanings and errors as /proposals/ (the site's "
        "list), paged by cursor: newest first unless sort=oldest.",
        parameters=PROPOSAL_PARAMETERS,
        responses={200: s.page_serializer(s.ProposalSerializer, "ProposalPage"), **ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        filterset = ApiProposalFilter(request.GET, queryset=Proposal.objects.visible())
        if not filterset.is_valid():
            raise ParamError(filterset.error_list)
        oldest = filterset.form.cleaned_data.get("sort") == "oldest"
        return self.page(
            filterset.qs.for_list(),
            s.ProposalSerializer,
            ("session_id", "id"),
            descending=not oldest,
        )


class ProposalDetail(DataView):
    name = "proposal"

    @extend_schema(
        operation_id="proposal",
        summary="One proposal with its topics, sources and the delegate's role that year",
        responses={200: s.ProposalDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, *, pk: int) -> Any:
        proposal = _found(Proposal.objects.visible().for_detail().filter(pk=pk).first())
        return self.serialize(
            s.ProposalDetailSerializer, proposal, context={"chain": chain_of(proposal)}
        )


class DelegateList(DataView):
    name = "delegates"

    @extend_schema(
        operation_id="delegates",
        summary="Delegates with their seats and affiliations, by id",
        parameters=PROPOSAL_PARAMETERS[-2:],
        responses={200: s.page_serializer(s.DelegateSerializer, "DelegatePage"), **ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        return self.page(selectors.delegates(), s.DelegateSerializer, ("id",))


class DelegateDetail(DataView):
    name = "delegate"

    @extend_schema(
        operation_id="delegate",
        summary="One delegate",
        responses={200: s.DelegateSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, *, slug: str) -> Any:
        return self.serialize(
            s.DelegateSerializer, _found(selectors.delegates().filter(slug=slug).first())
        )


class CompanyList(DataView):
    name = "companies"

    @extend_schema(
        operation_id="companies",
        summary="Companies with the delegates who held a role there, by id",
        parameters=PROPOSAL_PARAMETERS[-2:],
        responses={200: s.page_serializer(s.CompanySerializer, "CompanyPage"), **ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        return self.page(selectors.companies(), s.CompanySerializer, ("id",))


class CompanyDetail(DataView):
    name = "company"

    @extend_schema(
        operation_id="company",
        summary="One company",
        responses={200: s.CompanySerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, *, slug: str) -> Any:
        return self.serialize(
            s.CompanySerializer, _found(selectors.companies().filter(slug=slug).first())
        )


def _topic_context() -> dict[str, Any]:
    return {"parents": {root.id: root.slug for root in topic_tree().roots}}


class TopicTreeSerializer(serializers.Serializer):
    results = s.TopicSerializer(many=True)


class TopicList(DataView):
    name = "topics"

    @extend_schema(
        operation_id="topics",
        summary="The topic tree: top-level topics, each with its sub-topics",
        responses={200: TopicTreeSerializer, 429: ERRORS[429]},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        roots = topic_tree().roots
        return {
            "results": self.serialize(s.TopicSerializer, roots, many=True, context=_topic_context())
        }


class TopicDetail(DataView):
    name = "topic"

    @extend_schema(
        operation_id="topic",
        summary="One topic",
        responses={200: s.TopicSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, *, slug: str) -> Any:
        node = _found(topic_tree().by_slug.get(slug))
        return self.serialize(s.TopicSerializer, node, context=_topic_context())


class SessionListSerializer(serializers.Serializer):
    results = s.SessionSerializer(many=True)


class SessionList(DataView):
    name = "sessions"

    @extend_schema(
        operation_id="sessions",
        summary="Every year's two sessions, newest first, with their proposal counts",
        responses={200: SessionListSerializer, 429: ERRORS[429]},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        context = {"counts": proposal_counts_by_session(), "priorities": selectors.priorities()}
        return {
            "results": self.serialize(
                s.SessionSerializer, selectors.sessions(), many=True, context=context
            )
        }


class SessionDetail(DataView):
    name = "session"

    @extend_schema(
        operation_id="session",
        summary="One year's two sessions",
        parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH)],
        responses={200: s.SessionSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, *, year: int) -> Any:
        session: AnnualSession = _found(selectors.sessions().filter(year=year).first())
        context = {"counts": proposal_counts_by_session(), "priorities": selectors.priorities(year)}
        return self.serialize(s.SessionSerializer, session, context=context)


class PriorityListSerializer(serializers.Serializer):
    results = s.PrioritySerializer(many=True)


class PriorityList(DataView):
    name = "priorities"

    @extend_schema(
        operation_id="priorities",
        summary="The government's technology and industry priorities, year by year",
        responses={200: PriorityListSerializer, 429: ERRORS[429]},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        return {"results": self.serialize(s.PrioritySerializer, selectors.priorities(), many=True)}


class Echo(DataView):
    name = "echo"

    @extend_schema(
        operation_id="echo",
        summary="How proposals echo the government's priorities",
        description="The same parameters and figures as /trends/echo.json: at most one of "
        "topic, delegate, company or session; none gives every session's figures. A "
        "proposal on a priority's topic echoes it; the data does not show that it led to it.",
        parameters=[
            OpenApiParameter(
                "topic", {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 100}
            ),
            OpenApiParameter(
                "delegate", {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 200}
            ),
            OpenApiParameter(
                "company", {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 200}
            ),
            OpenApiParameter("session", {"type": "integer", "minimum": 1949, "maximum": 2100}),
        ],
        responses={200: OpenApiResponse(description="The echo figures."), **ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        form = EchoForm(request.GET)
        problems = form.errors_list()
        if problems:
            raise ParamError(problems)
        scope, value = form.scope()
        try:
            return echo_payload(scope, value)
        except UnknownFilter as exc:
            raise ParamError([FieldError(exc.name, unknown_message(exc.name, exc.slug))]) from None


class Trends(DataView):
    name = "trends"

    @extend_schema(
        operation_id="trends",
        summary="Topic trends: the numbers behind every chart",
        description="The same parameters and numbers as /trends/topics.json. Unknown "
        "parameters are refused, as there.",
        parameters=TREND_PARAMETERS,
        responses={200: s.TrendSerializer, **ERRORS},
    )
    def get(self, request: Request, **kwargs: Any) -> HttpResponse:
        return super().get(request, **kwargs)

    def payload(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        form = trend_form(request.GET)
        problems = form.errors_list()
        if problems:
            raise ParamError(problems)
        try:
            return trends.topic_trend(form.params()).payload()
        except UnknownFilter as exc:
            raise ParamError([FieldError(exc.name, unknown_record(exc.name, exc.slug))]) from None


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, as JSON (YAML with ?format=yaml is drf-spectacular's)."""

    renderer_classes = [OpenApiJsonRenderer]


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/v1/ (an id that is not a number, a slug with
    characters no slug has): the JSON 404, not the site's HTML page."""
    body = JSONRenderer().render({"errors": [{"field": "", "message": "No such record."}]})
    return HttpResponse(body, status=404, content_type="application/json")
