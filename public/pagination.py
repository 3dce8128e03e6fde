"""Pages of results: the `page` parameter, and deep pages that stay fast."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from core.errors import BadRequest, FieldError

PER_PAGE = 25
DEEP_OFFSET = 5_000


def page_number(request: HttpRequest) -> int:
    """The `page` parameter: a whole number from 1, given at most once."""
    raw = request.GET.getlist("page")
    if not raw:
        return 1
    if len(raw) > 1:
        raise BadRequest([FieldError("page", gettext("Give this parameter once."))])
    try:
        number = int(raw[0])
    except ValueError:
        raise BadRequest(
            [
                FieldError(
                    "page", gettext("“%(value)s” is not a page number.") % {"value": raw[0][:20]}
                )
            ]
        ) from None
    if number < 1:
        raise BadRequest([FieldError("page", gettext("Pages are numbered from 1."))])
    return number


def paginate(
    queryset: Any,
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
        raise Http404(gettext("There is no such page."))
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
