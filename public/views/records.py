"""Record pages: delegates, companies, topics and sessions, each with its chart."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext

from core.cache import cache_public_page
from core.errors import BadRequest, page_400
from delegates.models import Affiliation, AnnualSession, Company, Delegate, Seat
from proposals import selectors, timeline
from proposals.facets import cached_facet_counts
from proposals.filters import ProposalFilter
from proposals.models import Proposal
from stats import profiles, trends
from stats.params import TrendParams
from topics.models import Topic
from topics.tree import topic_tree

from .. import charts, coverage, echo
from ..pagination import PER_PAGE, page_number, paginate

# A record page lists this many of its newest proposals and links to the full list.
RECORD_PAGE_LIMIT = 200
SESSION_PAGE_LIMIT = 500


@cache_public_page(params=lambda: ["page"])
def delegate_list(request: HttpRequest) -> HttpResponse:
    try:
        number = page_number(request)
    except BadRequest as exc:
        return page_400(request, exc.errors)
    delegates = (
        Delegate.objects.visible()
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("company").order_by("-start_year"),
            )
        )
        .order_by("name", "pk")
    )
    page = paginate(delegates, number, per_page=50)
    page.object_list = selectors.with_proposal_counts(list(page.object_list))
    return render(request, "public/delegate_list.html", {"page_obj": page})


@cache_public_page
def delegate_detail(request: HttpRequest, slug: str) -> HttpResponse:
    delegate = get_object_or_404(
        Delegate.objects.visible().prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("company").order_by("start_year", "pk"),
            ),
            Prefetch("seats", queryset=Seat.objects.order_by("-session_id", "body")),
        ),
        slug=slug,
    )
    seats = list(delegate.seats.all())
    return render(
        request,
        "public/delegate_detail.html",
        {
            "delegate": delegate,
            "seats": seats,
            "years_by_body": {
                body: sum(1 for s in seats if s.body == body) for body in ("npc", "cppcc")
            },
            **selectors.delegate_record(delegate, limit=RECORD_PAGE_LIMIT),
            **_record_echo("delegate", delegate),
            "known_outcomes": timeline.known_outcomes(delegate),
            "repeated_asks": timeline.repeated_asks(delegate),
            # A topic x year table a reader can scan, not eight lines tangled near 0.
            "heatmap": profiles.heatmaps([profiles.profile(delegate, "delegate")])[0],
        },
    )


@cache_public_page(params=lambda: ["page"])
def company_list(request: HttpRequest) -> HttpResponse:
    try:
        number = page_number(request)
    except BadRequest as exc:
        return page_400(request, exc.errors)
    companies = (
        Company.objects.visible()
        .annotate(people=Count("affiliations__delegate", distinct=True))
        .order_by("name")
    )
    return render(
        request,
        "public/company_list.html",
        {"page_obj": paginate(companies, number, per_page=50)},
    )


@cache_public_page
def company_detail(request: HttpRequest, slug: str) -> HttpResponse:
    company = get_object_or_404(Company.objects.visible(), slug=slug)
    affiliations = list(
        company.affiliations.select_related("delegate")
        .filter(delegate__in=Delegate.objects.visible())
        .order_by("delegate__name", "start_year")
    )
    proposals = list(Proposal.objects.visible().at_company(company).for_list().newest_first()[:200])
    return render(
        request,
        "public/company_detail.html",
        {
            "company": company,
            "affiliations": affiliations,
            "proposals_by_year": selectors.group_by_year(proposals),
            "shown": len(proposals),
            **_record_echo("company", company),
            "heatmap": profiles.heatmaps([profiles.profile(company, "company")])[0],
        },
    )


@cache_public_page
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "public/topic_list.html", {"tree": selectors.topic_tree_with_counts()})


@cache_public_page
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.visible().select_related("parent"), slug=slug)
    filterset = ProposalFilter(QueryDict(f"topic={slug}"), queryset=Proposal.objects.visible())
    filterset.is_valid()
    facets = cached_facet_counts(filterset)
    newest = list(filterset.sorted_qs().for_list()[:PER_PAGE])
    node = topic_tree().by_id.get(topic.pk)
    children = list(node.children) if node else []
    # A parent's chart shows it beside its busiest sub-topics; a sub-topic's, itself.
    children_by_count = [
        c.value
        for option in facets["topic"]
        if option.value == topic.slug
        for c in sorted(option.children, key=lambda c: (-c.count, c.label))
    ]
    shown = [topic.slug, *children_by_count[:7]]
    chart = charts.chart_context(
        trends.topic_trend(TrendParams(topics=tuple(shown))),
        id="topic-trend",
        title=gettext("%(name)s by year") % {"name": topic.name},
    )
    return render(
        request,
        "public/topic_detail.html",
        {
            "topic": topic,
            "children": children,
            "facets": facets,
            "newest": newest,
            "trend_chart": chart,
            "echo": echo.topic_context(topic.slug),
        },
    )


@cache_public_page
def session_list(request: HttpRequest) -> HttpResponse:
    counts = selectors.proposal_counts_by_session()
    sessions = [
        (session, counts.get(session.year, {"npc": 0, "cppcc": 0, "total": 0}))
        for session in AnnualSession.objects.visible().order_by("-year")
    ]
    return render(request, "public/session_list.html", {"sessions": sessions})


@cache_public_page
def session_detail(request: HttpRequest, year: int) -> HttpResponse:
    session = get_object_or_404(AnnualSession.objects.visible(), year=year)
    proposals = list(
        Proposal.objects.visible()
        .in_years([year])
        .for_list()
        .newest_first()[: SESSION_PAGE_LIMIT + 1]
    )
    truncated = len(proposals) > SESSION_PAGE_LIMIT
    proposals = proposals[:SESSION_PAGE_LIMIT]
    adjacent = AnnualSession.objects.visible().filter(year__in=[year - 1, year + 1])
    return render(
        request,
        "public/session_detail.html",
        {
            "session": session,
            "groups": selectors.group_by_parent_topic(proposals),
            "count": len(proposals),
            "truncated": truncated,
            "adjacent": {s.year for s in adjacent},
            "trend_chart": charts.chart_context(
                trends.topic_trend(TrendParams(year_min=year, year_max=year)),
                id="session-trend",
                title=charts.with_in_progress(
                    gettext("The biggest topics of %(year)s") % {"year": year},
                    [year] if session.in_progress else [],
                    [year],
                ),
                kind="bar",
            ),
            "echo": echo.session_context(session),
        },
    )


def _record_echo(scope: str, record: Delegate | Company) -> dict[str, Any]:
    """A delegate's or company's echo figures and, for a delegate, what we hold per
    year beside the totals sources report."""
    found = echo.record_context(scope, record)
    context: dict[str, Any] = {"echo": found, "echo_scope": scope}
    if scope == "delegate":
        held = {row["year"]: row["proposals"] for row in found["by_year"]}
        context["held_by_year"] = found["by_year"]
        context["reported"] = coverage.coverage_rows(record.slug, held)
    return context
