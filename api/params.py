"""The API's proposal parameters, derived from the list's one table
(proposals/params.py): the same fields, meanings and messages, and their OpenAPI
description made from those fields, so the schema cannot drift from the filters.

Two differences, both about paging: the API pages by `cursor` and `page_size`
(api/pagination.py) instead of `page`, and it lists newest or oldest first only (a
keyset cursor needs a unique order that an index walks; relevance and name orders
are not that). The schema's words are English, like the API's field names.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from drf_spectacular.utils import OpenApiParameter

from proposals.filters import filterset_for
from proposals.params import (
    BY_NAME,
    PARAMS,
    SLUG_LENGTH,
    YEAR_CEILING,
    YEAR_FLOOR,
    Param,
    RecordsField,
    Sort,
    TopicsField,
    YearsField,
    make_field,
)
from stats.params import TREND_PARAMS

from .pagination import MAX_PAGE_SIZE, PAGE_SIZE

API_SORTS = [(value, label) for value, label in Sort.CHOICES if value in (Sort.NEWEST, Sort.OLDEST)]
_api_sort = dataclasses.replace(
    BY_NAME["sort"], field=lambda: forms.ChoiceField(choices=API_SORTS, required=False)
)
# `facet` only widens the HTML list's facet panels: the API has none.
API_PARAMS: tuple[Param, ...] = tuple(
    _api_sort if p.name == "sort" else p for p in PARAMS if p.name != "facet"
)
ApiProposalFilter = filterset_for(API_PARAMS)

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def _schema(param: Param) -> dict[str, Any]:
    """The JSON schema of one parameter's value, read off its form field."""
    field = make_field(param)
    if isinstance(field, YearsField):
        year = {"type": "integer", "minimum": YEAR_FLOOR, "maximum": YEAR_CEILING}
        return {"type": "array", "items": year}
    if isinstance(field, TopicsField):
        return {"type": "array", "items": {"type": "string", "pattern": SLUG_PATTERN}}
    if isinstance(field, RecordsField):
        slug = {"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_LENGTH}
        return {"type": "array", "items": slug} if param.multi else slug
    if isinstance(field, forms.MultipleChoiceField):
        return {"type": "array", "items": {"type": "string", "enum": [v for v, _ in field.choices]}}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": [value for value, _ in field.choices if value]}
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    return {"type": "string", "maxLength": field.max_length}


def openapi_parameters(params: tuple[Param, ...]) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            param.name,
            type=_schema(param),
            location=OpenApiParameter.QUERY,
            required=False,
            description=str(param.label)
            + (" (repeat the key for more than one)" if param.multi else ""),
            explode=True if param.multi else None,
        )
        for param in params
    ]


PAGING = [
    OpenApiParameter(
        "cursor",
        type={"type": "string", "maxLength": 100},
        location=OpenApiParameter.QUERY,
        description="Where a page starts: take it from `next` or `previous`.",
    ),
    OpenApiParameter(
        "page_size",
        type={"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        location=OpenApiParameter.QUERY,
        description=f"Rows a page (default {PAGE_SIZE}).",
    ),
]
PROPOSAL_PARAMETERS = openapi_parameters(API_PARAMS) + PAGING
TREND_PARAMETERS = openapi_parameters(TREND_PARAMS) + [
    OpenApiParameter(
        "measure",
        type={"type": "string", "enum": ["count", "share"]},
        location=OpenApiParameter.QUERY,
        description="count: proposals a year; share: of the year's proposals.",
    )
]
