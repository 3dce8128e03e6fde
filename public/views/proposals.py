from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from core.cache import cache_public_page
from core.errors import BadRequest, page_400
from proposals import selectors, timeline
from proposals.facets import cached_facet_counts
from proposals.filters import ProposalFilter
from proposals.models import Proposal
from proposals.params import PARAMS, Sort
from proposals.querysets import search_plans

from ..pagination import page_number, paginate


def filtered(request: HttpRequest) -> ProposalFilter:
    """The list's filters read from the query string; BadRequest when one is wrong."""
    filterset = ProposalFilter(request.GET, queryset=Proposal.objects.visible())
    if not filterset.is_valid():
        raise BadRequest(filterset.error_list)
    return filterset


def _list_params() -> list[str]:
    """The query parameters the list reads: the parameter table's, and the page."""
    return [param.name for param in PARAMS] + ["page"]


@cache_public_page(params=_list_params)
def proposal_list(request: HttpRequest) -> HttpResponse:
    try:
        filterset = filtered(request)
        number = page_number(request)
    except BadRequest as exc:
        return page_400(request, exc.errors)
    if not filterset.form.cleaned_data.get("q"):
        return _list_page(request, filterset, number)
    with search_plans(filterset.qs.db):  # the page's rows are read before it renders
        return _list_page(request, filterset, number)


def _list_page(request: HttpRequest, filterset: ProposalFilter, number: int) -> HttpResponse:
    facets = cached_facet_counts(filterset)
    order = filterset.sort_order
    sort_chosen = bool(filterset.form.cleaned_data.get("sort"))
    if facets.more_than is not None and not sort_chosen:
        # Too many matches to rank each (the bound that left them uncounted): the
        # newest first, a walk down the (session, id) index that stops at the page.
        order = Sort.NEWEST
    in_year_order = order in (Sort.NEWEST, Sort.OLDEST)
    page = paginate(
        filterset.sorted_qs(order).for_list(),
        number,
        # Over the limit, the list stops there: pages past it would each rank or walk
        # ever more matches.
        total=facets.total if facets.total is not None else facets.more_than,
        per_year=facets.per_year() if in_year_order else None,
        newest_first=order == Sort.NEWEST,
    )
    query = filterset.form.cleaned_data.get("q")
    if query:  # each result says why it matched
        page.object_list = selectors.with_snippets(page.object_list, query)
    return render(
        request,
        "public/proposal_list.html",
        {
            "filterset": filterset,
            "facets": facets,
            "page_obj": page,
            "sort_choices": Sort.CHOICES,
            "sort": order,
            "sort_chosen": sort_chosen,
            "has_query": bool(query),
            "selected": filterset.selected(),
            "chips": filterset.chips(),
            # A filtered export above the limit is refused (public/exports.py): offer the
            # export of everything and the bulk data instead of links that answer 400.
            "export_limit": settings.TRACKER_EXPORT_MAX_ROWS,
            "export_refused": filterset.active()
            and (facets.total or 0) > settings.TRACKER_EXPORT_MAX_ROWS,
            "hidden_inputs": filterset.hidden_inputs(),
        },
    )


@cache_public_page
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.visible().for_detail(), pk=pk)
    return render(
        request,
        "public/proposal_detail.html",
        {
            "proposal": proposal,
            "related": selectors.related_proposals(proposal),
            "events": timeline.ordered_events(proposal.outcome_events.all()),
            "chain": timeline.chain_of(proposal),
        },
    )
