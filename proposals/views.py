from __future__ import annotations

import json
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    QueryDict,
)
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from delegates.models import Affiliation, AnnualSession, Company, Delegate, Seat
from topics.models import Topic
from topics.selectors import topic_tree

from . import selectors, trends
from .caching import cache_public_page
from .filters import ProposalFilter, Sort
from .models import Proposal


@require_safe
@cache_public_page
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: headline numbers, topic trends, movers, NPC against CPPCC."""
    board = trends.dashboard()
    overall = board["overall"]
    span = "–".join(str(year) for year in dict.fromkeys(overall.years[:1] + overall.years[-1:]))
    return render(
        request,
        "core/home.html",
        {
            "counts": board["counts"],
            "trend_chart": trends.chart_context(
                overall,
                id="trend-all",
                title=f"Proposals on the eight biggest topics, {span}".rstrip(", "),
            ),
            "body_charts": [
                trends.chart_context(
                    trend,
                    id=f"trend-{body.value}",
                    title=f"{body.label}: share of each session's {body.filing_noun}s",
                )
                for body, trend in board["by_body"]
            ],
            "movers": board["movers"],
            "definitions": trends.DEFINITIONS,
            "newest": Proposal.objects.visible().for_list().newest_first()[:10],
        },
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness only: touches no database, so it measures the server itself."""
    return HttpResponse("ok\n", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on every page, the admin's included. The hashed
    name is looked up per request: at import time the manifest may not exist yet."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


# --- Analysts' pages ---------------------------------------------------------------
PER_PAGE = 25


class BadParameter(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors


def bad_request(request: HttpRequest, errors: list[tuple[str, str]]) -> HttpResponse:
    """A 400 that names each parameter at fault and why, with a way back."""
    return render(request, "400.html", {"errors": errors}, status=400)


def page_number(request: HttpRequest) -> int:
    raw = request.GET.getlist("page")
    if not raw:
        return 1
    if len(raw) > 1:
        raise BadParameter([("page", "Give this parameter once.")])
    try:
        number = int(raw[0])
    except ValueError:
        raise BadParameter([("page", f"“{raw[0][:20]}” is not a page number.")]) from None
    if number < 1:
        raise BadParameter([("page", "Pages are numbered from 1.")])
    return number


DEEP_OFFSET = 5_000


def paginate(
    queryset,
    number: int,
    total: int | None = None,
    per_page: int = PER_PAGE,
    per_year: dict[int, int] | None = None,
    newest_first: bool = True,
) -> Page:
    """A page of results; past the last page is a 404. A known total (from the facet
    counts) saves the separate COUNT query.

    Deep pages find their ids first and then fetch those rows: skipping 100,000 entries
    of an index is cheap, skipping 100,000 joined rows is not. Given how many results
    each year holds (`per_year`, for a queryset in year order), a deep page skips whole
    years by those counts and then only part of one year: page 40,000 of a million
    proposals walks one year's entries, not 999,975."""
    paginator = Paginator(queryset, per_page)
    if total is not None:
        paginator.count = total  # cached_property: set it, and Paginator never counts
    if number > paginator.num_pages:
        raise Http404("There is no such page.")
    offset = (number - 1) * per_page
    if offset < DEEP_OFFSET:
        return paginator.page(number)
    start, skip = queryset, offset
    for year in sorted(per_year or {}, reverse=newest_first):
        if skip < per_year[year]:
            # The page may run on into the next years: bound the walk on one side only.
            key = "session_id__lte" if newest_first else "session_id__gte"
            start, offset = queryset.filter(**{key: year}), skip
            break
        skip -= per_year[year]
    ids = list(start.values_list("pk", flat=True)[offset : offset + per_page])
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return Page([rows[pk] for pk in ids if pk in rows], number, paginator)


def filtered(request: HttpRequest) -> ProposalFilter:
    filterset = ProposalFilter(request.GET, queryset=Proposal.objects.visible())
    if not filterset.is_valid():
        raise BadParameter(filterset.error_list)
    return filterset


@cache_public_page
def proposal_list(request: HttpRequest) -> HttpResponse:
    try:
        filterset = filtered(request)
        number = page_number(request)
    except BadParameter as exc:
        return bad_request(request, exc.errors)
    facets = selectors.cached_facet_counts(filterset)
    in_year_order = filterset.sort_order in (Sort.NEWEST, Sort.OLDEST)
    page = paginate(
        filterset.sorted_qs().for_list(),
        number,
        total=facets.total,
        per_year=facets.per_year() if in_year_order else None,
        newest_first=filterset.sort_order == Sort.NEWEST,
    )
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "filterset": filterset,
            "facets": facets,
            "page_obj": page,
            "sort_choices": Sort.CHOICES,
            "sort": filterset.sort_order,
            "sort_chosen": bool(filterset.form.cleaned_data.get("sort")),
            "has_query": bool(filterset.form.cleaned_data.get("q")),
            "selected": filterset.selected(),
            "chips": filterset.chips(),
        },
    )


@cache_public_page
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.visible().for_detail(), pk=pk)
    return render(
        request,
        "proposals/proposal_detail.html",
        {"proposal": proposal, "related": selectors.related_proposals(proposal)},
    )


@cache_public_page
def delegate_list(request: HttpRequest) -> HttpResponse:
    try:
        number = page_number(request)
    except BadParameter as exc:
        return bad_request(request, exc.errors)
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
    return render(request, "delegates/delegate_list.html", {"page_obj": page})


# A record page lists this many of its newest proposals and links to the full list.
RECORD_PAGE_LIMIT = 200


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
        "delegates/delegate_detail.html",
        {
            "delegate": delegate,
            "seats": seats,
            "years_by_body": {
                body: sum(1 for s in seats if s.body == body) for body in ("npc", "cppcc")
            },
            **selectors.delegate_record(delegate, limit=RECORD_PAGE_LIMIT),
            "trend_chart": trends.chart_context(
                trends.topic_trend(trends.TrendParams(delegate=delegate.slug)),
                id="delegate-trend",
                title=f"{delegate.name}'s topics by year",
            ),
        },
    )


@cache_public_page
def company_list(request: HttpRequest) -> HttpResponse:
    try:
        number = page_number(request)
    except BadParameter as exc:
        return bad_request(request, exc.errors)
    companies = (
        Company.objects.visible()
        .annotate(people=Count("affiliations__delegate", distinct=True))
        .order_by("name")
    )
    return render(
        request,
        "delegates/company_list.html",
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
        "delegates/company_detail.html",
        {
            "company": company,
            "affiliations": affiliations,
            "proposals_by_year": selectors.group_by_year(proposals),
            "shown": len(proposals),
            "trend_chart": trends.chart_context(
                trends.topic_trend(trends.TrendParams(company=company.slug)),
                id="company-trend",
                title=f"Topics of {company.name}'s people by year",
            ),
        },
    )


@cache_public_page
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "topics/topic_list.html", {"tree": selectors.topic_tree_with_counts()})


@cache_public_page
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.visible().select_related("parent"), slug=slug)
    filterset = ProposalFilter(QueryDict(f"topic={slug}"), queryset=Proposal.objects.visible())
    filterset.is_valid()
    facets = selectors.cached_facet_counts(filterset)
    newest = list(filterset.sorted_qs().for_list()[:PER_PAGE])
    children = next((r["children"] for r in topic_tree() if r["id"] == topic.pk), [])
    # A parent's chart shows it beside its busiest sub-topics; a sub-topic's, itself.
    children_by_count = [
        c.value
        for option in facets.topic
        if option.value == topic.slug
        for c in sorted(option.children, key=lambda c: (-c.count, c.label))
    ]
    shown = [topic.slug, *children_by_count[:7]]
    chart = trends.chart_context(
        trends.topic_trend(trends.TrendParams(topics=tuple(shown))),
        id="topic-trend",
        title=f"{topic.name} by year",
    )
    return render(
        request,
        "topics/topic_detail.html",
        {
            "topic": topic,
            "children": children,
            "facets": facets,
            "newest": newest,
            "trend_chart": chart,
        },
    )


@cache_public_page
def session_list(request: HttpRequest) -> HttpResponse:
    counts = selectors.proposal_counts_by_session()
    sessions = [
        (session, counts.get(session.year, {"npc": 0, "cppcc": 0, "total": 0}))
        for session in AnnualSession.objects.visible().order_by("-year")
    ]
    return render(request, "delegates/session_list.html", {"sessions": sessions})


SESSION_PAGE_LIMIT = 500


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
        "delegates/session_detail.html",
        {
            "session": session,
            "groups": selectors.group_by_parent_topic(proposals),
            "count": len(proposals),
            "truncated": truncated,
            "adjacent": {s.year for s in adjacent},
            "trend_chart": trends.chart_context(
                trends.topic_trend(trends.TrendParams(year_min=year, year_max=year)),
                id="session-trend",
                title=f"The biggest topics of {year}",
                kind="bar",
            ),
        },
    )


# --- Dashboard and trends (issue 4) ---------------------------------------------------
# Numbers come from proposals.trends; these views only validate, pick and render.


@require_safe
def trends_explorer(request: HttpRequest) -> HttpResponse:
    """Pick topics, measure, body and years; the URL holds the choice."""
    form = trends.trend_form(request.GET, explorer=True)
    problems = form.errors_by_field()
    catalogue = trends.catalogue()
    selected = list(dict.fromkeys(form["topic"].value() or ()))
    chart = None
    if not problems:
        params = form.params()
        try:
            trend = trends.topic_trend(params)
        except trends.UnknownFilter as exc:
            problems = {exc.name: [exc.message]}
        else:
            chart = trends.chart_context(
                trend,
                id="trend",
                title=_explorer_title(params, trend.years),
                kind=form.cleaned_data["chart"] or "line",
            )
    return render(
        request,
        "trends/explorer.html",
        {
            "form": form,
            "chart": chart,
            "problems": problems,
            "groups": catalogue.groups(),
            "selected": selected,
            "chosen": [catalogue.by_slug[s].name for s in selected if s in catalogue.by_slug],
            "definitions": trends.DEFINITIONS,
        },
        status=400 if problems else 200,
    )


def _explorer_title(params: trends.TrendParams, years: list[int]) -> str:
    what = "Share of proposals" if params.measure == "share" else "Proposals"
    topics = "the chosen topics" if params.topics else "the eight biggest topics"
    scope = {"npc": " in the NPC", "cppcc": " in the CPPCC"}.get(params.body, "")
    for name in ("delegate", "company"):
        if getattr(params, name):
            scope += f" ({name} {getattr(params, name)})"
    when = f"in {years[0]}" if len(years) == 1 else "by year"
    return f"{what} on {topics}{scope}, {when}"


@require_safe
def trends_json(request: HttpRequest) -> HttpResponse:
    """The numbers behind every chart (see proposals/trends.py for the definitions)."""
    return _trend_data(request, "json")


@require_safe
def trends_csv(request: HttpRequest) -> HttpResponse:
    """The same numbers as /trends/topics.json, both measures, one row per topic-year."""
    return _trend_data(request, "csv")


_CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _trend_data(request: HttpRequest, fmt: str) -> HttpResponse:
    # A hit is served from the raw query string alone: no validation, no query.
    key = trends.cache_key(f"response.{fmt}", sorted(request.GET.lists()))
    body = cache.get(key)
    if body is None:
        form = trends.trend_form(request.GET)
        problems = form.errors_by_field()
        if not problems:
            try:
                trend = trends.topic_trend(form.params())
            except trends.UnknownFilter as exc:
                problems = {exc.name: [exc.message]}
        if problems:
            return _bad_request(problems)
        body = (
            json.dumps(trend.payload(), cls=DjangoJSONEncoder, allow_nan=False)
            if fmt == "json"
            else trend.csv()
        ).encode()
        cache.set(key, body, trends.CACHE_SECONDS)
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    if fmt == "csv":
        response["Content-Disposition"] = 'attachment; filename="topic-trends.csv"'
    return response


def _bad_request(problems: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"errors": problems}), content_type="application/json", status=400
    )
    return response
